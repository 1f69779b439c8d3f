#pragma once
// A small RAII layer over libpq (../shared/DESIGN.md §2, store/: the PostgreSQL engine). The
// libpq headers stay in the .cpp: the rest of the code sees connections, parameters, rows and a
// transaction guard, never a PGconn or PGresult. Statements are prepared once per connection
// (by their text) and run with parameters; nothing is ever spliced into SQL text.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"

namespace contexten::store::postgres {

// Statement parameters, $1.. in order. Text format, except AddBytes (binary, for BYTEA).
class PgParams {
 public:
  PgParams& Add(std::string_view text);
  PgParams& Add(const std::string& text) { return Add(std::string_view(text)); }
  PgParams& Add(const char* text) { return Add(std::string_view(text)); }
  PgParams& Add(std::int64_t value);
  PgParams& Add(int value) { return Add(static_cast<std::int64_t>(value)); }
  PgParams& Add(bool value);
  PgParams& Add(std::optional<std::int64_t> value);
  PgParams& AddNull();
  PgParams& AddBytes(std::string_view bytes);

  std::size_t size() const { return values_.size(); }

 private:
  friend class PgConnection;
  std::vector<std::string> values_;
  std::vector<bool> null_;
  std::vector<int> binary_;
};

// A statement's result: rows of text columns (BYTEA decoded by Bytes), and for INSERT/UPDATE/
// DELETE the number of rows it touched.
class PgRows {
 public:
  PgRows() = default;
  int size() const { return rows_; }
  bool empty() const { return rows_ == 0; }
  std::int64_t affected() const { return affected_; }
  bool IsNull(int row, int column) const;
  std::string Text(int row, int column) const;
  std::int64_t Int(int row, int column) const;
  std::optional<std::int64_t> OptionalInt(int row, int column) const;
  bool Bool(int row, int column) const;  // boolean, or an integer other than 0
  std::string Bytes(int row, int column) const;

 private:
  friend class PgConnection;
  std::shared_ptr<void> result_;  // the PGresult, PQclear'ed by its deleter
  int rows_ = 0;
  std::int64_t affected_ = 0;
};

class PgConnection {
 public:
  // `conninfo` is a libpq URL or key=value string; `schema`, when set, is the search_path (the
  // schema is created if missing). Errors never repeat the conninfo (it may hold a password).
  static core::Result<std::unique_ptr<PgConnection>> Connect(const std::string& conninfo,
                                                             const std::string& schema);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement with parameters, prepared on this connection on first use.
  core::Result<PgRows> Exec(const std::string& sql, const PgParams& params = {});
  // Runs a script of statements without parameters (migrations, BEGIN/COMMIT).
  core::Status ExecScript(const std::string& sql);
  // False once the server went away; the pool then drops the connection.
  bool healthy() const;
  // True between BEGIN and COMMIT/ROLLBACK (or in a failed transaction).
  bool in_transaction() const;

 private:
  PgConnection() = default;
  void* conn_ = nullptr;                                   // PGconn
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

// BEGIN on construction; ROLLBACK on destruction unless Commit succeeded.
class PgTransaction {
 public:
  static core::Result<PgTransaction> Begin(PgConnection& connection);
  PgTransaction(PgTransaction&& other) noexcept;
  PgTransaction& operator=(PgTransaction&&) = delete;
  ~PgTransaction();
  core::Status Commit();

 private:
  explicit PgTransaction(PgConnection& connection) : connection_(&connection) {}
  PgConnection* connection_;
  bool open_ = true;
};

// A SQL identifier made only of [a-z0-9_], starting with a letter (schema names we create).
bool IsPlainIdentifier(std::string_view name);

}  // namespace contexten::store::postgres
