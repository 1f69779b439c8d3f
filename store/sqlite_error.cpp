#include "store/sqlite_error.hpp"

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include <string>

namespace contexten::store {
namespace {

std::string WithContext(std::string_view context, const char* what) {
  std::string message;
  if (!context.empty()) {
    message.append(context);
    message.append(": ");
  }
  message.append(what);
  return message;
}

}  // namespace

core::Error FromSqlite(const SQLite::Exception& e, std::string_view context) {
  const int primary = e.getErrorCode() & 0xff;
  const auto kind = (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
                        ? core::ErrorKind::kUnavailable
                        : core::ErrorKind::kInternal;
  return core::MakeError(kind, WithContext(context, e.what()));
}

core::Error FromException(const std::exception& e, std::string_view context) {
  return core::MakeError(core::ErrorKind::kInternal, WithContext(context, e.what()));
}

}  // namespace contexten::store
