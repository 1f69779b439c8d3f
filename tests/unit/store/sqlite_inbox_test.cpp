#include "store/sqlite_inbox.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten::store {
namespace {

using core::ErrorKind;

InboxItem Item(std::string source, std::string key, std::string body = "{}") {
  InboxItem item;
  item.source = std::move(source);
  item.dedupe_key = std::move(key);
  item.kind = "event_callback";
  item.body = std::move(body);
  return item;
}

class SqliteInboxTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    inbox_.reset();
    db_.reset();
    StoreOptions options;
    options.path = dir_.File("inbox.db");
    auto db = Database::Open(options);
    ASSERT_TRUE(db.has_value()) << db.error().Describe();
    db_ = std::move(*db);
    inbox_ = std::make_unique<SqliteInbox>(*db_, clock_);
  }

  testing::TempDir dir_;
  core::FakeClock clock_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<SqliteInbox> inbox_;
};

TEST_F(SqliteInboxTest, StatusIsStoredAsItsTextAndUnknownTextIsAnError) {
  auto r = inbox_->Append(Item("github", "text-1"));
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(inbox_->MarkDone(r->id, InboxStatus::kSkipped));
  std::string stored;
  ASSERT_TRUE(db_->ReadOnly([&](SQLite::Database& db) -> core::Status {
    SQLite::Statement query(db, "SELECT status FROM inbox WHERE id = ?");
    query.bind(1, r->id);
    if (query.executeStep()) stored = query.getColumn(0).getString();
    return core::Ok();
  }));
  EXPECT_EQ(stored, "skipped");

  // A row written by something else with a status this build does not know.
  ASSERT_TRUE(db_->Write([&](SQLite::Database& db) -> core::Status {
    SQLite::Statement update(db, "UPDATE inbox SET status = 'processing' WHERE id = ?");
    update.bind(1, r->id);
    update.exec();
    return core::Ok();
  }));
  auto found = inbox_->Find("github", "text-1");
  ASSERT_FALSE(found.has_value());
  EXPECT_EQ(found.error().kind, ErrorKind::kInternal);
  EXPECT_NE(found.error().message.find("processing"), std::string::npos);
}

TEST_F(SqliteInboxTest, AppendAsyncCallsDoneOnceDurable) {
  std::promise<core::Result<AppendResult>> promise;
  inbox_->AppendAsync(Item("slack", "async"), [&](core::Result<AppendResult> r) {
    // Visible to an independent connection: committed before done.
    SQLite::Database other(db_->path(), SQLite::OPEN_READONLY);
    EXPECT_EQ(other
                  .execAndGet("SELECT COUNT(*) FROM inbox WHERE "
                              "dedupe_key = 'async'")
                  .getInt(),
              1);
    promise.set_value(std::move(r));
  });
  auto r = promise.get_future().get();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->outcome, AppendOutcome::kInserted);
}

}  // namespace
}  // namespace contexten::store
