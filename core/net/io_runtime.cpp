#include "core/net/io_runtime.hpp"

#include <algorithm>

#include "core/net/io_runtime_impl.hpp"

namespace contexten::core::net {
namespace {

class AsioTimer final : public TimerHandle, public std::enable_shared_from_this<AsioTimer> {
 public:
  explicit AsioTimer(asio::io_context& context) : timer_(context) {}
  void Start(std::chrono::milliseconds delay, std::function<void()> fn) {
    timer_.expires_after(delay);
    timer_.async_wait([self = shared_from_this(), fn = std::move(fn)](const boost::system::error_code& ec) {
      if (!ec && !self->cancelled_) fn();
    });
  }
  void Cancel() override {
    asio::post(timer_.get_executor(), [self = shared_from_this()] {
      self->cancelled_ = true;
      self->timer_.cancel();
    });
  }

 private:
  asio::steady_timer timer_;
  bool cancelled_ = false;  // touched only on I/O threads
};

}  // namespace

IoRuntime::IoRuntime(int threads) : impl_(std::make_unique<Impl>()) {
  threads = std::max(threads, 1);
  for (int i = 0; i < threads; ++i) {
    impl_->threads.emplace_back([this] { impl_->context.run(); });
    impl_->thread_ids.push_back(impl_->threads.back().get_id());
  }
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
  impl_->work.reset();
  impl_->context.stop();
  for (auto& t : impl_->threads) {
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
  }
  impl_->threads.clear();
}

}  // namespace contexten::core::net
