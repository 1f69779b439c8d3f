#include "workflows/outbox/outbox_relay.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/logging.hpp"
#include "core/redactor.hpp"

namespace contexten::workflows::outbox {
namespace {

// How long an effect a breaker or bulkhead refused without naming a time waits.
constexpr core::Millis kLocalRefusalWait{5000};

using nlohmann::json;

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::Logger("outbox");
  return log;
}

double Seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

std::string ResultText(const json& result) {
  return result.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

bool MayHaveApplied(const core::Error& error) {
  return error.outcome_unknown || error.kind == core::ErrorKind::kTimeout ||
         error.kind == core::ErrorKind::kTransient;
}

OutboxRelay::OutboxRelay(store::WorkflowStore& store, engine::Engine& engine, core::Clock& clock,
                         RelayOptions options)
    : store_(store),
      engine_(engine),
      clock_(clock),
      options_(options),
      rng_(options.seed != 0 ? options.seed : std::random_device{}()) {}

OutboxRelay::~OutboxRelay() { Stop(); }

void OutboxRelay::AddLane(const std::string& lane, EffectExecutor& executor, int concurrency) {
  auto entry = std::make_unique<Lane>();
  entry->name = lane;
  entry->executor = &executor;
  entry->concurrency = std::max(1, concurrency);
  lanes_[lane] = std::move(entry);
}

std::int64_t OutboxRelay::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.WallNow().time_since_epoch())
      .count();
}

core::Millis OutboxRelay::Backoff(int attempt) {
  // Equal jitter: spread, but never much sooner than the ceiling (a retry a few ms after a
  // failure only adds load to a platform that just failed).
  const core::Millis ceiling = core::resilience::BackoffCeiling(options_.backoff, attempt);
  std::lock_guard lock(mu_);
  std::uniform_int_distribution<core::Millis::rep> half(0, ceiling.count() / 2);
  return std::max(core::Millis(1000), core::Millis(ceiling.count() / 2 + half(rng_)));
}

std::size_t OutboxRelay::Tick(std::int64_t now_ms) {
  std::size_t attempted = 0;
  for (bool any = true; any;) {
    any = false;
    for (auto& [name, lane] : lanes_) {
      while (RunOne(*lane, now_ms)) {
        ++attempted;
        any = true;
      }
    }
  }
  return attempted;
}

bool OutboxRelay::RunOne(Lane& lane, std::int64_t now_ms) {
  auto claimed = store_.ClaimDue(lane.name, now_ms, 1);
  if (!claimed) {
    std::lock_guard lock(mu_);
    ++stats_.store_errors;
    Log()->warn("outbox claim on lane {} failed: {}", lane.name, claimed.error().Describe());
    return false;
  }
  if (claimed->empty()) return false;
  Perform(lane, claimed->front());
  return true;
}

void OutboxRelay::Perform(Lane& lane, const store::EffectRecord& effect) {
  if (effect.outcome_unknown) {
    {
      std::lock_guard lock(mu_);
      ++stats_.looked_up;
    }
    const auto started = clock_.Now();
    auto found = lane.executor->Lookup(effect);
    Record(lane.name, Seconds(clock_.Now() - started), found ? nullptr : &found.error());
    if (!found) return Fail(effect, found.error(), /*looked_up=*/false);
    if (*found) {
      {
        std::lock_guard lock(mu_);
        ++stats_.found_by_lookup;
      }
      Log()->info("effect {} ({}) had landed before; not performed again", effect.idempotency_key(),
                  effect.kind);
      return Finish(effect, {effect.id, store::EffectStatus::kDone, ResultText(**found), ""});
    }
  }
  const auto started = clock_.Now();
  auto result = lane.executor->Execute(effect);
  Record(lane.name, Seconds(clock_.Now() - started), result ? nullptr : &result.error());
  if (!result) return Fail(effect, result.error(), /*looked_up=*/effect.outcome_unknown);
  Finish(effect, {effect.id, store::EffectStatus::kDone, ResultText(*result), ""});
}

void OutboxRelay::Finish(const store::EffectRecord& effect, store::EffectOutcome outcome) {
  const bool done = outcome.status == store::EffectStatus::kDone;
  engine::Event event;
  event.type = done ? engine::kEffectDone : engine::kEffectDead;
  event.key = "effect:" + std::to_string(effect.id);
  event.data = {{"step", effect.step_id}, {"kind", effect.kind}};
  if (done) {
    json result = json::parse(outcome.result_json, nullptr, false);
    event.data["result"] = result.is_discarded() ? json() : result;
  } else {
    event.data["error"] = outcome.error;
  }
  auto delivered = engine_.Deliver(effect.run_id, std::move(event), std::nullopt, outcome);
  if (!delivered && delivered.error().kind == core::ErrorKind::kNotFound) {
    // No run is left to tell (deleted by an operator): record the outcome on the effect alone,
    // or it would be retried for ever.
    Log()->warn("effect {} finished but its run is gone: {}", effect.idempotency_key(),
                delivered.error().Describe());
    delivered = engine::StepResult{};
    if (auto completed = store_.Complete(outcome, NowMs()); !completed) {
      delivered = core::Unexpected(completed.error());
    }
  }
  if (!delivered) {
    // The platform has it but the run could not be told: keep the effect, marked so the next
    // attempt looks first instead of doing it twice.
    std::lock_guard lock(mu_);
    ++stats_.store_errors;
    Log()->warn("effect {} finished but its run was not told: {}", effect.idempotency_key(),
                delivered.error().Describe());
    (void)store_.Reschedule(effect.id, NowMs() + 1000, delivered.error().Describe(), done);
    return;
  }
  std::lock_guard lock(mu_);
  if (done) {
    ++stats_.performed;
  } else {
    ++stats_.dead_lettered;
    ++lane_stats_[effect.lane].dead_lettered;
  }
  // Effects of the same order key, on the same lane, may be claimable now.
  if (auto it = lanes_.find(effect.lane); it != lanes_.end()) {
    ++it->second->finished_seq;
  } else {
    ++wake_seq_;
  }
  wake_cv_.notify_all();
}

void OutboxRelay::Fail(const store::EffectRecord& effect, const core::Error& error,
                       bool looked_up) {
  // A rate-limit refusal is "not yet", with the platform's own time: it does not use up an
  // attempt, so a long 429 storm delays effects without dead-lettering them. So is an open
  // breaker's (or a full bulkhead's) refusal, which sent nothing: a long outage keeps the users'
  // requests queued until the breaker's trial call goes through (DESIGN.md §3, degraded mode),
  // instead of backing off further with each refusal and dead-lettering them.
  const bool rate_refused = error.kind == core::ErrorKind::kRateLimited;
  const bool refused = rate_refused || error.refused_locally;
  const bool retry = error.retryable() && (refused || effect.attempts < options_.max_attempts);
  if (!retry) {
    Log()->warn("effect {} ({}) dead-lettered after {} attempt(s): {}", effect.idempotency_key(),
                effect.kind, effect.attempts, error.Describe());
    Finish(effect, {effect.id, store::EffectStatus::kDead, "", error.Describe()});
    return;
  }
  core::Millis wait = error.retry_after.value_or(Backoff(effect.attempts - 1));
  if (rate_refused && error.retry_after) wait = RefusedWait(error, wait);
  // Half-open with its trial calls taken, or forced open: no time is named, and refusals do not
  // grow the backoff; look again in a few seconds rather than at once.
  if (error.refused_locally && !error.retry_after) wait = std::max(wait, kLocalRefusalWait);
  // After a lookup that found nothing, a refused attempt leaves the effect known-not-applied:
  // the next attempt need not look again (a lookup costs a rate-limit token too).
  const bool unknown = (effect.outcome_unknown && !looked_up) || MayHaveApplied(error);
  auto rescheduled =
      store_.Reschedule(effect.id, NowMs() + wait.count(), error.Describe(), unknown, !refused);
  std::unique_lock lock(mu_);
  if (!rescheduled) {
    ++stats_.store_errors;
    Log()->warn("effect {} could not be rescheduled: {}", effect.idempotency_key(),
                rescheduled.error().Describe());
    return;
  }
  ++stats_.rescheduled;
  Log()->info("effect {} ({}) attempt {} failed, again in {} ms: {}", effect.idempotency_key(),
              effect.kind, effect.attempts, wait.count(), error.Describe());
  // The run tells its people once that their request waits: at the first failure, or at the
  // first refusal of a breaker that was open before the request was ever tried.
  const bool first = error.refused_locally ? effect.last_error.empty() : effect.attempts == 1;
  if (!rate_refused && first) {
    ++lane_stats_[effect.lane].deferred;
    lock.unlock();
    TellDeferred(effect, error);
  }
}

void OutboxRelay::TellDeferred(const store::EffectRecord& effect, const core::Error& error) {
  engine::Event event;
  event.type = engine::kEffectDeferred;
  event.key = "deferred:" + std::to_string(effect.id);  // once per effect
  event.data = {{"step", effect.step_id},
                {"kind", effect.kind},
                {"lane", effect.lane},
                {"error", core::Redactor::Global().Redact(error.Describe())}};
  // Best effort: the effect itself is durable; a run that misses this only misses a notice.
  if (auto told = engine_.Deliver(effect.run_id, std::move(event)); !told) {
    Log()->info("run {} not told that effect {} waits: {}", effect.run_id, effect.step_id,
                told.error().Describe());
  }
}

void OutboxRelay::Record(const std::string& lane, double seconds, const core::Error* error) {
  std::lock_guard lock(mu_);
  LaneStats& stats = lane_stats_[lane];
  ++stats.attempts;
  std::size_t bucket = 0;
  while (bucket < LaneStats::kLatencyBounds.size() && seconds > LaneStats::kLatencyBounds[bucket]) {
    ++bucket;
  }
  ++stats.latency_buckets[bucket];
  stats.latency_sum_seconds += seconds;
  const std::int64_t now = NowMs();
  if (!error) {
    ++stats.succeeded;
    stats.consecutive_failures = 0;
    stats.last_success_ms = now;
    return;
  }
  ++stats.errors_by_kind[std::string(core::ToString(error->kind))];
  if (error->kind == core::ErrorKind::kRateLimited) return;  // "not yet", not "down"
  ++stats.consecutive_failures;
  stats.last_error = core::Redactor::Global().Redact(error->Describe());
  stats.last_error_ms = now;
}

core::Millis OutboxRelay::RefusedWait(const core::Error& error, core::Millis retry_after) {
  // Every effect a limiter refuses in one moment hears the same retry_after. When the refusal
  // names its budget, each effect gets its own slot, one token interval after the last slot
  // handed out for that budget: a backlog drains at the budget's rate and each effect is
  // rescheduled about once (a commit per refusal adds up fast: chat.update allows ~1 call a
  // second per workspace). A platform's own 429 names no budget: spread those over the window.
  const std::int64_t now = NowMs();
  std::lock_guard lock(mu_);
  if (error.rate_scope.empty() || error.rate_interval.count() <= 0) {
    std::uniform_int_distribution<core::Millis::rep> spread(
        0, std::max<core::Millis::rep>(retry_after.count(), 1));
    return retry_after + core::Millis(spread(rng_));
  }
  if (slots_.size() > kMaxSlotScopes) {
    std::erase_if(slots_, [now](const auto& entry) { return entry.second <= now; });
  }
  std::int64_t& next_free = slots_[error.rate_scope];
  const std::int64_t slot = std::max(now + retry_after.count(), next_free);
  next_free = slot + error.rate_interval.count();
  return core::Millis(slot - now);
}

core::Status OutboxRelay::Recover() {
  auto released = store_.ReleaseInFlight();
  if (!released) return core::Unexpected(released.error());
  if (*released > 0) {
    Log()->info("{} effect(s) were in flight at the last stop; they are checked before redoing",
                *released);
  }
  return core::Ok();
}

core::Status OutboxRelay::Start() {
  if (auto recovered = Recover(); !recovered) return recovered;
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  for (auto& [name, lane] : lanes_) {
    for (int i = 0; i < lane->concurrency; ++i) {
      lane->threads.emplace_back([this, l = lane.get()] { LaneLoop(*l); });
    }
  }
  {
    std::lock_guard lock(mu_);
    started_ = true;
  }
  engine_.set_effect_handoff(this);
  return core::Ok();
}

void OutboxRelay::Stop() {
  // First, so no step hands this relay anything more (it waits for steps doing so now).
  engine_.set_effect_handoff(nullptr);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    started_ = false;
    wake_cv_.notify_all();
  }
  for (auto& [name, lane] : lanes_) {
    for (auto& t : lane->threads) {
      if (t.joinable()) t.join();
    }
    lane->threads.clear();
    std::deque<store::EffectRecord> left;
    {
      std::lock_guard lock(mu_);
      left.swap(lane->handed);
    }
    ReturnHanded(std::move(left));
  }
}

bool OutboxRelay::Accepts(const std::string& lane) {
  std::lock_guard lock(mu_);
  auto it = lanes_.find(lane);
  return started_ && !stopping_ && it != lanes_.end() &&
         it->second->handed.size() < static_cast<std::size_t>(it->second->idle);
}

void OutboxRelay::Take(std::vector<store::EffectRecord> effects) {
  std::deque<store::EffectRecord> refused;
  {
    std::lock_guard lock(mu_);
    for (auto& effect : effects) {
      auto it = lanes_.find(effect.lane);
      if (!started_ || stopping_ || it == lanes_.end()) {
        refused.push_back(std::move(effect));
      } else {
        it->second->handed.push_back(std::move(effect));
      }
    }
    wake_cv_.notify_all();
  }
  ReturnHanded(std::move(refused));
}

void OutboxRelay::ReturnHanded(std::deque<store::EffectRecord> effects) {
  for (const auto& effect : effects) {
    auto returned = store_.Reschedule(effect.id, NowMs(), "", /*outcome_unknown=*/false,
                                      /*counts_as_attempt=*/false);
    if (!returned) {
      // Left in flight: the next start releases it (looked up before it is performed).
      Log()->warn("effect {} could not be returned to the outbox: {}", effect.idempotency_key(),
                  returned.error().Describe());
    }
  }
}

void OutboxRelay::Wake() {
  std::lock_guard lock(mu_);
  ++wake_seq_;
  wake_cv_.notify_all();
}

void OutboxRelay::LaneLoop(Lane& lane) {
  while (true) {
    std::uint64_t seen;
    std::uint64_t seen_finished;
    std::optional<store::EffectRecord> handed;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      seen = wake_seq_;
      seen_finished = lane.finished_seq;
      if (!lane.handed.empty()) {
        handed = std::move(lane.handed.front());
        lane.handed.pop_front();
        ++stats_.handed_off;
      }
    }
    if (handed) {
      Perform(lane, *handed);
      continue;
    }
    const std::int64_t claimed_at = NowMs();
    if (RunOne(lane, claimed_at)) continue;
    // Nothing claimable: wait for new effects, a finished effect, or the next due time (a
    // durable reschedule's), whichever comes first. This is a wait for work, not a retry sleep.
    // A pending effect due before the claim was blocked by its order key: the effect ahead of
    // it wakes this lane when it finishes.
    core::Millis wait = options_.idle_recheck;
    if (auto next = store_.NextEffectDue(lane.name); next && *next && **next > claimed_at) {
      wait = std::clamp(core::Millis(**next - NowMs()), core::Millis(0), options_.idle_recheck);
    }
    std::unique_lock lock(mu_);
    ++lane.idle;
    wake_cv_.wait_for(lock, wait, [&] {
      return stopping_ || wake_seq_ != seen || lane.finished_seq != seen_finished ||
             !lane.handed.empty();
    });
    --lane.idle;
  }
}

RelayStats OutboxRelay::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::map<std::string, LaneStats> OutboxRelay::lane_stats() const {
  std::lock_guard lock(mu_);
  return lane_stats_;
}

}  // namespace contexten::workflows::outbox
