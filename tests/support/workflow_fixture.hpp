#pragma once
// A real SQLite store in a temp dir with the workflow store, an engine and a fake clock, for
// the engine, relay and workflow tests. Reopen() is a process restart: new objects, same file.

#include <memory>

#include "core/clock.hpp"
#include "store/database.hpp"
#include "store/sqlite_inbox.hpp"
#include "store/sqlite_workflow_store.hpp"
#include "tests/support/temp_dir.hpp"
#include "workflows/engine/engine.hpp"

namespace contexten::testing {

class WorkflowFixture {
 public:
  WorkflowFixture() { Reopen(); }

  void Reopen() {
    engine.reset();
    workflows.reset();
    inbox.reset();
    database.reset();
    store::StoreOptions options;
    options.path = dir.File("contexten.db");
    auto opened = store::Database::Open(options);
    if (!opened) throw std::runtime_error(opened.error().Describe());
    database = std::move(*opened);
    inbox = std::make_unique<store::SqliteInbox>(*database, clock);
    workflows = std::make_unique<store::SqliteWorkflowStore>(*database);
    engine = std::make_unique<workflows::engine::Engine>(*workflows, clock);
  }

  std::int64_t NowMs() const { return engine->NowMs(); }

  // A pending inbox row, as an ingress would leave it before its consumer runs.
  std::int64_t PendingInboxRow(const std::string& key) {
    store::InboxItem item;
    item.source = "test";
    item.dedupe_key = key;
    item.kind = "test";
    item.body = "{}";
    auto appended = inbox->Append(item);
    if (!appended) throw std::runtime_error(appended.error().Describe());
    return appended->id;
  }

  std::string InboxStatus(const std::string& key) {
    auto found = inbox->Find("test", key);
    return found && *found ? std::string(store::ToString((*found)->status)) : std::string("missing");
  }

  TempDir dir;
  core::FakeClock clock;
  std::unique_ptr<store::Database> database;
  std::unique_ptr<store::SqliteInbox> inbox;
  std::unique_ptr<store::SqliteWorkflowStore> workflows;
  std::unique_ptr<workflows::engine::Engine> engine;
};

}  // namespace contexten::testing
