// intent_parse_bench: how fast Understand() reads the labelled corpus (parses/s, per-utterance
// latency) and the worst case on 100 KB hostile messages. Prints a table; asserts nothing
// (../shared/DESIGN.md §2, bench/). Usage: intent_parse_bench [corpus.jsonl] [rounds]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/bench_support.hpp"
#include "intents/understanding.hpp"

namespace {

using contexten::intents::Understand;
using contexten::intents::UtteranceContext;
using Clock = std::chrono::steady_clock;

struct Case {
  std::string text;
  UtteranceContext context;
};

std::vector<Case> LoadCorpus(const std::string& path) {
  std::vector<Case> cases;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto row = nlohmann::json::parse(line, nullptr, false);
    if (!row.is_object() || !row.contains("text")) continue;
    Case c;
    c.text = row["text"].get<std::string>();
    if (auto source = contexten::intents::SourceFromName(row.value("source", "mention"))) {
      c.context.source = *source;
    }
    c.context.thread_issue = row.value("thread_issue", "");
    cases.push_back(std::move(c));
  }
  return cases;
}

// CLOCK_THREAD_CPUTIME_ID has nanosecond resolution (getrusage counts scheduler ticks).
double ThreadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

double MicrosSince(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

std::vector<std::pair<std::string, std::string>> HostileCases() {
  std::vector<std::pair<std::string, std::string>> out;
  std::string prose;
  while (prose.size() < 100 * 1024) prose += "please close ENG-1 it's done, assign to <@U1> ";
  out.emplace_back("100 KB prose with cues", prose);
  out.emplace_back("100 KB of '<'", std::string(100 * 1024, '<'));
  out.emplace_back("100 KB of '\"'", std::string(100 * 1024, '"'));
  std::string quotes;
  while (quotes.size() < 100 * 1024) quotes += "\"a 'b ";
  out.emplace_back("100 KB of opening quotes", quotes);
  std::string invalid;
  while (invalid.size() < 100 * 1024) invalid += "\xff\xc3(\xed\xa0\x80 ";
  out.emplace_back("100 KB invalid UTF-8", invalid);
  std::string words;
  for (int i = 0; i < 10000; ++i) words += "deploy ";
  out.emplace_back("10k words", words);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using contexten::bench::FormatMicros;
  using contexten::bench::Percentile;
  using contexten::bench::Table;
  const std::string path =
      argc > 1 ? argv[1] : std::string(CONTEXTEN_SOURCE_DIR) + "/tests/data/intents/corpus.jsonl";
  const int rounds = argc > 2 ? std::stoi(argv[2]) : 50;
  const auto cases = LoadCorpus(path);
  if (cases.empty()) {
    std::cerr << "intent_parse_bench: no utterances in " << path << "\n";
    return 2;
  }

  // Warm-up, then per-utterance latency over every round.
  std::size_t sink = 0;
  for (const auto& c : cases) sink += Understand(c.text, c.context).intent.size();
  std::vector<double> samples;
  samples.reserve(cases.size() * static_cast<std::size_t>(rounds));
  const double cpu_start = contexten::bench::ProcessCpuSeconds();
  const auto wall_start = Clock::now();
  for (int r = 0; r < rounds; ++r) {
    for (const auto& c : cases) {
      const auto start = Clock::now();
      sink += Understand(c.text, c.context).intent.size();
      samples.push_back(MicrosSince(start));
    }
  }
  const double wall_s = MicrosSince(wall_start) / 1e6;
  const double cpu_s = contexten::bench::ProcessCpuSeconds() - cpu_start;
  const double parses = static_cast<double>(samples.size());

  Table corpus({"corpus", "parses", "parses/s (wall)", "parses/s (cpu)", "p50", "p99", "max"});
  const double max_us = *std::max_element(samples.begin(), samples.end());
  const double p50 = Percentile(samples, 50);
  const double p99 = Percentile(samples, 99);
  corpus.AddRow({std::to_string(cases.size()) + " utterances x " + std::to_string(rounds),
                 std::to_string(samples.size()), std::to_string(static_cast<long>(parses / wall_s)),
                 std::to_string(static_cast<long>(parses / std::max(cpu_s, 1e-9))),
                 FormatMicros(p50), FormatMicros(p99), FormatMicros(max_us)});
  corpus.Print(std::cout);
  std::cout << "\n";

  // Wall time includes being preempted on a busy machine; CPU time of this thread does not.
  Table hostile({"hostile input", "runs", "median", "worst (wall)", "worst (thread cpu)"});
  for (const auto& [name, text] : HostileCases()) {
    for (auto source :
         {UtteranceContext::Source::kSlashCommand, UtteranceContext::Source::kMention}) {
      UtteranceContext context;
      context.source = source;
      std::vector<double> times;
      double worst_cpu = 0;
      for (int i = 0; i < 20; ++i) {
        const double cpu = ThreadCpuMicros();
        const auto start = Clock::now();
        sink += Understand(text, context).intent.size();
        times.push_back(MicrosSince(start));
        worst_cpu = std::max(worst_cpu, ThreadCpuMicros() - cpu);
      }
      const double worst = *std::max_element(times.begin(), times.end());
      hostile.AddRow({name + " (" + std::string(contexten::intents::SourceName(source)) + ")",
                      std::to_string(times.size()), FormatMicros(Percentile(times, 50)),
                      FormatMicros(worst), FormatMicros(worst_cpu)});
    }
  }
  hostile.Print(std::cout);
  return sink == 0 ? 1 : 0;
}
