#pragma once
// The event loop that all network I/O runs on. Callers see only this small header; Asio lives in
// core/net/*.cpp behind core/net/asio.hpp (Non-negotiable 7: keep the network stack out of
// workflow translation units).

#include <chrono>
#include <functional>
#include <memory>

namespace contexten::core::net {

// Handle to a scheduled callback. Cancel() is safe from any thread and after it fired.
class TimerHandle {
 public:
  virtual ~TimerHandle() = default;
  virtual void Cancel() = 0;
};

class IoRuntime {
 public:
  explicit IoRuntime(int threads = 1);
  ~IoRuntime();  // Stop() and join.
  IoRuntime(const IoRuntime&) = delete;
  IoRuntime& operator=(const IoRuntime&) = delete;

  // Runs `fn` on an I/O thread.
  void Post(std::function<void()> fn);
  // Runs `fn` on an I/O thread after `delay` (wall-clock time of the loop, not core::Clock:
  // this is plumbing for sockets; logic that tests must steer takes a core::Clock).
  std::shared_ptr<TimerHandle> RunAfter(std::chrono::milliseconds delay, std::function<void()> fn);
  // True when called from one of this runtime's threads (blocking calls must not be).
  bool InIoThread() const;
  void Stop();

  struct Impl;  // defined in core/net/io_runtime_impl.hpp, for core/net/*.cpp only
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace contexten::core::net
