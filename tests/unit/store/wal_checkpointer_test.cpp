#include "store/wal_checkpointer.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>

#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten::store {
namespace {

std::uintmax_t FileSize(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

TEST(WalCheckpointerTest, CheckpointsOnItsOwnThreadOnceTheWalPassesTheThreshold) {
  testing::TempDir dir;
  const std::string path = dir.File("wal.db");
  SQLite::Database writer(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  ASSERT_EQ(writer.execAndGet("PRAGMA journal_mode=WAL").getString(), "wal");
  writer.exec("CREATE TABLE t (body BLOB)");
  WalCheckpointer checkpointer(path, 1000, /*threshold_pages=*/50);
  checkpointer.Attach(writer.getHandle());
  const std::uintmax_t before = FileSize(path);

  // 40 commits of 16 KB: about 160 pages of WAL, so several wake-ups past 50 pages.
  const std::string body(16 * 1024, 'x');
  SQLite::Statement insert(writer, "INSERT INTO t(body) VALUES(?)");
  for (int i = 0; i < 40; ++i) {
    insert.bindNoCopy(1, static_cast<const void*>(body.data()), static_cast<int>(body.size()));
    insert.exec();
    insert.reset();
  }

  // The pages reach the database file through the checkpointer, not through a commit (the hook
  // replaced SQLite's automatic checkpoint).
  EXPECT_TRUE(
      testing::WaitFor([&] { return checkpointer.checkpoints() >= 1; }, std::chrono::seconds(10)));
  EXPECT_TRUE(testing::WaitFor([&] { return FileSize(path) >= before + 200 * 1024; },
                               std::chrono::seconds(10)))
      << "database file stayed at " << FileSize(path) << " bytes";
}

TEST(WalCheckpointerTest, BelowTheThresholdNothingIsCheckpointed) {
  testing::TempDir dir;
  const std::string path = dir.File("wal.db");
  SQLite::Database writer(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  ASSERT_EQ(writer.execAndGet("PRAGMA journal_mode=WAL").getString(), "wal");
  WalCheckpointer checkpointer(path, 1000, /*threshold_pages=*/1000);
  checkpointer.Attach(writer.getHandle());
  writer.exec("CREATE TABLE t (x INTEGER)");
  writer.exec("INSERT INTO t VALUES (1)");
  // The hook runs inside each commit: once exec returns, both commits were looked at and
  // neither woke the thread. (Reading checkpoints() alone would race a wrongly woken thread.)
  EXPECT_EQ(checkpointer.declined(), 2u);
  EXPECT_EQ(checkpointer.checkpoints(), 0u);
}

TEST(WalCheckpointerTest, AWalTheBackgroundCannotKeepDownIsCaughtUpByTheWriterAndRestarts) {
  testing::TempDir dir;
  const std::string path = dir.File("wal.db");
  SQLite::Database writer(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  ASSERT_EQ(writer.execAndGet("PRAGMA journal_mode=WAL").getString(), "wal");
  writer.exec("PRAGMA journal_size_limit=0");  // a restarted WAL is cut to nothing
  writer.exec("CREATE TABLE t (body BLOB)");
  // A threshold the background thread never reaches stands in for checkpoints that never catch
  // up under sustained writes.
  WalCheckpointer checkpointer(path, 1000, /*threshold_pages=*/1'000'000, /*catch_up_pages=*/40);
  checkpointer.Attach(writer.getHandle());

  const std::string body(16 * 1024, 'x');  // about 4 pages a commit
  SQLite::Statement insert(writer, "INSERT INTO t(body) VALUES(?)");
  std::uintmax_t largest_wal = 0;
  for (int i = 0; i < 100; ++i) {
    insert.bindNoCopy(1, static_cast<const void*>(body.data()), static_cast<int>(body.size()));
    insert.exec();
    insert.reset();
    largest_wal = std::max(largest_wal, FileSize(path + "-wal"));
  }
  // 400 pages written; the WAL never held much more than 40 of them.
  EXPECT_GE(checkpointer.catch_ups(), 5u);
  EXPECT_LT(largest_wal, 60u * 4096u) << "the WAL grew to " << largest_wal << " bytes";
  EXPECT_EQ(checkpointer.checkpoints(), 0u);
  EXPECT_EQ(writer.execAndGet("SELECT count(*) FROM t").getInt(), 100);
}

}  // namespace
}  // namespace contexten::store
