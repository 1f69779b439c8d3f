#include "store/database.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten::store {
namespace {

using core::ErrorKind;
using core::Status;

std::unique_ptr<Database> OpenOrDie(const std::string& path, std::size_t max_batch = 512) {
  StoreOptions options;
  options.path = path;
  options.max_batch = max_batch;
  auto db = Database::Open(options);
  EXPECT_TRUE(db.has_value()) << (db ? "" : db.error().Describe());
  return db ? std::move(*db) : nullptr;
}

// Work that inserts one audit row tagged `actor`.
Database::Work InsertAudit(std::string actor) {
  return [actor = std::move(actor)](SQLite::Database& db) -> Status {
    SQLite::Statement& insert =
        Prepared(db, "INSERT INTO audit_log(at_ms, actor, action) VALUES(1, ?, 'test')");
    insert.bind(1, actor);
    insert.exec();
    return core::Ok();
  };
}

std::int64_t CountAudit(const std::string& path, const std::string& actor) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement query(db, "SELECT COUNT(*) FROM audit_log WHERE actor = ?");
  query.bind(1, actor);
  query.executeStep();
  return query.getColumn(0).getInt64();
}

// Holds the writer thread inside a Work until released, so that later submissions queue up.
class WriterGate {
 public:
  explicit WriterGate(Database& db) {
    auto entered = std::make_shared<std::promise<void>>();
    auto entered_future = entered->get_future();
    db.Submit(
        [entered, release = release_.get_future().share()](SQLite::Database&) -> Status {
          entered->set_value();
          release.wait();
          return core::Ok();
        },
        nullptr);
    entered_future.wait();
  }
  ~WriterGate() { Release(); }  // never leave the writer stuck if a test bails out early
  void Release() {
    if (!released_) release_.set_value();
    released_ = true;
  }

 private:
  std::promise<void> release_;
  bool released_ = false;
};

TEST(DatabaseTest, OpenCreatesFileInWalMode) {
  testing::TempDir dir;
  const std::string path = dir.File("store.db");
  auto db = OpenOrDie(path);
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(db->path(), path);

  std::string mode;
  ASSERT_TRUE(db->ReadOnly([&](SQLite::Database& conn) -> Status {
    mode = conn.execAndGet("PRAGMA journal_mode").getString();
    return core::Ok();
  }));
  EXPECT_EQ(mode, "wal");
  // WAL mode is a property of the file: a fresh connection sees it too.
  SQLite::Database other(path, SQLite::OPEN_READONLY);
  EXPECT_EQ(other.execAndGet("PRAGMA journal_mode").getString(), "wal");
}

TEST(DatabaseTest, WriterUsesFullSynchronousAndForeignKeys) {
  testing::TempDir dir;
  auto db = OpenOrDie(dir.File("store.db"));
  ASSERT_NE(db, nullptr);
  int synchronous = -1;
  int foreign_keys = -1;
  ASSERT_TRUE(db->Write([&](SQLite::Database& conn) -> Status {
    synchronous = conn.execAndGet("PRAGMA synchronous").getInt();
    foreign_keys = conn.execAndGet("PRAGMA foreign_keys").getInt();
    return core::Ok();
  }));
  EXPECT_EQ(synchronous, 2);  // FULL
  EXPECT_EQ(foreign_keys, 1);
}

TEST(DatabaseTest, RefusesMemoryAndEmptyPaths) {
  for (const char* path : {":memory:", ""}) {
    StoreOptions options;
    options.path = path;
    auto db = Database::Open(options);
    ASSERT_FALSE(db.has_value()) << path;
    EXPECT_EQ(db.error().kind, ErrorKind::kInvalidInput);
  }
  EXPECT_EQ(Migrate(":memory:").error().kind, ErrorKind::kInvalidInput);
}

TEST(DatabaseTest, OpenInMissingDirectoryIsAnError) {
  testing::TempDir dir;
  StoreOptions options;
  options.path = dir.File("no/such/dir/store.db");
  auto db = Database::Open(options);
  ASSERT_FALSE(db.has_value());
  EXPECT_NE(db.error().message.find("open"), std::string::npos);
}

TEST(DatabaseTest, MigrationsAreIdempotent) {
  testing::TempDir dir;
  const std::string path = dir.File("store.db");
  ASSERT_GE(LatestSchemaVersion(), 2);
  {
    auto db = OpenOrDie(path);
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(db->schema_version(), LatestSchemaVersion());
  }
  {
    auto db = OpenOrDie(path);
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(db->schema_version(), LatestSchemaVersion());
  }
  auto again = Migrate(path);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, LatestSchemaVersion());

  SQLite::Database check(path, SQLite::OPEN_READONLY);
  EXPECT_EQ(check.execAndGet("SELECT COUNT(*) FROM schema_version").getInt(),
            LatestSchemaVersion());
  EXPECT_TRUE(check.tableExists("inbox"));
  EXPECT_TRUE(check.tableExists("audit_log"));
}

TEST(DatabaseTest, MigrateOnFreshFileReturnsLatest) {
  testing::TempDir dir;
  auto version = Migrate(dir.File("plain.db"));
  ASSERT_TRUE(version.has_value()) << version.error().Describe();
  EXPECT_EQ(*version, LatestSchemaVersion());
}

TEST(DatabaseTest, RefusesSchemaNewerThanThisBuild) {
  testing::TempDir dir;
  const std::string path = dir.File("store.db");
  ASSERT_TRUE(Migrate(path).has_value());
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("INSERT INTO schema_version(version, applied_at_ms) VALUES(" +
            std::to_string(LatestSchemaVersion() + 1) + ", 0)");
  }
  StoreOptions options;
  options.path = path;
  auto db = Database::Open(options);
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().kind, ErrorKind::kConflict);
}

TEST(DatabaseTest, FailingSubmissionDoesNotRollBackItsNeighbours) {
  testing::TempDir dir;
  const std::string path = dir.File("store.db");
  auto db = OpenOrDie(path);
  ASSERT_NE(db, nullptr);

  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::mutex mu;
  std::vector<Status> results(kThreads * kPerThread);
  std::atomic<int> done_count{0};

  WriterGate gate(*db);
  const auto before = db->transactions_committed();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int n = t * kPerThread + i;
        Database::Work work = InsertAudit("ok");
        if (n == 37) {
          // Writes, then fails: its own write must vanish, nobody else's.
          work = [](SQLite::Database& conn) -> Status {
            conn.exec("INSERT INTO audit_log(at_ms, actor, action) VALUES(1, 'bad', 'test')");
            return core::MakeError(ErrorKind::kConflict, "refused by the work");
          };
        } else if (n == 61) {
          work = [](SQLite::Database& conn) -> Status {
            conn.exec("INSERT INTO audit_log(at_ms, actor, action) VALUES(1, 'bad', 'test')");
            conn.exec("INSERT INTO no_such_table VALUES(1)");  // throws SQLite::Exception
            return core::Ok();
          };
        }
        db->Submit(std::move(work), [&, n](Status s) {
          std::lock_guard lock(mu);
          results[n] = std::move(s);
          done_count.fetch_add(1);
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  gate.Release();
  ASSERT_TRUE(testing::WaitFor([&] { return done_count.load() == kThreads * kPerThread; }));

  std::lock_guard lock(mu);
  for (int n = 0; n < kThreads * kPerThread; ++n) {
    if (n == 37) {
      ASSERT_FALSE(results[n]);
      EXPECT_EQ(results[n].error().kind, ErrorKind::kConflict);
    } else if (n == 61) {
      ASSERT_FALSE(results[n]);
      EXPECT_EQ(results[n].error().kind, ErrorKind::kInternal);
      EXPECT_NE(results[n].error().message.find("no such table"), std::string::npos);
    } else {
      EXPECT_TRUE(results[n]) << n << ": " << results[n].error().Describe();
    }
  }
  EXPECT_EQ(CountAudit(path, "ok"), kThreads * kPerThread - 2);
  EXPECT_EQ(CountAudit(path, "bad"), 0);
  // The gate's transaction plus one for everything queued behind it: that is group commit.
  EXPECT_EQ(db->transactions_committed() - before, 2u);
}

TEST(DatabaseTest, BatchesAreCappedAtMaxBatch) {
  testing::TempDir dir;
  auto db = OpenOrDie(dir.File("store.db"), /*max_batch=*/4);
  ASSERT_NE(db, nullptr);
  std::atomic<int> done_count{0};
  WriterGate gate(*db);
  const auto before = db->transactions_committed();
  for (int i = 0; i < 10; ++i) {
    db->Submit(InsertAudit("x"), [&](Status s) {
      EXPECT_TRUE(s);
      done_count.fetch_add(1);
    });
  }
  gate.Release();
  ASSERT_TRUE(testing::WaitFor([&] { return done_count.load() == 10; }));
  EXPECT_EQ(db->transactions_committed() - before, 1u + 3u);  // gate, then 4 + 4 + 2
}

TEST(DatabaseTest, DoneRunsOnlyAfterCommit) {
  testing::TempDir dir;
  const std::string path = dir.File("store.db");
  auto db = OpenOrDie(path);
  ASSERT_NE(db, nullptr);

  std::promise<std::int64_t> seen;
  db->Submit(InsertAudit("durable"), [&](Status s) {
    EXPECT_TRUE(s);
    // A brand-new connection only sees committed data.
    seen.set_value(CountAudit(path, "durable"));
  });
  EXPECT_EQ(seen.get_future().get(), 1);
}

TEST(DatabaseTest, MalformedSqlIsAnErrorAndTheWriterCarriesOn) {
  testing::TempDir dir;
  const std::string path = dir.File("store.db");
  auto db = OpenOrDie(path);
  ASSERT_NE(db, nullptr);

  Status bad = db->Write([](SQLite::Database& conn) -> Status {
    conn.exec("SELEC nonsense FROM");
    return core::Ok();
  });
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kInternal);
  EXPECT_NE(bad.error().message.find("syntax error"), std::string::npos);

  Status bad_prepared = db->Write([](SQLite::Database& conn) -> Status {
    Prepared(conn, "INSERT INTO nowhere VALUES(1)").exec();
    return core::Ok();
  });
  EXPECT_FALSE(bad_prepared);

  Status bad_read = db->ReadOnly([](SQLite::Database& conn) -> Status {
    conn.exec("SELECT * FROM nowhere");
    return core::Ok();
  });
  EXPECT_FALSE(bad_read);

  Status thrown =
      db->Write([](SQLite::Database&) -> Status { throw std::runtime_error("bug in a work"); });
  ASSERT_FALSE(thrown);
  EXPECT_EQ(thrown.error().kind, ErrorKind::kInternal);

  EXPECT_TRUE(db->Write(InsertAudit("after")));
  EXPECT_EQ(CountAudit(path, "after"), 1);
}

TEST(DatabaseTest, ReadOnlyConnectionCannotWrite) {
  testing::TempDir dir;
  auto db = OpenOrDie(dir.File("store.db"));
  ASSERT_NE(db, nullptr);
  Status s = db->ReadOnly([](SQLite::Database& conn) -> Status {
    conn.exec("INSERT INTO audit_log(at_ms, actor, action) VALUES(1, 'r', 'test')");
    return core::Ok();
  });
  EXPECT_FALSE(s);
}

TEST(DatabaseTest, ReadOnlySeesCommittedWrites) {
  testing::TempDir dir;
  auto db = OpenOrDie(dir.File("store.db"));
  ASSERT_NE(db, nullptr);
  auto count = [&] {
    std::int64_t n = -1;
    EXPECT_TRUE(db->ReadOnly([&](SQLite::Database& conn) -> Status {
      SQLite::Statement& q = Prepared(conn, "SELECT COUNT(*) FROM audit_log");
      EXPECT_TRUE(q.executeStep());
      n = q.getColumn(0).getInt64();
      return core::Ok();
    }));
    return n;
  };
  EXPECT_EQ(count(), 0);
  ASSERT_TRUE(db->Write(InsertAudit("a")));
  // The cached SELECT was reset after the last read, so it does not pin the old snapshot.
  EXPECT_EQ(count(), 1);
  ASSERT_TRUE(db->Write(InsertAudit("b")));
  EXPECT_EQ(count(), 2);
}

TEST(DatabaseTest, PreparedOutsideWorkThrows) {
  testing::TempDir dir;
  const std::string path = dir.File("store.db");
  ASSERT_TRUE(Migrate(path).has_value());
  SQLite::Database conn(path, SQLite::OPEN_READONLY);
  EXPECT_THROW(Prepared(conn, "SELECT 1"), std::logic_error);
}

TEST(DatabaseTest, WriteFromTheWriterThreadIsRefused) {
  testing::TempDir dir;
  auto db = OpenOrDie(dir.File("store.db"));
  ASSERT_NE(db, nullptr);
  std::promise<Status> nested;
  db->Submit([](SQLite::Database&) -> Status { return core::Ok(); },
             [&](Status) { nested.set_value(db->Write(InsertAudit("nested"))); });
  Status s = nested.get_future().get();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ErrorKind::kInternal);
}

TEST(DatabaseTest, DestructorDrainsQueuedWork) {
  testing::TempDir dir;
  const std::string path = dir.File("store.db");
  constexpr int kCount = 300;
  std::atomic<int> ok{0};
  {
    auto db = OpenOrDie(path, /*max_batch=*/16);
    ASSERT_NE(db, nullptr);
    WriterGate gate(*db);
    for (int i = 0; i < kCount; ++i) {
      db->Submit(InsertAudit("drained"), [&](Status s) {
        if (s) ok.fetch_add(1);
      });
    }
    gate.Release();
    // Destroyed with (almost) everything still queued.
  }
  EXPECT_EQ(ok.load(), kCount);
  EXPECT_EQ(CountAudit(path, "drained"), kCount);
}

}  // namespace
}  // namespace contexten::store
