#pragma once
// Runs the scheduler on one thread: it ticks, then waits (on a condition variable, not a sleep)
// until the earliest next due time or a Wake() from a change (a schedule added or removed).
// One thread for every schedule; a schedule a week away is a row (like engine/timer_loop.hpp).

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "core/clock.hpp"
#include "workflows/schedule/scheduler.hpp"

namespace contexten::workflows::schedule {

class ScheduleLoop {
 public:
  // `max_wait`: the longest the loop waits without looking again (a schedule added by another
  // process, a wall clock that jumped).
  ScheduleLoop(Scheduler& scheduler, core::Clock& clock,
               core::Millis max_wait = std::chrono::seconds(30));
  ~ScheduleLoop();
  ScheduleLoop(const ScheduleLoop&) = delete;
  ScheduleLoop& operator=(const ScheduleLoop&) = delete;

  void Start();
  void Stop();
  void Wake();
  std::uint64_t fired() const;  // slots fired since Start
  std::uint64_t ticks() const;  // ticks run since Start

 private:
  void Run();

  Scheduler& scheduler_;
  core::Clock& clock_;
  core::Millis max_wait_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t wake_seq_ = 0;
  std::uint64_t fired_ = 0;
  std::uint64_t ticks_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace contexten::workflows::schedule
