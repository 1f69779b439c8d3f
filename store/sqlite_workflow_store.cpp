#include "store/sqlite_workflow_store.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <array>
#include <utility>

#include "store/sqlite_inbox.hpp"

namespace contexten::store {
namespace {

constexpr std::size_t kMaxErrorChars = 2000;  // last_error is for operators, not a log sink

constexpr const char* kEffectColumns =
    "SELECT id, run_id, step_id, lane, kind, order_key, args, status, attempts, due_at_ms, "
    "COALESCE(last_error, ''), outcome_unknown, COALESCE(result, '') FROM outbox ";

std::string Clip(std::string text) {
  if (text.size() > kMaxErrorChars) text.resize(kMaxErrorChars);
  return text;
}

EffectRecord ReadEffect(SQLite::Statement& row) {
  EffectRecord e;
  e.id = row.getColumn(0).getInt64();
  e.run_id = row.getColumn(1).getString();
  e.step_id = row.getColumn(2).getString();
  e.lane = row.getColumn(3).getString();
  e.kind = row.getColumn(4).getString();
  e.order_key = row.getColumn(5).getString();
  e.args_json = row.getColumn(6).getString();
  e.status = EffectStatusFromString(row.getColumn(7).getString()).value_or(EffectStatus::kPending);
  e.attempts = row.getColumn(8).getInt();
  e.due_at_ms = row.getColumn(9).getInt64();
  e.last_error = row.getColumn(10).getString();
  e.outcome_unknown = row.getColumn(11).getInt() != 0;
  e.result_json = row.getColumn(12).getString();
  return e;
}

core::Error Conflict(std::string message) {
  return core::MakeError(core::ErrorKind::kConflict, std::move(message));
}

// The parts of a step that hold even when its event was a duplicate: the inbox row is finished
// and the effect's outcome recorded (both idempotent).
void ApplyFinishers(SQLite::Database& db, const StepCommit& step) {
  if (step.inbox_done) {
    auto& done = Prepared(db,
                          "UPDATE inbox SET status = 'done', processed_at_ms = ? "
                          "WHERE id = ? AND status = 'pending'");
    done.bind(1, step.now_ms);
    done.bind(2, *step.inbox_done);
    done.exec();
  }
  if (step.effect_outcome) {
    const auto& outcome = *step.effect_outcome;
    auto& update =
        Prepared(db,
                 "UPDATE outbox SET status = ?, result = ?, last_error = ?, "
                 "updated_at_ms = ? WHERE id = ? AND status IN ('pending', 'in_flight')");
    update.bind(1, std::string(ToString(outcome.status)));
    update.bind(2, outcome.result_json);
    update.bind(3, Clip(outcome.error));
    update.bind(4, step.now_ms);
    update.bind(5, outcome.effect_id);
    update.exec();
  }
}

// Order per key (WorkflowStore::ClaimDue): effect `o` may go in flight only while no older
// effect of its key is pending (even one not due yet: a retry keeps its place) and none of its
// key is in flight.
constexpr const char* kOrderKeyFree =
    "NOT EXISTS (SELECT 1 FROM outbox p WHERE p.order_key = o.order_key AND p.status IN "
    "('pending', 'in_flight') AND p.id < o.id) AND NOT EXISTS (SELECT 1 FROM outbox q WHERE "
    "q.order_key = o.order_key AND q.status = 'in_flight')";

// StepCommit::claim_lanes: the step's new effects go in flight at once where ClaimDue would
// hand them out now (same order-per-key rule).
void ClaimNew(SQLite::Database& db, const StepCommit& step) {
  for (const auto& effect : step.effects) {
    if (std::find(step.claim_lanes.begin(), step.claim_lanes.end(), effect.lane) ==
            step.claim_lanes.end() ||
        effect.due_at_ms > step.now_ms) {
      continue;
    }
    auto& claim = Prepared(db,
                           "UPDATE outbox AS o SET status = 'in_flight', attempts = attempts + 1, "
                           "updated_at_ms = ? WHERE o.run_id = ? AND o.step_id = ? AND "
                           "o.status = 'pending' AND " +
                               std::string(kOrderKeyFree));
    claim.bind(1, step.now_ms);
    claim.bind(2, step.run_id);
    claim.bind(3, effect.step_id);
    if (claim.exec() == 0) continue;
    auto& read =
        Prepared(db, std::string(kEffectColumns) + "o WHERE o.run_id = ? AND o.step_id = ?");
    read.bind(1, step.run_id);
    read.bind(2, effect.step_id);
    if (read.executeStep()) step.claimed->push_back(ReadEffect(read));
    read.reset();
  }
}

core::Status ApplyStep(SQLite::Database& db, const StepCommit& step, CommitOutcome& outcome) {
  outcome = CommitOutcome::kApplied;
  if (step.inbox_append != nullptr) {
    AppendResult scratch;
    AppendResult& appended = step.appended != nullptr ? *step.appended : scratch;
    if (auto inserted = InsertInboxRow(db, *step.inbox_append, appended); !inserted) {
      return inserted;
    }
    if (appended.outcome == AppendOutcome::kDuplicate) {
      outcome = CommitOutcome::kDuplicate;
      return core::Ok();
    }
  }
  if (!step.consumed_event_key.empty()) {
    auto& consume = Prepared(db,
                             "INSERT INTO workflow_events(run_id, event_key) VALUES(?, ?) "
                             "ON CONFLICT DO NOTHING");
    consume.bind(1, step.run_id);
    consume.bind(2, step.consumed_event_key);
    if (consume.exec() == 0) {
      outcome = CommitOutcome::kDuplicate;
      ApplyFinishers(db, step);
      return core::Ok();
    }
  }
  const std::string status(ToString(step.status));
  if (step.create) {
    auto& insert = Prepared(db,
                            "INSERT INTO workflow_runs(id, type, status, state, version, "
                            "created_at_ms, updated_at_ms) VALUES(?, ?, ?, ?, 1, ?, ?5) "
                            "ON CONFLICT(id) DO NOTHING");
    insert.bind(1, step.run_id);
    insert.bind(2, step.type);
    insert.bind(3, status);
    insert.bind(4, step.state_json);
    insert.bind(5, step.now_ms);
    if (insert.exec() == 0) return Conflict("workflow run " + step.run_id + " exists");
  } else {
    auto& update =
        Prepared(db,
                 "UPDATE workflow_runs SET status = ?, state = ?, version = version + 1, "
                 "updated_at_ms = ? WHERE id = ? AND version = ?");
    update.bind(1, status);
    update.bind(2, step.state_json);
    update.bind(3, step.now_ms);
    update.bind(4, step.run_id);
    update.bind(5, step.expected_version);
    if (update.exec() == 0) {
      return Conflict("workflow run " + step.run_id + " moved past version " +
                      std::to_string(step.expected_version));
    }
  }
  for (const auto& effect : step.effects) {
    auto& insert = Prepared(db,
                            "INSERT INTO outbox(run_id, step_id, lane, kind, order_key, args, "
                            "due_at_ms, created_at_ms, updated_at_ms) VALUES(?, ?, ?, ?, ?, ?, ?, "
                            "?8, ?8) ON CONFLICT(run_id, step_id) DO NOTHING");
    insert.bind(1, step.run_id);
    insert.bind(2, effect.step_id);
    insert.bind(3, effect.lane);
    insert.bind(4, effect.kind);
    insert.bind(5, effect.order_key);
    insert.bind(6, effect.args_json);
    insert.bind(7, effect.due_at_ms);
    insert.bind(8, step.now_ms);
    insert.exec();
  }
  if (step.claimed != nullptr && !step.claim_lanes.empty()) ClaimNew(db, step);
  if (step.fired_timer) {
    // Only if still due: a timer set again meanwhile stays.
    auto& fired = Prepared(
        db, "DELETE FROM workflow_timers WHERE run_id = ? AND name = ? AND due_at_ms <= ?");
    fired.bind(1, step.run_id);
    fired.bind(2, *step.fired_timer);
    fired.bind(3, step.now_ms);
    fired.exec();
  }
  for (const auto& name : step.cancel_timers) {
    auto& cancel = Prepared(db, "DELETE FROM workflow_timers WHERE run_id = ? AND name = ?");
    cancel.bind(1, step.run_id);
    cancel.bind(2, name);
    cancel.exec();
  }
  for (const auto& timer : step.set_timers) {
    auto& set = Prepared(db,
                         "INSERT INTO workflow_timers(run_id, name, due_at_ms) VALUES(?, ?, ?) "
                         "ON CONFLICT(run_id, name) DO UPDATE SET due_at_ms = excluded.due_at_ms");
    set.bind(1, step.run_id);
    set.bind(2, timer.name);
    set.bind(3, timer.due_at_ms);
    set.exec();
  }
  if (step.clear_waits || IsFinished(step.status)) {
    auto& clear = Prepared(db, "DELETE FROM workflow_waits WHERE run_id = ?");
    clear.bind(1, step.run_id);
    clear.exec();
  }
  for (const auto& key : step.remove_waits) {
    auto& remove = Prepared(db, "DELETE FROM workflow_waits WHERE wait_key = ? AND run_id = ?");
    remove.bind(1, key);
    remove.bind(2, step.run_id);
    remove.exec();
  }
  if (!IsFinished(step.status)) {
    for (const auto& key : step.add_waits) {
      auto& add = Prepared(db,
                           "INSERT INTO workflow_waits(wait_key, run_id) VALUES(?, ?) "
                           "ON CONFLICT DO NOTHING");
      add.bind(1, key);
      add.bind(2, step.run_id);
      add.exec();
    }
  } else {
    auto& timers = Prepared(db, "DELETE FROM workflow_timers WHERE run_id = ?");
    timers.bind(1, step.run_id);
    timers.exec();
  }
  for (const auto& link : step.links) {
    auto& insert = Prepared(db,
                            "INSERT INTO correlation_links(from_key, to_key, kind, evidence, "
                            "run_id, created_at_ms) VALUES(?, ?, ?, ?, ?, ?) "
                            "ON CONFLICT(from_key, to_key, kind) DO NOTHING");
    insert.bind(1, link.from_key);
    insert.bind(2, link.to_key);
    insert.bind(3, link.kind);
    insert.bind(4, link.evidence_json);
    insert.bind(5, link.run_id.empty() ? step.run_id : link.run_id);
    insert.bind(6, step.now_ms);
    insert.exec();
  }
  for (const auto& entry : step.history) {
    auto& insert = Prepared(
        db, "INSERT INTO workflow_history(run_id, at_ms, kind, detail) VALUES(?, ?, ?, ?)");
    insert.bind(1, step.run_id);
    insert.bind(2, entry.at_ms != 0 ? entry.at_ms : step.now_ms);
    insert.bind(3, entry.kind);
    insert.bind(4, entry.detail_json);
    insert.exec();
  }
  ApplyFinishers(db, step);
  return core::Ok();
}

// Runs `fill` on a read-only connection (WAL: it never waits for the writer) and returns what
// it filled, or the error that stopped it.
template <typename T, typename Fill>
core::Result<T> ReadInto(Database& database, Fill fill) {
  T value{};
  auto status = database.ReadOnly([&](SQLite::Database& db) -> core::Status {
    fill(db, value);
    return core::Ok();
  });
  if (!status) return core::Unexpected(status.error());
  return value;
}

}  // namespace

SqliteWorkflowStore::SqliteWorkflowStore(Database& db) : db_(db) {}

core::Result<std::optional<RunRecord>> SqliteWorkflowStore::LoadRun(const std::string& run_id) {
  return ReadInto<std::optional<RunRecord>>(db_, [&](SQLite::Database& db,
                                                     std::optional<RunRecord>& run) {
    auto& select = Prepared(db,
                            "SELECT id, type, status, state, version, created_at_ms, "
                            "updated_at_ms FROM workflow_runs WHERE id = ?");
    select.bind(1, run_id);
    if (select.executeStep()) {
      RunRecord r;
      r.id = select.getColumn(0).getString();
      r.type = select.getColumn(1).getString();
      r.status = RunStatusFromString(select.getColumn(2).getString()).value_or(RunStatus::kRunning);
      r.state_json = select.getColumn(3).getString();
      r.version = select.getColumn(4).getInt64();
      r.created_at_ms = select.getColumn(5).getInt64();
      r.updated_at_ms = select.getColumn(6).getInt64();
      run = std::move(r);
    }
  });
}

core::Result<CommitOutcome> SqliteWorkflowStore::CommitStep(const StepCommit& step) {
  if (step.run_id.empty()) {
    return core::Unexpected(core::MakeError(core::ErrorKind::kInvalidInput, "step without a run"));
  }
  CommitOutcome outcome = CommitOutcome::kApplied;
  auto status = db_.Write([&step, &outcome](SQLite::Database& db) {
    // A group commit that failed may run this again: start the claimed list afresh.
    if (step.claimed != nullptr) step.claimed->clear();
    return ApplyStep(db, step, outcome);
  });
  if (!status && step.claimed != nullptr) step.claimed->clear();
  if (!status) return core::Unexpected(status.error());
  return outcome;
}

core::Status SqliteWorkflowStore::FinishInboxRow(std::int64_t inbox_id, std::int64_t now_ms) {
  StepCommit step;
  step.inbox_done = inbox_id;
  step.now_ms = now_ms;
  return db_.Write([&step](SQLite::Database& db) -> core::Status {
    ApplyFinishers(db, step);
    return core::Ok();
  });
}

core::Result<std::vector<std::string>> SqliteWorkflowStore::RunsWaitingFor(const std::string& key) {
  return ReadInto<std::vector<std::string>>(
      db_, [&](SQLite::Database& db, std::vector<std::string>& runs) {
        auto& select =
            Prepared(db, "SELECT run_id FROM workflow_waits WHERE wait_key = ? ORDER BY run_id");
        select.bind(1, key);
        while (select.executeStep()) runs.push_back(select.getColumn(0).getString());
      });
}

core::Result<std::vector<TimerRecord>> SqliteWorkflowStore::DueTimers(std::int64_t now_ms,
                                                                      std::size_t limit) {
  return ReadInto<std::vector<TimerRecord>>(
      db_, [&](SQLite::Database& db, std::vector<TimerRecord>& timers) {
        auto& select = Prepared(db,
                                "SELECT run_id, name, due_at_ms FROM workflow_timers "
                                "WHERE due_at_ms <= ? ORDER BY due_at_ms LIMIT ?");
        select.bind(1, now_ms);
        select.bind(2, static_cast<std::int64_t>(limit));
        while (select.executeStep()) {
          timers.push_back({select.getColumn(0).getString(), select.getColumn(1).getString(),
                            select.getColumn(2).getInt64()});
        }
      });
}

core::Result<std::optional<std::int64_t>> SqliteWorkflowStore::NextTimerDue() {
  return ReadInto<std::optional<std::int64_t>>(
      db_, [&](SQLite::Database& db, std::optional<std::int64_t>& due) {
        auto& select = Prepared(db, "SELECT MIN(due_at_ms) FROM workflow_timers");
        if (select.executeStep() && !select.getColumn(0).isNull()) {
          due = select.getColumn(0).getInt64();
        }
      });
}

core::Result<std::vector<EffectRecord>> SqliteWorkflowStore::ClaimDue(const std::string& lane,
                                                                      std::int64_t now_ms,
                                                                      std::size_t limit) {
  std::vector<EffectRecord> claimed;
  auto status = db_.Write([&](SQLite::Database& db) -> core::Status {
    claimed.clear();
    auto& select = Prepared(db, std::string(kEffectColumns) +
                                    "o WHERE o.lane = ? AND o.status = 'pending' AND "
                                    "o.due_at_ms <= ? AND " +
                                    kOrderKeyFree + " ORDER BY o.due_at_ms, o.id LIMIT ?");
    select.bind(1, lane);
    select.bind(2, now_ms);
    select.bind(3, static_cast<std::int64_t>(limit));
    while (select.executeStep()) claimed.push_back(ReadEffect(select));
    select.reset();
    for (auto& effect : claimed) {
      auto& update = Prepared(db,
                              "UPDATE outbox SET status = 'in_flight', attempts = attempts + 1, "
                              "updated_at_ms = ? WHERE id = ?");
      update.bind(1, now_ms);
      update.bind(2, effect.id);
      update.exec();
      effect.status = EffectStatus::kInFlight;
      ++effect.attempts;
    }
    return core::Ok();
  });
  if (!status) return core::Unexpected(status.error());
  return claimed;
}

core::Status SqliteWorkflowStore::Reschedule(std::int64_t effect_id, std::int64_t due_at_ms,
                                             const std::string& error, bool outcome_unknown,
                                             bool counts_as_attempt) {
  return db_.Write([&](SQLite::Database& db) -> core::Status {
    auto& update = Prepared(db,
                            "UPDATE outbox SET status = 'pending', due_at_ms = ?, last_error = ?, "
                            "outcome_unknown = ?, updated_at_ms = ?1, "
                            "attempts = attempts - ? WHERE id = ? AND status = 'in_flight'");
    update.bind(1, due_at_ms);
    update.bind(2, Clip(error));
    update.bind(3, outcome_unknown ? 1 : 0);
    update.bind(4, counts_as_attempt ? 0 : 1);
    update.bind(5, effect_id);
    if (update.exec() == 0) {
      return core::MakeError(core::ErrorKind::kNotFound,
                             "no effect " + std::to_string(effect_id) + " in flight");
    }
    return core::Ok();
  });
}

core::Status SqliteWorkflowStore::Complete(const EffectOutcome& outcome, std::int64_t now_ms) {
  StepCommit step;
  step.effect_outcome = outcome;
  step.now_ms = now_ms;
  return db_.Write([&step](SQLite::Database& db) -> core::Status {
    ApplyFinishers(db, step);
    return core::Ok();
  });
}

core::Result<std::optional<std::int64_t>> SqliteWorkflowStore::NextEffectDue(
    const std::string& lane) {
  return ReadInto<std::optional<std::int64_t>>(
      db_, [&](SQLite::Database& db, std::optional<std::int64_t>& due) {
        auto& select =
            Prepared(db, "SELECT MIN(due_at_ms) FROM outbox WHERE lane = ? AND status = 'pending'");
        select.bind(1, lane);
        if (select.executeStep() && !select.getColumn(0).isNull()) {
          due = select.getColumn(0).getInt64();
        }
      });
}

core::Result<std::int64_t> SqliteWorkflowStore::ReleaseInFlight() {
  std::int64_t released = 0;
  auto status = db_.Write([&](SQLite::Database& db) -> core::Status {
    released = db.exec(
        "UPDATE outbox SET status = 'pending', outcome_unknown = 1 WHERE status = 'in_flight'");
    return core::Ok();
  });
  if (!status) return core::Unexpected(status.error());
  return released;
}

core::Result<std::int64_t> SqliteWorkflowStore::RetryDead(std::optional<std::int64_t> effect_id) {
  std::int64_t retried = 0;
  auto status = db_.Write([&](SQLite::Database& db) -> core::Status {
    SQLite::Statement update(db, effect_id ? "UPDATE outbox SET status = 'pending', attempts = 0 "
                                             "WHERE status = 'dead' AND id = ?"
                                           : "UPDATE outbox SET status = 'pending', attempts = 0 "
                                             "WHERE status = 'dead'");
    if (effect_id) update.bind(1, *effect_id);
    retried = update.exec();
    return core::Ok();
  });
  if (!status) return core::Unexpected(status.error());
  return retried;
}

core::Result<std::vector<EffectRecord>> SqliteWorkflowStore::Effects(
    std::optional<EffectStatus> status_filter, const std::string& run_id, std::size_t limit) {
  return ReadInto<std::vector<EffectRecord>>(
      db_, [&](SQLite::Database& db, std::vector<EffectRecord>& effects) {
        // One statement per filter combination, so each uses its index (run_id: the UNIQUE
        // (run_id, step_id); status: outbox_due) instead of scanning the whole outbox.
        const bool by_status = status_filter.has_value();
        const bool by_run = !run_id.empty();
        const char* where = by_status && by_run ? "WHERE run_id = ?2 AND status = ?1 "
                            : by_run            ? "WHERE run_id = ?2 AND ?1 = ?1 "
                            : by_status         ? "WHERE status = ?1 AND ?2 = ?2 "
                                                : "WHERE ?1 = ?1 AND ?2 = ?2 ";
        auto& select = Prepared(db, std::string(kEffectColumns) + where + "ORDER BY id LIMIT ?3");
        select.bind(1, status_filter ? std::string(ToString(*status_filter)) : std::string());
        select.bind(2, run_id);
        select.bind(3, static_cast<std::int64_t>(limit));
        while (select.executeStep()) effects.push_back(ReadEffect(select));
      });
}

core::Result<EffectCounts> SqliteWorkflowStore::CountEffects() {
  return ReadInto<EffectCounts>(db_, [&](SQLite::Database& db, EffectCounts& counts) {
    auto& select = Prepared(db, "SELECT status, COUNT(*) FROM outbox GROUP BY status");
    while (select.executeStep()) {
      counts.Add(select.getColumn(0).getString(), select.getColumn(1).getInt64());
    }
  });
}

core::Result<std::int64_t> SqliteWorkflowStore::CountActiveEffects(std::int64_t now_ms) {
  return ReadInto<std::int64_t>(db_, [&](SQLite::Database& db, std::int64_t& count) {
    auto& select = Prepared(db,
                            "SELECT COUNT(*) FROM outbox WHERE status = 'in_flight' OR "
                            "(status = 'pending' AND due_at_ms <= ?)");
    select.bind(1, now_ms);
    if (select.executeStep()) count = select.getColumn(0).getInt64();
  });
}

core::Result<std::int64_t> SqliteWorkflowStore::CountRuns(std::optional<RunStatus> status_filter,
                                                          const std::string& type) {
  return ReadInto<std::int64_t>(db_, [&](SQLite::Database& db, std::int64_t& count) {
    auto& select = Prepared(db,
                            "SELECT COUNT(*) FROM workflow_runs WHERE (?1 = '' OR status = ?1) "
                            "AND (?2 = '' OR type = ?2)");
    select.bind(1, status_filter ? std::string(ToString(*status_filter)) : std::string());
    select.bind(2, type);
    if (select.executeStep()) count = select.getColumn(0).getInt64();
  });
}

core::Result<std::vector<HistoryEntry>> SqliteWorkflowStore::History(const std::string& run_id) {
  return ReadInto<std::vector<HistoryEntry>>(
      db_, [&](SQLite::Database& db, std::vector<HistoryEntry>& history) {
        auto& select = Prepared(db,
                                "SELECT id, run_id, at_ms, kind, detail FROM workflow_history "
                                "WHERE run_id = ? ORDER BY id");
        select.bind(1, run_id);
        while (select.executeStep()) {
          history.push_back({select.getColumn(0).getInt64(), select.getColumn(1).getString(),
                             select.getColumn(2).getInt64(), select.getColumn(3).getString(),
                             select.getColumn(4).getString()});
        }
      });
}

core::Result<std::vector<LinkRecord>> SqliteWorkflowStore::LinksOf(const std::string& entity_key) {
  return ReadInto<std::vector<LinkRecord>>(
      db_, [&](SQLite::Database& db, std::vector<LinkRecord>& links) {
        auto& select = Prepared(db,
                                "SELECT from_key, to_key, kind, evidence, COALESCE(run_id, ''), "
                                "created_at_ms FROM correlation_links WHERE from_key = ?1 OR "
                                "to_key = ?1 ORDER BY id");
        select.bind(1, entity_key);
        while (select.executeStep()) {
          links.push_back({select.getColumn(0).getString(), select.getColumn(1).getString(),
                           select.getColumn(2).getString(), select.getColumn(3).getString(),
                           select.getColumn(4).getString(), select.getColumn(5).getInt64()});
        }
      });
}

}  // namespace contexten::store
