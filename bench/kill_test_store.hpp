#pragma once
// What bench/kill_test.cpp reads from the bot's SQLite store, opened read-only beside the running
// bot (WAL readers never block its writer): the file-issue runs and the row counts of the inbox,
// the outbox and the timers by status (tables of store/migrations.cpp).

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace contexten::bench {

struct StoredRun {
  std::string id;
  std::string status;  // running | waiting | completed | failed
  nlohmann::json state;
};

struct StoreSnapshot {
  std::vector<StoredRun> runs;                 // workflow_runs of `run_type`
  std::map<std::string, std::int64_t> inbox;   // status -> rows
  std::map<std::string, std::int64_t> outbox;  // status -> rows
  std::int64_t timers = 0;  // workflow_timers rows due within the hour (set, not yet fired)
  // Timers due later, as "run_id/name": an open incident's 4-hour reminder is waiting for its
  // time, not work the test should wait for; the report names them.
  std::vector<std::string> later_timers;

  std::int64_t Inbox(const std::string& status) const;
  std::int64_t Outbox(const std::string& status) const;
  std::int64_t InboxNotDone() const;  // every row whose status is not "done"
};

// kNotFound until the bot has created the file.
core::Result<StoreSnapshot> ReadStore(const std::string& path, const std::string& run_type);

// The same from a PostgreSQL store (replicas): `url` and `schema` as the bots' store.url and
// store.schema (store/postgres/). kNotFound until the bots have migrated the schema.
core::Result<StoreSnapshot> ReadPgStore(const std::string& url, const std::string& schema,
                                        const std::string& run_type);

// What only the replica test checks, from the PostgreSQL store.
struct ReplicaFacts {
  std::int64_t incident_roots_done = 0;        // incident root posts performed (one per episode)
  std::int64_t incident_roots_open = 0;        // ... still pending or in flight
  std::map<std::string, std::string> leaders;  // role -> replica_id of the last term
  std::map<std::string, std::int64_t> epochs;  // role -> epoch of the last term
};
core::Result<ReplicaFacts> ReadReplicaFacts(const std::string& url, const std::string& schema);
// Runs `sql` (no result wanted) on the store, e.g. to add or disable a schedule.
core::Status ExecPg(const std::string& url, const std::string& schema, const std::string& sql);

}  // namespace contexten::bench
