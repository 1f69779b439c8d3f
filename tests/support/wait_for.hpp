#pragma once
// Tests never sleep to wait: they poll a condition until it holds or a deadline passes.

#include <chrono>
#include <functional>
#include <thread>

namespace contexten::testing {

// Returns true as soon as `condition()` holds; false if it still fails at the deadline.
// The short yield between polls is not a wait for an event, just courtesy to other threads.
inline bool WaitFor(const std::function<bool()>& condition,
                    std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return condition();
}

}  // namespace contexten::testing
