#include "core/resilience/circuit_breaker.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "tests/unit/core/resilience/event_recorder_support.hpp"

namespace contexten::core::resilience {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::EventRecorder;
using State = CircuitState;
using Transition = std::pair<CircuitState, CircuitState>;

// Small numbers so every transition is a handful of calls.
CircuitBreakerConfig SmallConfig() {
  CircuitBreakerConfig config;
  config.failure_rate_threshold = 50;
  config.slow_call_rate_threshold = 50;
  config.slow_call_duration_threshold = seconds(1);
  config.sliding_window_size = 4;
  config.minimum_number_of_calls = 4;
  config.wait_duration_in_open_state = seconds(10);
  config.permitted_calls_in_half_open = 4;
  return config;
}

class CircuitBreakerTest : public ::testing::Test {
 protected:
  explicit CircuitBreakerTest(CircuitBreakerConfig config = SmallConfig())
      : breaker_("github", std::move(config), clock_), recorder_(breaker_.events()) {}

  void Succeed(std::chrono::nanoseconds duration = milliseconds(10)) {
    ASSERT_TRUE(breaker_.TryAcquirePermission().has_value());
    breaker_.OnSuccess(duration);
  }
  void Fail(ErrorKind kind = ErrorKind::kTransient,
            std::chrono::nanoseconds duration = milliseconds(10)) {
    ASSERT_TRUE(breaker_.TryAcquirePermission().has_value());
    breaker_.OnError(duration, MakeError(kind, "boom"));
  }
  void OpenIt() {
    for (int i = 0; i < 4; ++i) Fail();
    ASSERT_EQ(breaker_.state(), State::kOpen);
  }
  void HalfOpenIt() {
    OpenIt();
    clock_.Advance(seconds(10));
    ASSERT_TRUE(breaker_.TryAcquirePermission().has_value());  // trial 1 of 4
    ASSERT_EQ(breaker_.state(), State::kHalfOpen);
  }

  FakeClock clock_;
  CircuitBreaker breaker_;
  EventRecorder recorder_;
};

TEST_F(CircuitBreakerTest, StaysClosedBelowMinimumCallsEvenAtFullFailureRate) {
  for (int i = 0; i < 3; ++i) Fail();
  EXPECT_EQ(breaker_.state(), State::kClosed);
  const auto m = breaker_.metrics();
  EXPECT_EQ(m.buffered_calls, 3);
  EXPECT_EQ(m.failed_calls, 3);
  EXPECT_EQ(m.failure_rate, -1.0f);  // not computed below the minimum
  EXPECT_TRUE(recorder_.Transitions().empty());
}

TEST_F(CircuitBreakerTest, StaysClosedBelowFailureThreshold) {
  Succeed();
  Succeed();
  Succeed();
  Fail();
  EXPECT_EQ(breaker_.state(), State::kClosed);
  EXPECT_FLOAT_EQ(breaker_.metrics().failure_rate, 25.0f);
}

TEST_F(CircuitBreakerTest, OpensAtExactlyTheFailureThreshold) {
  Succeed();
  Succeed();
  Fail();
  EXPECT_EQ(breaker_.state(), State::kClosed);
  Fail();  // 2 of 4 = 50% >= 50%
  EXPECT_EQ(breaker_.state(), State::kOpen);
  EXPECT_EQ(recorder_.Transitions(), (std::vector<Transition>{{State::kClosed, State::kOpen}}));
}

TEST_F(CircuitBreakerTest, MinimumCallsIsCappedAtWindowSize) {
  CircuitBreakerConfig config = SmallConfig();
  config.minimum_number_of_calls = 100;  // larger than the window of 4
  CircuitBreaker breaker("linear", config, clock_);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(breaker.TryAcquirePermission().has_value());
    breaker.OnError(milliseconds(1), MakeError(ErrorKind::kTransient, "x"));
  }
  EXPECT_EQ(breaker.state(), State::kOpen);
}

TEST_F(CircuitBreakerTest, OpenRejectsWithUnavailableAndRemainingWait) {
  OpenIt();
  clock_.Advance(seconds(3));
  const Status rejected = breaker_.TryAcquirePermission();
  ASSERT_FALSE(rejected.has_value());
  EXPECT_EQ(rejected.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(rejected.error().message, "circuit 'github' is open");
  ASSERT_TRUE(rejected.error().retry_after.has_value());
  EXPECT_EQ(*rejected.error().retry_after, milliseconds(7000));
  // Nothing was sent: callers treat it as "not yet", not as the peer failing.
  EXPECT_TRUE(rejected.error().refused_locally);
  EXPECT_EQ(breaker_.metrics().not_permitted_calls, 1);
  ASSERT_EQ(recorder_.Of(ResilienceEventKind::kCallNotPermitted).size(), 1u);
}

TEST_F(CircuitBreakerTest, OpenMovesToHalfOpenOnFirstCallAfterWait) {
  OpenIt();
  clock_.Advance(seconds(10) - milliseconds(1));
  EXPECT_FALSE(breaker_.TryAcquirePermission().has_value());
  EXPECT_EQ(breaker_.state(), State::kOpen);
  clock_.Advance(milliseconds(1));
  EXPECT_EQ(breaker_.state(), State::kOpen);  // no scheduler: the next call moves it
  EXPECT_TRUE(breaker_.TryAcquirePermission().has_value());
  EXPECT_EQ(breaker_.state(), State::kHalfOpen);
  EXPECT_EQ(recorder_.Transitions(), (std::vector<Transition>{{State::kClosed, State::kOpen},
                                                              {State::kOpen, State::kHalfOpen}}));
}

TEST_F(CircuitBreakerTest, HalfOpenPermitsExactlyTheTrialCallsThenRejects) {
  HalfOpenIt();  // trial 1 taken
  EXPECT_TRUE(breaker_.TryAcquirePermission().has_value());
  EXPECT_TRUE(breaker_.TryAcquirePermission().has_value());
  EXPECT_TRUE(breaker_.TryAcquirePermission().has_value());
  const Status fifth = breaker_.TryAcquirePermission();
  ASSERT_FALSE(fifth.has_value());
  EXPECT_EQ(fifth.error().kind, ErrorKind::kUnavailable);
  EXPECT_NE(fifth.error().message.find("half-open"), std::string::npos);
  EXPECT_TRUE(fifth.error().refused_locally);
  EXPECT_EQ(breaker_.state(), State::kHalfOpen);
}

TEST_F(CircuitBreakerTest, HalfOpenClosesWhenTrialFailureRateBelowThreshold) {
  HalfOpenIt();
  breaker_.OnError(milliseconds(1), MakeError(ErrorKind::kTransient, "x"));
  for (int i = 0; i < 2; ++i) Succeed();
  EXPECT_EQ(breaker_.state(), State::kHalfOpen);  // 3 of 4 trials reported: undecided
  Succeed();                                      // 1 of 4 failed = 25% < 50%
  EXPECT_EQ(breaker_.state(), State::kClosed);
  EXPECT_EQ(breaker_.metrics().buffered_calls, 0);  // the transition started a fresh window
  EXPECT_EQ(recorder_.Transitions().back(), Transition(State::kHalfOpen, State::kClosed));
}

TEST_F(CircuitBreakerTest, HalfOpenReopensWhenTrialFailureRateAtThreshold) {
  HalfOpenIt();
  breaker_.OnError(milliseconds(1), MakeError(ErrorKind::kTransient, "x"));
  Succeed();
  Succeed();
  Fail();  // 2 of 4 = 50%
  EXPECT_EQ(breaker_.state(), State::kOpen);
  EXPECT_EQ(recorder_.Transitions().back(), Transition(State::kHalfOpen, State::kOpen));
  // A fresh wait started with the re-open.
  const Status rejected = breaker_.TryAcquirePermission();
  ASSERT_FALSE(rejected.has_value());
  EXPECT_EQ(*rejected.error().retry_after, milliseconds(10000));
}

TEST_F(CircuitBreakerTest, HalfOpenReopensAfterMaxWaitWithTrialsOutstanding) {
  CircuitBreakerConfig config = SmallConfig();
  config.max_wait_in_half_open = seconds(5);
  CircuitBreaker breaker("slack", config, clock_);
  EventRecorder recorder(breaker.events());
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(breaker.TryAcquirePermission().has_value());
    breaker.OnError(milliseconds(1), MakeError(ErrorKind::kTimeout, "x"));
  }
  clock_.Advance(seconds(10));
  ASSERT_TRUE(breaker.TryAcquirePermission().has_value());  // a trial that never reports
  clock_.Advance(seconds(5));
  EXPECT_FALSE(breaker.TryAcquirePermission().has_value());
  EXPECT_EQ(breaker.state(), State::kOpen);
  EXPECT_EQ(recorder.Transitions().back(), Transition(State::kHalfOpen, State::kOpen));
}

TEST_F(CircuitBreakerTest, SlowCallsOpenViaSlowCallRate) {
  Succeed(seconds(1));  // exactly the threshold is not slow
  Succeed(milliseconds(10));
  Succeed(seconds(2));
  EXPECT_EQ(breaker_.state(), State::kClosed);
  EXPECT_EQ(breaker_.metrics().slow_calls, 1);
  Succeed(seconds(3));  // 2 of 4 slow = 50%
  EXPECT_EQ(breaker_.state(), State::kOpen);
  const auto transitions = recorder_.Of(ResilienceEventKind::kStateTransition);
  ASSERT_EQ(transitions.size(), 1u);
  EXPECT_NE(transitions[0].message.find("slow call rate"), std::string::npos);
}

TEST_F(CircuitBreakerTest, SlidingWindowDropsOldestOutcomes) {
  Fail();
  Succeed();
  Succeed();
  Succeed();
  EXPECT_EQ(breaker_.metrics().failed_calls, 1);
  Succeed();  // pushes the failure out
  EXPECT_EQ(breaker_.metrics().failed_calls, 0);
  EXPECT_EQ(breaker_.metrics().buffered_calls, 4);
  Fail();
  EXPECT_EQ(breaker_.state(), State::kClosed);
  Fail();  // window S S F F = 50%; counting every call ever (2 of 7) would stay closed
  EXPECT_EQ(breaker_.state(), State::kOpen);
}

TEST_F(CircuitBreakerTest, CallerFaultErrorsAreNotFailures) {
  for (int i = 0; i < 4; ++i) Fail(ErrorKind::kInvalidInput);
  Fail(ErrorKind::kNotFound);
  EXPECT_EQ(breaker_.state(), State::kClosed);
  EXPECT_EQ(breaker_.metrics().failed_calls, 0);
  EXPECT_EQ(breaker_.metrics().buffered_calls, 4);
  EXPECT_FLOAT_EQ(breaker_.metrics().failure_rate, 0.0f);
}

TEST_F(CircuitBreakerTest, TimeoutsAreFailures) {
  for (int i = 0; i < 4; ++i) Fail(ErrorKind::kTimeout);
  EXPECT_EQ(breaker_.state(), State::kOpen);
}

TEST_F(CircuitBreakerTest, FailureClassificationIsConfigurable) {
  CircuitBreakerConfig config = SmallConfig();
  config.record_as_failure = [](const Error& e) { return e.kind == ErrorKind::kUnauthorized; };
  config.ignore = [](const Error& e) { return e.kind == ErrorKind::kConflict; };
  CircuitBreaker breaker("github", config, clock_);
  auto fail = [&](ErrorKind kind) {
    ASSERT_TRUE(breaker.TryAcquirePermission().has_value());
    breaker.OnError(milliseconds(1), MakeError(kind, "x"));
  };
  fail(ErrorKind::kConflict);   // ignored: not buffered at all
  fail(ErrorKind::kTransient);  // not a failure under this predicate
  EXPECT_EQ(breaker.metrics().buffered_calls, 1);
  EXPECT_EQ(breaker.metrics().failed_calls, 0);
  for (int i = 0; i < 3; ++i) fail(ErrorKind::kUnauthorized);
  EXPECT_EQ(breaker.state(), State::kOpen);
}

TEST_F(CircuitBreakerTest, IgnoredErrorInHalfOpenReturnsItsTrialPermit) {
  CircuitBreakerConfig config = SmallConfig();
  config.permitted_calls_in_half_open = 1;
  config.ignore = [](const Error& e) { return e.kind == ErrorKind::kConflict; };
  CircuitBreaker breaker("github", config, clock_);
  breaker.TransitionToOpen();
  clock_.Advance(seconds(10));
  ASSERT_TRUE(breaker.TryAcquirePermission().has_value());
  EXPECT_FALSE(breaker.TryAcquirePermission().has_value());
  breaker.OnError(milliseconds(1), MakeError(ErrorKind::kConflict, "x"));
  EXPECT_TRUE(breaker.TryAcquirePermission().has_value());
  breaker.OnSuccess(milliseconds(1));
  EXPECT_EQ(breaker.state(), State::kClosed);
}

TEST_F(CircuitBreakerTest, ReleasedPermitIsReusableInHalfOpen) {
  HalfOpenIt();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(breaker_.TryAcquirePermission().has_value());
  EXPECT_FALSE(breaker_.TryAcquirePermission().has_value());
  breaker_.ReleasePermission();
  EXPECT_TRUE(breaker_.TryAcquirePermission().has_value());
}

TEST_F(CircuitBreakerTest, ForcedOpenRejectsEverythingUntilClosed) {
  breaker_.TransitionToForcedOpen();
  EXPECT_EQ(breaker_.state(), State::kForcedOpen);
  clock_.Advance(std::chrono::hours(1));  // no wait ends a forced open
  const Status rejected = breaker_.TryAcquirePermission();
  ASSERT_FALSE(rejected.has_value());
  EXPECT_EQ(rejected.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(rejected.error().message, "circuit 'github' is forced open");
  EXPECT_EQ(breaker_.state(), State::kForcedOpen);
  EXPECT_EQ(breaker_.metrics().not_permitted_calls, 1);

  breaker_.TransitionToClosed();
  EXPECT_EQ(breaker_.state(), State::kClosed);
  EXPECT_TRUE(breaker_.TryAcquirePermission().has_value());
  EXPECT_EQ(recorder_.Transitions(),
            (std::vector<Transition>{{State::kClosed, State::kForcedOpen},
                                     {State::kForcedOpen, State::kClosed}}));
}

TEST_F(CircuitBreakerTest, DisabledPermitsEverythingAndRecordsNothing) {
  breaker_.TransitionToDisabled();
  for (int i = 0; i < 10; ++i) Fail();
  EXPECT_EQ(breaker_.state(), State::kDisabled);
  EXPECT_EQ(breaker_.metrics().buffered_calls, 0);
  breaker_.TransitionToClosed();
  EXPECT_EQ(breaker_.state(), State::kClosed);
  EXPECT_EQ(breaker_.metrics().buffered_calls, 0);
}

TEST_F(CircuitBreakerTest, ResetClosesClearsMetricsAndPublishesReset) {
  OpenIt();
  EXPECT_FALSE(breaker_.TryAcquirePermission().has_value());
  breaker_.Reset();
  EXPECT_EQ(breaker_.state(), State::kClosed);
  const auto m = breaker_.metrics();
  EXPECT_EQ(m.buffered_calls, 0);
  EXPECT_EQ(m.not_permitted_calls, 0);
  EXPECT_EQ(recorder_.Transitions().back(), Transition(State::kOpen, State::kClosed));
  const auto resets = recorder_.Of(ResilienceEventKind::kReset);
  ASSERT_EQ(resets.size(), 1u);
  EXPECT_EQ(*resets[0].from_state, State::kOpen);
}

TEST_F(CircuitBreakerTest, EveryTransitionPublishesExactlyOneEvent) {
  const WallTime start = clock_.WallNow();
  OpenIt();                               // CLOSED -> OPEN
  clock_.Advance(seconds(10));            //
  Fail();                                 // OPEN -> HALF_OPEN (trial 1 fails)
  for (int i = 0; i < 3; ++i) Fail();     // HALF_OPEN -> OPEN
  clock_.Advance(seconds(10));            //
  for (int i = 0; i < 4; ++i) Succeed();  // OPEN -> HALF_OPEN -> CLOSED
  breaker_.TransitionToForcedOpen();      // CLOSED -> FORCED_OPEN
  breaker_.TransitionToForcedOpen();      // same state: nothing
  breaker_.TransitionToDisabled();        // FORCED_OPEN -> DISABLED
  breaker_.TransitionToClosed();          // DISABLED -> CLOSED
  breaker_.TransitionToClosed();          // same state: nothing

  EXPECT_EQ(recorder_.Transitions(), (std::vector<Transition>{
                                         {State::kClosed, State::kOpen},
                                         {State::kOpen, State::kHalfOpen},
                                         {State::kHalfOpen, State::kOpen},
                                         {State::kOpen, State::kHalfOpen},
                                         {State::kHalfOpen, State::kClosed},
                                         {State::kClosed, State::kForcedOpen},
                                         {State::kForcedOpen, State::kDisabled},
                                         {State::kDisabled, State::kClosed},
                                     }));
  const auto events = recorder_.Of(ResilienceEventKind::kStateTransition);
  for (const auto& event : events) EXPECT_EQ(event.component, "github");
  // Stamped with the fake clock's wall time: the first before any advance, the last after both.
  EXPECT_EQ(events.front().at, start);
  EXPECT_EQ(events.back().at, start + seconds(20));
}

TEST_F(CircuitBreakerTest, ListenersMayQueryTheBreaker) {
  std::vector<CircuitState> seen;
  breaker_.events().Subscribe([&](const ResilienceEvent& event) {
    if (event.kind == ResilienceEventKind::kStateTransition) seen.push_back(breaker_.state());
  });
  OpenIt();  // would deadlock if events were published under the breaker's lock
  EXPECT_EQ(seen, std::vector<CircuitState>{State::kOpen});
}

TEST_F(CircuitBreakerTest, ExecuteMeasuresWithTheClockAndSkipsCallWhenOpen) {
  int calls = 0;
  auto slow_ok = [&]() -> Result<int> {
    ++calls;
    clock_.Advance(seconds(2));
    return 7;
  };
  for (int i = 0; i < 4; ++i) {
    const Result<int> r = breaker_.Execute(slow_ok);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, 7);
  }
  EXPECT_EQ(breaker_.state(), State::kOpen);  // 100% slow
  const Result<int> rejected = breaker_.Execute(slow_ok);
  ASSERT_FALSE(rejected.has_value());
  EXPECT_EQ(rejected.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(calls, 4);
}

TEST_F(CircuitBreakerTest, ExecuteRecordsErrorsAndWorksWithStdFunctionAndStatus) {
  std::function<Status()> failing = [] { return Status(MakeError(ErrorKind::kTransient, "x")); };
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(breaker_.Execute(failing).has_value());
  EXPECT_EQ(breaker_.state(), State::kOpen);
}

TEST_F(CircuitBreakerTest, ConcurrentCallersGetExactlyTheTrialPermits) {
  OpenIt();
  clock_.Advance(seconds(10));
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (breaker_.TryAcquirePermission().has_value()) ++granted;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(granted.load(), 4);
  EXPECT_EQ(breaker_.metrics().not_permitted_calls, 8 * 50 - 4);
  EXPECT_EQ(recorder_.Transitions().size(), 2u);  // CLOSED->OPEN, OPEN->HALF_OPEN once
}

TEST(CircuitBreakerConfigTest, RejectsNonsense) {
  FakeClock clock;
  CircuitBreakerConfig config;
  config.failure_rate_threshold = 0;
  EXPECT_THROW(CircuitBreaker("x", config, clock), std::invalid_argument);
  config = {};
  config.permitted_calls_in_half_open = 0;
  EXPECT_THROW(CircuitBreaker("x", config, clock), std::invalid_argument);
  config = {};
  config.sliding_window_size = 0;
  EXPECT_THROW(CircuitBreaker("x", config, clock), std::invalid_argument);
}

TEST(CircuitBreakerDefaultsTest, MatchResilience4j) {
  const CircuitBreakerConfig config;
  EXPECT_EQ(config.failure_rate_threshold, 50.0f);
  EXPECT_EQ(config.slow_call_rate_threshold, 100.0f);
  EXPECT_EQ(config.slow_call_duration_threshold, seconds(60));
  EXPECT_EQ(config.sliding_window_size, 100);
  EXPECT_EQ(config.minimum_number_of_calls, 100);
  EXPECT_EQ(config.wait_duration_in_open_state, seconds(60));
  EXPECT_EQ(config.permitted_calls_in_half_open, 10);
}

}  // namespace
}  // namespace contexten::core::resilience
