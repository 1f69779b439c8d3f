#pragma once
// Leadership on PostgreSQL: a session advisory lock per role (pg_try_advisory_lock) on a
// connection of its own, so the lock goes when the replica dies (its connection closes), and a
// term row (leader_terms) whose epoch grows by one each time a replica takes the lock: the
// fencing token.

#include <map>
#include <memory>
#include <mutex>

#include "store/leadership.hpp"
#include "store/postgres/pg_database.hpp"

namespace contexten::store::postgres {

class PgConnection;

class PgLeadership final : public Leadership {
 public:
  explicit PgLeadership(PgDatabase& db);
  ~PgLeadership() override;
  core::Result<std::optional<std::int64_t>> Lead(const std::string& role) override;
  void StepDown(const std::string& role) override;

 private:
  PgDatabase& db_;
  std::mutex mu_;
  std::unique_ptr<PgConnection> connection_;   // holds the session locks
  std::map<std::string, std::int64_t> terms_;  // role -> epoch, while leading
};

}  // namespace contexten::store::postgres
