#include "store/database.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "store/migrations.hpp"
#include "store/sqlite_error.hpp"
#include "store/statement_cache.hpp"
#include "store/wal_checkpointer.hpp"

namespace contexten::store {
namespace {

struct Submission {
  Database::Work work;
  std::function<void(core::Status)> done;
};

// Runs `fn` and turns anything it throws into an Error.
template <typename Fn>
core::Status Guarded(Fn&& fn, std::string_view context = {}) {
  try {
    return fn();
  } catch (const SQLite::Exception& e) {
    return FromSqlite(e, context);
  } catch (const std::exception& e) {
    return FromException(e, context);
  } catch (...) {
    return core::MakeError(core::ErrorKind::kInternal, "unknown exception");
  }
}

// SQLite's own default for its automatic checkpoint (about 4 MB of WAL with 4 KB pages).
constexpr int kCheckpointPages = 1000;
constexpr std::int64_t kWalSizeLimitBytes = 64 << 20;

// Returns SQLite's answer to a PRAGMA that reports its new value.
std::string PragmaValue(SQLite::Database& db, const char* pragma) {
  return db.execAndGet(pragma).getString();
}

}  // namespace

struct Database::Impl {
  StoreOptions options;
  int schema_version = 0;

  // Declared before their caches so the caches (statements) are finalized first.
  std::unique_ptr<SQLite::Database> writer;
  std::unique_ptr<StatementCache> writer_cache;
  std::unique_ptr<SQLite::Database> reader;
  std::unique_ptr<StatementCache> reader_cache;
  std::unique_ptr<WalCheckpointer> checkpointer;
  std::mutex reader_mu;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<Submission> queue;
  bool stopping = false;
  std::atomic<std::uint64_t> transactions{0};
  std::thread thread;
  std::thread::id writer_id;

  // Prepared once: these run for every submission. Failure paths use tryExec instead.
  std::unique_ptr<SQLite::Statement> begin, commit, savepoint, release;

  ~Impl() {
    checkpointer.reset();  // the writer thread has stopped: no commit can wake it any more
    begin.reset();
    commit.reset();
    savepoint.reset();
    release.reset();
    reader_cache.reset();
    reader.reset();
    writer_cache.reset();
    writer.reset();
  }

  void Run() {
    std::vector<Submission> batch;
    batch.reserve(options.max_batch);
    while (true) {
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;  // stopping, and everything submitted has been done
        while (!queue.empty() && batch.size() < options.max_batch) {
          batch.push_back(std::move(queue.front()));
          queue.pop_front();
        }
      }
      CommitBatch(batch);
      batch.clear();
    }
  }

  static void Exec(SQLite::Statement& statement) {
    statement.reset();
    statement.exec();
  }

  bool InTransaction() const { return sqlite3_get_autocommit(writer->getHandle()) == 0; }

  // One transaction for the whole batch, one savepoint per submission. A savepoint name is
  // scoped by nesting, and each one is released before the next starts, so one name serves all.
  void CommitBatch(std::vector<Submission>& batch) {
    std::vector<core::Status> results(batch.size());
    std::size_t first_in_transaction = 0;
    std::optional<core::Error> batch_error;

    batch_error = StartTransaction();
    for (std::size_t i = 0; i < batch.size() && !batch_error; ++i) {
      results[i] = RunOne(batch[i].work);
      if (!InTransaction()) {
        // SQLite rolled the whole transaction back (disk full, I/O error): the submissions
        // before this one lost their writes too. Fail them and go on in a fresh transaction.
        const core::Error lost =
            core::MakeError(core::ErrorKind::kUnavailable,
                            "transaction rolled back by a failure in the same batch" +
                                (results[i] ? std::string() : ": " + results[i].error().message));
        for (std::size_t j = first_in_transaction; j < i; ++j) {
          if (results[j]) results[j] = lost;
        }
        if (results[i]) results[i] = lost;
        first_in_transaction = i + 1;
        if (i + 1 < batch.size()) batch_error = StartTransaction();
        if (batch_error) {
          for (std::size_t j = i + 1; j < batch.size(); ++j) results[j] = *batch_error;
        }
      }
    }
    if (batch_error && first_in_transaction == 0) {
      for (auto& r : results) r = *batch_error;
    }

    if (InTransaction()) {
      core::Status committed = Guarded(
          [&] {
            Exec(*commit);
            return core::Ok();
          },
          "commit");
      if (committed) {
        transactions.fetch_add(1, std::memory_order_relaxed);
      } else {
        if (InTransaction()) writer->tryExec("ROLLBACK");
        for (std::size_t j = first_in_transaction; j < batch.size(); ++j) {
          results[j] = committed.error();
        }
      }
    }

    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (!batch[i].done) continue;
      try {
        batch[i].done(std::move(results[i]));
      } catch (...) {
        // A throwing callback must not take the writer thread down with it.
      }
    }
  }

  std::optional<core::Error> StartTransaction() {
    core::Status started = Guarded(
        [&] {
          Exec(*begin);
          return core::Ok();
        },
        "begin");
    if (started) return std::nullopt;
    return started.error();
  }

  core::Status RunOne(Database::Work& work) {
    core::Status opened = Guarded(
        [&] {
          Exec(*savepoint);
          return core::Ok();
        },
        "savepoint");
    if (!opened) return opened;

    core::Status status = Guarded([&] {
      ScopedStatementCache scope(*writer_cache);
      return work(*writer);
    });
    writer_cache->ResetUsed();
    if (!InTransaction()) return status;

    if (status) {
      core::Status released = Guarded(
          [&] {
            Exec(*release);
            return core::Ok();
          },
          "release");
      if (released) return status;
      status = released;
    }
    writer->tryExec("ROLLBACK TO s1; RELEASE s1");
    return status;
  }
};

core::Result<std::unique_ptr<Database>> Database::Open(StoreOptions options) {
  if (options.path.empty() || options.path == ":memory:") {
    return core::MakeError(core::ErrorKind::kInvalidInput,
                           "store path must name a file, not '" + options.path + "'");
  }
  if (options.max_batch == 0) {
    return core::MakeError(core::ErrorKind::kInvalidInput, "max_batch must be > 0");
  }

  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  const std::string& path = impl->options.path;
  const int busy_ms = static_cast<int>(impl->options.busy_timeout.count());
  try {
    impl->writer = std::make_unique<SQLite::Database>(
        path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX, busy_ms);
    SQLite::Database& db = *impl->writer;
    if (PragmaValue(db, "PRAGMA journal_mode=WAL") != "wal") {
      return core::Unexpected(core::MakeError(core::ErrorKind::kUnavailable,
                                              "could not switch " + path + " to WAL mode"));
    }
    // WAL with synchronous=NORMAL only fsyncs at checkpoints: a commit survives a process
    // crash but not a power loss. We acknowledge events once their commit returns, so every
    // commit must reach the disk: FULL fsyncs the WAL on each commit. Group commit is what
    // keeps that affordable (one fsync per batch, not per event).
    db.exec("PRAGMA synchronous=FULL");
    // When the WAL restarts, a file grown past this under a burst is cut back to it.
    db.exec("PRAGMA journal_size_limit=" + std::to_string(kWalSizeLimitBytes));
    db.exec("PRAGMA foreign_keys=ON");

    auto migrated = MigrateConnection(db);
    if (!migrated) return core::Unexpected(migrated.error());
    impl->schema_version = *migrated;

    impl->writer_cache = std::make_unique<StatementCache>(db);
    impl->begin = std::make_unique<SQLite::Statement>(db, "BEGIN IMMEDIATE");
    impl->commit = std::make_unique<SQLite::Statement>(db, "COMMIT");
    impl->savepoint = std::make_unique<SQLite::Statement>(db, "SAVEPOINT s1");
    impl->release = std::make_unique<SQLite::Statement>(db, "RELEASE s1");

    // Opened after the writer so the WAL and its -shm file exist for a read-only connection.
    impl->reader = std::make_unique<SQLite::Database>(
        path, SQLite::OPEN_READONLY | SQLite::OPEN_FULLMUTEX, busy_ms);
    impl->reader_cache = std::make_unique<StatementCache>(*impl->reader);
    impl->checkpointer = std::make_unique<WalCheckpointer>(path, busy_ms, kCheckpointPages);
    impl->checkpointer->Attach(db.getHandle());
  } catch (const SQLite::Exception& e) {
    return core::Unexpected(FromSqlite(e, "open " + path));
  } catch (const std::exception& e) {
    return core::Unexpected(FromException(e, "open " + path));
  }

  Impl* raw = impl.get();
  try {
    raw->thread = std::thread([raw] { raw->Run(); });
  } catch (const std::system_error& e) {
    return core::Unexpected(FromException(e, "start writer thread"));
  }
  raw->writer_id = raw->thread.get_id();
  return std::unique_ptr<Database>(new Database(std::move(impl)));
}

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Database::~Database() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_one();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void Database::Submit(Work work, std::function<void(core::Status)> done) {
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->stopping) {
      impl_->queue.push_back(Submission{std::move(work), std::move(done)});
      impl_->cv.notify_one();
      return;
    }
  }
  if (done) done(core::MakeError(core::ErrorKind::kUnavailable, "store is shutting down"));
}

core::Status Database::Write(Work work) {
  if (OnWriterThread()) {
    // Waiting here would wait for ourselves.
    return core::MakeError(core::ErrorKind::kInternal,
                           "Database::Write called on the writer thread (use Submit)");
  }
  std::promise<core::Status> promise;
  auto future = promise.get_future();
  Submit(std::move(work),
         [&promise](core::Status status) { promise.set_value(std::move(status)); });
  return future.get();
}

core::Status Database::ReadOnly(Read read) {
  std::lock_guard lock(impl_->reader_mu);
  core::Status status = Guarded([&] {
    ScopedStatementCache scope(*impl_->reader_cache);
    return read(*impl_->reader);
  });
  impl_->reader_cache->ResetUsed();
  return status;
}

bool Database::OnWriterThread() const { return std::this_thread::get_id() == impl_->writer_id; }

int Database::schema_version() const { return impl_->schema_version; }

const std::string& Database::path() const { return impl_->options.path; }

std::uint64_t Database::transactions_committed() const {
  return impl_->transactions.load(std::memory_order_relaxed);
}

}  // namespace contexten::store
