#pragma once
// Turns SQLite failures into core::Error so that no SQLite error ever escapes as an exception.

#include <exception>
#include <string_view>

#include "core/result.hpp"

namespace SQLite {
class Exception;
}

namespace contexten::store {

// kUnavailable for "busy/locked" (another process holds the lock past busy_timeout: retry
// later), kInternal for everything else, with SQLite's message (which never holds bound values).
core::Error FromSqlite(const SQLite::Exception& e, std::string_view context = {});
// For exceptions that are not SQLite's (a bug in a Work, bad_alloc): kInternal.
core::Error FromException(const std::exception& e, std::string_view context = {});

}  // namespace contexten::store
