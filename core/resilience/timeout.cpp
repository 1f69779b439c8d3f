#include "core/resilience/timeout.hpp"

#include <algorithm>

namespace contexten::core::resilience {

Error TimeoutError(std::string_view what, std::chrono::nanoseconds elapsed,
                   std::chrono::nanoseconds budget) {
  using std::chrono::ceil;
  using std::chrono::milliseconds;
  return MakeError(ErrorKind::kTimeout,
                   std::string(what) + " took " +
                       std::to_string(ceil<milliseconds>(elapsed).count()) + " ms, over its " +
                       std::to_string(ceil<milliseconds>(budget).count()) + " ms budget");
}

std::chrono::nanoseconds Deadline::Remaining() const {
  return std::max(std::chrono::nanoseconds(0), budget_ - Elapsed());
}

Status Deadline::Check(std::string_view what) const {
  if (Expired()) return TimeoutError(what, Elapsed(), budget_);
  return Ok();
}

}  // namespace contexten::core::resilience
