// The Dispatcher's durability guarantees (../shared/DESIGN.md §3): no ack leaves before the inbox
// row is durable (so none when the append fails); rows a crash left pending are replayed once at
// start; a redelivery of an unfinished row takes it over, one of a finished row is acked and
// dropped.

#include "bot/dispatcher.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bot/handlers/command_handler.hpp"
#include "core/clock.hpp"
#include "core/worker_pool.hpp"
#include "integrations/slack/envelope.hpp"
#include "store/database.hpp"
#include "store/sqlite_inbox.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"
#include "tests/support/fakes/recording_slack_api.hpp"

namespace contexten::bot {
namespace {

using contexten::testing::WaitFor;
using integrations::slack::AckFn;
using integrations::slack::Envelope;
using integrations::slack::listeners::ListenerContext;
using nlohmann::json;

constexpr const char* kProbe = "/probe";

// An inbox whose appends fail, as a full disk or a locked database would. Everything else would
// be a bug to call: nothing was stored.
class FailingInbox final : public store::Inbox {
 public:
  void AppendAsync(store::InboxItem,
                   std::function<void(core::Result<store::AppendResult>)> done) override {
    ++appends;
    done(core::MakeError(core::ErrorKind::kUnavailable, "disk full"));
  }
  core::Result<store::AppendResult> Append(store::InboxItem) override {
    ++appends;
    return core::MakeError(core::ErrorKind::kUnavailable, "disk full");
  }
  core::Status MarkDone(std::int64_t, store::InboxStatus) override {
    ++marks;
    return core::Ok();
  }
  core::Status MarkFailed(std::int64_t, std::string) override {
    ++marks;
    return core::Ok();
  }
  core::Result<std::vector<store::InboxItem>> Pending(std::size_t, const std::string&) override {
    return std::vector<store::InboxItem>{};
  }
  core::Result<std::optional<store::InboxItem>> Find(const std::string&,
                                                     const std::string&) override {
    return std::optional<store::InboxItem>{};
  }
  core::Result<std::int64_t> Count(const std::string&) override { return 0; }

  std::atomic<int> appends{0};
  std::atomic<int> marks{0};
};

Envelope SlashCommand(const std::string& envelope_id, const std::string& text) {
  Envelope envelope;
  envelope.envelope_id = envelope_id;
  envelope.type = "slash_commands";
  envelope.accepts_response_payload = true;
  envelope.payload = {{"command", kProbe},
                      {"text", text},
                      {"user_id", "U1"},
                      {"channel_id", "C1"},
                      {"team_id", "T1"},
                      {"trigger_id", "trigger-" + envelope_id},
                      {"response_url", "https://hooks.slack.invalid/commands/1"}};
  return envelope;
}

// Records every ack the dispatcher sends, per envelope.
class AckRecorder {
 public:
  AckFn For(const std::string& envelope_id) {
    return [this, envelope_id](const json* payload) {
      std::lock_guard lock(mu_);
      acks_[envelope_id].push_back(payload ? *payload : json(nullptr));
      return true;
    };
  }
  std::size_t Count(const std::string& envelope_id) const {
    std::lock_guard lock(mu_);
    auto it = acks_.find(envelope_id);
    return it == acks_.end() ? 0 : it->second.size();
  }
  std::size_t Total() const {
    std::lock_guard lock(mu_);
    std::size_t n = 0;
    for (const auto& [id, acks] : acks_) n += acks.size();
    return n;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::vector<json>> acks_;
};

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override { OpenStore(); }

  void TearDown() override {
    if (dispatcher_) dispatcher_->Shutdown();
    workers_.Shutdown();
  }

  void OpenStore() {
    store::StoreOptions options;
    options.path = dir_.File("inbox.db");
    auto db = store::Database::Open(options);
    ASSERT_TRUE(db.has_value()) << db.error().message;
    db_ = std::move(*db);
    inbox_ = std::make_unique<store::SqliteInbox>(*db_, clock_);
  }

  // What a crashed process leaves behind: the database closed with rows as they are.
  void Restart() {
    inbox_.reset();
    db_.reset();
    OpenStore();
  }

  void MakeDispatcher(store::Inbox& inbox) {
    dispatcher_ = std::make_unique<Dispatcher>(inbox, slack_, workers_, clock_,
                                               DispatcherOptions{});
    dispatcher_->listeners().Command(kProbe, [this](ListenerContext& context) {
      {
        std::lock_guard lock(mu_);
        ++runs_[context.interaction().envelope_id];
      }
      return context.Ack(json{{"text", "probed " + context.interaction().text}});
    });
  }

  // Stores `envelope` as the dispatcher would, with `status`; returns the row id.
  std::int64_t Store(const Envelope& envelope, const std::string& status) {
    store::InboxItem item;
    item.source = "slack";
    item.dedupe_key = envelope.DedupeKey();
    item.kind = envelope.type;
    item.body = SanitizedEnvelopeJson(envelope);
    item.status = store::InboxStatusFromString(status).value_or(store::InboxStatus::kPending);
    auto appended = inbox_->Append(std::move(item));
    EXPECT_TRUE(appended.has_value()) << appended.error().Describe();
    return appended ? appended->id : 0;
  }

  std::string Status(const std::string& envelope_id) {
    auto row = inbox_->Find("slack", "envelope:" + envelope_id);
    EXPECT_TRUE(row.has_value());
    return row && *row ? std::string(store::ToString((*row)->status)) : "(missing)";
  }

  int Runs(const std::string& envelope_id) {
    std::lock_guard lock(mu_);
    auto it = runs_.find(envelope_id);
    return it == runs_.end() ? 0 : it->second;
  }

  // Idle with every row's outcome recorded.
  bool Settled() {
    return WaitFor([&] { return dispatcher_->idle(); });
  }

  contexten::testing::TempDir dir_;
  core::FakeClock clock_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<store::SqliteInbox> inbox_;
  contexten::testing::RecordingSlackApi slack_;
  // Lets a test hold the worker pool; declared before it, so it outlives the pool's threads.
  std::mutex gate_;
  std::atomic<bool> blocked_{false};
  core::WorkerPool workers_{2};
  AckRecorder acks_;
  std::mutex mu_;
  std::map<std::string, int> runs_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(DispatcherTest, AFailedInboxAppendSendsNoAckAndCountsAStoreError) {
  FailingInbox failing;
  MakeDispatcher(failing);
  dispatcher_->OnEnvelope(SlashCommand("env-fail-1", "a"), acks_.For("env-fail-1"));
  Envelope event;
  event.envelope_id = "env-fail-2";
  event.type = "events_api";
  event.payload = {{"type", "event_callback"},
                   {"event_id", "Ev-fail-2"},
                   {"event", {{"type", "app_mention"}, {"user", "U1"}, {"text", "hi"}}}};
  dispatcher_->OnEnvelope(event, acks_.For("env-fail-2"));
  ASSERT_TRUE(Settled());

  const auto stats = dispatcher_->stats();
  EXPECT_EQ(failing.appends.load(), 2);
  EXPECT_EQ(stats.received, 2u);
  EXPECT_EQ(stats.store_errors, 2u);
  EXPECT_EQ(stats.inserted, 0u);
  EXPECT_EQ(stats.handled, 0u);
  // Neither the command (acked by its listener) nor the event (acked on durability) was acked:
  // Slack redelivers, and nothing ran on a delivery that is not stored.
  EXPECT_EQ(acks_.Total(), 0u);
  EXPECT_EQ(Runs("env-fail-1"), 0);
  EXPECT_EQ(failing.marks.load(), 0);
}

TEST_F(DispatcherTest, RecoverReplaysEachPendingRowOnceAndLeavesFinishedRowsAlone) {
  // A previous process stored three deliveries and finished one before it died.
  Store(SlashCommand("env-pending-1", "one"), "pending");
  Store(SlashCommand("env-done", "done"), "done");
  Store(SlashCommand("env-pending-2", "two"), "pending");
  Restart();

  MakeDispatcher(*inbox_);
  auto replayed = dispatcher_->Recover();
  ASSERT_TRUE(replayed.has_value()) << replayed.error().Describe();
  EXPECT_EQ(*replayed, 2u);
  ASSERT_TRUE(Settled());

  EXPECT_EQ(Runs("env-pending-1"), 1);
  EXPECT_EQ(Runs("env-pending-2"), 1);
  EXPECT_EQ(Runs("env-done"), 0);
  EXPECT_EQ(Status("env-pending-1"), "done");
  EXPECT_EQ(Status("env-pending-2"), "done");
  EXPECT_EQ(Status("env-done"), "done");
  EXPECT_EQ(dispatcher_->stats().handled, 2u);

  // Nothing is left to replay: a second recovery (the next start) does nothing.
  auto again = dispatcher_->Recover();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, 0u);
  ASSERT_TRUE(Settled());
  EXPECT_EQ(Runs("env-pending-1"), 1);
  EXPECT_EQ(Runs("env-pending-2"), 1);
}

TEST_F(DispatcherTest, ARedeliveryOfAnUnfinishedRowTakesItOverAndRunsItOnce) {
  // The first delivery was stored but the process died before handling it.
  const auto envelope = SlashCommand("env-crashed", "again");
  const auto id = Store(envelope, "pending");
  Restart();
  MakeDispatcher(*inbox_);

  // Slack redelivers (the first ack never left).
  auto redelivery = envelope;
  redelivery.retry_attempt = 1;
  redelivery.retry_reason = "timeout";
  dispatcher_->OnEnvelope(redelivery, acks_.For("env-crashed"));
  ASSERT_TRUE(WaitFor([&] { return acks_.Count("env-crashed") == 1; }));
  ASSERT_TRUE(Settled());
  EXPECT_EQ(Runs("env-crashed"), 1);
  EXPECT_EQ(Status("env-crashed"), "done");
  auto stats = dispatcher_->stats();
  EXPECT_EQ(stats.duplicates, 1u);
  EXPECT_EQ(stats.inserted, 0u);
  EXPECT_EQ(stats.handled, 1u);
  auto row = inbox_->Find("slack", envelope.DedupeKey());
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*row)->id, id);

  // Another redelivery of the now finished row is acked and dropped.
  redelivery.retry_attempt = 2;
  dispatcher_->OnEnvelope(redelivery, acks_.For("env-crashed"));
  ASSERT_TRUE(WaitFor([&] { return acks_.Count("env-crashed") == 2; }));
  ASSERT_TRUE(Settled());
  EXPECT_EQ(Runs("env-crashed"), 1);
  stats = dispatcher_->stats();
  EXPECT_EQ(stats.duplicates, 2u);
  EXPECT_EQ(stats.handled, 1u);
  EXPECT_EQ(*inbox_->Count("slack"), 1);
}

TEST_F(DispatcherTest, ADuplicateOfAFinishedRowIsAckedAndDropped) {
  MakeDispatcher(*inbox_);
  const auto envelope = SlashCommand("env-twice", "x");
  dispatcher_->OnEnvelope(envelope, acks_.For("env-twice"));
  ASSERT_TRUE(WaitFor([&] { return acks_.Count("env-twice") == 1; }));
  ASSERT_TRUE(Settled());
  ASSERT_EQ(Status("env-twice"), "done");

  dispatcher_->OnEnvelope(envelope, acks_.For("env-twice"));
  ASSERT_TRUE(WaitFor([&] { return acks_.Count("env-twice") == 2; }));
  ASSERT_TRUE(Settled());
  EXPECT_EQ(Runs("env-twice"), 1);
  const auto stats = dispatcher_->stats();
  EXPECT_EQ(stats.inserted, 1u);
  EXPECT_EQ(stats.duplicates, 1u);
  EXPECT_EQ(stats.handled, 1u);
}

TEST_F(DispatcherTest, ARedeliveryDuringTheReplayOfItsRowIsAckedAndNotRunTwice) {
  const auto envelope = SlashCommand("env-replaying", "r");
  Store(envelope, "pending");
  Restart();
  MakeDispatcher(*inbox_);
  // Hold the worker pool so the replay is queued (its row in processing) when the redelivery
  // arrives.
  std::unique_lock hold(gate_);
  ASSERT_TRUE(workers_.Post([&] {
    blocked_ = true;
    std::lock_guard wait(gate_);
  }));
  ASSERT_TRUE(workers_.Post([&] { std::lock_guard wait(gate_); }));
  ASSERT_TRUE(WaitFor([&] { return blocked_.load(); }));
  ASSERT_EQ(*dispatcher_->Recover(), 1u);

  dispatcher_->OnEnvelope(envelope, acks_.For("env-replaying"));
  ASSERT_TRUE(WaitFor([&] { return acks_.Count("env-replaying") == 1; }));
  hold.unlock();
  ASSERT_TRUE(Settled());
  EXPECT_EQ(Runs("env-replaying"), 1);
  EXPECT_EQ(Status("env-replaying"), "done");
  EXPECT_EQ(dispatcher_->stats().duplicates, 1u);
}

}  // namespace
}  // namespace contexten::bot
