#pragma once
// A workflow is code that decides (DESIGN.md §3): given its persisted state and one event, it
// returns the next state, the effects to perform, the timers to set, the events to wait for and
// the links to record. Deciding never calls the outside world and never reads a clock: the
// time comes in the context, the world's answers come back as events.

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflows/engine/effect.hpp"

namespace contexten::workflows::engine {

// Event types the engine itself delivers.
inline constexpr char kEffectDone[] = "effect.done";  // data: {step, kind, result}
inline constexpr char kEffectDead[] = "effect.dead";  // data: {step, kind, error}
inline constexpr char kTimerFired[] = "timer";        // data: {name}
// The outbox relay's notice that an effect's first attempt failed and it waits for a retry
// (the platform is failing): data {step, kind, lane, error}. Informational; the effect's
// kEffectDone or kEffectDead follows.
inline constexpr char kEffectDeferred[] = "effect.deferred";

struct Event {
  std::string type;     // "start", "effect.done", "linear.issue", "slack.click", "timer", ...
  nlohmann::json data;  // what the event carries
  // Dedupe key within one run: an event with a key the run already consumed is dropped
  // ("inbox:42", "effect:7", "timer:flush@1700000000000"). Empty: never deduplicated.
  std::string key;
};

struct TimerSpec {
  std::string name;
  std::int64_t due_at_ms = 0;  // wall clock
};

struct LinkSpec {
  std::string from_key;  // entity keys, e.g. "slack_thread:C1/1700.1", "linear_issue:ENG-1"
  std::string to_key;
  std::string kind;  // created_from | closes | references | mentions | posted_in
  nlohmann::json evidence = nlohmann::json::object();
};

struct Decision {
  nlohmann::json state;
  enum class Outcome { kContinue, kCompleted, kFailed } outcome = Outcome::kContinue;
  std::vector<Effect> effects;  // performed by the outbox relay, never here
  std::vector<TimerSpec> timers;
  std::vector<std::string> cancel_timers;
  std::vector<std::string> wait_for;      // correlation keys to wait on (durable, no thread)
  std::vector<std::string> stop_waiting;  // keys no longer waited on
  std::vector<LinkSpec> links;
  std::string note;  // for the run's history: why
};

struct DecideContext {
  std::string run_id;
  std::int64_t now_ms = 0;  // wall clock
};

class Workflow {
 public:
  virtual ~Workflow() = default;
  virtual std::string_view type() const = 0;
  // `state` is null for the run's first event. Must not throw for any event: an event it does
  // not expect returns the state unchanged.
  virtual Decision Decide(const DecideContext& context, const nlohmann::json& state,
                          const Event& event) const = 0;
};

}  // namespace contexten::workflows::engine
