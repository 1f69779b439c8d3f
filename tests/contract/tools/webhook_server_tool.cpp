// Serves the webhook ingress for the GitHub webhooks contract test.
//
//   webhook_server_tool [SECRET]   serve; SECRET defaults to $CONTEXTEN_GITHUB_WEBHOOK_SECRET.
//                                  Prints "PORT <n>", serves until stdin closes or a "stats"
//                                  line arrives, prints one JSON line of counts, exits 0.
//   webhook_server_tool sign SECRET  prints SignGitHubPayload(SECRET, stdin) (cross-check).

#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "bot/webhooks/webhook_ingress.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"
#include "core/net/http_server.hpp"
#include "core/net/io_runtime.hpp"
#include "core/worker_pool.hpp"
#include "integrations/github/webhook_verify.hpp"
#include "store/database.hpp"
#include "store/sqlite_inbox.hpp"

namespace {

using namespace contexten;  // NOLINT: a small program
using bot::webhooks::ProcessedDelivery;
using bot::webhooks::ProcessOutcome;
using nlohmann::json;

struct EventCounts {
  std::uint64_t accepted = 0;
  std::uint64_t typed = 0;
  std::uint64_t skipped = 0;
  std::uint64_t parse_failures = 0;
};

int Sign(const std::string& secret) {
  std::string body((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  std::cout << integrations::github::SignGitHubPayload(secret, body) << std::endl;
  return 0;
}

int Serve(const std::string& secret) {
  core::InitLogging({.level = "warn", .format = "text"});  // stderr; stdout is the protocol
  char dir_template[] = "/tmp/contexten-webhook-tool-XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) {
    std::cerr << "cannot create a temp dir\n";
    return 1;
  }
  const std::filesystem::path dir = dir_template;
  int rc = 0;
  {
    core::Clock& clock = core::DefaultClock();
    store::StoreOptions store_options;
    store_options.path = (dir / "inbox.db").string();
    auto db = store::Database::Open(store_options);
    if (!db) {
      std::cerr << "store: " << db.error().Describe() << "\n";
      return 1;
    }
    store::SqliteInbox inbox(**db, clock);
    core::WorkerPool workers(2);
    core::net::IoRuntime io(1);

    bot::webhooks::WebhookIngressOptions options;
    options.github_secret = secret;
    options.linear_secret = secret;
    bot::webhooks::WebhookIngress ingress(inbox, workers, clock, options);
    std::mutex mu;
    std::map<std::string, EventCounts> per_event;
    json failures = json::array();
    ingress.set_on_processed([&](const ProcessedDelivery& d) {
      std::lock_guard lock(mu);
      auto& counts = per_event[d.event];
      ++counts.accepted;
      switch (d.outcome) {
        case ProcessOutcome::kTyped:
          ++counts.typed;
          break;
        case ProcessOutcome::kSkipped:
          ++counts.skipped;
          break;
        case ProcessOutcome::kParseFailed:
          ++counts.parse_failures;
          failures.push_back({{"event", d.event}, {"kind", d.kind}, {"error", d.error}});
          break;
      }
    });

    core::net::HttpServerOptions server_options;
    server_options.body_limit = ingress.max_body_limit();
    core::net::HttpServer server(io, server_options);
    ingress.Install(server);
    if (auto started = server.Start(); !started) {
      std::cerr << "server: " << started.error().Describe() << "\n";
      return 1;
    }
    std::cout << "PORT " << server.port() << std::endl;

    std::string line;
    while (std::getline(std::cin, line)) {
      if (line == "stats") break;
    }
    // Every 2xx was durable before it was sent; processing finishes just after. Wait for it.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (ingress.in_flight() > 0 && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    server.Stop();

    const auto stats = ingress.stats();
    auto stored = inbox.Count("github");
    json out;
    {
      std::lock_guard lock(mu);
      json events = json::object();
      for (const auto& [name, c] : per_event) {
        events[name] = {{"accepted", c.accepted},
                        {"typed", c.typed},
                        {"skipped", c.skipped},
                        {"parse_failures", c.parse_failures}};
      }
      out = {{"accepted", stats.accepted},
             {"duplicates", stats.duplicates},
             {"typed", stats.typed},
             {"skipped", stats.skipped},
             {"parse_failures", stats.parse_failures},
             {"store_failures", stats.store_failures},
             {"rejected", stats.rejected},
             {"in_flight", ingress.in_flight()},
             {"inbox_rows", stored ? *stored : -1},
             {"events", events},
             {"failures", failures}};
    }
    std::cout << out.dump() << std::endl;
    if (ingress.in_flight() > 0) rc = 1;
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "sign") {
    if (args.size() != 2) {
      std::cerr << "usage: webhook_server_tool sign SECRET < body\n";
      return 2;
    }
    return Sign(args[1]);
  }
  std::string secret;
  if (!args.empty()) {
    secret = args[0];
  } else if (const char* env = std::getenv("CONTEXTEN_GITHUB_WEBHOOK_SECRET")) {
    secret = env;
  }
  if (secret.empty()) {
    std::cerr << "usage: webhook_server_tool SECRET (or CONTEXTEN_GITHUB_WEBHOOK_SECRET)\n";
    return 2;
  }
  return Serve(secret);
}
