#include "core/resilience/bulkhead.hpp"

#include <stdexcept>

namespace contexten::core::resilience {

void BulkheadConfig::Validate() const {
  if (max_concurrent < 1) throw std::invalid_argument("bulkhead max_concurrent must be >= 1");
  if (max_wait.count() < 0) throw std::invalid_argument("bulkhead max_wait must be >= 0");
}

BulkheadPermit::BulkheadPermit(BulkheadPermit&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)) {}

BulkheadPermit& BulkheadPermit::operator=(BulkheadPermit&& other) noexcept {
  if (this != &other) {
    Release();
    owner_ = std::exchange(other.owner_, nullptr);
  }
  return *this;
}

BulkheadPermit::~BulkheadPermit() { Release(); }

void BulkheadPermit::Release() {
  if (owner_ != nullptr) std::exchange(owner_, nullptr)->Leave();
}

Bulkhead::Bulkhead(std::string name, BulkheadConfig config, Clock& clock,
                   std::shared_ptr<EventBus> events)
    : name_(std::move(name)),
      config_(std::move(config)),
      clock_(clock),
      events_(OrNewBus(std::move(events))) {
  config_.Validate();
}

Result<BulkheadPermit> Bulkhead::TryEnter() { return TryEnter(config_.max_wait); }

Result<BulkheadPermit> Bulkhead::TryEnter(Millis max_wait) {
  {
    std::unique_lock lock(mu_);
    auto has_slot = [this] { return in_use_ < config_.max_concurrent; };
    bool entered = has_slot();
    if (!entered && max_wait.count() > 0) {
      ++waiting_;
      entered = freed_.wait_for(lock, max_wait, has_slot);
      --waiting_;
    }
    if (entered) {
      ++in_use_;
      return BulkheadPermit(this);
    }
  }
  std::string message = "bulkhead '" + name_ + "' is full (" +
                        std::to_string(config_.max_concurrent) + " concurrent calls)";
  ResilienceEvent event;
  event.component = name_;
  event.kind = ResilienceEventKind::kBulkheadFull;
  event.message = message;
  event.at = clock_.WallNow();
  events_->Publish(event);
  Error error = MakeError(ErrorKind::kUnavailable, std::move(message));
  error.refused_locally = true;
  return Unexpected(std::move(error));
}

void Bulkhead::Leave() {
  {
    std::lock_guard lock(mu_);
    --in_use_;
  }
  freed_.notify_one();
}

int Bulkhead::available() const {
  std::lock_guard lock(mu_);
  return config_.max_concurrent - in_use_;
}

int Bulkhead::waiting() const {
  std::lock_guard lock(mu_);
  return waiting_;
}

}  // namespace contexten::core::resilience
