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

// For tests on a fake clock beside stand-ins that pace in real time: each round moves `clock` by
// `step`, runs `round` (the app's loops: relay ticks, timers) and checks `condition`, until it
// holds or `deadline` of real time passes.
template <typename Clock>
bool AdvanceUntil(Clock& clock, std::chrono::milliseconds step, const std::function<void()>& round,
                  const std::function<bool()>& condition,
                  std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
  return WaitFor(
      [&] {
        clock.Advance(step);
        round();
        return condition();
      },
      deadline);
}

}  // namespace contexten::testing
