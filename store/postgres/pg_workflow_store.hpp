#pragma once
// The workflow store on PostgreSQL (../shared/DESIGN.md §3). A CommitStep is one transaction,
// its inbox append included. Replicas share the outbox and the timers: ClaimDue takes rows with
// SELECT ... FOR UPDATE SKIP LOCKED and stamps them with this replica and a lease; an effect
// left in flight by a replica that died is taken over once its lease has passed (marked outcome
// unknown, so it is looked up before being performed again). DueTimers leases the timers it
// returns the same way, so two replicas do not both fire one timer (and a step that fires it
// twice still meets the run's version check).

#include <map>
#include <memory>
#include <mutex>

#include "store/postgres/pg_database.hpp"
#include "store/workflow_store.hpp"

namespace contexten::store::postgres {

class PgWorkflowStore final : public WorkflowStore {
 public:
  explicit PgWorkflowStore(PgDatabase& db);

  core::Result<std::optional<RunRecord>> LoadRun(const std::string& run_id) override;
  core::Result<CommitOutcome> CommitStep(const StepCommit& step) override;
  core::Status FinishInboxRow(std::int64_t inbox_id, std::int64_t now_ms) override;
  core::Result<std::vector<std::string>> RunsWaitingFor(const std::string& key) override;
  core::Result<std::vector<TimerRecord>> DueTimers(std::int64_t now_ms, std::size_t limit) override;
  core::Result<std::optional<std::int64_t>> NextTimerDue() override;
  core::Result<std::vector<EffectRecord>> ClaimDue(const std::string& lane, std::int64_t now_ms,
                                                   std::size_t limit) override;
  core::Status Reschedule(std::int64_t effect_id, std::int64_t due_at_ms, const std::string& error,
                          bool outcome_unknown, bool counts_as_attempt = true) override;
  core::Result<std::optional<std::int64_t>> NextEffectDue(const std::string& lane) override;
  core::Status Complete(const EffectOutcome& outcome, std::int64_t now_ms) override;
  // This replica's claims (and claims without a replica) go back to pending, outcome unknown;
  // other replicas' claims are theirs until their lease passes.
  core::Result<std::int64_t> ReleaseInFlight() override;
  core::Result<std::int64_t> RetryDead(std::optional<std::int64_t> effect_id) override;
  core::Result<std::vector<EffectRecord>> Effects(std::optional<EffectStatus> status,
                                                  const std::string& run_id,
                                                  std::size_t limit) override;
  core::Result<EffectCounts> CountEffects() override;
  core::Result<std::int64_t> CountActiveEffects(std::int64_t now_ms) override;
  core::Result<std::int64_t> CountRuns(std::optional<RunStatus> status,
                                       const std::string& type) override;
  core::Result<std::vector<HistoryEntry>> History(const std::string& run_id) override;
  core::Result<std::vector<LinkRecord>> LinksOf(const std::string& entity_key) override;

 private:
  // Held around this process's ClaimDue and NextEffectDue of one lane (see ClaimDue).
  std::mutex& LaneGate(const std::string& lane);

  PgDatabase& db_;
  std::string replica_;
  std::int64_t lease_ms_;
  std::mutex gates_mu_;
  std::map<std::string, std::unique_ptr<std::mutex>> lane_gates_;
};

}  // namespace contexten::store::postgres
