#pragma once
// Result<T>: the return type of everything that touches I/O. Shaped like std::expected (which
// GCC 12 only offers in C++23 mode) so that moving to it later is a rename.

#include <cassert>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace contexten::core {

enum class ErrorKind {
  kTransient,     // network blip, 5xx, connection reset: retry
  kTimeout,       // deadline passed: retry
  kRateLimited,   // 429 / ratelimited: retry after `retry_after`
  kUnavailable,   // breaker open, shutting down, peer not connected: retry later
  kInvalidInput,  // our request or their payload is malformed: do not retry
  kUnauthorized,  // bad token or signature: do not retry
  kNotFound,      // no such thing: do not retry
  kConflict,      // duplicate or state conflict: do not retry
  kTooLarge,      // body over a limit: do not retry
  kTls,           // certificate or host name verification failed: do not retry
  kInternal,      // a bug or an unexpected platform answer: do not retry
};

std::string_view ToString(ErrorKind kind);
bool IsRetryable(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string message;
  std::optional<std::chrono::milliseconds> retry_after;
  // The request was (or may have been) fully sent before the connection timed out, was reset or
  // closed without a complete answer: the peer may have acted on it. A caller that would create
  // something again on retry must look for it first (../shared/DESIGN.md §3, "look before
  // re-creating"). False when nothing can have reached the peer (refused connect, TLS handshake
  // failure, a failed write) or when the peer answered.
  bool outcome_unknown = false;
  // Set by a rate limiter's refusal: which budget refused ("slack.chat.update",
  // "slack.chat.postMessage[C1]") and the time it grants one call in. A caller holding many
  // refused calls gives each its own later slot instead of retrying them all at once.
  std::string rate_scope;
  std::chrono::milliseconds rate_interval{0};
  // Set by a circuit breaker's or a bulkhead's refusal: nothing was sent, so the call did not
  // fail at the peer; retry_after (when given) is when the breaker lets a trial call through.
  bool refused_locally = false;

  bool retryable() const { return IsRetryable(kind); }
  // "<kind>: <message>", the form used in logs.
  std::string Describe() const;
};

inline Error MakeError(ErrorKind kind, std::string message,
                       std::optional<std::chrono::milliseconds> retry_after = std::nullopt) {
  Error error;
  error.kind = kind;
  error.message = std::move(message);
  error.retry_after = retry_after;
  return error;
}

// An error after which the peer may or may not have applied the request (see
// Error::outcome_unknown). `kind` is the transport's (kTimeout, kTransient).
inline Error MakeOutcomeUnknown(ErrorKind kind, std::string message) {
  Error error = MakeError(kind, std::move(message));
  error.outcome_unknown = true;
  return error;
}

// Tag used to construct a failed Result: `return Unexpected(MakeError(...));`
struct Unexpected {
  explicit Unexpected(Error e) : error(std::move(e)) {}
  Error error;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result() requires std::is_default_constructible_v<T> : data_(std::in_place_index<0>) {}
  Result(T value) : data_(std::in_place_index<0>, std::move(value)) {}         // NOLINT
  Result(Unexpected u) : data_(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT
  Result(Error e) : data_(std::in_place_index<1>, std::move(e)) {}             // NOLINT

  bool has_value() const { return data_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(data_);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(data_);
  }
  T&& value() && {
    assert(has_value());
    return std::move(std::get<0>(data_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    assert(!has_value());
    return std::get<1>(data_);
  }
  Error& error() {
    assert(!has_value());
    return std::get<1>(data_);
  }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Error> data_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;
  Result() = default;
  Result(Unexpected u) : error_(std::move(u.error)) {}  // NOLINT
  Result(Error e) : error_(std::move(e)) {}             // NOLINT

  bool has_value() const { return !error_.has_value(); }
  explicit operator bool() const { return has_value(); }
  void value() const { assert(has_value()); }
  const Error& error() const {
    assert(!has_value());
    return *error_;
  }
  Error& error() {
    assert(!has_value());
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

inline Status Ok() { return {}; }

}  // namespace contexten::core
