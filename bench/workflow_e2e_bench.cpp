// End to end through the workflow path (../shared/DESIGN.md §3): a Linear issue changes state,
// the Linear stand-in sends its signed Issue webhook to the bot, and the bot posts the thread
// reply (chat.postMessage with thread_ts) under the issue's card at the Slack stand-in.
//
//   workflow_e2e_bench [workflows=1000] [rates=0,20,100] [latencies_ms=0,50] [parked=10000]
//
// What runs, in one process:
// - the Slack and Linear stand-ins (sandbox/) on an I/O thread of their own. "Latency L": the
//   Slack stand-in answers every Web API call L after applying it (an I/O timer) and the Linear
//   stand-in answers every GraphQL request L late (DelayNext).
// - the bot's parts, built by the production wiring classes: StoreModule (SQLite on disk, WAL,
//   synchronous=FULL), PlatformsModule (the real HTTP clients; Slack and Linear behind their
//   production resilience and pacing), OrchestrationModule (SqliteWorkflowStore, Engine with
//   FileIssueWorkflow, OutboxRelay with the slack lane (16 threads) and the linear lane
//   (4), timer loop). Ingress: the production WebhookIngress on an HttpServer on the platforms' I/O
//   thread (as IngressModule does), with 2 workers, handing Linear deliveries to
//   LinearWebhookConsumer: OnArrival first (the one waiting run's step stores the row), OnAccepted
//   for rows it leaves pending.
//   Not started: Socket Mode and the Slack dispatcher (not on this path).
//
// Setup (not measured): `workflows` file_issue runs are started through the engine, one per
// Slack channel, and filed through an outbox relay whose clients are the bare HTTP clients
// (no pacing): filing 1,000 issues through the production Linear client would take 40 min (it
// keeps to Linear's 1,500 requests an hour per API key) and their 1,000 card updates 20 min
// (chat.update is Tier 3, 50 a minute). For the same reason the Slack stand-in's own 429s are
// off for the whole run; in the measured phase the bot's own pacing (production settings) is on.
// Then the setup relay stops and the production OrchestrationModule starts on the same store.
//
// Measured: for each workflow, LinearSandbox::MoveIssue (to "In Progress"), either all at once
// (rate 0: a burst of `workflows` webhooks) or at a steady rate. t0 = just before MoveIssue
// (it builds, signs and hands the POST to the stand-in's HTTP client), t1 = the reply arriving
// at the Slack stand-in (its kMessagePosted event, on arrival, before any answer latency).
// The stand-ins add no latency on that path (Linear's latency is on its GraphQL answers, not its
// webhooks; Slack's is on answers, after t1), so the latency Contexten adds = t1 - t0. The
// stand-ins' latency still shows: each relay thread waits L for every Slack answer.
// "steps/s": engine steps committed (sum of workflow_runs.version) between the first webhook
// and the last reply, over that time. "commits": SQLite transactions (each one WAL fsync).
//
// Parked (in the first configuration only, before the bot's orchestration starts): `parked`
// file_issue runs are brought to "filed, waiting for Linear" cheaply: each is started through
// the engine, then its card, create and card-update effects are completed by delivering their
// results to the engine directly (Engine::Deliver with the effect outcome, as the relay does),
// without calling the stand-ins. RSS is read before and after parking, and again with the whole
// bot running with them parked; the first configuration's measured run then happens with them
// in the store.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bench/bench_support.hpp"
#include "bot/handlers/linear_webhook_consumer.hpp"
#include "bot/webhooks/webhook_ingress.hpp"
#include "bot/wiring/orchestration_module.hpp"
#include "bot/wiring/platforms_module.hpp"
#include "bot/wiring/store_module.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/logging.hpp"
#include "core/net/http_server.hpp"
#include "core/net/io_runtime.hpp"
#include "core/wait_until.hpp"
#include "core/worker_pool.hpp"
#include "integrations/linear/linear_graphql_client.hpp"
#include "integrations/slack/slack_web_client.hpp"
#include "sandbox/linear/linear_sandbox.hpp"
#include "sandbox/slack/slack_sandbox.hpp"
#include "store/sqlite_workflow_store.hpp"
#include "workflows/builtin/file_issue.hpp"
#include "workflows/engine/engine.hpp"
#include "workflows/outbox/effect_kinds.hpp"
#include "workflows/outbox/linear_executor.hpp"
#include "workflows/outbox/outbox_relay.hpp"
#include "workflows/outbox/slack_executor.hpp"

namespace {

using namespace contexten;  // NOLINT: a small program
using Steady = std::chrono::steady_clock;
using nlohmann::json;
namespace builtin = workflows::builtin;

constexpr char kChannelPrefix[] = "C0WF";
constexpr auto kSetupDeadline = std::chrono::minutes(10);
constexpr auto kRunDeadline = std::chrono::minutes(5);

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "FATAL: " << what << "\n";
  std::exit(1);
}

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Steady::now().time_since_epoch())
      .count();
}

double Seconds(Steady::time_point since) {
  return std::chrono::duration<double>(Steady::now() - since).count();
}

struct Config {
  std::size_t workflows = 1000;
  std::vector<double> rates = {0, 20, 100};
  std::vector<int> latencies_ms = {0, 50};
  std::size_t parked = 10000;
};

struct ParkedReport {
  std::size_t parked = 0;
  double seconds = 0;
  std::uint64_t rss_before_kib = 0;  // bot's store and platforms up, e2e runs filed
  std::uint64_t rss_after_kib = 0;   // after parking
  std::uint64_t rss_bot_up_kib = 0;  // orchestration and ingress started, runs parked
  std::int64_t waiting_runs = 0;     // runs waiting in the store (parked + filed)
  std::int64_t db_bytes = 0;         // database + WAL file, after the measured run
  std::int64_t wal_bytes = 0;        // of which the WAL file
};

struct RunReport {
  int latency_ms = 0;
  double rate = 0;
  std::size_t workflows = 0;
  double setup_seconds = 0;
  std::vector<double> added_us;
  // The same, split: webhook sent -> inbox row durable and handed to the consumer (ingress);
  // -> the engine step committed (step); -> the reply at Slack (relay: wake, claim, HTTP).
  std::vector<double> ingress_us;
  std::vector<double> step_us;
  std::vector<double> relay_us;
  std::size_t replies = 0;
  std::size_t move_failures = 0;
  double seconds = 0;  // first webhook -> last reply
  std::int64_t steps = 0;
  std::uint64_t commits = 0;
  double cpu_seconds = 0;
  std::uint64_t rss_kib = 0;
  std::uint64_t peak_rss_kib = 0;
  workflows::outbox::RelayStats relay;
  std::uint64_t webhooks_accepted = 0;
  bool parked_present = false;
};

// The stand-ins, the bot's parts and the measurement state of one configuration.
class Harness {
 public:
  Harness(int latency_ms, const std::filesystem::path& store_path) : latency_ms_(latency_ms) {
    sandbox::SlackSandboxOptions slack_options;
    slack_options.rate_limits.enabled = false;  // see the header comment
    slack_options.web_api_latency = std::chrono::milliseconds(latency_ms);
    slack_ = std::make_unique<sandbox::SlackSandbox>(peers_io_, slack_options);
    linear_ = std::make_unique<sandbox::LinearSandbox>(peers_io_);
    if (!slack_->Start()) Die("Slack stand-in did not start");
    if (!linear_->Start()) Die("Linear stand-in did not start");
    if (latency_ms > 0) linear_->DelayNext(1 << 30, std::chrono::milliseconds(latency_ms));
    slack_->Subscribe([this](const sandbox::SandboxEvent& e) { OnSlackEvent(e); });

    config_ = core::LoadConfigFromString("", [](const std::string&) { return std::nullopt; });
    config_.store.path = store_path.string();
    config_.slack.api_url = slack_->api_url();
    config_.slack.app_token = slack_->options().app_token;
    config_.slack.bot_token = slack_->options().bot_token;
    config_.linear.api_url = linear_->base_url();
    config_.linear.api_key = linear_->options().api_key;
    config_.linear.webhook_secret = linear_->options().webhook_secret;
    store_ = std::make_unique<bot::wiring::StoreModule>(config_, clock_);
    platforms_ = std::make_unique<bot::wiring::PlatformsModule>(config_, clock_);
  }

  ~Harness() {
    if (server_) server_->Stop();
    core::WaitUntil([this] { return !webhooks_ || webhooks_->in_flight() == 0; },
                    std::chrono::seconds(5));
    if (workers_) workers_->Shutdown();
    if (orchestration_) orchestration_->Drain();
    platforms_->io().Stop();
    server_.reset();
    webhooks_.reset();
    consumer_.reset();
    workers_.reset();
    orchestration_.reset();
    platforms_.reset();
    store_.reset();
    slack_->Stop();
    linear_->Stop();
    peers_io_.Stop();
  }

  // Files `count` runs through a relay over the bare clients; returns the seconds it took.
  double FileWorkflows(std::size_t count) {
    const auto start = Steady::now();
    store::SqliteWorkflowStore workflow_store(store_->database());
    workflows::engine::Engine engine(workflow_store, clock_);
    engine.Register(std::make_unique<builtin::FileIssueWorkflow>());
    integrations::slack::SlackWebClient slack(platforms_->http(), config_.slack.api_url,
                                              config_.slack.bot_token);
    integrations::linear::LinearClientOptions linear_options;
    linear_options.api_url = config_.linear.api_url;
    linear_options.credential = config_.linear.api_key;
    integrations::linear::LinearGraphqlClient linear(platforms_->http(), linear_options, clock_);
    workflows::outbox::SlackExecutor slack_executor(slack);
    workflows::outbox::LinearExecutor linear_executor(linear);
    workflows::outbox::OutboxRelay relay(workflow_store, engine, clock_);
    relay.AddLane(workflows::outbox::kSlackLane, slack_executor, 16);
    relay.AddLane(workflows::outbox::kLinearLane, linear_executor, 16);
    engine.set_on_effects([&relay] { relay.Wake(); });
    if (!relay.Start()) Die("setup relay did not start");
    for (std::size_t i = 0; i < count; ++i) {
      auto started = engine.Start(builtin::kFileIssueType, "bench-" + std::to_string(i),
                                  {"start",
                                   {{"team_key", "ENG"},
                                    {"title", "bench issue " + std::to_string(i)},
                                    {"priority", 2},
                                    {"channel", kChannelPrefix + std::to_string(i)},
                                    {"reporter", "U0SANDBOXUSER"}},
                                   ""});
      if (!started) Die("start: " + started.error().Describe());
    }
    const auto deadline = Steady::now() + kSetupDeadline;
    while (true) {
      auto counts = workflow_store.CountEffects();
      auto waiting = workflow_store.CountRuns(store::RunStatus::kWaiting, builtin::kFileIssueType);
      if (!counts || !waiting) Die("store read failed during setup");
      if (counts->dead > 0) Die(std::to_string(counts->dead) + " setup effects dead-lettered");
      if (counts->pending == 0 && counts->in_flight == 0 &&
          *waiting >= static_cast<std::int64_t>(count)) {
        break;
      }
      if (Steady::now() > deadline) Die("setup did not finish in time");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    relay.Stop();
    // The issue each run filed, by title.
    identifiers_.assign(count, "");
    for (const auto& issue : linear_->Issues()) {
      const std::string prefix = "bench issue ";
      if (issue.title.rfind(prefix, 0) != 0) continue;
      const std::size_t index = std::stoul(issue.title.substr(prefix.size()));
      if (index < count) identifiers_[index] = issue.identifier;
    }
    for (std::size_t i = 0; i < count; ++i) {
      if (identifiers_[i].empty()) Die("run " + std::to_string(i) + " has no Linear issue");
      index_of_[identifiers_[i]] = i;
    }
    sent_ns_.reset(new std::atomic<std::int64_t>[count]);
    accepted_ns_.reset(new std::atomic<std::int64_t>[count]);
    stepped_ns_.reset(new std::atomic<std::int64_t>[count]);
    arrived_ns_.reset(new std::atomic<std::int64_t>[count]);
    return Seconds(start);
  }

  // Brings `count` runs to "filed, waiting for Linear" by delivering their effects' results to
  // the engine directly (no stand-in is called). Before StartBot, so no relay claims them.
  ParkedReport Park(std::size_t count, int threads) {
    ParkedReport report;
    report.parked = count;
    report.rss_before_kib = bench::CurrentRssKib();
    const auto start = Steady::now();
    store::SqliteWorkflowStore workflow_store(store_->database());
    workflows::engine::Engine engine(workflow_store, clock_);
    engine.Register(std::make_unique<builtin::FileIssueWorkflow>());
    std::atomic<std::size_t> next{0};
    auto park_one = [&](std::size_t i) {
      const std::string run = "park-" + std::to_string(i);
      const std::string channel = "C0PARK" + std::to_string(i % 100);
      const std::string ts = "1700000000." + std::to_string(100000 + i);
      auto started = engine.Start(builtin::kFileIssueType, run,
                                  {"start",
                                   {{"team_key", "ENG"},
                                    {"title", "parked issue " + std::to_string(i)},
                                    {"priority", 3},
                                    {"channel", channel},
                                    {"reporter", "U0SANDBOXUSER"}},
                                   ""});
      if (!started) Die("park start: " + started.error().Describe());
      integrations::linear::Issue issue;
      issue.id = builtin::IssueUuidFor(run);
      issue.identifier = "PARK-" + std::to_string(i);
      issue.title = "parked issue " + std::to_string(i);
      issue.url = "https://linear.app/sandbox/issue/" + issue.identifier;
      issue.priority = 3;
      issue.team_key = "ENG";
      issue.state = {"state-todo", "Todo", "unstarted"};
      // card, then create, then the card update that create asks for: each effect's result
      // goes to the run in the step that finishes the effect, as the relay's Finish does.
      for (int round = 0; round < 3; ++round) {
        auto pending = PendingEffects(run);
        if (pending.empty()) break;
        const store::EffectRecord& effect = pending.front();
        json result = effect.kind == workflows::outbox::kLinearCreateIssue
                          ? workflows::outbox::IssueJson(issue)
                          : json{{"channel", channel}, {"ts", ts}};
        workflows::engine::Event event{
            workflows::engine::kEffectDone,
            {{"step", effect.step_id}, {"kind", effect.kind}, {"result", result}},
            "effect:" + std::to_string(effect.id)};
        auto delivered = engine.Deliver(
            run, std::move(event), std::nullopt,
            store::EffectOutcome{effect.id, store::EffectStatus::kDone, result.dump(), ""});
        if (!delivered) Die("park deliver: " + delivered.error().Describe());
      }
    };
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&] {
        for (std::size_t i = next++; i < count; i = next++) park_one(i);
      });
    }
    for (auto& w : workers) w.join();
    report.seconds = Seconds(start);
    report.rss_after_kib = bench::CurrentRssKib();
    auto counts = workflow_store.CountEffects();
    if (!counts || counts->pending != 0 || counts->in_flight != 0) {
      Die("parking left effects pending");
    }
    return report;
  }

  // The production orchestration on the same store, and the webhook ingress feeding it.
  void StartBot() {
    orchestration_ =
        std::make_unique<bot::wiring::OrchestrationModule>(config_, *store_, *platforms_, clock_);
    workers_ = std::make_unique<core::WorkerPool>(2);
    bot::webhooks::WebhookIngressOptions options;
    options.linear_secret = config_.linear.webhook_secret;
    webhooks_ = std::make_unique<bot::webhooks::WebhookIngress>(store_->inbox(), *workers_, clock_,
                                                                options);
    consumer_ = std::make_unique<bot::handlers::LinearWebhookConsumer>(store_->inbox(),
                                                                       orchestration_->engine());
    // The consumer as IngressModule hands it rows, with two timestamps around it for the
    // breakdown: the row is durable (accepted), the engine step is committed (stepped).
    webhooks_->set_on_accepted(
        [this](const std::string&, std::int64_t inbox_id, const std::string&,
               const std::string& body) {
          const std::int64_t accepted = NowNs();
          consumer_->OnAccepted(inbox_id, body);
          const std::int64_t stepped = NowNs();
          if (auto index = IndexOf(body)) {
            accepted_ns_[*index] = accepted;
            stepped_ns_[*index] = stepped;
          }
        },
        {"linear"});
    // ...and the fast path IngressModule sets first: the one waiting run's step stores the row.
    // accepted = the consumer has the delivery, stepped = row and step committed together.
    webhooks_->set_on_arrival(
        [this](const store::InboxItem& item) {
          const std::int64_t accepted = NowNs();
          auto taken = consumer_->OnArrival(item);
          const std::int64_t stepped = NowNs();
          if (auto index = IndexOf(item.body); index && taken) {
            accepted_ns_[*index] = accepted;
            stepped_ns_[*index] = stepped;
          }
          return taken;
        },
        {"linear"});
    core::net::HttpServerOptions server_options;
    server_options.body_limit = webhooks_->max_body_limit();
    server_ = std::make_unique<core::net::HttpServer>(platforms_->io(), server_options);
    webhooks_->Install(*server_);
    if (!server_->Start()) Die("bot HTTP server did not start");
    linear_->SetWebhookUrl(server_->BaseUrl() + "/webhooks/linear");
  }

  RunReport Measure(double rate) {
    const std::size_t count = identifiers_.size();
    RunReport report;
    report.latency_ms = latency_ms_;
    report.rate = rate;
    report.workflows = count;
    for (std::size_t i = 0; i < count; ++i) {
      sent_ns_[i] = 0;
      accepted_ns_[i] = 0;
      stepped_ns_[i] = 0;
      arrived_ns_[i] = 0;
    }
    replies_ = 0;
    expected_ = count;

    const std::int64_t steps_before = SumVersions();
    const std::uint64_t commits_before = store_->database().transactions_committed();
    const auto relay_before = orchestration_->relay().stats();
    const double cpu_before = bench::ProcessCpuSeconds();
    const auto start = Steady::now();
    for (std::size_t i = 0; i < count; ++i) {
      if (rate > 0) {
        std::this_thread::sleep_until(start + std::chrono::nanoseconds(static_cast<std::int64_t>(
                                                  1e9 * static_cast<double>(i) / rate)));
      }
      sent_ns_[i] = NowNs();
      if (!linear_->MoveIssue(identifiers_[i], "In Progress")) ++report.move_failures;
    }
    {
      std::unique_lock lock(mu_);
      replied_cv_.wait_for(lock, kRunDeadline, [&] { return replies_ >= expected_; });
    }
    const std::int64_t steps_after = SumVersions();
    report.commits = store_->database().transactions_committed() - commits_before;
    report.cpu_seconds = bench::ProcessCpuSeconds() - cpu_before;
    const auto relay_after = orchestration_->relay().stats();
    report.relay.performed = relay_after.performed - relay_before.performed;
    report.relay.rescheduled = relay_after.rescheduled - relay_before.rescheduled;
    report.relay.dead_lettered = relay_after.dead_lettered - relay_before.dead_lettered;
    report.steps = steps_after - steps_before;
    report.webhooks_accepted = webhooks_->stats().accepted;

    std::int64_t first_sent = 0;
    std::int64_t last_arrived = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const std::int64_t sent = sent_ns_[i].load();
      const std::int64_t arrived = arrived_ns_[i].load();
      if (first_sent == 0 || sent < first_sent) first_sent = sent;
      if (arrived == 0) continue;
      last_arrived = std::max(last_arrived, arrived);
      ++report.replies;
      report.added_us.push_back(static_cast<double>(arrived - sent) / 1000.0);
      const std::int64_t accepted = accepted_ns_[i].load();
      const std::int64_t stepped = stepped_ns_[i].load();
      if (accepted != 0 && stepped != 0) {
        report.ingress_us.push_back(static_cast<double>(accepted - sent) / 1000.0);
        report.step_us.push_back(static_cast<double>(stepped - accepted) / 1000.0);
        report.relay_us.push_back(static_cast<double>(arrived - stepped) / 1000.0);
      }
    }
    report.seconds = static_cast<double>(last_arrived - first_sent) / 1e9;
    report.rss_kib = bench::CurrentRssKib();
    report.peak_rss_kib = bench::PeakRssKib();
    return report;
  }

  std::int64_t CountWaiting() {
    auto waiting =
        orchestration_->workflows().CountRuns(store::RunStatus::kWaiting, builtin::kFileIssueType);
    return waiting ? *waiting : -1;
  }

 private:
  void OnSlackEvent(const sandbox::SandboxEvent& e) {
    if (e.kind != sandbox::SandboxEvent::Kind::kMessagePosted || !e.message) return;
    const sandbox::SandboxMessage& m = *e.message;
    if (m.thread_ts.empty() || m.channel.rfind(kChannelPrefix, 0) != 0 || !sent_ns_) return;
    const std::size_t index = std::stoul(m.channel.substr(sizeof kChannelPrefix - 1));
    if (index >= expected_) return;
    std::int64_t none = 0;
    if (!arrived_ns_[index].compare_exchange_strong(none, NowNs())) return;  // first reply only
    std::lock_guard lock(mu_);
    if (++replies_ >= expected_) replied_cv_.notify_all();
  }

  // The pending effects of one run, oldest first, by the outbox's (run_id, step_id) index
  // (WorkflowStore::Effects filters in a way that scans the whole outbox).
  std::vector<store::EffectRecord> PendingEffects(const std::string& run_id) {
    std::vector<store::EffectRecord> effects;
    auto read = store_->database().ReadOnly([&](SQLite::Database& db) -> core::Status {
      SQLite::Statement query(db,
                              "SELECT id, step_id, kind FROM outbox WHERE run_id = ? AND "
                              "status = 'pending' ORDER BY id");
      query.bind(1, run_id);
      while (query.executeStep()) {
        store::EffectRecord effect;
        effect.id = query.getColumn(0).getInt64();
        effect.run_id = run_id;
        effect.step_id = query.getColumn(1).getString();
        effect.kind = query.getColumn(2).getString();
        effects.push_back(std::move(effect));
      }
      return core::Ok();
    });
    if (!read) Die("park effects: " + read.error().Describe());
    return effects;
  }

  // The measured run a webhook body is about, by its issue identifier (data.identifier).
  std::optional<std::size_t> IndexOf(const std::string& body) const {
    static constexpr std::string_view kField = "\"identifier\":\"";
    const std::size_t at = body.find(kField);
    if (at == std::string::npos) return std::nullopt;
    const std::size_t begin = at + kField.size();
    const std::size_t end = body.find('"', begin);
    if (end == std::string::npos) return std::nullopt;
    auto it = index_of_.find(body.substr(begin, end - begin));
    if (it == index_of_.end()) return std::nullopt;
    return it->second;
  }

  std::int64_t SumVersions() {
    std::int64_t sum = 0;
    (void)store_->database().ReadOnly([&](SQLite::Database& db) -> core::Status {
      SQLite::Statement query(db, "SELECT COALESCE(SUM(version), 0) FROM workflow_runs");
      if (query.executeStep()) sum = query.getColumn(0).getInt64();
      return core::Ok();
    });
    return sum;
  }

  const int latency_ms_;
  core::Clock& clock_ = core::DefaultClock();
  core::net::IoRuntime peers_io_{1};
  std::unique_ptr<sandbox::SlackSandbox> slack_;
  std::unique_ptr<sandbox::LinearSandbox> linear_;
  core::Config config_;
  std::unique_ptr<bot::wiring::StoreModule> store_;
  std::unique_ptr<bot::wiring::PlatformsModule> platforms_;
  std::unique_ptr<bot::wiring::OrchestrationModule> orchestration_;
  std::unique_ptr<core::WorkerPool> workers_;
  std::unique_ptr<bot::webhooks::WebhookIngress> webhooks_;
  std::unique_ptr<bot::handlers::LinearWebhookConsumer> consumer_;
  std::unique_ptr<core::net::HttpServer> server_;

  std::vector<std::string> identifiers_;  // the Linear issue of each measured run
  std::unordered_map<std::string, std::size_t> index_of_;
  std::unique_ptr<std::atomic<std::int64_t>[]> sent_ns_;
  std::unique_ptr<std::atomic<std::int64_t>[]> accepted_ns_;
  std::unique_ptr<std::atomic<std::int64_t>[]> stepped_ns_;
  std::unique_ptr<std::atomic<std::int64_t>[]> arrived_ns_;
  std::mutex mu_;
  std::condition_variable replied_cv_;
  std::size_t replies_ = 0;
  std::size_t expected_ = 0;
};

template <typename T>
std::vector<T> ParseList(const std::string& text) {
  std::vector<T> values;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) values.push_back(static_cast<T>(std::stod(item)));
  return values;
}

std::string Fixed(double value, int decimals) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

void RemoveStore(const std::filesystem::path& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path.string() + suffix, ec);
  }
}

}  // namespace

int main(int argc, char** argv) {
  core::InitLogging({.level = "error", .format = "text"});
  Config config;
  if (argc > 1) config.workflows = std::stoul(argv[1]);
  if (argc > 2) config.rates = ParseList<double>(argv[2]);
  if (argc > 3) config.latencies_ms = ParseList<int>(argv[3]);
  if (argc > 4) config.parked = std::stoul(argv[4]);

  // On disk beside the executable (build/bench/): a tmpfs /tmp would hide the fsyncs.
  std::error_code exe_error;
  const std::filesystem::path dir =
      std::filesystem::read_symlink("/proc/self/exe", exe_error).parent_path();
  if (exe_error || dir.empty()) Die("cannot tell where the executable is");

  std::vector<RunReport> reports;
  std::optional<ParkedReport> parked;
  int instance = 0;
  for (int latency_ms : config.latencies_ms) {
    for (double rate : config.rates) {
      const auto store_path = dir / ("workflow-e2e-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(instance) + ".db");
      RemoveStore(store_path);
      RunReport report;
      {
        Harness harness(latency_ms, store_path);
        const double setup = harness.FileWorkflows(config.workflows);
        std::cerr << "latency " << latency_ms << " ms, rate " << rate << ": " << config.workflows
                  << " runs filed in " << Fixed(setup, 1) << " s\n";
        const bool park_here = instance == 0 && config.parked > 0;
        if (park_here) {
          parked = harness.Park(config.parked, 8);
          std::cerr << "parked " << config.parked << " runs in " << Fixed(parked->seconds, 1)
                    << " s\n";
        }
        harness.StartBot();
        if (park_here) {
          parked->rss_bot_up_kib = bench::CurrentRssKib();
          parked->waiting_runs = harness.CountWaiting();
        }
        report = harness.Measure(rate);
        report.setup_seconds = setup;
        report.parked_present = park_here;
        if (park_here) {
          std::error_code ec;
          for (const char* suffix : {"", "-wal"}) {
            const auto bytes = std::filesystem::file_size(store_path.string() + suffix, ec);
            if (ec) continue;
            parked->db_bytes += static_cast<std::int64_t>(bytes);
            if (std::string(suffix) == "-wal") parked->wal_bytes = static_cast<std::int64_t>(bytes);
          }
        }
        std::cerr << "  " << report.replies << "/" << report.workflows << " replies\n";
      }
      RemoveStore(store_path);
      // What the process keeps once this configuration is gone: the allocator's free pages are
      // handed back first, so growth here would be memory still referenced.
      ::malloc_trim(0);
      std::cerr << "  RSS after teardown: " << bench::FormatKib(bench::CurrentRssKib()) << "\n";
      reports.push_back(std::move(report));
      ++instance;
    }
  }

  std::cout << "workflow e2e: Linear Issue webhook (state change) -> LinearWebhookConsumer -> "
               "engine step -> outbox relay -> thread reply at the Slack stand-in; "
            << config.workflows
            << " filed file_issue runs per row, each in its own channel; SQLite on disk (WAL, "
               "synchronous=FULL); production OrchestrationModule (relay: slack lane 16 threads, "
               "linear lane 4) and Slack pacing\n\n";
  bench::Table table({"stand-in latency", "webhooks", "added p50", "added p95", "added p99", "max",
                      "replies", "duration", "steps/s", "commits/reply", "CPU/workflow",
                      "relay done", "rescheduled", "RSS", "peak RSS"});
  bool ok = true;
  for (auto& r : reports) {
    auto lat = r.added_us;
    const double per = static_cast<double>(std::max<std::size_t>(r.replies, 1));
    table.AddRow({std::to_string(r.latency_ms) + " ms",
                  r.rate > 0 ? "steady " + Fixed(r.rate, 0) + "/s" : "all at once",
                  bench::FormatMicros(bench::Percentile(lat, 50)),
                  bench::FormatMicros(bench::Percentile(lat, 95)),
                  bench::FormatMicros(bench::Percentile(lat, 99)),
                  bench::FormatMicros(bench::Percentile(lat, 100)),
                  std::to_string(r.replies) + "/" + std::to_string(r.workflows) +
                      (r.parked_present ? " (+parked)" : ""),
                  Fixed(r.seconds, 2) + " s",
                  Fixed(r.seconds > 0 ? static_cast<double>(r.steps) / r.seconds : 0, 0),
                  Fixed(static_cast<double>(r.commits) / per, 1),
                  bench::FormatMicros(r.cpu_seconds * 1e6 / per), std::to_string(r.relay.performed),
                  std::to_string(r.relay.rescheduled), bench::FormatKib(r.rss_kib),
                  bench::FormatKib(r.peak_rss_kib)});
    if (r.replies != r.workflows || r.move_failures != 0) ok = false;
  }
  table.Print(std::cout);
  std::cout << "\nWhere the added latency goes (p50 / p99 of each stage)\n\n";
  bench::Table stages({"stand-in latency", "webhooks", "ingress: sent -> consumer",
                       "step: row + engine step committed", "relay: -> reply at Slack"});
  for (auto& r : reports) {
    auto cell = [](std::vector<double> v) {
      return bench::FormatMicros(bench::Percentile(v, 50)) + " / " +
             bench::FormatMicros(bench::Percentile(v, 99));
    };
    stages.AddRow({std::to_string(r.latency_ms) + " ms",
                   r.rate > 0 ? "steady " + Fixed(r.rate, 0) + "/s" : "all at once",
                   cell(r.ingress_us), cell(r.step_us), cell(r.relay_us)});
  }
  stages.Print(std::cout);
  std::cout << "\nadded = reply arrival at the Slack stand-in - MoveIssue call (the stand-ins add "
               "nothing on that path; their latency delays answers, which holds relay threads). "
               "steps/s = engine steps committed / (first webhook -> last reply). commits = "
               "SQLite transactions (one WAL fsync each). relay done / rescheduled: effects "
               "performed and deferred (pacing refusals) by the relay during the row.\n";
  if (parked) {
    std::cout << "\nParked: " << parked->parked
              << " file_issue runs brought to 'filed, waiting for Linear' by delivering effect "
                 "results to the engine directly (no stand-in calls)\n\n";
    bench::Table parked_table({"parked", "parking time", "RSS before", "RSS after parking",
                               "growth", "RSS, bot up with them parked", "runs waiting",
                               "store on disk (db + WAL)"});
    const auto growth = parked->rss_after_kib > parked->rss_before_kib
                            ? parked->rss_after_kib - parked->rss_before_kib
                            : 0;
    parked_table.AddRow(
        {std::to_string(parked->parked), Fixed(parked->seconds, 1) + " s",
         bench::FormatKib(parked->rss_before_kib), bench::FormatKib(parked->rss_after_kib),
         bench::FormatKib(growth), bench::FormatKib(parked->rss_bot_up_kib),
         std::to_string(parked->waiting_runs),
         Fixed(static_cast<double>(parked->db_bytes) / 1048576.0, 1) + " MiB (WAL " +
             Fixed(static_cast<double>(parked->wal_bytes) / 1048576.0, 1) + " MiB)"});
    parked_table.Print(std::cout);
  }
  std::cout << (ok ? "every workflow replied in its thread\n" : "CHECK FAILED: missing replies\n");
  return ok ? 0 : 1;
}
