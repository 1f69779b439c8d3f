// Webhook ingest: concurrent signed POSTs of real GitHub example payloads to /webhooks/github,
// each answered only once its inbox row is durable. Prints deliveries/s, latency percentiles and
// peak RSS, then checks every delivery is in the inbox exactly once.
//
//   webhook_ingest_bench [deliveries=50000] [concurrency=64,256] [server_io_threads=1]
//                        [examples.json]
//
// "CPU/delivery" is the process's user+system CPU time over the run divided by the deliveries:
// on a shared machine it moves much less with the neighbours' load than deliveries/s does.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_support.hpp"
#include "bot/webhooks/delivery_marks.hpp"
#include "bot/webhooks/webhook_ingress.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"
#include "core/net/http_client.hpp"
#include "core/net/http_server.hpp"
#include "core/net/io_runtime.hpp"
#include "core/worker_pool.hpp"
#include "integrations/github/webhook_verify.hpp"
#include "store/database.hpp"
#include "store/sqlite_inbox.hpp"

namespace {

using namespace contexten;  // NOLINT: a small program
using Clock = std::chrono::steady_clock;

constexpr const char* kSecret = "bench-webhook-secret";

struct Payload {
  std::string event;
  std::string body;
  std::string signature;
};

std::filesystem::path DefaultExamples() {
  return std::filesystem::path(__FILE__).parent_path().parent_path() /
         "tests/contract/node_modules/@octokit/webhooks-examples/api.github.com/index.json";
}

// Real payloads from @octokit/webhooks-examples when installed, else a few typical ones.
std::vector<Payload> LoadPayloads(const std::filesystem::path& path, std::string& origin) {
  std::vector<Payload> payloads;
  std::ifstream in(path);
  if (in) {
    auto index = nlohmann::json::parse(in, nullptr, false);
    if (index.is_array()) {
      for (const auto& event : index) {
        for (const auto& example : event.value("examples", nlohmann::json::array())) {
          payloads.push_back({event.value("name", ""), example.dump(), ""});
        }
      }
    }
  }
  if (!payloads.empty()) {
    origin = std::to_string(payloads.size()) + " @octokit/webhooks-examples payloads";
  } else {
    origin = "embedded payloads (webhooks-examples not installed)";
    payloads = {
        {"push",
         R"({"ref":"refs/heads/main","before":"a1","after":"b2","created":false,"deleted":false,)"
         R"("forced":false,"commits":[{"id":"b2","message":"ENG-12 fix login"}],)"
         R"("repository":{"full_name":"acme/web"},"sender":{"login":"octocat"}})",
         ""},
        {"pull_request",
         R"({"action":"opened","number":7,"pull_request":{"number":7,"title":"ENG-12 fix",)"
         R"("state":"open","head":{"ref":"eng-12","sha":"b2"},"base":{"ref":"main"},)"
         R"("user":{"login":"octocat"}},"repository":{"full_name":"acme/web"}})",
         ""},
        {"star", R"({"action":"created","starred_at":null,"repository":{"full_name":"acme/web"}})",
         ""},
    };
  }
  for (auto& p : payloads) p.signature = integrations::github::SignGitHubPayload(kSecret, p.body);
  return payloads;
}

struct RunResult {
  std::size_t deliveries = 0;
  std::size_t concurrency = 0;
  double seconds = 0;
  std::vector<double> latencies_us;
  std::size_t non_2xx = 0;
  std::size_t transport_errors = 0;
  std::int64_t stored = 0;
  std::int64_t distinct = 0;
  std::uint64_t transactions = 0;
  std::size_t bytes = 0;
  double cpu_seconds = 0;
};

RunResult Run(const std::vector<Payload>& payloads, std::size_t deliveries, std::size_t concurrency,
              int server_threads, const std::filesystem::path& dir) {
  RunResult result;
  result.deliveries = deliveries;
  result.concurrency = concurrency;
  core::Clock& clock = core::DefaultClock();
  store::StoreOptions store_options;
  store_options.path = (dir / ("inbox-" + std::to_string(concurrency) + ".db")).string();
  auto db = store::Database::Open(store_options);
  if (!db) {
    std::cerr << "store: " << db.error().Describe() << "\n";
    std::exit(1);
  }
  store::SqliteInbox inbox(**db, clock);
  core::WorkerPool workers(1);
  core::net::IoRuntime server_io(server_threads);
  bot::webhooks::WebhookIngressOptions options;
  options.github_secret = kSecret;
  options.linear_secret = kSecret;
  bot::webhooks::WebhookIngress ingress(inbox, workers, clock, options);
  core::net::HttpServerOptions server_options;
  server_options.body_limit = ingress.max_body_limit();
  core::net::HttpServer server(server_io, server_options);
  ingress.Install(server);
  if (auto started = server.Start(); !started) {
    std::cerr << "server: " << started.error().Describe() << "\n";
    std::exit(1);
  }
  const std::string url = server.BaseUrl() + "/webhooks/github";

  core::net::IoRuntime client_io(1);
  core::net::HttpClientOptions client_options;
  client_options.max_idle_per_host = concurrency;
  client_options.request_timeout = std::chrono::seconds(60);
  core::net::HttpClient client(client_io, client_options);

  std::vector<double> latencies(deliveries, 0.0);
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> finished{0};
  std::atomic<std::size_t> non_2xx{0};
  std::atomic<std::size_t> transport_errors{0};
  std::mutex mu;
  std::condition_variable all_done;

  // Each completion starts the next delivery, so `concurrency` stay in flight.
  std::function<void()> send_next = [&] {
    const std::size_t i = next.fetch_add(1);
    if (i >= deliveries) return;
    const Payload& p = payloads[i % payloads.size()];
    core::net::OutgoingRequest request;
    request.method = "POST";
    request.url = url;
    request.body = p.body;
    request.headers.Set("Content-Type", "application/json");
    request.headers.Set("X-GitHub-Event", p.event);
    request.headers.Set("X-GitHub-Delivery", "bench-" + std::to_string(i));
    request.headers.Set("X-Hub-Signature-256", p.signature);
    const auto sent = Clock::now();
    client.SendAsync(std::move(request), [&, i, sent](core::Result<core::net::HttpResponse> r) {
      latencies[i] = std::chrono::duration<double, std::micro>(Clock::now() - sent).count();
      if (!r) {
        ++transport_errors;
      } else if (r->status < 200 || r->status > 299) {
        ++non_2xx;
      }
      if (finished.fetch_add(1) + 1 == deliveries) {
        std::lock_guard lock(mu);
        all_done.notify_all();
      } else {
        send_next();
      }
    });
  };

  const auto start = Clock::now();
  const double cpu_start = bench::ProcessCpuSeconds();
  for (std::size_t k = 0; k < concurrency && k < deliveries; ++k) send_next();
  {
    std::unique_lock lock(mu);
    all_done.wait(lock, [&] { return finished.load() == deliveries; });
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  result.cpu_seconds = bench::ProcessCpuSeconds() - cpu_start;
  result.latencies_us = std::move(latencies);
  result.non_2xx = non_2xx.load();
  result.transport_errors = transport_errors.load();
  for (std::size_t i = 0; i < deliveries; ++i)
    result.bytes += payloads[i % payloads.size()].body.size();

  // Let processing (parse + mark) finish before checking, so the writer is idle.
  while (ingress.in_flight() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server.Stop();
  workers.Shutdown();
  result.transactions = (*db)->transactions_committed();
  auto stored = inbox.Count("github");
  result.stored = stored ? *stored : -1;
  (void)(*db)->ReadOnly([&](SQLite::Database& sqlite) -> core::Status {
    SQLite::Statement query(sqlite,
                            "SELECT COUNT(DISTINCT dedupe_key) FROM inbox WHERE source = 'github'");
    if (query.executeStep()) result.distinct = query.getColumn(0).getInt64();
    return core::Ok();
  });
  const auto stats = ingress.stats();
  std::cerr << "  c=" << concurrency << ": accepted " << stats.accepted << ", typed " << stats.typed
            << ", skipped " << stats.skipped << ", parse failures " << stats.parse_failures
            << ", duplicates " << stats.duplicates << "\n";
  return result;
}

std::vector<std::size_t> ParseList(const std::string& text) {
  std::vector<std::size_t> values;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) values.push_back(std::stoul(item));
  return values;
}

}  // namespace

int main(int argc, char** argv) {
  core::InitLogging({.level = "warn", .format = "text"});
  const std::size_t deliveries = argc > 1 ? std::stoul(argv[1]) : 50000;
  const std::vector<std::size_t> levels = ParseList(argc > 2 ? argv[2] : "64,256");
  const int server_threads = argc > 3 ? std::stoi(argv[3]) : 1;
  const std::filesystem::path examples = argc > 4 ? argv[4] : DefaultExamples();

  std::string origin;
  const auto payloads = LoadPayloads(examples, origin);
  char dir_template[] = "/tmp/contexten-webhook-bench-XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) return 1;
  const std::filesystem::path dir = dir_template;

  std::cout << "webhook ingest: " << deliveries << " signed POSTs per run of " << origin
            << ", 2xx only after the inbox commit (SQLite WAL, synchronous=FULL, group commit); "
            << server_threads << " server I/O thread(s), 1 client I/O thread, 1 worker\n\n";
  bench::Table table({"deliveries", "concurrency", "deliveries/s", "MB/s", "p50", "p99", "p99.9",
                      "max", "CPU/delivery", "commits", "peak RSS", "inbox rows", "distinct",
                      "errors"});
  bool ok = true;
  for (std::size_t concurrency : levels) {
    RunResult r = Run(payloads, deliveries, concurrency, server_threads, dir);
    auto& lat = r.latencies_us;
    const double p50 = bench::Percentile(lat, 50);
    const double p99 = bench::Percentile(lat, 99);
    const double p999 = bench::Percentile(lat, 99.9);
    const double max = bench::Percentile(lat, 100);
    char rate[32];
    char mbs[32];
    std::snprintf(rate, sizeof rate, "%.0f", static_cast<double>(r.deliveries) / r.seconds);
    std::snprintf(mbs, sizeof mbs, "%.1f", static_cast<double>(r.bytes) / r.seconds / 1e6);
    const std::size_t errors = r.non_2xx + r.transport_errors;
    table.AddRow({std::to_string(r.deliveries), std::to_string(r.concurrency), rate, mbs,
                  bench::FormatMicros(p50), bench::FormatMicros(p99), bench::FormatMicros(p999),
                  bench::FormatMicros(max),
                  bench::FormatMicros(r.cpu_seconds * 1e6 / static_cast<double>(r.deliveries)),
                  std::to_string(r.transactions), bench::FormatKib(bench::PeakRssKib()),
                  std::to_string(r.stored), std::to_string(r.distinct), std::to_string(errors)});
    const bool exactly_once = r.stored == static_cast<std::int64_t>(r.deliveries) &&
                              r.distinct == static_cast<std::int64_t>(r.deliveries);
    if (!exactly_once || errors != 0) {
      ok = false;
      std::cerr << "FAIL c=" << concurrency << ": " << r.stored << " rows, " << r.distinct
                << " distinct for " << r.deliveries << " deliveries; " << r.non_2xx << " non-2xx, "
                << r.transport_errors << " transport errors\n";
    }
  }
  table.Print(std::cout);
  std::cout << "\npeak RSS is the process high-water mark (server, client and store together); "
               "commits = SQLite transactions (appends and marks share them)\n";
  std::cout << (ok ? "every delivery is in the inbox exactly once\n" : "CHECK FAILED: see above\n");
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return ok ? 0 : 1;
}
