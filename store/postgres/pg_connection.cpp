#include "store/postgres/pg_connection.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cstring>

namespace contexten::store::postgres {
namespace {

PGconn* Conn(void* conn) { return static_cast<PGconn*>(conn); }
PGresult* Res(const std::shared_ptr<void>& result) { return static_cast<PGresult*>(result.get()); }

// SQLSTATE classes (PostgreSQL docs, appendix A "Error Codes"): 08 connection, 40 transaction
// rollback (serialization failure, deadlock: retryable), 23505 unique violation, 57014 canceled.
core::ErrorKind KindOf(const char* sqlstate, bool connection_ok) {
  if (!connection_ok) return core::ErrorKind::kUnavailable;
  if (sqlstate == nullptr) return core::ErrorKind::kInternal;
  const std::string_view state(sqlstate);
  if (state.substr(0, 2) == "08" || state.substr(0, 2) == "57") {
    return state == "57014" ? core::ErrorKind::kTimeout : core::ErrorKind::kUnavailable;
  }
  if (state.substr(0, 2) == "40") return core::ErrorKind::kTransient;
  if (state == "23505") return core::ErrorKind::kConflict;
  if (state.substr(0, 2) == "22" || state.substr(0, 2) == "23") {
    return core::ErrorKind::kInvalidInput;
  }
  return core::ErrorKind::kInternal;
}

std::string Trimmed(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

core::Error ResultError(PGconn* conn, const PGresult* result, std::string_view what) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string message =
      Trimmed(result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn));
  return core::MakeError(KindOf(state, PQstatus(conn) == CONNECTION_OK),
                         "postgresql " + std::string(what) + ": " + message +
                             (state != nullptr ? " [" + std::string(state) + "]" : ""));
}

std::shared_ptr<void> Own(PGresult* result) {
  return std::shared_ptr<void>(result, [](void* r) { PQclear(static_cast<PGresult*>(r)); });
}

}  // namespace

PgParams& PgParams::Add(std::string_view text) {
  values_.emplace_back(text);
  null_.push_back(false);
  binary_.push_back(0);
  return *this;
}

PgParams& PgParams::Add(std::int64_t value) { return Add(std::string_view(std::to_string(value))); }

PgParams& PgParams::Add(bool value) { return Add(value ? std::string_view("1") : "0"); }

PgParams& PgParams::Add(std::optional<std::int64_t> value) {
  return value ? Add(*value) : AddNull();
}

PgParams& PgParams::AddNull() {
  values_.emplace_back();
  null_.push_back(true);
  binary_.push_back(0);
  return *this;
}

PgParams& PgParams::AddBytes(std::string_view bytes) {
  values_.emplace_back(bytes);
  null_.push_back(false);
  binary_.push_back(1);
  return *this;
}

bool PgRows::IsNull(int row, int column) const {
  return PQgetisnull(Res(result_), row, column) != 0;
}

std::string PgRows::Text(int row, int column) const {
  const PGresult* r = Res(result_);
  return std::string(PQgetvalue(r, row, column),
                     static_cast<std::size_t>(PQgetlength(r, row, column)));
}

std::int64_t PgRows::Int(int row, int column) const {
  const PGresult* r = Res(result_);
  const char* text = PQgetvalue(r, row, column);
  std::int64_t value = 0;
  std::from_chars(text, text + PQgetlength(r, row, column), value);
  return value;
}

std::optional<std::int64_t> PgRows::OptionalInt(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Int(row, column);
}

bool PgRows::Bool(int row, int column) const {
  const std::string text = Text(row, column);
  return text == "t" || text == "true" || (!text.empty() && text != "f" && text != "0");
}

std::string PgRows::Bytes(int row, int column) const {
  const auto* escaped =
      reinterpret_cast<const unsigned char*>(PQgetvalue(Res(result_), row, column));
  std::size_t length = 0;
  unsigned char* raw = PQunescapeBytea(escaped, &length);
  if (raw == nullptr) return {};
  std::string bytes(reinterpret_cast<const char*>(raw), length);
  PQfreemem(raw);
  return bytes;
}

core::Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& conninfo,
                                                                  const std::string& schema) {
  if (!schema.empty() && !IsPlainIdentifier(schema)) {
    return core::MakeError(core::ErrorKind::kInvalidInput,
                           "postgresql schema '" + schema + "' must be [a-z][a-z0-9_]*");
  }
  std::unique_ptr<PgConnection> connection(new PgConnection());
  connection->conn_ = PQconnectdb(conninfo.c_str());
  PGconn* conn = Conn(connection->conn_);
  if (conn == nullptr) {
    return core::MakeError(core::ErrorKind::kInternal, "postgresql: out of memory");
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    // PQerrorMessage names host and port, never the password.
    return core::MakeError(core::ErrorKind::kUnavailable,
                           "postgresql connect: " + Trimmed(PQerrorMessage(conn)));
  }
  // Quiet NOTICEs (CREATE ... IF NOT EXISTS) instead of libpq's default print to stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  if (!schema.empty()) {
    // The name passed IsPlainIdentifier: safe to quote into the text.
    if (auto created = connection->ExecScript("CREATE SCHEMA IF NOT EXISTS \"" + schema +
                                              "\"; SET search_path TO \"" + schema + "\"");
        !created) {
      // Two connections creating one schema at once: the loser sees a unique violation.
      if (auto again = connection->ExecScript("SET search_path TO \"" + schema + "\""); !again) {
        return again.error();
      }
    }
  }
  return connection;
}

PgConnection::~PgConnection() {
  if (conn_ != nullptr) PQfinish(Conn(conn_));
}

core::Result<PgRows> PgConnection::Exec(const std::string& sql, const PgParams& params) {
  PGconn* conn = Conn(conn_);
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    const std::string name = "s" + std::to_string(prepared_.size() + 1);
    PGresult* prepared = PQprepare(conn, name.c_str(), sql.c_str(), 0, nullptr);
    auto owned = Own(prepared);
    if (prepared == nullptr || PQresultStatus(prepared) != PGRES_COMMAND_OK) {
      return ResultError(conn, prepared, "prepare");
    }
    it = prepared_.emplace(sql, name).first;
  }
  const int n = static_cast<int>(params.size());
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    values[i] = params.null_[i] ? nullptr : params.values_[i].data();
    lengths[i] = static_cast<int>(params.values_[i].size());
  }
  PGresult* result = PQexecPrepared(conn, it->second.c_str(), n, values.data(), lengths.data(),
                                    params.binary_.data(), 0);
  PgRows rows;
  rows.result_ = Own(result);
  const ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    return ResultError(conn, result, "statement");
  }
  rows.rows_ = PQntuples(result);
  const char* tuples = PQcmdTuples(result);
  if (tuples != nullptr && *tuples != '\0') {
    std::from_chars(tuples, tuples + std::strlen(tuples), rows.affected_);
  }
  return rows;
}

core::Status PgConnection::ExecScript(const std::string& sql) {
  PGconn* conn = Conn(conn_);
  PGresult* result = PQexec(conn, sql.c_str());
  auto owned = Own(result);
  const ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return ResultError(conn, result, "script");
  }
  return core::Ok();
}

bool PgConnection::healthy() const { return PQstatus(Conn(conn_)) == CONNECTION_OK; }

bool PgConnection::in_transaction() const {
  return PQtransactionStatus(Conn(conn_)) != PQTRANS_IDLE;
}

core::Result<PgTransaction> PgTransaction::Begin(PgConnection& connection) {
  if (auto begun = connection.ExecScript("BEGIN"); !begun) return begun.error();
  return PgTransaction(connection);
}

PgTransaction::PgTransaction(PgTransaction&& other) noexcept
    : connection_(other.connection_), open_(other.open_) {
  other.open_ = false;
}

PgTransaction::~PgTransaction() {
  if (open_) (void)connection_->ExecScript("ROLLBACK");
}

core::Status PgTransaction::Commit() {
  open_ = false;
  auto committed = connection_->ExecScript("COMMIT");
  if (!committed) (void)connection_->ExecScript("ROLLBACK");
  return committed;
}

bool IsPlainIdentifier(std::string_view name) {
  if (name.empty() || name.size() > 63 || !(name[0] >= 'a' && name[0] <= 'z')) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

}  // namespace contexten::store::postgres
