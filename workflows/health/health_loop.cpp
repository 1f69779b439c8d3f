#include "workflows/health/health_loop.hpp"

#include <spdlog/spdlog.h>

#include "core/logging.hpp"

namespace contexten::workflows::health {

HealthLoop::HealthLoop(HealthMonitor& monitor, core::Millis interval)
    : monitor_(monitor), interval_(interval) {}

HealthLoop::~HealthLoop() { Stop(); }

void HealthLoop::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void HealthLoop::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void HealthLoop::Wake() {
  std::lock_guard lock(mu_);
  ++wake_seq_;
  cv_.notify_all();
}

void HealthLoop::Run() {
  static auto log = core::Logger("health");
  while (true) {
    std::uint64_t seen;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      seen = wake_seq_;
    }
    if (auto ticked = monitor_.Tick(); !ticked) {
      log->warn("health sample incomplete: {}", ticked.error().Describe());
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, interval_, [&] { return stopping_ || wake_seq_ != seen; });
  }
}

}  // namespace contexten::workflows::health
