#include "core/net/io_runtime.hpp"

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>

#include "core/net/io_runtime_impl.hpp"

namespace contexten::core::net {
namespace {

// The timer lives on its own strand: the completion and a Cancel() posted from another thread
// would otherwise race on the timer object with a multi-threaded loop.
class AsioTimer final : public TimerHandle, public std::enable_shared_from_this<AsioTimer> {
 public:
  explicit AsioTimer(asio::io_context& context)
      : strand_(asio::make_strand(context)), timer_(strand_) {}
  void Start(std::chrono::milliseconds delay, std::function<void()> fn) {
    asio::dispatch(strand_, [self = shared_from_this(), delay, fn = std::move(fn)]() mutable {
      self->timer_.expires_after(delay);
      self->timer_.async_wait([self, fn = std::move(fn)](const boost::system::error_code& ec) {
        if (!ec && !self->cancelled_.load()) fn();
      });
    });
  }
  void Cancel() override {
    cancelled_.store(true);
    asio::post(strand_, [self = shared_from_this()] { self->timer_.cancel(); });
  }

 private:
  asio::strand<asio::io_context::executor_type> strand_;
  asio::steady_timer timer_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace

IoRuntime::IoRuntime(int threads) : impl_(std::make_unique<Impl>()) {
  threads = std::max(threads, 1);
  // Threads wait for the id list to be complete before running handlers, so InIoThread()
  // never reads the vector while it is still being filled.
  std::promise<void> ids_ready;
  std::shared_future<void> ready = ids_ready.get_future().share();
  for (int i = 0; i < threads; ++i) {
    impl_->threads.emplace_back([this, ready] {
      ready.wait();
      impl_->context.run();
    });
    impl_->thread_ids.push_back(impl_->threads.back().get_id());
  }
  ids_ready.set_value();
}

IoRuntime::~IoRuntime() { Stop(); }

void IoRuntime::Post(std::function<void()> fn) { asio::post(impl_->context, std::move(fn)); }

std::shared_ptr<TimerHandle> IoRuntime::RunAfter(std::chrono::milliseconds delay,
                                                 std::function<void()> fn) {
  auto timer = std::make_shared<AsioTimer>(impl_->context);
  timer->Start(delay, std::move(fn));
  return timer;
}

bool IoRuntime::InIoThread() const {
  const auto me = std::this_thread::get_id();
  return std::find(impl_->thread_ids.begin(), impl_->thread_ids.end(), me) !=
         impl_->thread_ids.end();
}

void IoRuntime::Stop() {
  std::lock_guard lock(impl_->stop_mutex);
  impl_->work.reset();
  impl_->context.stop();
  for (auto& t : impl_->threads) {
    if (!t.joinable()) continue;
    // A thread cannot join itself; Stop() from a handler lets that thread finish on its own.
    if (t.get_id() == std::this_thread::get_id()) {
      t.detach();
    } else {
      t.join();
    }
  }
  impl_->threads.clear();
}

}  // namespace contexten::core::net
