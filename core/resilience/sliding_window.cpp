#include "core/resilience/sliding_window.hpp"

#include <algorithm>

namespace contexten::core::resilience {

CountSlidingWindow::CountSlidingWindow(int size)
    : ring_(static_cast<std::size_t>(std::max(size, 1))) {}

void CountSlidingWindow::Record(CallOutcome outcome) {
  CallOutcome& slot = ring_[static_cast<std::size_t>(next_)];
  if (buffered_ == size()) {
    failures_ -= slot.failure ? 1 : 0;
    slow_ -= slot.slow ? 1 : 0;
  } else {
    ++buffered_;
  }
  slot = outcome;
  failures_ += outcome.failure ? 1 : 0;
  slow_ += outcome.slow ? 1 : 0;
  next_ = (next_ + 1) % size();
}

void CountSlidingWindow::Clear() {
  std::fill(ring_.begin(), ring_.end(), CallOutcome{});
  next_ = buffered_ = failures_ = slow_ = 0;
}

float CountSlidingWindow::FailureRate() const {
  return buffered_ == 0 ? 0.0f
                        : static_cast<float>(failures_) * 100.0f / static_cast<float>(buffered_);
}

float CountSlidingWindow::SlowCallRate() const {
  return buffered_ == 0 ? 0.0f : static_cast<float>(slow_) * 100.0f / static_cast<float>(buffered_);
}

}  // namespace contexten::core::resilience
