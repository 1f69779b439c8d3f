#include "store/store_stats.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <system_error>

namespace contexten::store {

core::Result<StoreStats> ReadStoreStats(Database& database) {
  StoreStats stats;
  auto read = database.ReadOnly([&stats](SQLite::Database& db) -> core::Status {
    SQLite::Statement lanes(db,
                            "SELECT lane, status, COUNT(*), MIN(created_at_ms), "
                            "SUM(last_error IS NOT NULL AND last_error != '') "
                            "FROM outbox WHERE status IN ('pending', 'in_flight', 'dead') "
                            "GROUP BY lane, status");
    while (lanes.executeStep()) {
      LaneDepth& lane = stats.lanes[lanes.getColumn(0).getString()];
      const std::string status = lanes.getColumn(1).getString();
      const std::int64_t count = lanes.getColumn(2).getInt64();
      if (status == "pending") {
        lane.pending = count;
        lane.oldest_pending_created_ms = lanes.getColumn(3).getInt64();
        lane.failing = lanes.getColumn(4).getInt64();
      } else if (status == "in_flight") {
        lane.in_flight = count;
      } else {
        lane.dead = count;
      }
    }
    SQLite::Statement inbox(
        db,
        "SELECT COUNT(*), COALESCE(MIN(received_at_ms), 0) FROM inbox WHERE status = 'pending'");
    if (inbox.executeStep()) {
      stats.inbox_pending = inbox.getColumn(0).getInt64();
      stats.oldest_inbox_pending_ms = inbox.getColumn(1).getInt64();
    }
    // Bounded: a silent source must not cost a scan of the whole inbox every sample.
    SQLite::Statement last(db,
                           "SELECT source, MAX(received_at_ms) FROM inbox WHERE id > "
                           "(SELECT COALESCE(MAX(id), 0) FROM inbox) - ? GROUP BY source");
    last.bind(1, static_cast<std::int64_t>(kRecentInboxRows));
    while (last.executeStep()) {
      stats.last_received_ms[last.getColumn(0).getString()] = last.getColumn(1).getInt64();
    }
    SQLite::Statement runs(
        db, "SELECT type, status, COUNT(*) FROM workflow_runs GROUP BY type, status");
    while (runs.executeStep()) {
      stats.runs[{runs.getColumn(0).getString(), runs.getColumn(1).getString()}] =
          runs.getColumn(2).getInt64();
    }
    return core::Ok();
  });
  if (!read) return core::Unexpected(read.error());
  std::error_code ec;
  const auto wal = std::filesystem::file_size(database.path() + "-wal", ec);
  stats.wal_bytes = ec ? 0 : static_cast<std::int64_t>(wal);
  return stats;
}

}  // namespace contexten::store
