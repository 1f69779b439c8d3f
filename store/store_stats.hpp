#pragma once
// What the health monitor and /metrics read of the store in one read transaction: outbox depth
// and age per lane, dead letters, the inbox backlog, runs by type and status, and the WAL's size.
// Read only; nothing here is on the hot path (one sample every few seconds, one per scrape).

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "core/result.hpp"
#include "store/database.hpp"

namespace contexten::store {

struct LaneDepth {
  std::int64_t pending = 0;
  std::int64_t in_flight = 0;
  std::int64_t dead = 0;
  std::int64_t oldest_pending_created_ms = 0;  // 0: none pending
  std::int64_t failing = 0;                    // pending with a last error (retries waiting)
};

struct StoreStats {
  std::map<std::string, LaneDepth> lanes;  // by lane name
  std::int64_t inbox_pending = 0;
  std::int64_t oldest_inbox_pending_ms = 0;  // received_at of the oldest pending row; 0: none
  // (type, status) -> runs
  std::map<std::pair<std::string, std::string>, std::int64_t> runs;
  std::int64_t wal_bytes = 0;  // size of <path>-wal; 0 when there is none
  // received_at of the newest inbox row per source ("github", "linear", "slack") among the most
  // recent kRecentInboxRows rows; a source absent from them has no entry.
  std::map<std::string, std::int64_t> last_received_ms;
};

inline constexpr std::int64_t kRecentInboxRows = 100000;

core::Result<StoreStats> ReadStoreStats(Database& database);

}  // namespace contexten::store
