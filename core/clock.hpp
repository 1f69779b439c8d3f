#pragma once
// Injectable time. Everything that depends on time (timeouts, backoff, breaker windows,
// timestamp windows, schedules) takes a Clock& so tests can move time instead of sleeping.

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace contexten::core {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime Now() const = 0;     // monotonic, for durations and deadlines
  virtual WallTime WallNow() const = 0;   // calendar time, for timestamps and schedules
  // Blocks the calling thread for `d` of this clock's time. A fake clock advances instead.
  virtual void SleepFor(std::chrono::nanoseconds d) = 0;
};

class SystemClock final : public Clock {
 public:
  SteadyTime Now() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }
  void SleepFor(std::chrono::nanoseconds d) override;
};

// Shared process clock for production wiring.
Clock& DefaultClock();

// A clock that only moves when told to. SleepFor advances it, so code under test that waits
// (retry backoff) runs instantly while still observing the time it "waited".
class FakeClock final : public Clock {
 public:
  explicit FakeClock(WallTime wall_start = WallTime{std::chrono::hours(24 * 365 * 56)});
  SteadyTime Now() const override;
  WallTime WallNow() const override;
  void SleepFor(std::chrono::nanoseconds d) override;
  void Advance(std::chrono::nanoseconds d);
  // Total time passed through SleepFor (to assert on backoff).
  std::chrono::nanoseconds slept() const;

 private:
  mutable std::mutex mu_;
  std::chrono::nanoseconds offset_{0};
  std::chrono::nanoseconds slept_{0};
  SteadyTime steady_start_{};
  WallTime wall_start_;
};

}  // namespace contexten::core
