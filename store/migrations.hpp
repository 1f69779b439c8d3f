#pragma once
// Numbered schema migrations, compiled in. Migrate(path) in database.hpp is the public entry;
// Database::Open runs them on its own write connection through MigrateConnection.

#include "core/result.hpp"

namespace SQLite {
class Database;
}

namespace contexten::store {

// Applies the migrations `db` lacks, each in its own IMMEDIATE transaction (so two processes
// opening the same file cannot both apply one), and returns the resulting version. Fails with
// kConflict when the file is newer than this build.
core::Result<int> MigrateConnection(SQLite::Database& db);

}  // namespace contexten::store
