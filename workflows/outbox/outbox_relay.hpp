#pragma once
// The outbox relay (DESIGN.md §3): claims due effects and performs them through the platform
// executors, one lane per platform (a Linear outage never holds up Slack posts), in order per
// key (one thread, one issue). It never sleeps a thread for a retry: a retryable failure, a 429
// or a limiter refusal becomes a durable reschedule at the backoff or Retry-After time. An
// attempt whose outcome is unknown is followed by a look before re-creating. After
// `max_attempts`, or at once for an error no retry can fix, the effect is dead-lettered
// (visible, retryable) and its run is told. The result of each effect is fed back to its run in
// the same transaction that finishes the effect.

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/resilience/backoff.hpp"
#include "store/workflow_store.hpp"
#include "workflows/engine/engine.hpp"
#include "workflows/outbox/effect_executor.hpp"

namespace contexten::workflows::outbox {

struct RelayOptions {
  // With the backoff below ("equal jitter": half the ceiling plus a random half), the attempts
  // span at least ~20 minutes, so a platform outage of that length delays effects without
  // dead-lettering them. Rate-limit refusals do not count as attempts.
  int max_attempts = 10;
  core::resilience::BackoffPolicy backoff{std::chrono::seconds(2), 2.0, std::chrono::minutes(10)};
  // A lane with nothing claimable checks again at least this often (effects whose order key is
  // blocked by one in flight become claimable when that one finishes, which also wakes it).
  core::Millis idle_recheck = std::chrono::seconds(1);
  std::uint64_t seed = 0;  // backoff jitter; 0 = random
};

struct RelayStats {
  std::uint64_t performed = 0;    // effects done
  std::uint64_t handed_off = 0;   // attempts of effects claimed by the step that created them
  std::uint64_t rescheduled = 0;  // retryable failures turned into a later due time
  std::uint64_t looked_up = 0;    // lookups before re-creating
  std::uint64_t found_by_lookup = 0;
  std::uint64_t dead_lettered = 0;
  std::uint64_t store_errors = 0;
};

// What one lane did since the relay was built, for the health monitor and /metrics.
struct LaneStats {
  // Upper bounds (seconds) of the attempt latency histogram; the last bucket is +Inf.
  static constexpr std::array<double, 10> kLatencyBounds{0.005, 0.01, 0.025, 0.05, 0.1,
                                                         0.25,  0.5,  1.0,   2.5,  5.0};
  std::uint64_t attempts = 0;   // calls to the platform (lookups and performs)
  std::uint64_t succeeded = 0;  // effects done
  std::map<std::string, std::uint64_t> errors_by_kind;  // failed attempts by core::ErrorKind
  std::uint64_t dead_lettered = 0;
  std::uint64_t deferred = 0;  // effects told their run they wait for a retry
  // Failures other than rate-limit refusals since the last success: the platform is failing.
  int consecutive_failures = 0;
  std::string last_error;  // redacted (core/redactor.hpp)
  std::int64_t last_error_ms = 0;
  std::int64_t last_success_ms = 0;
  std::array<std::uint64_t, kLatencyBounds.size() + 1> latency_buckets{};  // not cumulative
  double latency_sum_seconds = 0;
};

class OutboxRelay final : public engine::EffectHandoff {
 public:
  OutboxRelay(store::WorkflowStore& store, engine::Engine& engine, core::Clock& clock,
              RelayOptions options = {});
  ~OutboxRelay() override;
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  // Before Start. `concurrency`: effects of different order keys performed at once.
  void AddLane(const std::string& lane, EffectExecutor& executor, int concurrency = 4);

  // Claims what is due at `now_ms` (wall clock) in every lane and performs it on the calling
  // thread, until nothing more is due. Returns how many effects were attempted. Never sleeps.
  // For tests with a fake clock and for tools; a started relay does the same on its threads.
  std::size_t Tick(std::int64_t now_ms);
  std::size_t Tick() { return Tick(NowMs()); }  // at the clock's now

  // Effects left in flight by a crash go back to pending, marked outcome unknown (so each is
  // looked up before it is performed again). Start() does this first.
  core::Status Recover();
  // Recover(), then `concurrency` threads per lane start claiming, and the engine hands this
  // relay the effects its steps claim as they create them (engine::EffectHandoff).
  core::Status Start();
  void Stop();
  // New effects were committed (Engine::set_on_effects).
  void Wake();

  RelayStats stats() const;
  std::map<std::string, LaneStats> lane_stats() const;

  // engine::EffectHandoff: only while started, only to a lane with an idle thread.
  bool Accepts(const std::string& lane) override;
  void Take(std::vector<store::EffectRecord> effects) override;

 private:
  struct Lane {
    std::string name;
    EffectExecutor* executor = nullptr;
    int concurrency = 1;
    std::vector<std::thread> threads;
    // Guarded by mu_: effects claimed by the step that created them, and threads waiting.
    std::deque<store::EffectRecord> handed;
    int idle = 0;
    // Guarded by mu_: bumped when an effect of this lane finishes, which may free the next of
    // its order key (always on the same lane). Only this lane's threads look again: a claim per
    // thread of every lane on each finish held the store's connections (PostgreSQL) for nothing.
    std::uint64_t finished_seq = 0;
  };
  // Handed-off effects not performed (the relay stopped): back to pending, not an attempt.
  void ReturnHanded(std::deque<store::EffectRecord> effects);
  // Claims and performs one effect of `lane`; false when none was claimable.
  bool RunOne(Lane& lane, std::int64_t now_ms);
  void Perform(Lane& lane, const store::EffectRecord& effect);
  void Finish(const store::EffectRecord& effect, store::EffectOutcome outcome);
  // `looked_up`: this attempt looked for an earlier one's result and found none, so only this
  // attempt's own error says whether the effect may have landed.
  void Fail(const store::EffectRecord& effect, const core::Error& error, bool looked_up);
  // Counts one attempt of `lane` that took `seconds` (error: null when it succeeded).
  void Record(const std::string& lane, double seconds, const core::Error* error);
  // A retryable failure of an effect's first attempt: its run hears that the effect waits
  // (engine::kEffectDeferred), so it can tell its user the request is queued.
  void TellDeferred(const store::EffectRecord& effect, const core::Error& error);
  // How long a rate-limit refusal waits (see the .cpp: a slot per effect where possible).
  core::Millis RefusedWait(const core::Error& error, core::Millis retry_after);
  void LaneLoop(Lane& lane);
  std::int64_t NowMs() const;
  core::Millis Backoff(int attempt);

  store::WorkflowStore& store_;
  engine::Engine& engine_;
  core::Clock& clock_;
  RelayOptions options_;
  std::map<std::string, std::unique_ptr<Lane>> lanes_;

  mutable std::mutex mu_;
  std::condition_variable wake_cv_;
  std::uint64_t wake_seq_ = 0;
  bool stopping_ = false;
  bool started_ = false;
  RelayStats stats_;
  std::map<std::string, LaneStats> lane_stats_;
  std::mt19937_64 rng_;
  // Per rate-limit budget (Error::rate_scope): the first free slot (wall ms). In memory only:
  // after a restart the effects keep the slots they were given.
  static constexpr std::size_t kMaxSlotScopes = 4096;
  std::map<std::string, std::int64_t> slots_;
};

}  // namespace contexten::workflows::outbox
