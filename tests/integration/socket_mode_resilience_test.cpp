// Socket Mode against the sandbox Slack on loopback when Slack misbehaves the ways it does in
// production: refreshes, silent connections, late acks and redeliveries, link_disabled,
// too_many_websockets. Every test tracks the number of simultaneously open sockets the sandbox
// sees; the client may hold one transient replacement beyond its configured count.

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include "core/net/http_client.hpp"
#include "core/net/io_runtime.hpp"
#include "integrations/slack/socket_mode_client.hpp"
#include "sandbox/slack/slack_sandbox.hpp"
#include "store/database.hpp"
#include "store/sqlite_inbox.hpp"
#include "tests/integration/sandbox_app_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten {
namespace {

using integrations::slack::AckFn;
using integrations::slack::Envelope;
using integrations::slack::SocketModeClient;
using integrations::slack::SocketModeOptions;
using sandbox::SandboxEvent;
using sandbox::SlackSandbox;
using sandbox::SlackSandboxOptions;
using testing::WaitFor;

constexpr auto kDeadline = std::chrono::seconds(20);

nlohmann::json EventEnvelope(const std::string& envelope_id, const std::string& event_id,
                             int retry_attempt = 0) {
  return {
      {"envelope_id", envelope_id},
      {"type", "events_api"},
      {"accepts_response_payload", false},
      {"retry_attempt", retry_attempt},
      {"retry_reason", retry_attempt > 0 ? "timeout" : ""},
      {"payload",
       {{"type", "event_callback"},
        {"event_id", event_id},
        {"team_id", "T0SANDBOX"},
        {"event", {{"type", "reaction_added"}, {"user", "U0SANDBOXUSER"}, {"reaction", "eyes"}}}}}};
}

// Sandbox + client on separate I/O runtimes (as the real deployment has them on two machines).
class Harness {
 public:
  using Handler = std::function<void(Envelope, AckFn)>;

  Harness(SlackSandboxOptions sandbox_options, SocketModeOptions client_options, Handler handler)
      : slack_(sandbox_io_, sandbox_options), http_(client_io_) {
    slack_.Subscribe([this](const SandboxEvent& e) {
      if (e.kind != SandboxEvent::Kind::kConnectionOpened &&
          e.kind != SandboxEvent::Kind::kConnectionClosed) {
        return;
      }
      int seen = max_open_.load();
      while (e.open_connections > seen &&
             !max_open_.compare_exchange_weak(seen, e.open_connections)) {
      }
    });
    auto started = slack_.Start();
    EXPECT_TRUE(started) << (started ? "" : started.error().Describe());
    client_options.api_url = slack_.api_url();
    client_options.app_token = slack_.options().app_token;
    client_ =
        std::make_unique<SocketModeClient>(client_io_, http_, client_options, std::move(handler));
    client_->Start();
  }
  ~Harness() {
    client_->Stop();
    slack_.Stop();
  }

  SlackSandbox& slack() { return slack_; }
  SocketModeClient& client() { return *client_; }
  int max_open() const { return max_open_.load(); }

  // Both ends agree: the sandbox has n connections and the client has read n hellos.
  bool WaitOpen(int n) {
    return WaitFor(
        [&] {
          return slack_.open_connections() == n &&
                 client_->stats().hellos >= static_cast<std::uint64_t>(n);
        },
        kDeadline);
  }

 private:
  core::net::IoRuntime sandbox_io_;
  core::net::IoRuntime client_io_;
  SlackSandbox slack_;
  core::net::HttpClient http_;
  std::atomic<int> max_open_{0};
  std::unique_ptr<SocketModeClient> client_;
};

SocketModeOptions FastClient(int connections) {
  SocketModeOptions o;
  o.connections = connections;
  o.reconnect_base = std::chrono::milliseconds(20);
  o.reconnect_cap = std::chrono::milliseconds(200);
  o.too_many_websockets_delay = std::chrono::milliseconds(100);
  o.ping_interval = std::chrono::milliseconds(100);
  // Generous: a loaded CI machine must not make a healthy connection look silent.
  o.ping_timeout = std::chrono::milliseconds(3000);
  return o;
}

SlackSandboxOptions FastSandbox() {
  SlackSandboxOptions o;
  o.ping_interval = std::chrono::milliseconds(50);  // the client must answer these meanwhile
  o.redelivery_delay = std::chrono::milliseconds(2000);
  o.disconnect_grace = std::chrono::milliseconds(300);
  return o;
}

// Records handled envelope ids; acks at once.
struct Recorder {
  std::mutex mu;
  std::map<std::string, int> handled;  // envelope id -> times
  Harness::Handler Handler() {
    return [this](Envelope e, AckFn ack) {
      {
        std::lock_guard lock(mu);
        ++handled[e.envelope_id];
      }
      ack(nullptr);
    };
  }
  std::size_t distinct() {
    std::lock_guard lock(mu);
    return handled.size();
  }
};

TEST(SocketModeResilienceTest, RefreshRequestedFollowedByABurstLosesNone) {
  Recorder recorder;
  Harness h(FastSandbox(), FastClient(2), recorder.Handler());
  ASSERT_TRUE(h.WaitOpen(2));
  const auto before = h.slack().ConnectionIds();

  ASSERT_EQ(h.slack().SendDisconnect("refresh_requested"), 2);
  constexpr int kBurst = 500;
  std::vector<std::string> ids;
  for (int i = 0; i < kBurst; ++i) {
    ids.push_back("env-burst-" + std::to_string(i));
    h.slack().PushEnvelope(EventEnvelope(ids.back(), "Ev-burst-" + std::to_string(i)));
  }

  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& id : ids) {
          auto ack = h.slack().AckFor(id);
          if (!ack || !ack->acked_at) return false;
        }
        return true;
      },
      kDeadline))
      << "handled " << recorder.distinct() << " of " << kBurst;
  EXPECT_EQ(recorder.distinct(), static_cast<std::size_t>(kBurst));
  // Both old connections were replaced, and the replacements serve.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto now = h.slack().ConnectionIds();
        if (now.size() != 2 || !h.client().connected()) return false;
        for (auto id : now) {
          if (std::find(before.begin(), before.end(), id) != before.end()) return false;
        }
        return true;
      },
      kDeadline));
  EXPECT_EQ(h.client().stats().refreshes, 2u);
  EXPECT_LE(h.max_open(), 3);
  EXPECT_LE(h.client().stats().max_sockets, 3);
}

// Slack may keep delivering on a connection after its refresh_requested disconnect, until it
// closes the link; envelopes received there are acked late (the bot acks after its inbox write).
// The retiring connection must stay readable and writable until Slack closes it: closing it as
// soon as the replacement says hello discards what is still in flight, and Slack never retries
// a slash command.
TEST(SocketModeResilienceTest, CommandsInFlightOnARetiringConnectionAreAllAckedOnce) {
  std::mutex mu;
  std::map<std::string, int> handled;
  std::vector<AckFn> held;  // acked only once the replacement serves
  auto handler = [&](Envelope e, AckFn ack) {
    std::lock_guard lock(mu);
    ++handled[e.envelope_id];
    held.push_back(std::move(ack));
  };
  auto sandbox_options = FastSandbox();
  sandbox_options.deliver_while_disconnecting = true;
  sandbox_options.redelivery_delay = std::chrono::milliseconds(0);  // slash commands: no retry
  sandbox_options.disconnect_grace = std::chrono::seconds(30);      // Slack closes the link late
  auto client_options = FastClient(1);
  client_options.retire_grace = std::chrono::seconds(60);  // until Slack closes it
  Harness h(sandbox_options, client_options, handler);
  ASSERT_TRUE(h.WaitOpen(1));
  const auto old_connection = h.slack().ConnectionIds().at(0);

  ASSERT_EQ(h.slack().SendDisconnect("refresh_requested"), 1);
  constexpr int kCommands = 50;
  std::vector<std::string> ids;
  for (int i = 0; i < kCommands / 2; ++i) {
    ids.push_back(h.slack().InjectSlashCommand("/ctx", "during refresh " + std::to_string(i)));
  }
  // The replacement is up; the old connection still gets its share of the rest.
  ASSERT_TRUE(WaitFor([&] { return h.client().stats().hellos == 2; }, kDeadline));
  for (int i = kCommands / 2; i < kCommands; ++i) {
    ids.push_back(h.slack().InjectSlashCommand("/ctx", "during refresh " + std::to_string(i)));
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        std::lock_guard lock(mu);
        return handled.size() == static_cast<std::size_t>(kCommands);
      },
      kDeadline));
  std::vector<AckFn> acks;
  {
    std::lock_guard lock(mu);
    acks.swap(held);
  }
  int refused = 0;
  for (auto& ack : acks) refused += ack(nullptr) ? 0 : 1;
  EXPECT_EQ(refused, 0) << "acks refused: their connection was closed under them";

  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& id : ids) {
          auto ack = h.slack().AckFor(id);
          if (!ack || !ack->acked_at) return false;
        }
        return true;
      },
      kDeadline))
      << "not every command was acked";
  int on_old = 0;
  for (const auto& id : ids) {
    auto ack = h.slack().AckFor(id);
    EXPECT_EQ(ack->ack_count, 1) << id;
    EXPECT_EQ(ack->deliveries, 1) << id;
    on_old += ack->connection == old_connection ? 1 : 0;
  }
  // The scenario happened: the old connection carried commands during the refresh.
  EXPECT_GT(on_old, 0);
  std::lock_guard lock(mu);
  for (const auto& [id, times] : handled) EXPECT_EQ(times, 1) << id;
  EXPECT_LE(h.max_open(), 2);
}

// Slack normally closes a connection it asked us to leave; if it does not, the client closes it
// when the grace ends, so a retired socket never lingers.
TEST(SocketModeResilienceTest, ARetiringConnectionSlackNeverClosesIsClosedWhenTheGraceEnds) {
  Recorder recorder;
  auto sandbox_options = FastSandbox();
  sandbox_options.disconnect_grace = std::chrono::seconds(60);
  auto client_options = FastClient(1);
  client_options.retire_grace = std::chrono::milliseconds(200);
  Harness h(sandbox_options, client_options, recorder.Handler());
  ASSERT_TRUE(h.WaitOpen(1));
  const auto old_connection = h.slack().ConnectionIds().at(0);

  ASSERT_EQ(h.slack().SendDisconnect("refresh_requested"), 1);
  ASSERT_TRUE(WaitFor(
      [&] {
        auto now = h.slack().ConnectionIds();
        return now.size() == 1 && now[0] != old_connection && h.client().connected();
      },
      kDeadline));
  EXPECT_EQ(h.client().stats().retire_timeouts, 1u);
  EXPECT_EQ(h.client().stats().refreshes, 1u);
  h.slack().PushEnvelope(EventEnvelope("env-after-grace", "Ev-after-grace"));
  ASSERT_TRUE(WaitFor(
      [&] {
        auto ack = h.slack().AckFor("env-after-grace");
        return ack && ack->acked_at.has_value();
      },
      kDeadline));
}

TEST(SocketModeResilienceTest, SilentConnectionIsDeclaredStaleAndReplaced) {
  Recorder recorder;
  auto sandbox_options = FastSandbox();
  sandbox_options.relay_links = true;
  sandbox_options.ping_interval = std::chrono::milliseconds(0);
  auto client_options = FastClient(2);
  client_options.ping_timeout = std::chrono::milliseconds(300);
  Harness h(sandbox_options, client_options, recorder.Handler());
  ASSERT_TRUE(h.WaitOpen(2));
  const auto before = h.slack().ConnectionIds();

  ASSERT_EQ(h.slack().FreezeConnections(), 2);
  ASSERT_TRUE(WaitFor(
      [&] {
        auto now = h.slack().ConnectionIds();
        if (now.size() != 2 || !h.client().connected()) return false;
        for (auto id : now) {
          if (std::find(before.begin(), before.end(), id) != before.end()) return false;
        }
        return true;
      },
      kDeadline));
  EXPECT_GE(h.client().stats().stale, 2u);

  h.slack().PushEnvelope(EventEnvelope("env-after-freeze", "Ev-after-freeze"));
  ASSERT_TRUE(WaitFor(
      [&] {
        auto ack = h.slack().AckFor("env-after-freeze");
        return ack && ack->acked_at.has_value();
      },
      kDeadline));
  EXPECT_LE(h.max_open(), 3);
  EXPECT_LE(h.client().stats().max_sockets, 3);
}

TEST(SocketModeResilienceTest, LateAckIsRedeliveredAndHandledOnce) {
  testing::TempDir dir;
  store::StoreOptions store_options;
  store_options.path = dir.File("inbox.db");
  auto db = store::Database::Open(store_options);
  ASSERT_TRUE(db) << db.error().Describe();
  store::SqliteInbox inbox(**db, core::DefaultClock());

  std::mutex mu;
  int handled = 0;
  std::vector<std::pair<int, std::string>> seen_retries;  // (retry_attempt, retry_reason)
  std::vector<AckFn> withheld;
  auto handler = [&](Envelope e, AckFn ack) {
    store::InboxItem item;
    item.source = "slack";
    item.dedupe_key = e.DedupeKey();
    item.kind = e.type;
    item.body = "{}";
    auto appended = inbox.Append(item);
    std::lock_guard lock(mu);
    seen_retries.emplace_back(e.retry_attempt, e.retry_reason);
    if (!appended) return;
    if (appended->outcome == store::AppendOutcome::kInserted) {
      ++handled;
      withheld.push_back(std::move(ack));  // too slow: Slack will try again
      return;
    }
    ack(nullptr);  // a duplicate is acked without being handled again
  };
  auto sandbox_options = FastSandbox();
  sandbox_options.redelivery_delay = std::chrono::milliseconds(200);
  Harness h(sandbox_options, FastClient(1), handler);
  ASSERT_TRUE(h.WaitOpen(1));

  h.slack().PushEnvelope(EventEnvelope("env-late", "Ev-late"));
  ASSERT_TRUE(WaitFor(
      [&] {
        auto ack = h.slack().AckFor("env-late");
        return ack && ack->acked_at.has_value();
      },
      kDeadline));
  auto record = *h.slack().AckFor("env-late");
  EXPECT_EQ(record.deliveries, 2);
  EXPECT_EQ(record.ack_count, 1);
  std::lock_guard lock(mu);
  EXPECT_EQ(handled, 1);
  ASSERT_EQ(seen_retries.size(), 2u);
  EXPECT_EQ(seen_retries[0].first, 0);
  EXPECT_EQ(seen_retries[1], std::make_pair(1, std::string("timeout")));
  auto rows = inbox.Count("slack");
  ASSERT_TRUE(rows);
  EXPECT_EQ(*rows, 1);
  EXPECT_LE(h.max_open(), 1);
}

TEST(SocketModeResilienceTest, RetriedEnvelopesReachTheBotsInboxOnce) {
  testing::SandboxApp env;
  ASSERT_TRUE(env.app().WaitConnected(std::chrono::seconds(10)));
  // Same envelope id retried, then the same event under a new envelope id (Slack does both).
  env.slack().PushEnvelope(EventEnvelope("env-retry-a", "Ev-retry", 0));
  env.slack().PushEnvelope(EventEnvelope("env-retry-a", "Ev-retry", 1));
  env.slack().PushEnvelope(EventEnvelope("env-retry-b", "Ev-retry", 2));
  ASSERT_TRUE(WaitFor(
      [&] {
        auto a = env.slack().AckFor("env-retry-a");
        auto b = env.slack().AckFor("env-retry-b");
        return a && a->acked_at && a->ack_count == 2 && b && b->acked_at;
      },
      kDeadline));
  EXPECT_EQ(env.InboxRowsFor("env-retry-a"), 1);
  EXPECT_EQ(env.InboxRowsFor("env-retry-b"), 0);
}

TEST(SocketModeResilienceTest, LinkDisabledStopsReconnectingAndSaysWhy) {
  Recorder recorder;
  Harness h(FastSandbox(), FastClient(2), recorder.Handler());
  ASSERT_TRUE(h.WaitOpen(2));
  const auto opened = h.slack().connections_opened();

  h.slack().SendDisconnect("link_disabled");
  ASSERT_TRUE(WaitFor([&] { return h.slack().open_connections() == 0; }, kDeadline));
  EXPECT_TRUE(h.client().link_disabled());
  EXPECT_FALSE(h.client().connected());
  EXPECT_NE(h.client().last_error().find("link_disabled"), std::string::npos);
  EXPECT_EQ(h.slack().connections_opened(), opened);
  EXPECT_LE(h.max_open(), 2);
}

TEST(SocketModeResilienceTest, TooManyWebsocketsIsRefusedAndBackedOffFrom) {
  Recorder recorder;
  auto sandbox_options = FastSandbox();
  sandbox_options.max_connections = 1;
  Harness h(sandbox_options, FastClient(2), recorder.Handler());
  ASSERT_TRUE(WaitFor(
      [&] {
        return h.client().connected() &&
               h.client().last_error().find("too_many_websockets") != std::string::npos;
      },
      kDeadline));
  EXPECT_EQ(h.slack().open_connections(), 1);
  EXPECT_LE(h.max_open(), 1);
  EXPECT_LE(h.client().stats().max_sockets, 3);
  // The one admitted connection still serves.
  h.slack().PushEnvelope(EventEnvelope("env-limited", "Ev-limited"));
  ASSERT_TRUE(WaitFor(
      [&] {
        auto ack = h.slack().AckFor("env-limited");
        return ack && ack->acked_at.has_value();
      },
      kDeadline));
}

}  // namespace
}  // namespace contexten
