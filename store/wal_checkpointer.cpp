#include "store/wal_checkpointer.hpp"

#include <SQLiteCpp/Database.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "core/logging.hpp"

namespace contexten::store {

WalCheckpointer::WalCheckpointer(const std::string& path, int busy_timeout_ms, int threshold_pages,
                                 int catch_up_pages)
    : threshold_pages_(threshold_pages),
      catch_up_pages_(catch_up_pages > 0 ? catch_up_pages : 16 * threshold_pages),
      connection_(std::make_unique<SQLite::Database>(
          path, SQLite::OPEN_READWRITE | SQLite::OPEN_FULLMUTEX, busy_timeout_ms)) {
  // A connection learns that the file is in WAL mode only once it has read it; until then a
  // checkpoint through it is a silent no-op.
  connection_->exec("SELECT count(*) FROM sqlite_schema");
  thread_ = std::thread([this] { Run(); });
}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void WalCheckpointer::Attach(sqlite3* writer) { sqlite3_wal_hook(writer, &OnCommit, this); }

std::uint64_t WalCheckpointer::checkpoints() const {
  std::lock_guard lock(mu_);
  return checkpoints_;
}

std::uint64_t WalCheckpointer::catch_ups() const {
  std::lock_guard lock(mu_);
  return catch_ups_;
}

std::uint64_t WalCheckpointer::declined() const {
  std::lock_guard lock(mu_);
  return declined_;
}

// On the writer thread, after each commit: only a flag and a notify.
int WalCheckpointer::OnCommit(void* self, sqlite3* db, const char* /*schema*/, int wal_pages) {
  auto* checkpointer = static_cast<WalCheckpointer*>(self);
  if (wal_pages >= checkpointer->catch_up_pages_) {
    // Rare (see the header): this commit waits for the copy so the WAL can restart at all.
    sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    std::lock_guard lock(checkpointer->mu_);
    ++checkpointer->catch_ups_;
    return SQLITE_OK;
  }
  if (wal_pages >= checkpointer->threshold_pages_) {
    {
      std::lock_guard lock(checkpointer->mu_);
      checkpointer->wanted_ = true;
    }
    checkpointer->cv_.notify_one();
  } else {
    std::lock_guard lock(checkpointer->mu_);
    ++checkpointer->declined_;
  }
  return SQLITE_OK;
}

void WalCheckpointer::Run() {
  static auto log = core::Logger("store");
  while (true) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return wanted_ || stopping_; });
      if (stopping_) return;  // closing the last connection checkpoints anyway
      wanted_ = false;
    }
    int wal_frames = 0;
    int copied = 0;
    const int rc = sqlite3_wal_checkpoint_v2(connection_->getHandle(), nullptr,
                                             SQLITE_CHECKPOINT_PASSIVE, &wal_frames, &copied);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      log->warn("WAL checkpoint failed ({}); retried after the next commit", sqlite3_errstr(rc));
      continue;
    }
    std::lock_guard lock(mu_);
    ++checkpoints_;
  }
}

}  // namespace contexten::store
