#pragma once
// WorkflowStore on the SQLite store: every write goes through the single writer (group commit),
// so a CommitStep is one SAVEPOINT inside one transaction; reads use the read-only connections.

#include "store/database.hpp"
#include "store/workflow_store.hpp"

namespace contexten::store {

class SqliteWorkflowStore final : public WorkflowStore {
 public:
  explicit SqliteWorkflowStore(Database& db);

  core::Result<std::optional<RunRecord>> LoadRun(const std::string& run_id) override;
  core::Result<CommitOutcome> CommitStep(const StepCommit& step) override;
  core::Status FinishInboxRow(std::int64_t inbox_id, std::int64_t now_ms) override;
  core::Result<std::vector<std::string>> RunsWaitingFor(const std::string& key) override;
  core::Result<std::vector<TimerRecord>> DueTimers(std::int64_t now_ms, std::size_t limit) override;
  core::Result<std::optional<std::int64_t>> NextTimerDue() override;
  core::Result<std::vector<EffectRecord>> ClaimDue(const std::string& lane, std::int64_t now_ms,
                                                   std::size_t limit) override;
  core::Status Reschedule(std::int64_t effect_id, std::int64_t due_at_ms, const std::string& error,
                          bool outcome_unknown, bool counts_as_attempt) override;
  core::Result<std::optional<std::int64_t>> NextEffectDue(const std::string& lane) override;
  core::Status Complete(const EffectOutcome& outcome, std::int64_t now_ms) override;
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
  Database& db_;
};

}  // namespace contexten::store
