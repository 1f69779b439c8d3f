#pragma once
// Per-call time budgets for synchronous calls, measured with the injected clock. Real I/O
// timeouts (connect, read) live in the HTTP client options and are what actually bound a
// blocked socket; this helper cannot interrupt a call. What it does is make an over-budget
// call count as kTimeout, so the breaker, retry and the caller treat it as the timeout it was
// for them (e.g. a Slack ack that arrives after 3 s is useless). The late outcome is dropped:
// callers of non-idempotent calls must not blindly retry a kTimeout.

#include <chrono>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace contexten::core::resilience {

// "<what> took <elapsed> ms, over its <budget> ms budget" as kTimeout.
Error TimeoutError(std::string_view what, std::chrono::nanoseconds elapsed,
                   std::chrono::nanoseconds budget);

// A budget started now; pass Remaining() to I/O options, Check() between steps.
class Deadline {
 public:
  Deadline(Clock& clock, std::chrono::nanoseconds budget)
      : clock_(clock), start_(clock.Now()), budget_(budget) {}

  std::chrono::nanoseconds Elapsed() const { return clock_.Now() - start_; }
  std::chrono::nanoseconds Remaining() const;  // never negative
  bool Expired() const { return Elapsed() > budget_; }
  // kTimeout naming `what` once the budget is exceeded.
  Status Check(std::string_view what) const;

 private:
  Clock& clock_;
  SteadyTime start_;
  std::chrono::nanoseconds budget_;
};

// Runs `fn` (returning a Result) and returns kTimeout instead of its outcome if it took longer
// than `budget` (strictly) by the clock.
template <class F>
std::invoke_result_t<F&> WithTimeBudget(Clock& clock, std::chrono::nanoseconds budget,
                                        std::string_view what, F&& fn) {
  const Deadline deadline(clock, budget);
  auto result = fn();
  if (deadline.Expired()) return TimeoutError(what, deadline.Elapsed(), budget);
  return result;
}

}  // namespace contexten::core::resilience
