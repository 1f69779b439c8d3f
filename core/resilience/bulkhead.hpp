#pragma once
// Bulkhead (resilience4j's semaphore bulkhead): at most max_concurrent calls at once; a caller
// waits at most max_wait for a slot and is otherwise refused with kUnavailable. The wait uses
// a condition variable on the real steady clock, because a slot is freed by another thread and
// a fake clock cannot wake anyone; the injected clock only stamps events.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "core/clock.hpp"
#include "core/resilience/events.hpp"
#include "core/result.hpp"

namespace contexten::core::resilience {

struct BulkheadConfig {
  int max_concurrent = 25;
  Millis max_wait{0};

  // Throws std::invalid_argument naming the bad field (a startup/config error).
  void Validate() const;
};

class Bulkhead;

// A held slot; frees it when destroyed. Movable, not copyable.
class BulkheadPermit {
 public:
  BulkheadPermit() = default;
  BulkheadPermit(BulkheadPermit&& other) noexcept;
  BulkheadPermit& operator=(BulkheadPermit&& other) noexcept;
  BulkheadPermit(const BulkheadPermit&) = delete;
  BulkheadPermit& operator=(const BulkheadPermit&) = delete;
  ~BulkheadPermit();

  bool held() const { return owner_ != nullptr; }
  void Release();

 private:
  friend class Bulkhead;
  explicit BulkheadPermit(Bulkhead* owner) : owner_(owner) {}
  Bulkhead* owner_ = nullptr;
};

class Bulkhead {
 public:
  Bulkhead(std::string name, BulkheadConfig config, Clock& clock,
           std::shared_ptr<EventBus> events = nullptr);

  Bulkhead(const Bulkhead&) = delete;
  Bulkhead& operator=(const Bulkhead&) = delete;

  // A slot, waiting up to config.max_wait for one.
  Result<BulkheadPermit> TryEnter();
  // A slot, waiting up to `max_wait` for one.
  Result<BulkheadPermit> TryEnter(Millis max_wait);

  int available() const;
  int waiting() const;
  const std::string& name() const { return name_; }
  const BulkheadConfig& config() const { return config_; }
  EventBus& events() { return *events_; }

 private:
  friend class BulkheadPermit;
  void Leave();

  const std::string name_;
  const BulkheadConfig config_;
  Clock& clock_;
  std::shared_ptr<EventBus> events_;

  mutable std::mutex mu_;
  std::condition_variable freed_;
  int in_use_ = 0;
  int waiting_ = 0;
};

}  // namespace contexten::core::resilience
