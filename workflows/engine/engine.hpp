#pragma once
// The durable engine: starts runs, delivers events to them, fires their timers. Each step loads
// the run, lets its Workflow decide, and writes the decision with ONE WorkflowStore::CommitStep
// (state, outbox rows, timers, waits, links, history, the inbox row and effect outcome it
// consumed). A run waiting for a week is rows, not a thread. Steps of one run are serialised
// here (and across processes by the run's version).

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/workflow_store.hpp"
#include "workflows/engine/workflow.hpp"

namespace contexten::workflows::engine {

// Takes effects that a step claimed as it created them (StepCommit::claim_lanes): the outbox
// relay implements it, so the first attempt of an effect costs no claim transaction.
class EffectHandoff {
 public:
  virtual ~EffectHandoff() = default;
  // Whether `lane` has a thread idle now: a claimed effect must not wait in memory behind a
  // busy lane when ClaimDue could hand it to whichever thread frees up first.
  virtual bool Accepts(const std::string& lane) = 0;
  // The claimed effects, in flight; the taker performs each exactly as a claimed one.
  virtual void Take(std::vector<store::EffectRecord> effects) = 0;
};

struct StepResult {
  bool applied = false;     // false: the run had consumed this event already (a redelivery)
  bool finished = false;    // the run completed or failed with this step
  std::size_t effects = 0;  // outbox rows written
};

class Engine {
 public:
  Engine(store::WorkflowStore& store, core::Clock& clock);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void Register(std::unique_ptr<Workflow> workflow);  // before the first Start
  // Called after every step that wrote effects (the relay wakes) or timers (the timer loop).
  void set_on_effects(std::function<void()> hook) { on_effects_ = std::move(hook); }
  void set_on_timers(std::function<void()> hook) { on_timers_ = std::move(hook); }
  // Null stops handing off; it returns once no step still uses the previous one (the relay's
  // Stop calls it before its threads end).
  void set_effect_handoff(EffectHandoff* handoff);

  // Starts run `run_id` (callers derive it from the delivery that asked, so a replay does not
  // start a second run) with `start` as its first event. A run that exists already is not
  // started again (applied = false). `inbox_id`: the inbox row finished by this step.
  core::Result<StepResult> Start(const std::string& type, const std::string& run_id, Event start,
                                 std::optional<std::int64_t> inbox_id = std::nullopt);
  // Delivers to one run.
  core::Result<StepResult> Deliver(const std::string& run_id, Event event,
                                   std::optional<std::int64_t> inbox_id = std::nullopt,
                                   std::optional<store::EffectOutcome> outcome = std::nullopt,
                                   std::optional<std::string> fired_timer = std::nullopt);
  // Delivers to one run the event of a delivery that is not in the inbox yet, appending it
  // (finished) in the step's own transaction (StepCommit::inbox_append): the webhook fast path.
  // `appended` says whether the delivery was new; for a redelivery nothing is written and the
  // result is not applied. `arrival.received_at` must be set.
  core::Result<StepResult> DeliverArrival(const std::string& run_id, const Event& event,
                                          const store::InboxItem& arrival,
                                          store::AppendResult& appended);
  // Delivers to every run waiting on `wait_key`; returns how many took it. With none waiting the
  // inbox row is still finished.
  core::Result<std::size_t> DeliverToWaiting(const std::string& wait_key, const Event& event,
                                             std::optional<std::int64_t> inbox_id = std::nullopt);
  // Fires every timer due now (the run gets a "timer" event). Returns how many fired.
  core::Result<std::size_t> FireDueTimers(std::size_t limit = 256);
  core::Result<std::optional<std::int64_t>> NextTimerDue() { return store_.NextTimerDue(); }

  store::WorkflowStore& store() { return store_; }
  core::Clock& clock() { return clock_; }
  std::int64_t NowMs() const;

 private:
  const Workflow* Find(const std::string& type) const;
  std::mutex& RunMutex(const std::string& run_id);
  core::Result<StepResult> Step(const std::string& run_id, const std::string& type, bool create,
                                const Event& event, std::optional<std::int64_t> inbox_id,
                                std::optional<store::EffectOutcome> outcome,
                                std::optional<std::string> fired_timer,
                                const store::InboxItem* arrival = nullptr,
                                store::AppendResult* appended = nullptr);

  store::WorkflowStore& store_;
  core::Clock& clock_;
  std::map<std::string, std::unique_ptr<Workflow>, std::less<>> workflows_;
  std::array<std::mutex, 64> run_mutexes_;
  std::function<void()> on_effects_;
  std::function<void()> on_timers_;
  std::shared_mutex handoff_mu_;  // shared by steps that use handoff_
  EffectHandoff* handoff_ = nullptr;
};

// "timer:<name>@<due ms>": the dedupe key of one firing (a timer set again later fires again).
std::string TimerEventKey(const std::string& name, std::int64_t due_at_ms);

}  // namespace contexten::workflows::engine
