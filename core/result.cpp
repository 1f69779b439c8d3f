#include "core/result.hpp"

namespace contexten::core {

std::string_view ToString(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kTransient: return "transient";
    case ErrorKind::kTimeout: return "timeout";
    case ErrorKind::kRateLimited: return "rate_limited";
    case ErrorKind::kUnavailable: return "unavailable";
    case ErrorKind::kInvalidInput: return "invalid_input";
    case ErrorKind::kUnauthorized: return "unauthorized";
    case ErrorKind::kNotFound: return "not_found";
    case ErrorKind::kConflict: return "conflict";
    case ErrorKind::kTooLarge: return "too_large";
    case ErrorKind::kTls: return "tls";
    case ErrorKind::kInternal: return "internal";
  }
  return "unknown";
}

bool IsRetryable(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kTransient:
    case ErrorKind::kTimeout:
    case ErrorKind::kRateLimited:
    case ErrorKind::kUnavailable:
      return true;
    default:
      return false;
  }
}

std::string Error::Describe() const {
  std::string out(ToString(kind));
  out += ": ";
  out += message;
  return out;
}

}  // namespace contexten::core
