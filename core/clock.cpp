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

}  // namespace contexten::core
