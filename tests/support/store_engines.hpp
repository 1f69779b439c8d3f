#pragma once
// The store suite runs on both engines (../shared/DESIGN.md §2, store/): a test is a TEST_P on
// StoreEngineTest, instantiated with ForEachStoreEngine(). Each test gets its own store: a
// SQLite file in a temp dir, or a PostgreSQL schema of its own (created, dropped at the end) on
// the server CONTEXTEN_TEST_PG_URL names (scripts/pg_test_server.sh; scripts/test.sh starts
// one), so tests run in parallel. Without that server the PostgreSQL cases skip, saying why.
// Reopen() is a process restart: new objects on the same data.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "core/clock.hpp"
#include "store/database.hpp"
#include "store/postgres/pg_audit_log.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_database.hpp"
#include "store/postgres/pg_inbox.hpp"
#include "store/postgres/pg_schedule_store.hpp"
#include "store/postgres/pg_subscription_store.hpp"
#include "store/postgres/pg_workflow_store.hpp"
#include "store/sqlite_audit_log.hpp"
#include "store/sqlite_inbox.hpp"
#include "store/sqlite_schedule_store.hpp"
#include "store/sqlite_subscription_store.hpp"
#include "store/sqlite_workflow_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace contexten::testing {

enum class StoreEngine { kSqlite, kPostgres };

inline std::string PgTestUrl() {
  const char* url = std::getenv("CONTEXTEN_TEST_PG_URL");
  return url != nullptr ? url : "";
}

// A schema of its own on the test server, dropped (with its tables) on destruction.
class PgTestSchema {
 public:
  PgTestSchema() {
    static std::atomic<int> counter{0};
    std::random_device random;
    name_ = "t" + std::to_string(getpid()) + "_" + std::to_string(counter.fetch_add(1)) + "_" +
            std::to_string(random() % 1000000);
  }
  ~PgTestSchema() {
    auto admin = store::postgres::PgConnection::Connect(PgTestUrl(), "");
    if (admin) (void)(*admin)->ExecScript("DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

// Every store port of one engine, on one store.
class StoreUnderTest {
 public:
  StoreUnderTest(StoreEngine engine, core::Clock& clock) : engine_(engine), clock_(clock) {
    if (engine_ == StoreEngine::kPostgres) schema_ = std::make_unique<PgTestSchema>();
  }
  ~StoreUnderTest() { Close(); }

  // Empty when opened; otherwise why not.
  std::string Open(const std::string& replica_id = "replica-a") {
    Close();
    if (engine_ == StoreEngine::kSqlite) {
      store::StoreOptions options;
      options.path = dir_.File("store.db");
      auto db = store::Database::Open(options);
      if (!db) return db.error().Describe();
      sqlite_ = std::move(*db);
      inbox_ = std::make_unique<store::SqliteInbox>(*sqlite_, clock_);
      workflows_ = std::make_unique<store::SqliteWorkflowStore>(*sqlite_);
      schedules_ = std::make_unique<store::SqliteScheduleStore>(*sqlite_);
      subscriptions_ = std::make_unique<store::SqliteSubscriptionStore>(*sqlite_);
      audit_ = std::make_unique<store::SqliteAuditLog>(*sqlite_);
      return {};
    }
    pg_ = OpenPg(replica_id);
    if (!pg_) return "postgresql store did not open";
    inbox_ = std::make_unique<store::postgres::PgInbox>(*pg_, clock_);
    workflows_ = std::make_unique<store::postgres::PgWorkflowStore>(*pg_);
    schedules_ = std::make_unique<store::postgres::PgScheduleStore>(*pg_);
    subscriptions_ = std::make_unique<store::postgres::PgSubscriptionStore>(*pg_);
    audit_ = std::make_unique<store::postgres::PgAuditLog>(*pg_);
    return {};
  }

  // A second process on the same PostgreSQL schema (another replica).
  std::unique_ptr<store::postgres::PgDatabase> OpenPg(const std::string& replica_id) {
    store::postgres::PgOptions options;
    options.url = PgTestUrl();
    options.schema = schema_->name();
    options.replica_id = replica_id;
    options.lease = std::chrono::milliseconds(30000);
    auto db = store::postgres::PgDatabase::Open(options);
    if (!db) {
      ADD_FAILURE() << db.error().Describe();
      return nullptr;
    }
    return std::move(*db);
  }

  void Close() {
    audit_.reset();
    subscriptions_.reset();
    schedules_.reset();
    workflows_.reset();
    inbox_.reset();
    sqlite_.reset();
    pg_.reset();
  }

  StoreEngine engine() const { return engine_; }
  store::Inbox& inbox() { return *inbox_; }
  store::WorkflowStore& workflows() { return *workflows_; }
  store::ScheduleStore& schedules() { return *schedules_; }
  store::SubscriptionStore& subscriptions() { return *subscriptions_; }
  store::AuditLog& audit() { return *audit_; }
  store::Database* sqlite() { return sqlite_.get(); }
  store::postgres::PgDatabase* pg() { return pg_.get(); }

 private:
  StoreEngine engine_;
  core::Clock& clock_;
  TempDir dir_;
  std::unique_ptr<PgTestSchema> schema_;
  std::unique_ptr<store::Database> sqlite_;
  std::unique_ptr<store::postgres::PgDatabase> pg_;
  std::unique_ptr<store::Inbox> inbox_;
  std::unique_ptr<store::WorkflowStore> workflows_;
  std::unique_ptr<store::ScheduleStore> schedules_;
  std::unique_ptr<store::SubscriptionStore> subscriptions_;
  std::unique_ptr<store::AuditLog> audit_;
};

// The fixture of the store suite: SetUp opens the engine's store (or skips PostgreSQL when no
// test server is set).
class StoreEngineTest : public ::testing::TestWithParam<StoreEngine> {
 protected:
  void SetUp() override {
    if (GetParam() == StoreEngine::kPostgres && PgTestUrl().empty()) {
      GTEST_SKIP() << "CONTEXTEN_TEST_PG_URL is not set: no PostgreSQL to test on (scripts/"
                      "test.sh starts one with scripts/pg_test_server.sh when PostgreSQL is "
                      "installed)";
    }
    store_ = std::make_unique<StoreUnderTest>(GetParam(), clock_);
    const std::string failed = store_->Open();
    ASSERT_TRUE(failed.empty()) << failed;
  }
  void TearDown() override { store_.reset(); }

  // A process restart: the same data, new objects.
  void Reopen() {
    const std::string failed = store_->Open();
    ASSERT_TRUE(failed.empty()) << failed;
  }
  bool IsPostgres() const { return GetParam() == StoreEngine::kPostgres; }

  core::FakeClock clock_;
  std::unique_ptr<StoreUnderTest> store_;
};

inline std::string StoreEngineName(const ::testing::TestParamInfo<StoreEngine>& info) {
  return info.param == StoreEngine::kSqlite ? "Sqlite" : "Postgres";
}

#define CONTEXTEN_STORE_ENGINES(suite)                                                      \
  INSTANTIATE_TEST_SUITE_P(Engines, suite,                                                  \
                           ::testing::Values(::contexten::testing::StoreEngine::kSqlite,    \
                                             ::contexten::testing::StoreEngine::kPostgres), \
                           ::contexten::testing::StoreEngineName)

}  // namespace contexten::testing
