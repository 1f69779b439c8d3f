#include "store/postgres/pg_store_stats.hpp"

#include "store/postgres/pg_connection.hpp"

namespace contexten::store::postgres {

core::Result<StoreStats> ReadPgStoreStats(PgDatabase& db) {
  StoreStats stats;
  auto read = db.Transact([&stats](PgConnection& c) -> core::Status {
    stats = StoreStats{};
    auto lanes = c.Exec(
        "SELECT lane, status, COUNT(*), COALESCE(MIN(created_at_ms), 0), "
        "COUNT(*) FILTER (WHERE last_error IS NOT NULL AND last_error <> '') FROM outbox "
        "WHERE status IN ('pending', 'in_flight', 'dead') GROUP BY lane, status");
    if (!lanes) return lanes.error();
    for (int i = 0; i < lanes->size(); ++i) {
      LaneDepth& lane = stats.lanes[lanes->Text(i, 0)];
      const std::string status = lanes->Text(i, 1);
      const std::int64_t count = lanes->Int(i, 2);
      if (status == "pending") {
        lane.pending = count;
        lane.oldest_pending_created_ms = lanes->Int(i, 3);
        lane.failing = lanes->Int(i, 4);
      } else if (status == "in_flight") {
        lane.in_flight = count;
      } else {
        lane.dead = count;
      }
    }
    auto inbox = c.Exec(
        "SELECT COUNT(*), COALESCE(MIN(received_at_ms), 0) FROM inbox WHERE status = 'pending'");
    if (!inbox) return inbox.error();
    stats.inbox_pending = inbox->Int(0, 0);
    stats.oldest_inbox_pending_ms = inbox->Int(0, 1);
    // Bounded like the SQLite query: the newest rows only.
    auto last = c.Exec(
        "SELECT source, MAX(received_at_ms) FROM inbox WHERE id > "
        "(SELECT COALESCE(MAX(id), 0) FROM inbox) - $1 GROUP BY source",
        PgParams().Add(kRecentInboxRows));
    if (!last) return last.error();
    for (int i = 0; i < last->size(); ++i)
      stats.last_received_ms[last->Text(i, 0)] = last->Int(i, 1);
    auto runs = c.Exec("SELECT type, status, COUNT(*) FROM workflow_runs GROUP BY type, status");
    if (!runs) return runs.error();
    for (int i = 0; i < runs->size(); ++i) {
      stats.runs[{runs->Text(i, 0), runs->Text(i, 1)}] = runs->Int(i, 2);
    }
    return core::Ok();
  });
  if (!read) return read.error();
  return stats;
}

}  // namespace contexten::store::postgres
