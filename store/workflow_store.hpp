#pragma once
// The workflow store port: durable workflow runs, their outbox (effects), timers, waits,
// correlation links and history. DESIGN.md §3: a decision's new state, its effects, timers,
// waits, links and the consumed inbox row's status are written by ONE CommitStep, in one
// transaction; the outbox relay claims effects (ClaimDue, or the CommitStep that created them:
// StepCommit::claim_lanes), reschedules them (Reschedule) and completes them (the CommitStep
// that carries the effect's outcome, so the run learns of it in the same transaction; Complete
// when no run is left to tell).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "store/inbox.hpp"

namespace contexten::store {

enum class RunStatus { kRunning, kWaiting, kCompleted, kFailed };
std::string_view ToString(RunStatus status);
std::optional<RunStatus> RunStatusFromString(std::string_view text);
inline bool IsFinished(RunStatus s) {
  return s == RunStatus::kCompleted || s == RunStatus::kFailed;
}

// pending -> in_flight (claimed) -> done | dead (dead letter: visible, retryable by an operator)
enum class EffectStatus { kPending, kInFlight, kDone, kDead };
std::string_view ToString(EffectStatus status);
std::optional<EffectStatus> EffectStatusFromString(std::string_view text);

struct RunRecord {
  std::string id;
  std::string type;
  RunStatus status = RunStatus::kRunning;
  std::string state_json = "null";
  std::int64_t version = 0;  // bumped by every CommitStep (optimistic concurrency)
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
};

struct EffectRecord {
  std::int64_t id = 0;
  std::string run_id;
  std::string step_id;    // unique within the run: the idempotency key is run_id + "/" + step_id
  std::string lane;       // "slack" | "linear" | "github": one relay lane each
  std::string kind;       // "slack.post_message", "linear.create_issue", ...
  std::string order_key;  // effects sharing a key run one at a time, oldest first
  std::string args_json = "{}";
  EffectStatus status = EffectStatus::kPending;
  int attempts = 0;
  std::int64_t due_at_ms = 0;
  std::string last_error;
  bool outcome_unknown = false;  // a previous attempt may have been applied: look first
  std::string result_json;

  std::string idempotency_key() const { return run_id + "/" + step_id; }
};

struct TimerRecord {
  std::string run_id;
  std::string name;  // unique within the run; setting it again moves it
  std::int64_t due_at_ms = 0;
};

// A correlation link between two entities (keys like "linear_issue:ENG-1"), with the evidence
// that made it (the event and field, as JSON).
struct LinkRecord {
  std::string from_key;
  std::string to_key;
  std::string kind;  // created_from | closes | references | mentions | posted_in
  std::string evidence_json = "{}";
  std::string run_id;
  std::int64_t created_at_ms = 0;
};

struct HistoryEntry {
  std::int64_t id = 0;
  std::string run_id;
  std::int64_t at_ms = 0;
  std::string kind;  // event | decision | effect | result | dead_letter
  std::string detail_json = "{}";
};

// How an effect ended, recorded by the CommitStep that tells its run.
struct EffectOutcome {
  std::int64_t effect_id = 0;
  EffectStatus status = EffectStatus::kDone;  // kDone or kDead
  std::string result_json;                    // kDone: what the platform returned
  std::string error;                          // kDead: why
};

struct StepCommit {
  std::string run_id;
  std::string type;                   // with `create`
  bool create = false;                // insert the run; an existing run makes this kConflict
  std::int64_t expected_version = 0;  // must match the stored version (not with `create`)
  RunStatus status = RunStatus::kRunning;
  std::string state_json = "null";
  // Per-run dedupe of events: a key already consumed by this run makes the whole step a no-op
  // (CommitOutcome::kDuplicate) except for `inbox_done` and `effect_outcome`.
  std::string consumed_event_key;
  std::vector<EffectRecord> effects;  // new outbox rows
  std::vector<TimerRecord> set_timers;
  std::vector<std::string> cancel_timers;  // names
  std::vector<std::string> add_waits;      // correlation keys
  std::vector<std::string> remove_waits;
  bool clear_waits = false;  // before add_waits
  std::vector<LinkRecord> links;
  std::vector<HistoryEntry> history;
  std::optional<std::int64_t> inbox_done;  // inbox row finished by this step
  // The delivery this step consumes, appended to the inbox by this same transaction, stored
  // with its own (terminal) status: the webhook fast path, where the row and the decision it
  // led to cost one fsync together, and the 2xx still leaves only after both are durable. When
  // the delivery's dedupe key is in the inbox already (a redelivery) nothing at all is written:
  // kDuplicate, and `*appended` names the existing row. Needs received_at set.
  const InboxItem* inbox_append = nullptr;
  AppendResult* appended = nullptr;  // out; with inbox_append
  std::optional<EffectOutcome> effect_outcome;
  std::optional<std::string> fired_timer;  // timer (name) consumed by this step
  std::int64_t now_ms = 0;
  // New effects of these lanes are claimed (in flight, attempt 1) in this same transaction when
  // their order key lets them run now, and appended to `*claimed`: the relay performs them at
  // once, without a claim transaction of its own (one fsync less between a decision and its
  // first effect, DESIGN.md §3). A crash leaves them in flight, so they are looked up before
  // being performed again, like any effect in flight at a crash.
  std::vector<std::string> claim_lanes;
  std::vector<EffectRecord>* claimed = nullptr;  // out; with claim_lanes
};

enum class CommitOutcome { kApplied, kDuplicate };

struct EffectCounts {
  std::int64_t pending = 0;
  std::int64_t in_flight = 0;
  std::int64_t done = 0;
  std::int64_t dead = 0;
  // Adds one row of "SELECT status, COUNT(*) FROM outbox GROUP BY status" (both engines); an
  // unknown status text counts nowhere.
  void Add(std::string_view status_text, std::int64_t n);
};

class WorkflowStore {
 public:
  virtual ~WorkflowStore() = default;

  virtual core::Result<std::optional<RunRecord>> LoadRun(const std::string& run_id) = 0;
  // kConflict when the version moved (another writer) or `create` finds the run.
  virtual core::Result<CommitOutcome> CommitStep(const StepCommit& step) = 0;

  // Finishes an inbox row that no run consumed (an event nobody waits for).
  virtual core::Status FinishInboxRow(std::int64_t inbox_id, std::int64_t now_ms) = 0;
  virtual core::Result<std::vector<std::string>> RunsWaitingFor(const std::string& key) = 0;
  virtual core::Result<std::vector<TimerRecord>> DueTimers(std::int64_t now_ms,
                                                           std::size_t limit) = 0;
  virtual core::Result<std::optional<std::int64_t>> NextTimerDue() = 0;

  // Outbox. ClaimDue marks up to `limit` due pending effects of `lane` in flight (attempts + 1)
  // and returns them; it never returns an effect whose order key has an older effect pending
  // or in flight, nor two of one key.
  virtual core::Result<std::vector<EffectRecord>> ClaimDue(const std::string& lane,
                                                           std::int64_t now_ms,
                                                           std::size_t limit) = 0;
  // Back to pending at `due_at_ms` (a retry: no thread waits for it), with `outcome_unknown`
  // saying whether an attempt so far may have landed unseen.
  virtual core::Status Reschedule(std::int64_t effect_id, std::int64_t due_at_ms,
                                  const std::string& error, bool outcome_unknown,
                                  bool counts_as_attempt = true) = 0;
  virtual core::Result<std::optional<std::int64_t>> NextEffectDue(const std::string& lane) = 0;
  // Finishes an effect (done or dead) without telling a run: for an effect whose run is gone.
  // The usual way is the CommitStep that tells the run (StepCommit::effect_outcome).
  virtual core::Status Complete(const EffectOutcome& outcome, std::int64_t now_ms) = 0;
  // At startup: effects left in flight by a crash go back to pending, marked outcome unknown.
  virtual core::Result<std::int64_t> ReleaseInFlight() = 0;
  // Dead letters back to pending, attempts reset (an operator's retry). Returns how many.
  virtual core::Result<std::int64_t> RetryDead(std::optional<std::int64_t> effect_id) = 0;
  virtual core::Result<std::vector<EffectRecord>> Effects(std::optional<EffectStatus> status,
                                                          const std::string& run_id,
                                                          std::size_t limit) = 0;
  virtual core::Result<EffectCounts> CountEffects() = 0;
  // Effects in flight or pending and due by `now_ms`: work the relay has now (not retries that
  // wait for a later time).
  virtual core::Result<std::int64_t> CountActiveEffects(std::int64_t now_ms) = 0;
  virtual core::Result<std::int64_t> CountRuns(std::optional<RunStatus> status,
                                               const std::string& type) = 0;

  virtual core::Result<std::vector<HistoryEntry>> History(const std::string& run_id) = 0;
  // Links where `entity_key` is either end.
  virtual core::Result<std::vector<LinkRecord>> LinksOf(const std::string& entity_key) = 0;
};

}  // namespace contexten::store
