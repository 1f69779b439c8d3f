#pragma once
// Moves WAL checkpoints off the writer thread. SQLite's automatic checkpoint runs inside the
// COMMIT that crosses the threshold: that commit (and every event acknowledged after it) waits
// while ~4 MB of pages are copied into the database file and fsynced. Here the writer's WAL
// hook only wakes a thread of our own, which runs a PASSIVE checkpoint on its own connection;
// PASSIVE never blocks the writer, and SQLite restarts the WAL from its start once a
// checkpoint has caught up. Under sustained writes a checkpoint on another connection may never
// reach the WAL's end (commits keep appending while it copies), so the WAL would never restart
// and the file would grow without bound: past `catch_up_pages` the writer checkpoints itself,
// inside the commit as SQLite's own auto-checkpoint does, and the next write restarts the WAL.
// Private to the store; used by database.cpp.

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace SQLite {
class Database;
}

namespace contexten::store {

class WalCheckpointer {
 public:
  // Opens its own connection to `path` (already in WAL mode) and starts the thread.
  // Throws SQLite::Exception when the connection cannot be opened (startup only).
  // `catch_up_pages`: a WAL this long means the background checkpoints are not keeping up;
  // the writer then catches up itself (see OnCommit). 0: 16 times the threshold.
  WalCheckpointer(const std::string& path, int busy_timeout_ms, int threshold_pages,
                  int catch_up_pages = 0);
  ~WalCheckpointer();  // stops the thread; call after the writer has stopped committing
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Replaces the writer connection's automatic checkpoint with a wake-up of this thread.
  void Attach(sqlite3* writer);

  std::uint64_t checkpoints() const;
  // Commits the hook looked at and let pass without waking the thread (WAL below the
  // threshold). The hook runs inside the commit, so this is final when the commit returns.
  std::uint64_t declined() const;
  // Checkpoints the writer ran itself because the WAL passed catch_up_pages.
  std::uint64_t catch_ups() const;

 private:
  static int OnCommit(void* self, sqlite3* db, const char* schema, int wal_pages);
  void Run();

  const int threshold_pages_;
  const int catch_up_pages_;
  std::unique_ptr<SQLite::Database> connection_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false;
  bool stopping_ = false;
  std::uint64_t checkpoints_ = 0;
  std::uint64_t declined_ = 0;
  std::uint64_t catch_ups_ = 0;
  std::thread thread_;
};

}  // namespace contexten::store
