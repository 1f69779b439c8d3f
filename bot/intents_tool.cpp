#include "bot/intents_tool.hpp"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "intents/text.hpp"
#include "intents/understanding.hpp"

namespace contexten::bot {
namespace {

using nlohmann::json;

double Ratio(std::size_t a, std::size_t b) { return b == 0 ? 1.0 : static_cast<double>(a) / b; }

// Entity values compare without regard to case or runs of spaces: "Login crash" is "login crash".
std::string Canonical(const json& value) {
  std::string s = value.is_string() ? value.get<std::string>() : value.dump();
  s = intents::AsciiLower(intents::TrimSpace(s));
  std::string out;
  for (char c : s) {
    if ((c == ' ' || c == '\t' || c == '\n') && (out.empty() || out.back() == ' ')) continue;
    out += (c == '\t' || c == '\n') ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// key=value pairs; a list gives one pair per element, so lists compare as sets.
std::set<std::string> Pairs(const json& entities) {
  std::set<std::string> out;
  if (!entities.is_object()) return out;
  for (const auto& [key, value] : entities.items()) {
    if (value.is_array()) {
      for (const auto& v : value) out.insert(key + "=" + Canonical(v));
    } else {
      out.insert(key + "=" + Canonical(value));
    }
  }
  return out;
}

struct Defaults {
  intents::UtteranceContext context;
};

std::optional<intents::UtteranceContext> ContextFor(const IntentsToolOptions& options,
                                                    std::ostream& err) {
  intents::UtteranceContext context;
  auto source = intents::SourceFromName(options.source);
  if (!source) {
    err << "contexten intents: unknown --source `" << options.source
        << "` (command, mention, dm or thread)\n";
    return std::nullopt;
  }
  context.source = *source;
  context.thread_issue = options.thread_issue;
  return context;
}

int Print(const intents::UtteranceContext& context, std::istream& in, std::ostream& out) {
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto u = intents::Understand(line, context);
    json row = intents::ToJson(u);
    json ordered = {{"text", intents::SanitizeUtf8(line, line.size())}};
    for (auto& [key, value] : row.items()) ordered[key] = value;
    out << ordered.dump() << "\n";
  }
  return 0;
}

int Evaluate(const IntentsToolOptions& options, const intents::UtteranceContext& defaults,
             std::ostream& out, std::ostream& err) {
  std::ifstream file(options.eval_path);
  if (!file) {
    err << "contexten intents: cannot read " << options.eval_path << "\n";
    return 2;
  }
  IntentEval eval;
  std::vector<std::string> misses;
  std::string line;
  std::size_t number = 0;
  while (std::getline(file, line)) {
    ++number;
    if (intents::TrimSpace(line).empty()) continue;
    json row = json::parse(line, nullptr, false);
    if (row.is_discarded() || !row.is_object() || !row.contains("text") ||
        !row["text"].is_string() || !row.contains("intent")) {
      err << "contexten intents: " << options.eval_path << ":" << number
          << ": not {\"text\",\"intent\",\"entities\"}\n";
      return 2;
    }
    intents::UtteranceContext context = defaults;
    if (row.contains("source")) {
      auto source = intents::SourceFromName(row["source"].get<std::string>());
      if (!source) {
        err << "contexten intents: " << options.eval_path << ":" << number << ": unknown source\n";
        return 2;
      }
      context.source = *source;
    }
    if (row.contains("thread_issue")) context.thread_issue = row["thread_issue"].get<std::string>();
    const std::string text = row["text"].get<std::string>();
    const std::string gold_intent = row["intent"].get<std::string>();
    const auto u = intents::Understand(text, context);
    ++eval.utterances;
    const bool intent_ok = u.intent == gold_intent;
    if (intent_ok) {
      ++eval.correct;
    } else {
      ++eval.confusion[{gold_intent, u.intent}];
    }
    const auto gold = Pairs(row.value("entities", json::object()));
    const auto predicted = Pairs(u.entities);
    std::size_t tp = 0;
    for (const auto& p : predicted) tp += gold.count(p);
    eval.true_positives += tp;
    eval.predicted_pairs += predicted.size();
    eval.gold_pairs += gold.size();
    if (options.show_errors && (!intent_ok || tp != gold.size() || tp != predicted.size())) {
      misses.push_back(std::to_string(number) + ": " + text + "\n    want " + gold_intent + " " +
                       row.value("entities", json::object()).dump() + "\n    got  " + u.intent +
                       " " + u.entities.dump());
    }
  }
  out << std::fixed << std::setprecision(4);
  out << "utterances " << eval.utterances << "\n";
  out << "intent accuracy " << eval.accuracy() << " (" << eval.correct << "/" << eval.utterances
      << ")\n";
  out << "entity precision " << eval.precision() << " recall " << eval.recall() << " f1 "
      << eval.f1() << " (" << eval.true_positives << " right of " << eval.predicted_pairs
      << " found, " << eval.gold_pairs << " labelled)\n";
  std::vector<std::pair<std::size_t, std::pair<std::string, std::string>>> pairs;
  for (const auto& [key, count] : eval.confusion) pairs.emplace_back(count, key);
  std::sort(pairs.begin(), pairs.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  out << "confusion (labelled -> parsed):" << (pairs.empty() ? " none" : "") << "\n";
  for (const auto& [count, key] : pairs) {
    out << "  " << key.first << " -> " << key.second << "  " << count << "\n";
  }
  for (const auto& miss : misses) out << miss << "\n";
  bool below = false;
  if (options.min_accuracy && eval.accuracy() < *options.min_accuracy) {
    err << "contexten intents: intent accuracy " << eval.accuracy() << " is below "
        << *options.min_accuracy << "\n";
    below = true;
  }
  if (options.min_f1 && eval.f1() < *options.min_f1) {
    err << "contexten intents: entity F1 " << eval.f1() << " is below " << *options.min_f1 << "\n";
    below = true;
  }
  return below ? 1 : 0;
}

}  // namespace

double IntentEval::accuracy() const { return Ratio(correct, utterances); }
double IntentEval::precision() const { return Ratio(true_positives, predicted_pairs); }
double IntentEval::recall() const { return Ratio(true_positives, gold_pairs); }
double IntentEval::f1() const {
  const double p = precision(), r = recall();
  return p + r == 0 ? 0 : 2 * p * r / (p + r);
}

int RunIntentsTool(const IntentsToolOptions& options, std::istream& in, std::ostream& out,
                   std::ostream& err) {
  auto context = ContextFor(options, err);
  if (!context) return 2;
  if (!options.eval_path.empty()) return Evaluate(options, *context, out, err);
  return Print(*context, in, out);
}

}  // namespace contexten::bot
