#include "store/postgres/pg_leadership.hpp"

#include "store/postgres/pg_connection.hpp"

namespace contexten::store::postgres {
namespace {

// One advisory lock key per schema and role (PostgreSQL docs, "Advisory Locks").
constexpr const char* kKey = "hashtext('contexten.lead.' || current_schema() || '.' || $1)";

}  // namespace

PgLeadership::PgLeadership(PgDatabase& db) : db_(db) {}

PgLeadership::~PgLeadership() {
  std::lock_guard lock(mu_);
  connection_.reset();  // closing the session releases its locks
}

core::Result<std::optional<std::int64_t>> PgLeadership::Lead(const std::string& role) {
  std::lock_guard lock(mu_);
  if (connection_ && !connection_->Exec("SELECT 1")) connection_.reset();
  if (!connection_) {
    terms_.clear();  // a lost session lost its locks
    auto connected = PgConnection::Connect(db_.options().url, db_.options().schema);
    if (!connected) return connected.error();
    connection_ = std::move(*connected);
  }
  if (auto it = terms_.find(role); it != terms_.end()) return std::optional(it->second);
  auto locked = connection_->Exec(std::string("SELECT pg_try_advisory_lock(") + kKey + ")",
                                  PgParams().Add(role));
  if (!locked) return locked.error();
  if (!locked->Bool(0, 0)) return std::optional<std::int64_t>();
  auto term = connection_->Exec(
      "INSERT INTO leader_terms(role, epoch, holder) VALUES($1, 1, $2) ON CONFLICT(role) DO "
      "UPDATE SET epoch = leader_terms.epoch + 1, holder = excluded.holder RETURNING epoch",
      PgParams().Add(role).Add(db_.options().replica_id));
  if (!term) {
    (void)connection_->Exec(std::string("SELECT pg_advisory_unlock(") + kKey + ")",
                            PgParams().Add(role));
    return term.error();
  }
  terms_[role] = term->Int(0, 0);
  return std::optional(terms_[role]);
}

void PgLeadership::StepDown(const std::string& role) {
  std::lock_guard lock(mu_);
  if (terms_.erase(role) == 0 || !connection_) return;
  (void)connection_->Exec(std::string("SELECT pg_advisory_unlock(") + kKey + ")",
                          PgParams().Add(role));
}

}  // namespace contexten::store::postgres
