#pragma once
// Polls a condition until it holds or a deadline passes. For waiting on another thread's
// progress where no event is offered (shutdown draining, the console waiting for the bot, tests);
// never for waiting out time itself.

#include <chrono>
#include <functional>
#include <thread>

namespace contexten::core {

// True as soon as `condition()` holds; false if it still fails once `deadline` has passed.
inline bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds deadline,
                      std::chrono::milliseconds poll = std::chrono::milliseconds(1)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(poll);
  }
  return true;
}

}  // namespace contexten::core
