#pragma once
// Bursts of thread updates become one reply: five pushes in ten seconds post once ("5 pushes to
// acme/web#12"), not five times. Pure: the state lives in a workflow's persisted JSON and time
// comes in as arguments; the workflow sets a durable timer when told to and calls Flush when it
// fires (../shared/DESIGN.md §3: a wait is a row and a timer, not a thread).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace contexten::workflows::present {

struct ThreadEvent {
  std::int64_t at_ms = 0;  // wall clock ms
  std::string text;        // one mrkdwn line, already escaped by whoever wrote it
  // "" = post now; events sharing a key within the window are merged, e.g. "push:acme/web#12".
  std::string coalesce_key;
  // Optional line for N merged events, "{n} pushes to acme/web#12" ("" = list the lines).
  std::string merged_text;

  bool operator==(const ThreadEvent&) const = default;
};

struct CoalescerState {
  std::vector<ThreadEvent> pending;
  std::optional<std::int64_t> flush_due_ms;

  nlohmann::json ToJson() const;
  // Tolerant of missing or mistyped members (they read as empty): the state comes back from the
  // store and must never stop a workflow.
  static CoalescerState FromJson(const nlohmann::json& json);

  bool operator==(const CoalescerState&) const = default;
};

struct CoalesceDecision {
  std::vector<ThreadEvent> post_now;         // post these as ONE reply now (may be empty)
  std::optional<std::int64_t> set_timer_ms;  // set a durable timer to call Flush then
};

// An event with an empty key is posted now, after everything pending (in order). An event with
// a key is held; the first held event sets flush_due = its time + window and asks for a timer.
// A held event that is already due at `now_ms` (a late delivery) is posted with the rest now.
CoalesceDecision Coalesce(CoalescerState& state, ThreadEvent event, std::int64_t now_ms,
                          std::int64_t window_ms = 10000);

// At or after flush_due: every pending event, and the state is cleared. Before it (or with
// nothing pending): empty, state unchanged.
std::vector<ThreadEvent> Flush(CoalescerState& state, std::int64_t now_ms);

// {"text", "blocks"}: one reply. Events sharing a coalesce key become one line (their
// merged_text with {n} replaced by the count, or their lines one under another), placed where
// the first of them was.
nlohmann::json RenderThreadReply(const std::vector<ThreadEvent>& events);

}  // namespace contexten::workflows::present
