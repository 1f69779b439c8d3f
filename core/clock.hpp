#pragma once
// Injectable time. Everything that depends on time (timeouts, backoff, breaker windows,
// timestamp windows, schedules) takes a Clock& so tests can move time instead of sleeping.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <set>

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

// A clock that only moves when told to, for tests of code that sleeps on another thread (a
// relay's loop, a retry's backoff). Unlike FakeClock, SleepFor blocks its caller until
// Advance() moves time to or past its wake-up, so a test decides exactly when each sleeper
// resumes and can see who is waiting: NextWakeUp() is the earliest pending wake-up and
// sleepers() how many threads wait for a later time (a sleeper released by Advance no longer
// counts, even before its thread has run). Destroy it only once no thread sleeps on it.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(WallTime wall_start = WallTime{std::chrono::hours(24 * 365 * 56)});
  SteadyTime Now() const override;
  WallTime WallNow() const override;
  // Returns at once for d <= 0; otherwise waits for Advance() to reach Now() + d.
  void SleepFor(std::chrono::nanoseconds d) override;
  // Moves time forward (negative d is ignored) and wakes every sleeper whose time has come.
  void Advance(std::chrono::nanoseconds d);
  // Advances exactly to the earliest pending wake-up; false (and no move) when nobody sleeps.
  bool AdvanceToNextWakeUp();
  std::optional<SteadyTime> NextWakeUp() const;
  std::size_t sleepers() const;

 private:
  SteadyTime NowLocked() const;
  void ReleaseDueLocked();  // forgets wake-ups at or before now; their sleepers are released

  mutable std::mutex mu_;
  std::condition_variable moved_;
  std::chrono::nanoseconds offset_{0};
  std::multiset<SteadyTime> wake_ups_;
  SteadyTime steady_start_{};
  WallTime wall_start_;
};

}  // namespace contexten::core
