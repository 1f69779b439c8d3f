#pragma once
// Tests never sleep to wait: they poll a condition until it holds or a deadline passes.

#include <chrono>
#include <cstdlib>
#include <functional>

#include "core/wait_until.hpp"

namespace contexten::testing {

// How much longer than written every deadline here is: CONTEXTEN_TEST_DEADLINE_SCALE (a whole
// number, default 1). scripts/sanitize.sh sets it, because code built with ThreadSanitizer runs
// 5-15 times slower (clang's ThreadSanitizer documentation, "Overhead") and a deadline meant for
// a normal build would fail there although nothing is wrong. Read once, in this one place.
inline int DeadlineScale() {
  static const int scale = [] {
    const char* text = std::getenv("CONTEXTEN_TEST_DEADLINE_SCALE");
    const int value = text ? std::atoi(text) : 1;
    return value >= 1 ? value : 1;
  }();
  return scale;
}

// Returns true as soon as `condition()` holds; false if it still fails at the deadline (times
// DeadlineScale()).
inline bool WaitFor(const std::function<bool()>& condition,
                    std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
  return core::WaitUntil(condition, deadline * DeadlineScale());
}

// For tests on a fake clock beside stand-ins that pace in real time: each round moves `clock` by
// `step`, runs `round` (the app's loops: relay ticks, timers) and checks `condition`, until it
// holds or `deadline` of real time (times DeadlineScale(), through WaitFor) passes.
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
