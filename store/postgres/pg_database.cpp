#include "store/postgres/pg_database.hpp"

#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "store/postgres/pg_connection.hpp"

namespace contexten::store::postgres {
namespace {

constexpr int kTransactAttempts = 5;

std::string DefaultReplicaId() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') return "contexten";
  return host;
}

}  // namespace

struct PgDatabase::Impl {
  PgOptions options;
  int schema_version = 0;

  std::mutex mu;
  std::condition_variable returned;
  std::vector<std::unique_ptr<PgConnection>> idle;
  std::size_t open = 0;  // connections out of the pool or idle

  std::mutex queue_mu;
  std::condition_variable queued;
  std::deque<std::pair<Work, std::function<void(core::Status)>>> queue;
  bool stopping = false;
  std::thread worker;

  core::Result<std::unique_ptr<PgConnection>> Acquire() {
    std::unique_lock lock(mu);
    returned.wait(lock, [&] { return !idle.empty() || open < options.pool_size; });
    if (!idle.empty()) {
      auto connection = std::move(idle.back());
      idle.pop_back();
      return connection;
    }
    ++open;
    lock.unlock();
    auto connection = PgConnection::Connect(options.url, options.schema);
    if (!connection) {
      std::lock_guard relock(mu);
      --open;
      returned.notify_one();
    }
    return connection;
  }

  void Release(std::unique_ptr<PgConnection> connection) {
    std::lock_guard lock(mu);
    // A broken connection, or one left inside a transaction, is dropped, not reused.
    if (connection->healthy() && !connection->in_transaction()) {
      idle.push_back(std::move(connection));
    } else {
      --open;
    }
    returned.notify_one();
  }

  core::Status Run(const Work& work) {
    auto connection = Acquire();
    if (!connection) return connection.error();
    core::Status status = work(**connection);
    Release(std::move(*connection));
    return status;
  }

  core::Status Transact(const Work& work) {
    core::Status status = core::Ok();
    for (int attempt = 0; attempt < kTransactAttempts; ++attempt) {
      status = Run([&](PgConnection& connection) -> core::Status {
        auto transaction = PgTransaction::Begin(connection);
        if (!transaction) return transaction.error();
        if (auto done = work(connection); !done) return done;
        return transaction->Commit();
      });
      if (status || status.error().kind != core::ErrorKind::kTransient) return status;
    }
    return status;
  }

  void WorkerLoop() {
    while (true) {
      std::unique_lock lock(queue_mu);
      queued.wait(lock, [&] { return stopping || !queue.empty(); });
      if (queue.empty()) return;
      auto [work, done] = std::move(queue.front());
      queue.pop_front();
      lock.unlock();
      core::Status status = Transact(work);
      if (done) done(std::move(status));
    }
  }
};

PgDatabase::PgDatabase(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

PgDatabase::~PgDatabase() {
  {
    std::lock_guard lock(impl_->queue_mu);
    impl_->stopping = true;
  }
  impl_->queued.notify_all();
  if (impl_->worker.joinable()) impl_->worker.join();
}

core::Result<std::unique_ptr<PgDatabase>> PgDatabase::Open(PgOptions options) {
  if (options.url.empty()) {
    return core::MakeError(core::ErrorKind::kInvalidInput, "postgresql store needs a url");
  }
  if (options.pool_size == 0) options.pool_size = 1;
  if (options.replica_id.empty()) options.replica_id = DefaultReplicaId();
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  auto connection = impl->Acquire();
  if (!connection) return connection.error();
  auto version = MigratePostgres(**connection);
  impl->Release(std::move(*connection));
  if (!version) return version.error();
  impl->schema_version = *version;
  Impl* raw = impl.get();
  impl->worker = std::thread([raw] { raw->WorkerLoop(); });
  return std::unique_ptr<PgDatabase>(new PgDatabase(std::move(impl)));
}

core::Status PgDatabase::Run(const Work& work) { return impl_->Run(work); }

core::Status PgDatabase::Transact(const Work& work) { return impl_->Transact(work); }

void PgDatabase::Submit(Work work, std::function<void(core::Status)> done) {
  {
    std::lock_guard lock(impl_->queue_mu);
    if (!impl_->stopping) {
      impl_->queue.emplace_back(std::move(work), std::move(done));
      impl_->queued.notify_one();
      return;
    }
  }
  if (done) done(core::MakeError(core::ErrorKind::kUnavailable, "postgresql store is closing"));
}

bool PgDatabase::OnWorkerThread() const {
  return std::this_thread::get_id() == impl_->worker.get_id();
}

const PgOptions& PgDatabase::options() const { return impl_->options; }

int PgDatabase::schema_version() const { return impl_->schema_version; }

}  // namespace contexten::store::postgres
