#include "store/postgres/pg_workflow_store.hpp"

#include <algorithm>
#include <utility>

#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_inbox.hpp"

namespace contexten::store::postgres {
namespace {

constexpr std::size_t kMaxErrorChars = 2000;  // last_error is for operators, not a log sink

constexpr const char* kEffectColumns =
    "o.id, o.run_id, o.step_id, o.lane, o.kind, o.order_key, o.args, o.status, o.attempts, "
    "o.due_at_ms, COALESCE(o.last_error, ''), o.outcome_unknown, COALESCE(o.result, '')";

// Order per key (WorkflowStore::ClaimDue): effect `o` may go in flight only while no older
// effect of its key is pending or in flight and no other of its key is in flight. An in-flight
// effect whose lease passed is `o` itself when it is being taken over.
constexpr const char* kOrderKeyFree =
    "NOT EXISTS (SELECT 1 FROM outbox p WHERE p.order_key = o.order_key AND p.status IN "
    "('pending', 'in_flight') AND p.id < o.id) AND NOT EXISTS (SELECT 1 FROM outbox q WHERE "
    "q.order_key = o.order_key AND q.status = 'in_flight' AND q.id <> o.id)";

std::string Clip(std::string text) {
  if (text.size() > kMaxErrorChars) text.resize(kMaxErrorChars);
  return text;
}

EffectRecord ReadEffect(const PgRows& rows, int i) {
  EffectRecord e;
  e.id = rows.Int(i, 0);
  e.run_id = rows.Text(i, 1);
  e.step_id = rows.Text(i, 2);
  e.lane = rows.Text(i, 3);
  e.kind = rows.Text(i, 4);
  e.order_key = rows.Text(i, 5);
  e.args_json = rows.Text(i, 6);
  e.status = EffectStatusFromString(rows.Text(i, 7)).value_or(EffectStatus::kPending);
  e.attempts = static_cast<int>(rows.Int(i, 8));
  e.due_at_ms = rows.Int(i, 9);
  e.last_error = rows.Text(i, 10);
  e.outcome_unknown = rows.Bool(i, 11);
  e.result_json = rows.Text(i, 12);
  return e;
}

core::Error Conflict(std::string message) {
  return core::MakeError(core::ErrorKind::kConflict, std::move(message));
}

// Runs a statement and drops its rows: for the many writes whose only outcome is success.
core::Status Do(PgConnection& c, const std::string& sql, const PgParams& params) {
  auto rows = c.Exec(sql, params);
  if (!rows) return rows.error();
  return core::Ok();
}

core::Status ApplyFinishers(PgConnection& c, const StepCommit& step) {
  if (step.inbox_done) {
    if (auto done = Do(c,
                       "UPDATE inbox SET status = 'done', processed_at_ms = $1 "
                       "WHERE id = $2 AND status = 'pending'",
                       PgParams().Add(step.now_ms).Add(*step.inbox_done));
        !done) {
      return done;
    }
  }
  if (step.effect_outcome) {
    const auto& outcome = *step.effect_outcome;
    return Do(c,
              "UPDATE outbox SET status = $1, result = $2, last_error = $3, updated_at_ms = $4, "
              "claimed_by = NULL WHERE id = $5 AND status IN ('pending', 'in_flight')",
              PgParams()
                  .Add(ToString(outcome.status))
                  .Add(outcome.result_json)
                  .Add(Clip(outcome.error))
                  .Add(step.now_ms)
                  .Add(outcome.effect_id));
  }
  return core::Ok();
}

core::Status ClaimNew(PgConnection& c, const StepCommit& step, const std::string& replica,
                      std::int64_t lease_ms) {
  for (const auto& effect : step.effects) {
    if (std::find(step.claim_lanes.begin(), step.claim_lanes.end(), effect.lane) ==
            step.claim_lanes.end() ||
        effect.due_at_ms > step.now_ms) {
      continue;
    }
    auto claimed = c.Exec(std::string("UPDATE outbox AS o SET status = 'in_flight', attempts = "
                                      "attempts + 1, updated_at_ms = $1, claimed_by = $4, "
                                      "lease_until_ms = $1::BIGINT + $5 WHERE o.run_id = $2 AND "
                                      "o.step_id = $3 AND o.status = 'pending' AND ") +
                              kOrderKeyFree + " RETURNING " + kEffectColumns,
                          PgParams()
                              .Add(step.now_ms)
                              .Add(step.run_id)
                              .Add(effect.step_id)
                              .Add(replica)
                              .Add(lease_ms));
    if (!claimed) return claimed.error();
    if (!claimed->empty()) step.claimed->push_back(ReadEffect(*claimed, 0));
  }
  return core::Ok();
}

core::Status ApplyStep(PgConnection& c, const StepCommit& step, const std::string& replica,
                       std::int64_t lease_ms, CommitOutcome& outcome) {
  outcome = CommitOutcome::kApplied;
  if (step.inbox_append != nullptr) {
    AppendResult scratch;
    AppendResult& appended = step.appended != nullptr ? *step.appended : scratch;
    if (auto inserted = InsertInboxRow(c, *step.inbox_append, appended); !inserted) {
      return inserted;
    }
    if (appended.outcome == AppendOutcome::kDuplicate) {
      outcome = CommitOutcome::kDuplicate;
      return core::Ok();
    }
  }
  if (!step.consumed_event_key.empty()) {
    auto consumed = c.Exec(
        "INSERT INTO workflow_events(run_id, event_key) VALUES($1, $2) ON CONFLICT DO NOTHING",
        PgParams().Add(step.run_id).Add(step.consumed_event_key));
    if (!consumed) return consumed.error();
    if (consumed->affected() == 0) {
      outcome = CommitOutcome::kDuplicate;
      return ApplyFinishers(c, step);
    }
  }
  const std::string status(ToString(step.status));
  if (step.create) {
    auto inserted = c.Exec(
        "INSERT INTO workflow_runs(id, type, status, state, version, created_at_ms, "
        "updated_at_ms) VALUES($1, $2, $3, $4, 1, $5, $5) ON CONFLICT(id) DO NOTHING",
        PgParams()
            .Add(step.run_id)
            .Add(step.type)
            .Add(status)
            .Add(step.state_json)
            .Add(step.now_ms));
    if (!inserted) return inserted.error();
    if (inserted->affected() == 0) return Conflict("workflow run " + step.run_id + " exists");
  } else {
    auto updated = c.Exec(
        "UPDATE workflow_runs SET status = $1, state = $2, version = version + 1, "
        "updated_at_ms = $3 WHERE id = $4 AND version = $5",
        PgParams()
            .Add(status)
            .Add(step.state_json)
            .Add(step.now_ms)
            .Add(step.run_id)
            .Add(step.expected_version));
    if (!updated) return updated.error();
    if (updated->affected() == 0) {
      return Conflict("workflow run " + step.run_id + " moved past version " +
                      std::to_string(step.expected_version));
    }
  }
  for (const auto& effect : step.effects) {
    if (auto inserted = Do(c,
                           "INSERT INTO outbox(run_id, step_id, lane, kind, order_key, args, "
                           "due_at_ms, created_at_ms, updated_at_ms) VALUES($1, $2, $3, $4, $5, "
                           "$6, $7, $8, $8) ON CONFLICT(run_id, step_id) DO NOTHING",
                           PgParams()
                               .Add(step.run_id)
                               .Add(effect.step_id)
                               .Add(effect.lane)
                               .Add(effect.kind)
                               .Add(effect.order_key)
                               .Add(effect.args_json)
                               .Add(effect.due_at_ms)
                               .Add(step.now_ms));
        !inserted) {
      return inserted;
    }
  }
  if (step.claimed != nullptr && !step.claim_lanes.empty()) {
    if (auto claimed = ClaimNew(c, step, replica, lease_ms); !claimed) return claimed;
  }
  if (step.fired_timer) {
    // Only if still due: a timer set again meanwhile stays.
    if (auto fired = Do(c,
                        "DELETE FROM workflow_timers WHERE run_id = $1 AND name = $2 AND "
                        "due_at_ms <= $3",
                        PgParams().Add(step.run_id).Add(*step.fired_timer).Add(step.now_ms));
        !fired) {
      return fired;
    }
  }
  for (const auto& name : step.cancel_timers) {
    if (auto cancelled = Do(c, "DELETE FROM workflow_timers WHERE run_id = $1 AND name = $2",
                            PgParams().Add(step.run_id).Add(name));
        !cancelled) {
      return cancelled;
    }
  }
  for (const auto& timer : step.set_timers) {
    // Setting a timer again moves it and drops any replica's lease on its old time.
    if (auto set = Do(c,
                      "INSERT INTO workflow_timers(run_id, name, due_at_ms) VALUES($1, $2, $3) "
                      "ON CONFLICT(run_id, name) DO UPDATE SET due_at_ms = excluded.due_at_ms, "
                      "lease_until_ms = 0",
                      PgParams().Add(step.run_id).Add(timer.name).Add(timer.due_at_ms));
        !set) {
      return set;
    }
  }
  if (step.clear_waits || IsFinished(step.status)) {
    if (auto cleared =
            Do(c, "DELETE FROM workflow_waits WHERE run_id = $1", PgParams().Add(step.run_id));
        !cleared) {
      return cleared;
    }
  }
  for (const auto& key : step.remove_waits) {
    if (auto removed = Do(c, "DELETE FROM workflow_waits WHERE wait_key = $1 AND run_id = $2",
                          PgParams().Add(key).Add(step.run_id));
        !removed) {
      return removed;
    }
  }
  if (!IsFinished(step.status)) {
    for (const auto& key : step.add_waits) {
      if (auto added = Do(c,
                          "INSERT INTO workflow_waits(wait_key, run_id) VALUES($1, $2) "
                          "ON CONFLICT DO NOTHING",
                          PgParams().Add(key).Add(step.run_id));
          !added) {
        return added;
      }
    }
  } else if (auto timers = Do(c, "DELETE FROM workflow_timers WHERE run_id = $1",
                              PgParams().Add(step.run_id));
             !timers) {
    return timers;
  }
  for (const auto& link : step.links) {
    if (auto linked = Do(c,
                         "INSERT INTO correlation_links(from_key, to_key, kind, evidence, run_id, "
                         "created_at_ms) VALUES($1, $2, $3, $4, $5, $6) "
                         "ON CONFLICT(from_key, to_key, kind) DO NOTHING",
                         PgParams()
                             .Add(link.from_key)
                             .Add(link.to_key)
                             .Add(link.kind)
                             .Add(link.evidence_json)
                             .Add(link.run_id.empty() ? step.run_id : link.run_id)
                             .Add(step.now_ms));
        !linked) {
      return linked;
    }
  }
  for (const auto& entry : step.history) {
    if (auto written = Do(c,
                          "INSERT INTO workflow_history(run_id, at_ms, kind, detail) "
                          "VALUES($1, $2, $3, $4)",
                          PgParams()
                              .Add(step.run_id)
                              .Add(entry.at_ms != 0 ? entry.at_ms : step.now_ms)
                              .Add(entry.kind)
                              .Add(entry.detail_json));
        !written) {
      return written;
    }
  }
  return ApplyFinishers(c, step);
}

// One read statement, its rows handed to `fill`.
template <typename T, typename Fill>
core::Result<T> Query(PgDatabase& db, const std::string& sql, const PgParams& params, Fill fill) {
  T value{};
  auto status = db.Run([&](PgConnection& c) -> core::Status {
    auto rows = c.Exec(sql, params);
    if (!rows) return rows.error();
    fill(*rows, value);
    return core::Ok();
  });
  if (!status) return status.error();
  return value;
}

}  // namespace

PgWorkflowStore::PgWorkflowStore(PgDatabase& db)
    : db_(db),
      replica_(db.options().replica_id),
      lease_ms_(static_cast<std::int64_t>(db.options().lease.count())) {}

core::Result<std::optional<RunRecord>> PgWorkflowStore::LoadRun(const std::string& run_id) {
  return Query<std::optional<RunRecord>>(
      db_,
      "SELECT id, type, status, state, version, created_at_ms, updated_at_ms FROM workflow_runs "
      "WHERE id = $1",
      PgParams().Add(run_id), [](const PgRows& rows, std::optional<RunRecord>& run) {
        if (rows.empty()) return;
        RunRecord r;
        r.id = rows.Text(0, 0);
        r.type = rows.Text(0, 1);
        r.status = RunStatusFromString(rows.Text(0, 2)).value_or(RunStatus::kRunning);
        r.state_json = rows.Text(0, 3);
        r.version = rows.Int(0, 4);
        r.created_at_ms = rows.Int(0, 5);
        r.updated_at_ms = rows.Int(0, 6);
        run = std::move(r);
      });
}

core::Result<CommitOutcome> PgWorkflowStore::CommitStep(const StepCommit& step) {
  if (step.run_id.empty()) {
    return core::Unexpected(core::MakeError(core::ErrorKind::kInvalidInput, "step without a run"));
  }
  CommitOutcome outcome = CommitOutcome::kApplied;
  auto status = db_.Transact([&](PgConnection& c) {
    // A transaction retried after a serialization failure starts the claimed list afresh.
    if (step.claimed != nullptr) step.claimed->clear();
    return ApplyStep(c, step, replica_, lease_ms_, outcome);
  });
  if (!status && step.claimed != nullptr) step.claimed->clear();
  if (!status) return core::Unexpected(status.error());
  return outcome;
}

core::Status PgWorkflowStore::FinishInboxRow(std::int64_t inbox_id, std::int64_t now_ms) {
  StepCommit step;
  step.inbox_done = inbox_id;
  step.now_ms = now_ms;
  return db_.Run([&step](PgConnection& c) { return ApplyFinishers(c, step); });
}

core::Result<std::vector<std::string>> PgWorkflowStore::RunsWaitingFor(const std::string& key) {
  return Query<std::vector<std::string>>(
      db_, "SELECT run_id FROM workflow_waits WHERE wait_key = $1 ORDER BY run_id",
      PgParams().Add(key), [](const PgRows& rows, std::vector<std::string>& runs) {
        for (int i = 0; i < rows.size(); ++i) runs.push_back(rows.Text(i, 0));
      });
}

core::Result<std::vector<TimerRecord>> PgWorkflowStore::DueTimers(std::int64_t now_ms,
                                                                  std::size_t limit) {
  auto timers = Query<std::vector<TimerRecord>>(
      db_,
      "WITH due AS (SELECT run_id, name FROM workflow_timers WHERE due_at_ms <= $1 AND "
      "lease_until_ms <= $1 ORDER BY due_at_ms LIMIT $2 FOR UPDATE SKIP LOCKED) "
      "UPDATE workflow_timers t SET lease_until_ms = $1::BIGINT + $3 FROM due "
      "WHERE t.run_id = due.run_id AND t.name = due.name RETURNING t.run_id, t.name, t.due_at_ms",
      PgParams().Add(now_ms).Add(static_cast<std::int64_t>(limit)).Add(lease_ms_),
      [](const PgRows& rows, std::vector<TimerRecord>& out) {
        for (int i = 0; i < rows.size(); ++i) {
          out.push_back({rows.Text(i, 0), rows.Text(i, 1), rows.Int(i, 2)});
        }
      });
  if (timers) {
    std::stable_sort(
        timers->begin(), timers->end(),
        [](const TimerRecord& a, const TimerRecord& b) { return a.due_at_ms < b.due_at_ms; });
  }
  return timers;
}

core::Result<std::optional<std::int64_t>> PgWorkflowStore::NextTimerDue() {
  // A leased timer is due again (to any replica) when its lease passes.
  return Query<std::optional<std::int64_t>>(
      db_, "SELECT MIN(GREATEST(due_at_ms, lease_until_ms)) FROM workflow_timers", PgParams(),
      [](const PgRows& rows, std::optional<std::int64_t>& due) { due = rows.OptionalInt(0, 0); });
}

std::mutex& PgWorkflowStore::LaneGate(const std::string& lane) {
  std::lock_guard lock(gates_mu_);
  auto& gate = lane_gates_[lane];
  if (!gate) gate = std::make_unique<std::mutex>();
  return *gate;
}

core::Result<std::vector<EffectRecord>> PgWorkflowStore::ClaimDue(const std::string& lane,
                                                                  std::int64_t now_ms,
                                                                  std::size_t limit) {
  // One claim per lane at a time from this process: every relay thread of a lane claims when
  // the relay is woken, and with a pool smaller than the lanes' threads those claims (mostly
  // empty) held every connection while the commits of the steps that made the work waited for
  // one. Serialised here they use one connection per lane; the other replicas' claims still
  // run beside them (SKIP LOCKED).
  std::lock_guard gate(LaneGate(lane));
  // Due pending effects, and effects whose claim's lease has passed (their replica died): a
  // takeover is outcome unknown. SKIP LOCKED: replicas claiming at once take different rows.
  auto claimed = Query<std::vector<EffectRecord>>(
      db_,
      std::string("WITH c AS (SELECT o.id FROM outbox o WHERE o.lane = $1 AND ((o.status = "
                  "'pending' AND o.due_at_ms <= $2) OR (o.status = 'in_flight' AND "
                  "o.lease_until_ms <= $2)) AND ") +
          kOrderKeyFree +
          " ORDER BY o.due_at_ms, o.id LIMIT $3 FOR UPDATE SKIP LOCKED) "
          "UPDATE outbox o SET outcome_unknown = o.outcome_unknown OR o.status = 'in_flight', "
          "status = 'in_flight', attempts = o.attempts + 1, updated_at_ms = $2, claimed_by = $4, "
          "lease_until_ms = $2::BIGINT + $5 FROM c WHERE o.id = c.id RETURNING " +
          kEffectColumns,
      PgParams()
          .Add(lane)
          .Add(now_ms)
          .Add(static_cast<std::int64_t>(limit))
          .Add(replica_)
          .Add(lease_ms_),
      [](const PgRows& rows, std::vector<EffectRecord>& out) {
        for (int i = 0; i < rows.size(); ++i) out.push_back(ReadEffect(rows, i));
      });
  if (claimed) {
    std::sort(claimed->begin(), claimed->end(), [](const EffectRecord& a, const EffectRecord& b) {
      return a.due_at_ms != b.due_at_ms ? a.due_at_ms < b.due_at_ms : a.id < b.id;
    });
  }
  return claimed;
}

core::Status PgWorkflowStore::Reschedule(std::int64_t effect_id, std::int64_t due_at_ms,
                                         const std::string& error, bool outcome_unknown,
                                         bool counts_as_attempt) {
  return db_.Run([&](PgConnection& c) -> core::Status {
    auto updated = c.Exec(
        "UPDATE outbox SET status = 'pending', due_at_ms = $1, last_error = $2, "
        "outcome_unknown = $3, updated_at_ms = $1, attempts = attempts - $4, claimed_by = NULL "
        "WHERE id = $5 AND status = 'in_flight'",
        PgParams()
            .Add(due_at_ms)
            .Add(Clip(error))
            .Add(outcome_unknown)
            .Add(counts_as_attempt ? 0 : 1)
            .Add(effect_id));
    if (!updated) return updated.error();
    if (updated->affected() == 0) {
      return core::MakeError(core::ErrorKind::kNotFound,
                             "no effect " + std::to_string(effect_id) + " in flight");
    }
    return core::Ok();
  });
}

core::Status PgWorkflowStore::Complete(const EffectOutcome& outcome, std::int64_t now_ms) {
  StepCommit step;
  step.effect_outcome = outcome;
  step.now_ms = now_ms;
  return db_.Run([&step](PgConnection& c) { return ApplyFinishers(c, step); });
}

core::Result<std::optional<std::int64_t>> PgWorkflowStore::NextEffectDue(const std::string& lane) {
  std::lock_guard gate(LaneGate(lane));  // as ClaimDue: one connection per lane for the herd
  return Query<std::optional<std::int64_t>>(
      db_, "SELECT MIN(due_at_ms) FROM outbox WHERE lane = $1 AND status = 'pending'",
      PgParams().Add(lane),
      [](const PgRows& rows, std::optional<std::int64_t>& due) { due = rows.OptionalInt(0, 0); });
}

core::Result<std::int64_t> PgWorkflowStore::ReleaseInFlight() {
  return Query<std::int64_t>(
      db_,
      "UPDATE outbox SET status = 'pending', outcome_unknown = TRUE, claimed_by = NULL "
      "WHERE status = 'in_flight' AND (claimed_by = $1 OR claimed_by IS NULL) RETURNING id",
      PgParams().Add(replica_),
      [](const PgRows& rows, std::int64_t& released) { released = rows.size(); });
}

core::Result<std::int64_t> PgWorkflowStore::RetryDead(std::optional<std::int64_t> effect_id) {
  return Query<std::int64_t>(
      db_,
      "UPDATE outbox SET status = 'pending', attempts = 0 WHERE status = 'dead' AND "
      "($1::BIGINT IS NULL OR id = $1::BIGINT) RETURNING id",
      PgParams().Add(effect_id),
      [](const PgRows& rows, std::int64_t& retried) { retried = rows.size(); });
}

core::Result<std::vector<EffectRecord>> PgWorkflowStore::Effects(
    std::optional<EffectStatus> status_filter, const std::string& run_id, std::size_t limit) {
  return Query<std::vector<EffectRecord>>(
      db_,
      std::string("SELECT ") + kEffectColumns +
          " FROM outbox o WHERE ($1 = '' OR o.status = $1) AND ($2 = '' OR o.run_id = $2) "
          "ORDER BY o.id LIMIT $3",
      PgParams()
          .Add(status_filter ? std::string(ToString(*status_filter)) : std::string())
          .Add(run_id)
          .Add(static_cast<std::int64_t>(limit)),
      [](const PgRows& rows, std::vector<EffectRecord>& out) {
        for (int i = 0; i < rows.size(); ++i) out.push_back(ReadEffect(rows, i));
      });
}

core::Result<EffectCounts> PgWorkflowStore::CountEffects() {
  return Query<EffectCounts>(db_, "SELECT status, COUNT(*) FROM outbox GROUP BY status", PgParams(),
                             [](const PgRows& rows, EffectCounts& counts) {
                               for (int i = 0; i < rows.size(); ++i) {
                                 counts.Add(rows.Text(i, 0), rows.Int(i, 1));
                               }
                             });
}

core::Result<std::int64_t> PgWorkflowStore::CountActiveEffects(std::int64_t now_ms) {
  return Query<std::int64_t>(
      db_,
      "SELECT COUNT(*) FROM outbox WHERE status = 'in_flight' OR (status = 'pending' AND "
      "due_at_ms <= $1)",
      PgParams().Add(now_ms), [](const PgRows& rows, std::int64_t& n) { n = rows.Int(0, 0); });
}

core::Result<std::int64_t> PgWorkflowStore::CountRuns(std::optional<RunStatus> status_filter,
                                                      const std::string& type) {
  return Query<std::int64_t>(
      db_,
      "SELECT COUNT(*) FROM workflow_runs WHERE ($1 = '' OR status = $1) AND ($2 = '' OR "
      "type = $2)",
      PgParams()
          .Add(status_filter ? std::string(ToString(*status_filter)) : std::string())
          .Add(type),
      [](const PgRows& rows, std::int64_t& n) { n = rows.Int(0, 0); });
}

core::Result<std::vector<HistoryEntry>> PgWorkflowStore::History(const std::string& run_id) {
  return Query<std::vector<HistoryEntry>>(
      db_,
      "SELECT id, run_id, at_ms, kind, detail FROM workflow_history WHERE run_id = $1 "
      "ORDER BY id",
      PgParams().Add(run_id), [](const PgRows& rows, std::vector<HistoryEntry>& out) {
        for (int i = 0; i < rows.size(); ++i) {
          out.push_back(
              {rows.Int(i, 0), rows.Text(i, 1), rows.Int(i, 2), rows.Text(i, 3), rows.Text(i, 4)});
        }
      });
}

core::Result<std::vector<LinkRecord>> PgWorkflowStore::LinksOf(const std::string& entity_key) {
  return Query<std::vector<LinkRecord>>(
      db_,
      "SELECT from_key, to_key, kind, evidence, COALESCE(run_id, ''), created_at_ms FROM "
      "correlation_links WHERE from_key = $1 OR to_key = $1 ORDER BY id",
      PgParams().Add(entity_key), [](const PgRows& rows, std::vector<LinkRecord>& out) {
        for (int i = 0; i < rows.size(); ++i) {
          out.push_back({rows.Text(i, 0), rows.Text(i, 1), rows.Text(i, 2), rows.Text(i, 3),
                         rows.Text(i, 4), rows.Int(i, 5)});
        }
      });
}

}  // namespace contexten::store::postgres
