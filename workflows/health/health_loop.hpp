#pragma once
// Runs the health monitor on one thread: it ticks, then waits (on a condition variable, not a
// sleep) for the sample interval or a Wake() (a breaker changed state), like engine/timer_loop.
// The waits that matter to alerting (grouping delay, reminders) are the incident runs' durable
// timers, not this thread's.

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "core/clock.hpp"
#include "workflows/health/health_monitor.hpp"

namespace contexten::workflows::health {

class HealthLoop {
 public:
  HealthLoop(HealthMonitor& monitor, core::Millis interval);
  ~HealthLoop();
  HealthLoop(const HealthLoop&) = delete;
  HealthLoop& operator=(const HealthLoop&) = delete;

  void Start();
  void Stop();
  void Wake();

 private:
  void Run();

  HealthMonitor& monitor_;
  core::Millis interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t wake_seq_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace contexten::workflows::health
