#include "workflows/engine/engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>

#include "core/logging.hpp"

namespace contexten::workflows::engine {
namespace {

using nlohmann::json;

constexpr int kConflictRetries = 5;
constexpr std::size_t kHistoryDetailChars = 4000;

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::Logger("engine");
  return log;
}

std::string Dump(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > kHistoryDetailChars) {
    text = json{{"truncated", text.substr(0, kHistoryDetailChars)}}.dump(
        -1, ' ', false, json::error_handler_t::replace);
  }
  return text;
}

store::RunStatus StatusOf(const Decision& decision) {
  switch (decision.outcome) {
    case Decision::Outcome::kCompleted:
      return store::RunStatus::kCompleted;
    case Decision::Outcome::kFailed:
      return store::RunStatus::kFailed;
    case Decision::Outcome::kContinue:
      break;
  }
  return decision.effects.empty() ? store::RunStatus::kWaiting : store::RunStatus::kRunning;
}

json DecisionSummary(const Decision& decision) {
  json effects = json::array();
  for (const auto& e : decision.effects) effects.push_back(ToRow(e.action).kind + " " + e.step);
  json summary = {{"effects", effects}};
  if (!decision.note.empty()) summary["note"] = decision.note;
  if (!decision.wait_for.empty()) summary["wait_for"] = decision.wait_for;
  if (!decision.timers.empty()) {
    json timers = json::array();
    for (const auto& t : decision.timers) timers.push_back({{t.name, t.due_at_ms}});
    summary["timers"] = timers;
  }
  if (decision.outcome != Decision::Outcome::kContinue) {
    summary["outcome"] = std::string(ToString(StatusOf(decision)));
  }
  return summary;
}

}  // namespace

std::string TimerEventKey(const std::string& name, std::int64_t due_at_ms) {
  return "timer:" + name + "@" + std::to_string(due_at_ms);
}

Engine::Engine(store::WorkflowStore& store, core::Clock& clock) : store_(store), clock_(clock) {}

void Engine::Register(std::unique_ptr<Workflow> workflow) {
  std::string type(workflow->type());
  workflows_[std::move(type)] = std::move(workflow);
}

const Workflow* Engine::Find(const std::string& type) const {
  auto it = workflows_.find(type);
  return it == workflows_.end() ? nullptr : it->second.get();
}

std::mutex& Engine::RunMutex(const std::string& run_id) {
  return run_mutexes_[std::hash<std::string>{}(run_id) % run_mutexes_.size()];
}

std::int64_t Engine::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.WallNow().time_since_epoch())
      .count();
}

void Engine::set_effect_handoff(EffectHandoff* handoff) {
  std::unique_lock lock(handoff_mu_);
  handoff_ = handoff;
}

core::Result<StepResult> Engine::Start(const std::string& type, const std::string& run_id,
                                       Event start, std::optional<std::int64_t> inbox_id) {
  if (!Find(type)) {
    return core::Unexpected(
        core::MakeError(core::ErrorKind::kInvalidInput, "no workflow of type '" + type + "'"));
  }
  if (start.key.empty()) start.key = "start";
  return Step(run_id, type, /*create=*/true, start, inbox_id, std::nullopt, std::nullopt);
}

core::Result<StepResult> Engine::Deliver(const std::string& run_id, Event event,
                                         std::optional<std::int64_t> inbox_id,
                                         std::optional<store::EffectOutcome> outcome,
                                         std::optional<std::string> fired_timer) {
  return Step(run_id, "", /*create=*/false, event, inbox_id, std::move(outcome),
              std::move(fired_timer));
}

core::Result<StepResult> Engine::DeliverArrival(const std::string& run_id, const Event& event,
                                                const store::InboxItem& arrival,
                                                store::AppendResult& appended) {
  return Step(run_id, "", /*create=*/false, event, std::nullopt, std::nullopt, std::nullopt,
              &arrival, &appended);
}

core::Result<StepResult> Engine::Step(const std::string& run_id, const std::string& type,
                                      bool create, const Event& event,
                                      std::optional<std::int64_t> inbox_id,
                                      std::optional<store::EffectOutcome> outcome,
                                      std::optional<std::string> fired_timer,
                                      const store::InboxItem* arrival,
                                      store::AppendResult* appended) {
  std::lock_guard lock(RunMutex(run_id));
  for (int attempt = 0;; ++attempt) {
    auto loaded = store_.LoadRun(run_id);
    if (!loaded) return core::Unexpected(loaded.error());
    const auto& run = *loaded;
    if (!run && !create) {
      return core::Unexpected(
          core::MakeError(core::ErrorKind::kNotFound, "no workflow run " + run_id));
    }
    const std::string run_type = run ? run->type : type;
    const Workflow* workflow = Find(run_type);
    if (!workflow) {
      return core::Unexpected(core::MakeError(core::ErrorKind::kInternal,
                                              "run " + run_id + " has unknown type " + run_type));
    }

    store::StepCommit step;
    step.run_id = run_id;
    step.type = run_type;
    step.create = !run;
    step.expected_version = run ? run->version : 0;
    step.consumed_event_key = event.key;
    step.inbox_done = inbox_id;
    step.effect_outcome = outcome;
    step.fired_timer = fired_timer;
    step.inbox_append = arrival;
    step.appended = appended;
    step.now_ms = NowMs();

    Decision decision;
    if (run && store::IsFinished(run->status)) {
      // A finished run decides nothing more; its late events are only recorded as consumed.
      step.status = run->status;
      step.state_json = run->state_json;
      decision.note = "run already finished";
    } else {
      json state = run ? json::parse(run->state_json, nullptr, false) : json();
      if (state.is_discarded()) state = json();
      try {
        decision = workflow->Decide({run_id, step.now_ms}, state, event);
      } catch (const std::exception& e) {
        // A bug in a workflow must not wedge the run or the caller: the run fails, visibly.
        Log()->error("workflow {} run {} threw on {}: {}", run_type, run_id, event.type, e.what());
        decision = Decision{};
        decision.state = state;
        decision.outcome = Decision::Outcome::kFailed;
        decision.note = std::string("decide threw: ") + e.what();
      }
      step.status = StatusOf(decision);
      step.state_json = decision.state.dump(-1, ' ', false, json::error_handler_t::replace);
      for (const auto& e : decision.effects) {
        EffectRow row = ToRow(e.action);
        store::EffectRecord record;
        record.step_id = e.step;
        record.lane = std::move(row.lane);
        record.kind = std::move(row.kind);
        record.order_key = e.order_key.empty() ? run_id : e.order_key;
        record.args_json = row.args.dump(-1, ' ', false, json::error_handler_t::replace);
        record.due_at_ms = step.now_ms;
        step.effects.push_back(std::move(record));
      }
      for (const auto& t : decision.timers)
        step.set_timers.push_back({run_id, t.name, t.due_at_ms});
      step.cancel_timers = decision.cancel_timers;
      step.add_waits = decision.wait_for;
      step.remove_waits = decision.stop_waiting;
      for (const auto& l : decision.links) {
        step.links.push_back({l.from_key, l.to_key, l.kind, l.evidence.dump(), run_id, 0});
      }
    }
    step.history.push_back(
        {0, run_id, step.now_ms, "event",
         Dump({{"type", event.type}, {"key", event.key}, {"data", event.data}})});
    step.history.push_back({0, run_id, step.now_ms, "decision", Dump(DecisionSummary(decision))});

    std::shared_lock handoff_lock(handoff_mu_);
    EffectHandoff* handoff = handoff_;
    std::vector<store::EffectRecord> claimed;
    if (handoff != nullptr) {
      for (const auto& e : step.effects) {
        if (std::find(step.claim_lanes.begin(), step.claim_lanes.end(), e.lane) ==
                step.claim_lanes.end() &&
            handoff->Accepts(e.lane)) {
          step.claim_lanes.push_back(e.lane);
        }
      }
      if (!step.claim_lanes.empty()) step.claimed = &claimed;
    }
    auto committed = store_.CommitStep(step);
    if (!committed) {
      if (committed.error().kind == core::ErrorKind::kConflict && attempt < kConflictRetries) {
        continue;  // another writer moved the run (or created it): decide again on its state
      }
      return core::Unexpected(committed.error());
    }
    StepResult result;
    result.applied = *committed == store::CommitOutcome::kApplied;
    if (result.applied) {
      result.effects = step.effects.size();
      result.finished = store::IsFinished(step.status);
      const bool all_claimed = claimed.size() == step.effects.size();
      if (!claimed.empty()) handoff->Take(std::move(claimed));
      if (!all_claimed && on_effects_) on_effects_();
      if (!step.set_timers.empty() && on_timers_) on_timers_();
    }
    return result;
  }
}

core::Result<std::size_t> Engine::DeliverToWaiting(const std::string& wait_key, const Event& event,
                                                   std::optional<std::int64_t> inbox_id) {
  auto runs = store_.RunsWaitingFor(wait_key);
  if (!runs) return core::Unexpected(runs.error());
  if (runs->empty()) {
    if (inbox_id) {
      if (auto finished = store_.FinishInboxRow(*inbox_id, NowMs()); !finished) {
        return core::Unexpected(finished.error());
      }
    }
    return std::size_t{0};
  }
  std::size_t delivered = 0;
  for (std::size_t i = 0; i < runs->size(); ++i) {
    // The inbox row is finished with the last run's step: a crash before it replays the event,
    // and the runs that took it already drop it by its key.
    const bool last = i + 1 == runs->size();
    auto step = Deliver((*runs)[i], event, last ? inbox_id : std::nullopt);
    if (!step) return core::Unexpected(step.error());
    if (step->applied) ++delivered;
  }
  return delivered;
}

core::Result<std::size_t> Engine::FireDueTimers(std::size_t limit) {
  auto due = store_.DueTimers(NowMs(), limit);
  if (!due) return core::Unexpected(due.error());
  std::size_t fired = 0;
  for (const auto& timer : *due) {
    Event event{kTimerFired,
                {{"name", timer.name}, {"due_at_ms", timer.due_at_ms}},
                TimerEventKey(timer.name, timer.due_at_ms)};
    auto step = Deliver(timer.run_id, std::move(event), std::nullopt, std::nullopt, timer.name);
    if (!step) {
      Log()->warn("timer {} of run {} did not fire: {}", timer.name, timer.run_id,
                  step.error().Describe());
      continue;
    }
    ++fired;
  }
  return fired;
}

}  // namespace contexten::workflows::engine
