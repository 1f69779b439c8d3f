#include "workflows/engine/timer_loop.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/logging.hpp"

namespace contexten::workflows::engine {

TimerLoop::TimerLoop(Engine& engine, core::Millis max_wait)
    : engine_(engine), max_wait_(max_wait) {}

TimerLoop::~TimerLoop() { Stop(); }

void TimerLoop::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void TimerLoop::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void TimerLoop::Wake() {
  std::lock_guard lock(mu_);
  ++wake_seq_;
  cv_.notify_all();
}

std::uint64_t TimerLoop::fired() const {
  std::lock_guard lock(mu_);
  return fired_;
}

void TimerLoop::Run() {
  static auto log = core::Logger("timers");
  while (true) {
    std::uint64_t seen;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      seen = wake_seq_;
    }
    auto fired = engine_.FireDueTimers();
    if (!fired) {
      log->warn("firing due timers failed: {}", fired.error().Describe());
    } else if (*fired > 0) {
      std::lock_guard lock(mu_);
      fired_ += *fired;
      continue;  // more may be due
    }
    core::Millis wait = max_wait_;
    if (auto next = engine_.NextTimerDue(); next && *next) {
      // A due timer that did not fire (its run could not take it) is tried again shortly,
      // not in a spin.
      wait = std::clamp(core::Millis(**next - engine_.NowMs()), core::Millis(50), max_wait_);
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, wait, [&] { return stopping_ || wake_seq_ != seen; });
  }
}

}  // namespace contexten::workflows::engine
