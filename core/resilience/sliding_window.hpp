#pragma once
// Count-based sliding window of call outcomes (resilience4j's COUNT_BASED window): the last
// `size` outcomes, with running totals so rates cost O(1) per call.

#include <cstdint>
#include <vector>

namespace contexten::core::resilience {

struct CallOutcome {
  bool failure = false;
  bool slow = false;
};

class CountSlidingWindow {
 public:
  explicit CountSlidingWindow(int size);

  // Adds an outcome, dropping the oldest once the window is full.
  void Record(CallOutcome outcome);
  void Clear();

  int size() const { return static_cast<int>(ring_.size()); }
  int buffered() const { return buffered_; }
  int failures() const { return failures_; }
  int slow() const { return slow_; }
  // Percentages of the buffered calls; 0 when empty.
  float FailureRate() const;
  float SlowCallRate() const;

 private:
  std::vector<CallOutcome> ring_;
  int next_ = 0;
  int buffered_ = 0;
  int failures_ = 0;
  int slow_ = 0;
};

}  // namespace contexten::core::resilience
