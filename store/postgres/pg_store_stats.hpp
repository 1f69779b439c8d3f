#pragma once
// StoreStats (store/store_stats.hpp) read from the PostgreSQL store, in one read-only
// transaction. There is no WAL file to measure: wal_bytes stays 0.

#include "store/postgres/pg_database.hpp"
#include "store/store_stats.hpp"

namespace contexten::store::postgres {

core::Result<StoreStats> ReadPgStoreStats(PgDatabase& db);

}  // namespace contexten::store::postgres
