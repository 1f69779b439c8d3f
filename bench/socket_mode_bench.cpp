// Socket Mode throughput and ack latency: the sandbox Slack pushes envelopes over 1 and over 2
// WebSocket connections to a SocketModeClient on loopback, at fixed offered rates (paced on a
// steady-clock schedule) and flat out. The handler does a small in-memory step (dedupe set) and
// acks at once, so the numbers are the transport + client + sandbox cost, not the bot's.
// Ack latency is the sandbox's view: envelope written -> ack frame read (AckRecord).
//
// Usage: socket_mode_bench [envelopes per run, default 100000]

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>

#include "bench/bench_support.hpp"
#include "bot/app.hpp"
#include "bot/sandbox_mode.hpp"
#include "core/config.hpp"
#include "core/net/http_client.hpp"
#include "core/net/io_runtime.hpp"
#include "integrations/slack/socket_mode_client.hpp"
#include "sandbox/slack/slack_sandbox.hpp"

namespace {

using namespace contexten;
using Clock = std::chrono::steady_clock;

struct RunResult {
  double achieved_per_s = 0;
  std::vector<double> latencies_us;
  bool complete = false;
};

std::string EnvelopeText(const std::string& id, std::uint64_t n) {
  return R"({"envelope_id":")" + id +
         R"(","type":"events_api","accepts_response_payload":false,"retry_attempt":0,)"
         R"("retry_reason":"","payload":{"type":"event_callback","team_id":"T0SANDBOX",)"
         R"("event_id":"Ev)" +
         std::to_string(n) +
         R"(","event":{"type":"message","channel":"C0GENERAL","user":"U0SANDBOXUSER",)"
         R"("text":"benchmark message","ts":"1700000000.)" +
         std::to_string(n) + R"("}}})";
}

// offered_rate 0 = as fast as the sandbox can send.
RunResult Run(int connections, double offered_rate, std::uint64_t count) {
  core::net::IoRuntime sandbox_io(1);
  core::net::IoRuntime client_io(1);
  sandbox::SlackSandboxOptions sandbox_options;
  // Long enough that no envelope is redelivered, but the bookkeeping for it still runs.
  sandbox_options.redelivery_delay = std::chrono::seconds(60);
  sandbox::SlackSandbox slack(sandbox_io, sandbox_options);
  std::atomic<std::uint64_t> acked{0};
  slack.Subscribe([&](const sandbox::SandboxEvent& e) {
    if (e.kind == sandbox::SandboxEvent::Kind::kAcked && e.ack->ack_count == 1) acked.fetch_add(1);
  });
  if (!slack.Start()) return {};

  core::net::HttpClient http(client_io);
  integrations::slack::SocketModeOptions options;
  options.api_url = slack.api_url();
  options.app_token = slack.options().app_token;
  options.connections = connections;
  std::mutex mu;
  std::unordered_set<std::string> seen;
  seen.reserve(count * 2);
  integrations::slack::SocketModeClient client(
      client_io, http, options,
      [&](integrations::slack::Envelope e, integrations::slack::AckFn ack) {
        {
          std::lock_guard lock(mu);
          seen.insert(e.DedupeKey());
        }
        ack(nullptr);
      });
  client.Start();
  const auto ready_deadline = Clock::now() + std::chrono::seconds(10);
  while (slack.open_connections() < connections || !client.connected()) {
    if (Clock::now() > ready_deadline) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  const auto start = Clock::now();
  for (std::uint64_t i = 0; i < count; ++i) {
    if (offered_rate > 0) {
      const auto due = start + std::chrono::nanoseconds(static_cast<std::int64_t>(
                                   1e9 * static_cast<double>(i) / offered_rate));
      if (Clock::now() < due) std::this_thread::sleep_until(due);
    }
    std::string id = "bench-" + std::to_string(i);
    slack.PushEnvelopeText(id, "events_api", EnvelopeText(id, i));
  }
  const auto done_deadline = Clock::now() + std::chrono::seconds(120);
  while (acked.load() < count && Clock::now() < done_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const auto end = Clock::now();
  RunResult result;
  result.complete = acked.load() >= count;
  result.achieved_per_s =
      static_cast<double>(acked.load()) / std::chrono::duration<double>(end - start).count();
  for (const auto& record : slack.Acks()) {
    if (auto latency = record.latency()) {
      result.latencies_us.push_back(static_cast<double>(latency->count()));
    }
  }
  client.Stop();
  slack.Stop();
  return result;
}

// Pushes `count` envelopes at `offered_rate` (0 = flat out) into `slack` and waits for the acks.
RunResult Drive(sandbox::SlackSandbox& slack, std::atomic<std::uint64_t>& acked,
                double offered_rate, std::uint64_t count) {
  const auto start = Clock::now();
  for (std::uint64_t i = 0; i < count; ++i) {
    if (offered_rate > 0) {
      const auto due = start + std::chrono::nanoseconds(static_cast<std::int64_t>(
                                   1e9 * static_cast<double>(i) / offered_rate));
      if (Clock::now() < due) std::this_thread::sleep_until(due);
    }
    std::string id = "app-bench-" + std::to_string(i);
    slack.PushEnvelopeText(id, "events_api", EnvelopeText(id, i));
  }
  const auto done_deadline = Clock::now() + std::chrono::seconds(300);
  while (acked.load() < count && Clock::now() < done_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  RunResult result;
  result.complete = acked.load() >= count;
  result.achieved_per_s = static_cast<double>(acked.load()) /
                          std::chrono::duration<double>(Clock::now() - start).count();
  for (const auto& record : slack.Acks()) {
    if (auto latency = record.latency()) {
      result.latencies_us.push_back(static_cast<double>(latency->count()));
    }
  }
  return result;
}

// The same through the whole bot in sandbox mode: SocketModeClient -> Dispatcher -> SQLite inbox
// (ack after the row is durable) -> handler. One connection (the sandbox mode default); the
// stand-ins run on an I/O thread of their own, as in `contexten sandbox`.
RunResult RunApp(double offered_rate, std::uint64_t count, const std::string& store_path) {
  bot::SandboxModeOptions options;
  options.config = core::LoadConfigFromString("", [](const std::string&) { return std::nullopt; });
  options.config.store.path = store_path;
  options.config.http.port = 0;
  options.config.http.bind = "127.0.0.1";
  bot::SandboxMode mode(std::move(options));
  if (!mode.Start() || !mode.app().WaitConnected(std::chrono::seconds(10))) return {};
  std::atomic<std::uint64_t> acked{0};
  mode.peers().slack().Subscribe([&](const sandbox::SandboxEvent& e) {
    if (e.kind == sandbox::SandboxEvent::Kind::kAcked && e.ack->ack_count == 1) acked.fetch_add(1);
  });
  auto result = Drive(mode.peers().slack(), acked, offered_rate, count);
  mode.Stop();
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t count = argc > 1 ? std::stoull(argv[1]) : 100000;
  bench::Table table({"connections", "offered/s", "envelopes", "achieved/s", "ack p50", "ack p99",
                      "ack p99.9", "peak RSS"});
  for (int connections : {1, 2}) {
    for (double rate : {5000.0, 20000.0, 0.0}) {
      auto r = Run(connections, rate, count);
      table.AddRow({std::to_string(connections), rate > 0 ? std::to_string(int(rate)) : "max",
                    std::to_string(r.latencies_us.size()) + (r.complete ? "" : " (incomplete)"),
                    std::to_string(static_cast<long long>(r.achieved_per_s)),
                    bench::FormatMicros(bench::Percentile(r.latencies_us, 50)),
                    bench::FormatMicros(bench::Percentile(r.latencies_us, 99)),
                    bench::FormatMicros(bench::Percentile(r.latencies_us, 99.9)),
                    bench::FormatKib(bench::PeakRssKib())});
      std::cerr << "done: " << connections << " connection(s) at "
                << (rate > 0 ? std::to_string(int(rate)) : "max") << "/s\n";
    }
  }
  bench::Table app_table({"connections", "offered/s", "envelopes", "achieved/s", "ack p50",
                          "ack p99", "ack p99.9", "peak RSS"});
  int run = 0;
  for (double rate : {5000.0, 0.0}) {
    const std::string store_path = "/tmp/contexten-socket-bench-" + std::to_string(::getpid()) +
                                   "-" + std::to_string(run++) + ".db";
    auto r = RunApp(rate, count, store_path);
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((store_path + suffix).c_str());
    app_table.AddRow({"1", rate > 0 ? std::to_string(int(rate)) : "max",
                      std::to_string(r.latencies_us.size()) + (r.complete ? "" : " (incomplete)"),
                      std::to_string(static_cast<long long>(r.achieved_per_s)),
                      bench::FormatMicros(bench::Percentile(r.latencies_us, 50)),
                      bench::FormatMicros(bench::Percentile(r.latencies_us, 99)),
                      bench::FormatMicros(bench::Percentile(r.latencies_us, 99.9)),
                      bench::FormatKib(bench::PeakRssKib())});
    std::cerr << "done: app at " << (rate > 0 ? std::to_string(int(rate)) : "max") << "/s\n";
  }
  std::cout << "Socket Mode: sandbox -> SocketModeClient (in-memory handler, immediate ack), "
            << count << " envelopes per row\n";
  table.Print(std::cout);
  std::cout << "\nThrough the whole bot (App in sandbox mode: dispatcher, SQLite inbox, ack when "
               "durable), "
            << count << " envelopes per row\n";
  app_table.Print(std::cout);
  return 0;
}
