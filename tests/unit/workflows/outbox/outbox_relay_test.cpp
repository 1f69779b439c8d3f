// The outbox relay over the real SQLite store with a fake clock: results fed back in the same
// step, durable reschedules instead of sleeps, Retry-After, dead letters the run hears of,
// order per key, independent lanes, and a look before re-creating after an unknown outcome.

#include "workflows/outbox/outbox_relay.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <set>

#include "core/resilience/rate_limiter.hpp"
#include "tests/support/scripted_workflow.hpp"
#include "tests/support/wait_for.hpp"
#include "tests/support/workflow_fixture.hpp"

namespace contexten::workflows::outbox {
namespace {

using nlohmann::json;

// An executor that answers from a script per step and remembers what it was asked.
class ScriptedExecutor final : public EffectExecutor {
 public:
  core::Result<json> Execute(const store::EffectRecord& effect) override {
    std::lock_guard lock(mu_);
    executed.push_back(effect.step_id);
    auto& script = failures[effect.step_id];
    if (!script.empty()) {
      core::Error error = script.front();
      script.pop_front();
      if (applied_despite_failure.count(effect.step_id)) landed[effect.step_id] = true;
      return core::Unexpected(error);
    }
    landed[effect.step_id] = true;
    return json{{"done", effect.step_id}};
  }
  core::Result<std::optional<json>> Lookup(const store::EffectRecord& effect) override {
    std::lock_guard lock(mu_);
    looked_up.push_back(effect.step_id);
    if (landed[effect.step_id]) return std::optional<json>(json{{"found", effect.step_id}});
    return std::optional<json>();
  }

  std::mutex mu_;
  std::map<std::string, std::deque<core::Error>> failures;
  std::set<std::string> applied_despite_failure;
  std::map<std::string, bool> landed;
  std::vector<std::string> executed;
  std::vector<std::string> looked_up;
};

class OutboxRelayTest : public ::testing::Test {
 protected:
  OutboxRelayTest() { Build(); }

  void Build() {
    relay_.reset();
    f_.engine->Register(std::make_unique<testing::ScriptedWorkflow>());
    RelayOptions options;
    options.max_attempts = 3;
    options.seed = 42;
    relay_ = std::make_unique<OutboxRelay>(*f_.workflows, *f_.engine, f_.clock, options);
    relay_->AddLane("slack", slack_);
    relay_->AddLane("linear", linear_);
  }
  void Restart() {
    relay_.reset();
    f_.Reopen();
    Build();
  }

  void StartRun(const std::string& run_id, json effects) {
    auto started = f_.engine->Start("scripted", run_id, {"start", {{"effects", effects}}, ""});
    ASSERT_TRUE(started) << started.error().Describe();
  }
  static json Effect(const std::string& step, const std::string& lane,
                     const std::string& order_key = "") {
    return {{"step", step}, {"lane", lane}, {"kind", lane + ".thing"}, {"order_key", order_key}};
  }
  json Seen(const std::string& run_id) {
    auto run = f_.workflows->LoadRun(run_id);
    return json::parse((*run)->state_json)["seen"];
  }
  store::EffectRecord Only(const std::string& run_id) {
    auto effects = f_.workflows->Effects(std::nullopt, run_id, 10);
    EXPECT_TRUE(effects);
    EXPECT_EQ(effects->size(), 1u);
    return effects->front();
  }

  testing::WorkflowFixture f_;
  ScriptedExecutor slack_;
  ScriptedExecutor linear_;
  std::unique_ptr<OutboxRelay> relay_;
};

TEST_F(OutboxRelayTest, AResultIsFedBackToTheRunWithTheEffectFinished) {
  StartRun("r", json::array({Effect("post", "slack")}));
  EXPECT_EQ(relay_->Tick(), 1u);
  EXPECT_EQ(Only("r").status, store::EffectStatus::kDone);
  auto seen = Seen("r");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1]["type"], engine::kEffectDone);
  EXPECT_EQ(seen[1]["step"], "post");
  EXPECT_EQ(seen[1]["result"]["done"], "post");
  EXPECT_EQ(relay_->Tick(), 0u);  // nothing left
}

TEST_F(OutboxRelayTest, ARetryableFailureIsADurableRescheduleNotASleep) {
  linear_.failures["create"] = {core::MakeError(core::ErrorKind::kUnavailable, "503")};
  StartRun("r", json::array({Effect("create", "linear")}));
  EXPECT_EQ(relay_->Tick(), 1u);
  const auto effect = Only("r");
  EXPECT_EQ(effect.status, store::EffectStatus::kPending);
  EXPECT_GE(effect.due_at_ms, f_.NowMs() + 1000);
  EXPECT_EQ(effect.attempts, 1);
  EXPECT_EQ(f_.clock.slept(), std::chrono::nanoseconds(0));

  Restart();                      // the retry is a row: it survives the process
  EXPECT_EQ(relay_->Tick(), 0u);  // not due yet
  f_.clock.Advance(std::chrono::milliseconds(effect.due_at_ms - f_.NowMs()));
  EXPECT_EQ(relay_->Tick(), 1u);
  EXPECT_EQ(Only("r").status, store::EffectStatus::kDone);
  EXPECT_EQ(linear_.executed, (std::vector<std::string>{"create", "create"}));
}

// Degraded mode: the run hears once that its effect waits (it tells its user the request is
// queued); a rate-limit refusal is "not yet", not a failing platform, and says nothing.
TEST_F(OutboxRelayTest, AFailedFirstAttemptTellsTheRunOnceThatItsEffectWaits) {
  linear_.failures["create"] = {core::MakeError(core::ErrorKind::kUnavailable, "503"),
                                core::MakeError(core::ErrorKind::kUnavailable, "503")};
  slack_.failures["post"] = {
      core::MakeError(core::ErrorKind::kRateLimited, "429", std::chrono::seconds(1))};
  StartRun("r", json::array({Effect("create", "linear")}));
  StartRun("s", json::array({Effect("post", "slack")}));
  relay_->Tick();
  for (int i = 0; i < 2; ++i) {
    f_.clock.Advance(std::chrono::minutes(1));
    relay_->Tick();
  }
  auto seen = Seen("r");
  ASSERT_EQ(seen.size(), 3u);  // start, deferred (once, not per attempt), done
  EXPECT_EQ(seen[1]["type"], engine::kEffectDeferred);
  EXPECT_EQ(seen[1]["step"], "create");
  EXPECT_NE(seen[1]["error"].get<std::string>().find("503"), std::string::npos);
  EXPECT_EQ(seen[2]["type"], engine::kEffectDone);
  auto slack_seen = Seen("s");
  ASSERT_EQ(slack_seen.size(), 2u);
  EXPECT_EQ(slack_seen[1]["type"], engine::kEffectDone);

  const auto lanes = relay_->lane_stats();
  const auto& linear = lanes.at("linear");
  EXPECT_EQ(linear.attempts, 3u);
  EXPECT_EQ(linear.succeeded, 1u);
  EXPECT_EQ(linear.errors_by_kind.at("unavailable"), 2u);
  EXPECT_EQ(linear.consecutive_failures, 0);  // the success ended the run of failures
  EXPECT_NE(linear.last_error.find("503"), std::string::npos);
  EXPECT_EQ(linear.deferred, 1u);
  EXPECT_EQ(lanes.at("slack").errors_by_kind.at("rate_limited"), 1u);
  EXPECT_EQ(lanes.at("slack").consecutive_failures, 0);
}

TEST_F(OutboxRelayTest, RetryAfterIsHonoured) {
  slack_.failures["post"] = {
      core::MakeError(core::ErrorKind::kRateLimited, "429", std::chrono::seconds(30))};
  StartRun("r", json::array({Effect("post", "slack")}));
  relay_->Tick();
  // Not sooner than Slack said; spread over the next window so refused effects do not all come
  // back in the same instant.
  EXPECT_GE(Only("r").due_at_ms, f_.NowMs() + 30000);
  EXPECT_LE(Only("r").due_at_ms, f_.NowMs() + 60000);
}

TEST_F(OutboxRelayTest, ALookupThatFindsNothingThenARefusalNeedNotBeLookedUpAgain) {
  linear_.failures["create"] = {
      core::MakeError(core::ErrorKind::kTimeout, "no answer"),  // unknown: was it created?
      core::MakeError(core::ErrorKind::kRateLimited, "429", std::chrono::seconds(1))};
  StartRun("r", json::array({Effect("create", "linear")}));
  relay_->Tick();
  EXPECT_TRUE(Only("r").outcome_unknown);
  f_.clock.Advance(std::chrono::minutes(10));
  relay_->Tick();  // looks (nothing), creates, refused: nothing can have landed
  EXPECT_FALSE(Only("r").outcome_unknown);
  f_.clock.Advance(std::chrono::minutes(10));
  relay_->Tick();
  EXPECT_EQ(Only("r").status, store::EffectStatus::kDone);
  EXPECT_EQ(linear_.looked_up.size(), 1u);  // not a second time
  EXPECT_EQ(linear_.executed.size(), 3u);
}

TEST_F(OutboxRelayTest, RateLimitRefusalsDoNotUseUpAttempts) {
  for (int i = 0; i < 10; ++i) {  // far more refusals than max_attempts (3)
    slack_.failures["post"].push_back(
        core::MakeError(core::ErrorKind::kRateLimited, "429", std::chrono::seconds(1)));
  }
  StartRun("r", json::array({Effect("post", "slack")}));
  for (int i = 0; i < 11; ++i) {
    relay_->Tick();
    f_.clock.Advance(std::chrono::seconds(2));  // retry_after 1 s, spread over up to 1 s more
  }
  const auto effect = Only("r");
  EXPECT_EQ(effect.status, store::EffectStatus::kDone);
  EXPECT_EQ(effect.attempts, 1);
  EXPECT_EQ(slack_.executed.size(), 11u);
}

// Degraded mode through a long outage: an open breaker's refusal sent nothing, so it uses up no
// attempt (a request is not dead-lettered because Linear was down longer than the backoff), it
// waits for the breaker's trial time, and the run hears once that its request waits.
TEST_F(OutboxRelayTest, BreakerRefusalsWaitForTheTrialCallWithoutUsingUpAttempts) {
  core::Error open = core::MakeError(core::ErrorKind::kUnavailable, "circuit 'linear' is open",
                                     std::chrono::seconds(30));
  open.refused_locally = true;
  for (int i = 0; i < 10; ++i) linear_.failures["create"].push_back(open);  // max_attempts is 3
  StartRun("r", json::array({Effect("create", "linear")}));
  relay_->Tick();
  EXPECT_GE(Only("r").due_at_ms, f_.NowMs() + 30000);  // the breaker's time, not a backoff
  EXPECT_LE(Only("r").due_at_ms, f_.NowMs() + 31000);
  for (int i = 0; i < 10; ++i) {
    f_.clock.Advance(std::chrono::seconds(31));
    relay_->Tick();
  }
  const auto effect = Only("r");
  EXPECT_EQ(effect.status, store::EffectStatus::kDone);
  EXPECT_EQ(effect.attempts, 1);
  EXPECT_EQ(linear_.executed.size(), 11u);
  auto seen = Seen("r");
  ASSERT_EQ(seen.size(), 3u);  // start, deferred (once), done
  EXPECT_EQ(seen[1]["type"], engine::kEffectDeferred);
  EXPECT_EQ(seen[2]["type"], engine::kEffectDone);
}

// Performs through a real token bucket (one call a second) that refuses without waiting, as
// the paced Slack client does for the relay.
class LimitedExecutor final : public EffectExecutor {
 public:
  explicit LimitedExecutor(core::Clock& clock)
      : limiter_("slack.chat.update", {1, 1, std::chrono::seconds(1)}, clock) {}
  core::Result<json> Execute(const store::EffectRecord& effect) override {
    ++calls;
    if (auto admitted = limiter_.Acquire(1, core::Millis(0)); !admitted) {
      ++refusals;
      return core::Unexpected(admitted.error());
    }
    return json{{"done", effect.step_id}};
  }
  core::Result<std::optional<json>> Lookup(const store::EffectRecord&) override {
    return std::optional<json>();
  }
  int calls = 0;
  int refusals = 0;

 private:
  core::resilience::RateLimiter limiter_;
};

TEST_F(OutboxRelayTest, ABacklogRefusedByALimiterDrainsAtItsRateWithOneRescheduleEach) {
  LimitedExecutor limited(f_.clock);
  relay_->AddLane("paced", limited);
  constexpr int kEffects = 30;
  for (int i = 0; i < kEffects; ++i) {
    StartRun("r" + std::to_string(i), json::array({Effect("update", "paced")}));
  }
  // One call a second is all the budget allows; every refused effect gets its own slot, so
  // each second exactly one comes due and goes through, and none is refused twice.
  relay_->Tick();
  EXPECT_EQ(limited.calls, kEffects);
  EXPECT_EQ(limited.refusals, kEffects - 1);
  for (int second = 1; second < kEffects; ++second) {
    f_.clock.Advance(std::chrono::seconds(1));
    relay_->Tick();
  }
  EXPECT_EQ(limited.calls, kEffects + kEffects - 1);  // each refused effect came back once
  EXPECT_EQ(limited.refusals, kEffects - 1);
  EXPECT_EQ(relay_->stats().rescheduled, static_cast<std::uint64_t>(kEffects - 1));
  auto counts = f_.workflows->CountEffects();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->done, kEffects);
}

TEST_F(OutboxRelayTest, TooManyAttemptsDeadLetterTheEffectAndTellTheRun) {
  for (int i = 0; i < 3; ++i) {
    linear_.failures["create"].push_back(core::MakeError(core::ErrorKind::kUnavailable, "503"));
  }
  StartRun("r", json::array({Effect("create", "linear")}));
  for (int i = 0; i < 3; ++i) {
    relay_->Tick();
    f_.clock.Advance(std::chrono::minutes(10));
  }
  const auto effect = Only("r");
  EXPECT_EQ(effect.status, store::EffectStatus::kDead);
  EXPECT_EQ(effect.attempts, 3);
  auto seen = Seen("r");
  EXPECT_EQ(seen.back()["type"], engine::kEffectDead);
  EXPECT_NE(seen.back()["error"].get<std::string>().find("503"), std::string::npos);

  // Visible and retryable: an operator's retry runs it again (the script is exhausted: it works).
  auto retried = f_.workflows->RetryDead(std::nullopt);
  ASSERT_TRUE(retried);
  EXPECT_EQ(*retried, 1);
  EXPECT_EQ(relay_->Tick(), 1u);
  EXPECT_EQ(Only("r").status, store::EffectStatus::kDone);
}

TEST_F(OutboxRelayTest, AnErrorNoRetryCanFixDeadLettersAtOnce) {
  slack_.failures["post"] = {core::MakeError(core::ErrorKind::kInvalidInput, "invalid_blocks")};
  StartRun("r", json::array({Effect("post", "slack")}));
  relay_->Tick();
  EXPECT_EQ(Only("r").status, store::EffectStatus::kDead);
  EXPECT_EQ(relay_->stats().dead_lettered, 1u);
}

TEST_F(OutboxRelayTest, EffectsOfOneKeyRunInOrderEvenAcrossARetry) {
  slack_.failures["first"] = {core::MakeError(core::ErrorKind::kTransient, "reset")};
  StartRun("r",
           json::array({Effect("first", "slack", "thread-1"), Effect("second", "slack", "thread-1"),
                        Effect("other", "slack", "thread-2")}));
  relay_->Tick();
  // "first" failed and waits for its retry; "second" must wait behind it; "other" is free.
  EXPECT_EQ(slack_.executed, (std::vector<std::string>{"first", "other"}));
  f_.clock.Advance(std::chrono::minutes(10));
  relay_->Tick();
  EXPECT_EQ(slack_.executed, (std::vector<std::string>{"first", "other", "first", "second"}));
}

TEST_F(OutboxRelayTest, ALaneThatFailsDoesNotHoldUpAnother) {
  for (int i = 0; i < 3; ++i) {
    linear_.failures["create"].push_back(core::MakeError(core::ErrorKind::kUnavailable, "503"));
  }
  StartRun("r", json::array({Effect("create", "linear", "k"), Effect("post", "slack", "k2")}));
  relay_->Tick();
  auto effects = f_.workflows->Effects(store::EffectStatus::kDone, "r", 10);
  ASSERT_TRUE(effects);
  ASSERT_EQ(effects->size(), 1u);
  EXPECT_EQ((*effects)[0].step_id, "post");
}

TEST_F(OutboxRelayTest, AnUnknownOutcomeIsLookedUpBeforeCreatingAgain) {
  linear_.failures["create"] = {core::MakeError(core::ErrorKind::kTimeout, "no answer")};
  linear_.applied_despite_failure.insert("create");  // it landed although we never heard
  StartRun("r", json::array({Effect("create", "linear")}));
  relay_->Tick();
  EXPECT_TRUE(Only("r").outcome_unknown);
  f_.clock.Advance(std::chrono::minutes(10));
  relay_->Tick();
  EXPECT_EQ(linear_.executed.size(), 1u);  // not created twice
  EXPECT_EQ(linear_.looked_up, (std::vector<std::string>{"create"}));
  EXPECT_EQ(Only("r").status, store::EffectStatus::kDone);
  EXPECT_EQ(Seen("r").back()["result"]["found"], "create");
}

TEST_F(OutboxRelayTest, AnEffectInFlightAtACrashIsLookedUpAfterTheRestart) {
  StartRun("r", json::array({Effect("create", "linear")}));
  auto claimed = f_.workflows->ClaimDue("linear", f_.NowMs(), 10);  // then the process dies
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  Restart();
  ASSERT_TRUE(relay_->Recover());  // what Start() does first
  EXPECT_TRUE(Only("r").outcome_unknown);
  EXPECT_EQ(relay_->Tick(), 1u);
  EXPECT_EQ(linear_.looked_up, (std::vector<std::string>{"create"}));
  EXPECT_EQ(linear_.executed, (std::vector<std::string>{"create"}));  // nothing had landed
}

TEST_F(OutboxRelayTest, StartedLanesPerformWithoutTicks) {
  ASSERT_TRUE(relay_->Start());
  f_.engine->set_on_effects([this] { relay_->Wake(); });
  StartRun("r", json::array({Effect("post", "slack"), Effect("create", "linear")}));
  ASSERT_TRUE(testing::WaitFor([&] { return relay_->stats().performed == 2; }));
  relay_->Stop();
  EXPECT_EQ(Seen("r").size(), 3u);
}

// Stands in for a relay that takes what a step claimed and then dies before performing it.
class CapturingHandoff final : public engine::EffectHandoff {
 public:
  bool Accepts(const std::string&) override { return true; }
  void Take(std::vector<store::EffectRecord> effects) override {
    for (auto& e : effects) taken.push_back(std::move(e));
  }
  std::vector<store::EffectRecord> taken;
};

TEST_F(OutboxRelayTest, AStartedRelayPerformsEffectsClaimedByTheStepThatCreatedThem) {
  ASSERT_TRUE(relay_->Start());
  f_.engine->set_on_effects([this] { relay_->Wake(); });
  ASSERT_TRUE(testing::WaitFor([&] { return relay_->Accepts("slack"); }));
  StartRun("r",
           json::array({Effect("first", "slack", "thread-1"), Effect("second", "slack", "thread-1"),
                        Effect("other", "slack", "thread-2")}));
  ASSERT_TRUE(testing::WaitFor([&] { return relay_->stats().performed == 3; }));
  relay_->Stop();
  // "first" and "other" went in flight with the step; "second" waited for "first" (order per
  // key) and was claimed after it.
  EXPECT_EQ(relay_->stats().handed_off, 2u);
  std::lock_guard lock(slack_.mu_);
  const auto& executed = slack_.executed;
  const auto first = std::find(executed.begin(), executed.end(), "first");
  const auto second = std::find(executed.begin(), executed.end(), "second");
  ASSERT_NE(second, executed.end());
  EXPECT_LT(first, second);
  EXPECT_TRUE(slack_.looked_up.empty());
}

TEST_F(OutboxRelayTest, AnEffectClaimedByItsStepIsLookedUpIfTheProcessDiesBeforeItIsDone) {
  CapturingHandoff dying;
  f_.engine->set_effect_handoff(&dying);
  StartRun("r", json::array({Effect("create", "linear")}));
  f_.engine->set_effect_handoff(nullptr);
  ASSERT_EQ(dying.taken.size(), 1u);
  EXPECT_EQ(dying.taken[0].status, store::EffectStatus::kInFlight);
  EXPECT_EQ(dying.taken[0].attempts, 1);
  EXPECT_EQ(Only("r").status, store::EffectStatus::kInFlight);
  Restart();
  ASSERT_TRUE(relay_->Recover());
  EXPECT_TRUE(Only("r").outcome_unknown);
  EXPECT_EQ(relay_->Tick(), 1u);
  EXPECT_EQ(linear_.looked_up, (std::vector<std::string>{"create"}));
  EXPECT_EQ(Only("r").status, store::EffectStatus::kDone);
}

TEST_F(OutboxRelayTest, ARelayNotRunningGivesHandedEffectsBackUnattempted) {
  CapturingHandoff capture;
  f_.engine->set_effect_handoff(&capture);
  StartRun("r", json::array({Effect("post", "slack")}));
  f_.engine->set_effect_handoff(nullptr);
  ASSERT_EQ(capture.taken.size(), 1u);
  relay_->Take(std::move(capture.taken));  // not started: nothing will perform it
  auto effect = Only("r");
  EXPECT_EQ(effect.status, store::EffectStatus::kPending);
  EXPECT_EQ(effect.attempts, 0);
  EXPECT_FALSE(effect.outcome_unknown);  // never attempted: no lookup needed
  EXPECT_EQ(relay_->Tick(), 1u);
  EXPECT_TRUE(slack_.looked_up.empty());
  EXPECT_EQ(Only("r").status, store::EffectStatus::kDone);
}

}  // namespace
}  // namespace contexten::workflows::outbox
