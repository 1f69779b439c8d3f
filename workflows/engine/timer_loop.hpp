#pragma once
// Fires due workflow timers on one thread: it waits (on a condition variable, not a sleep) for
// the earliest timer row's due time or a Wake() from a step that set one, then lets the engine
// fire what is due. A week-long timer is a row; this thread holds nothing per timer.

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "workflows/engine/engine.hpp"

namespace contexten::workflows::engine {

class TimerLoop {
 public:
  // `max_wait`: the longest the loop waits without looking again (a timer set by another
  // process, or a clock that jumped).
  explicit TimerLoop(Engine& engine, core::Millis max_wait = std::chrono::seconds(1));
  ~TimerLoop();
  TimerLoop(const TimerLoop&) = delete;
  TimerLoop& operator=(const TimerLoop&) = delete;

  void Start();
  void Stop();
  void Wake();
  std::uint64_t fired() const;

 private:
  void Run();

  Engine& engine_;
  core::Millis max_wait_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t wake_seq_ = 0;
  std::uint64_t fired_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace contexten::workflows::engine
