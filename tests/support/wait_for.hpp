#pragma once
// Tests never sleep to wait: they poll a condition until it holds or a deadline passes.

#include <chrono>
#include <functional>

#include "core/wait_until.hpp"

namespace contexten::testing {

// Returns true as soon as `condition()` holds; false if it still fails at the deadline.
inline bool WaitFor(const std::function<bool()>& condition,
                    std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
  return core::WaitUntil(condition, deadline);
}

}  // namespace contexten::testing
