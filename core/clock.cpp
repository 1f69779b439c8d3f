#include "core/clock.hpp"

#include <thread>

namespace contexten::core {

void SystemClock::SleepFor(std::chrono::nanoseconds d) { std::this_thread::sleep_for(d); }

Clock& DefaultClock() {
  static SystemClock clock;
  return clock;
}

FakeClock::FakeClock(WallTime wall_start) : wall_start_(wall_start) {}

SteadyTime FakeClock::Now() const {
  std::lock_guard lock(mu_);
  return steady_start_ + std::chrono::duration_cast<SteadyTime::duration>(offset_);
}

WallTime FakeClock::WallNow() const {
  std::lock_guard lock(mu_);
  return wall_start_ + std::chrono::duration_cast<WallTime::duration>(offset_);
}

void FakeClock::SleepFor(std::chrono::nanoseconds d) {
  std::lock_guard lock(mu_);
  offset_ += d;
  slept_ += d;
}

void FakeClock::Advance(std::chrono::nanoseconds d) {
  std::lock_guard lock(mu_);
  offset_ += d;
}

std::chrono::nanoseconds FakeClock::slept() const {
  std::lock_guard lock(mu_);
  return slept_;
}

ManualClock::ManualClock(WallTime wall_start) : wall_start_(wall_start) {}

SteadyTime ManualClock::NowLocked() const {
  return steady_start_ + std::chrono::duration_cast<SteadyTime::duration>(offset_);
}

SteadyTime ManualClock::Now() const {
  std::lock_guard lock(mu_);
  return NowLocked();
}

WallTime ManualClock::WallNow() const {
  std::lock_guard lock(mu_);
  return wall_start_ + std::chrono::duration_cast<WallTime::duration>(offset_);
}

void ManualClock::SleepFor(std::chrono::nanoseconds d) {
  if (d <= std::chrono::nanoseconds(0)) return;
  std::unique_lock lock(mu_);
  const SteadyTime wake = NowLocked() + std::chrono::duration_cast<SteadyTime::duration>(d);
  wake_ups_.insert(wake);
  // Advance removes the wake-ups it makes due, so the entry is gone once this returns.
  moved_.wait(lock, [&] { return NowLocked() >= wake; });
}

void ManualClock::ReleaseDueLocked() {
  wake_ups_.erase(wake_ups_.begin(), wake_ups_.upper_bound(NowLocked()));
}

void ManualClock::Advance(std::chrono::nanoseconds d) {
  if (d <= std::chrono::nanoseconds(0)) return;
  {
    std::lock_guard lock(mu_);
    offset_ += d;
    ReleaseDueLocked();
  }
  moved_.notify_all();
}

bool ManualClock::AdvanceToNextWakeUp() {
  {
    std::lock_guard lock(mu_);
    if (wake_ups_.empty()) return false;
    const SteadyTime next = *wake_ups_.begin();
    const SteadyTime now = NowLocked();
    if (next > now) offset_ += next - now;
    ReleaseDueLocked();
  }
  moved_.notify_all();
  return true;
}

std::optional<SteadyTime> ManualClock::NextWakeUp() const {
  std::lock_guard lock(mu_);
  if (wake_ups_.empty()) return std::nullopt;
  return *wake_ups_.begin();
}

std::size_t ManualClock::sleepers() const {
  std::lock_guard lock(mu_);
  return wake_ups_.size();
}

}  // namespace contexten::core
