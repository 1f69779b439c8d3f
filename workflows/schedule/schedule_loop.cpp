#include "workflows/schedule/schedule_loop.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "core/logging.hpp"

namespace contexten::workflows::schedule {

ScheduleLoop::ScheduleLoop(Scheduler& scheduler, core::Clock& clock, core::Millis max_wait)
    : scheduler_(scheduler), clock_(clock), max_wait_(max_wait) {}

ScheduleLoop::~ScheduleLoop() { Stop(); }

void ScheduleLoop::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void ScheduleLoop::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void ScheduleLoop::Wake() {
  std::lock_guard lock(mu_);
  ++wake_seq_;
  cv_.notify_all();
}

std::uint64_t ScheduleLoop::fired() const {
  std::lock_guard lock(mu_);
  return fired_;
}

std::uint64_t ScheduleLoop::ticks() const {
  std::lock_guard lock(mu_);
  return ticks_;
}

void ScheduleLoop::Run() {
  static auto log = core::Logger("scheduler");
  std::optional<bool> leading;  // the last tick's, to log changes only
  while (true) {
    std::uint64_t seen;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      seen = wake_seq_;
    }
    core::Millis wait = max_wait_;
    auto ticked = scheduler_.Tick(clock_.WallNow());
    if (!ticked) {
      log->warn("scheduler tick failed: {}", ticked.error().Describe());
    } else {
      if (leading != ticked->leading) {
        log->info(ticked->leading ? "scheduler: this replica leads; it fires scheduled reports"
                                  : "scheduler: another replica leads; this one waits");
        leading = ticked->leading;
      }
      for (const auto& error : ticked->errors) log->warn("scheduler: {}", error);
      for (const auto& t : ticked->fired) log->info("schedule {} fired", t.schedule_id);
      if (ticked->next_wake) {
        const auto until =
            std::chrono::duration_cast<core::Millis>(*ticked->next_wake - clock_.WallNow());
        // At least a little: a slot that stays due (its fire keeps failing) is not retried in a
        // spin.
        wait = std::clamp(until, core::Millis(10), max_wait_);
      }
    }
    std::unique_lock lock(mu_);
    ++ticks_;
    if (ticked) fired_ += ticked->fired.size();
    cv_.notify_all();
    cv_.wait_for(lock, wait, [&] { return stopping_ || wake_seq_ != seen; });
  }
}

}  // namespace contexten::workflows::schedule
