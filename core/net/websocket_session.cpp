#include "core/net/websocket_session.hpp"

#include <algorithm>

#include "core/net/net_support.hpp"

namespace contexten::core::net::detail {
namespace {

std::atomic<std::uint64_t> next_socket_id{1};

// Frames larger than this are not pings (RFC 6455: control payloads are at most 125 bytes).
constexpr std::size_t kMaxControlPayload = 125;

}  // namespace

template <class NextLayer>
WebSocketSession<NextLayer>::WebSocketSession(NextLayer&& next, std::shared_ptr<void> keepalive)
    : ws_(std::move(next)),
      keepalive_(std::move(keepalive)),
      id_(next_socket_id.fetch_add(1)),
      idle_timer_(ws_.get_executor()) {}

template <class NextLayer>
WebSocketSession<NextLayer>::~WebSocketSession() = default;

template <class NextLayer>
void WebSocketSession<NextLayer>::Start(WebSocketCallbacks callbacks,
                                        std::chrono::milliseconds idle_timeout,
                                        std::size_t max_message_size,
                                        std::function<void()> on_finished) {
  callbacks_ = std::move(callbacks);
  on_finished_ = std::move(on_finished);
  idle_timeout_ = idle_timeout;
  started_ = true;
  open_.store(true, std::memory_order_release);
  ws_.text(true);
  ws_.read_message_max(max_message_size);
  // Beast's own timer only bounds the close handshake; idle detection is ours (below) so that
  // a busy connection does not re-arm a timer per message.
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = std::chrono::seconds(5);
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  ws_.set_option(timeouts);
  ws_.control_callback([this](websocket::frame_type kind, beast::string_view payload) {
    if (idle_timeout_.count() > 0) last_activity_ = std::chrono::steady_clock::now();
    if (kind == websocket::frame_type::ping && callbacks_.on_ping) {
      callbacks_.on_ping(payload);
    } else if (kind == websocket::frame_type::pong && callbacks_.on_pong) {
      callbacks_.on_pong(payload);
    }
  });
  if (idle_timeout_.count() > 0) {
    last_activity_ = std::chrono::steady_clock::now();
    ArmIdleTimer(idle_timeout_);
  }
  ReadNext();
  // Sends queued before Start (from on_connected/acceptor) can go now.
  bool kick = false;
  {
    std::lock_guard lock(write_mutex_);
    write_ready_ = true;
    if (!pending_.empty() && !write_active_) kick = write_active_ = true;
  }
  if (kick) WriteNext();
}

template <class NextLayer>
void WebSocketSession<NextLayer>::ReadNext() {
  ws_.async_read(read_buffer_,
                 [self = this->shared_from_this()](const boost::system::error_code& ec,
                                                   std::size_t) { self->OnRead(ec); });
}

template <class NextLayer>
void WebSocketSession<NextLayer>::OnRead(const boost::system::error_code& ec) {
  if (ec) {
    Finish(ec);
    return;
  }
  if (idle_timeout_.count() > 0) last_activity_ = std::chrono::steady_clock::now();
  if (callbacks_.on_message) {
    const auto data = read_buffer_.cdata();
    callbacks_.on_message(std::string_view(static_cast<const char*>(data.data()), data.size()));
  }
  read_buffer_.consume(read_buffer_.size());
  if (!finished_) ReadNext();
}

template <class NextLayer>
void WebSocketSession<NextLayer>::Send(std::string text) {
  {
    std::lock_guard lock(write_mutex_);
    if (!accepting_writes_) return;
    pending_.push_back(std::move(text));
    if (write_active_ || !write_ready_) return;
    write_active_ = true;
  }
  asio::post(ws_.get_executor(), [self = this->shared_from_this()] { self->WriteNext(); });
}

template <class NextLayer>
void WebSocketSession<NextLayer>::WriteNext() {
  if (write_index_ >= writing_.size()) {
    writing_.clear();
    write_index_ = 0;
    std::lock_guard lock(write_mutex_);
    // Swapping whole batches keeps the vectors' capacity: no allocation per message once warm.
    std::swap(writing_, pending_);
    if (writing_.empty() || finished_) {
      writing_.clear();
      write_active_ = false;
      return;
    }
  }
  ws_.async_write(
      asio::buffer(writing_[write_index_]),
      [self = this->shared_from_this()](const boost::system::error_code& ec, std::size_t) {
        if (ec) {
          // The read side reports the failure; stop writing and drop the rest.
          std::lock_guard lock(self->write_mutex_);
          self->accepting_writes_ = false;
          self->pending_.clear();
          self->writing_.clear();
          self->write_index_ = 0;
          return;
        }
        ++self->write_index_;
        self->WriteNext();
      });
}

template <class NextLayer>
void WebSocketSession<NextLayer>::Ping(std::string payload) {
  if (payload.size() > kMaxControlPayload) payload.resize(kMaxControlPayload);
  asio::post(ws_.get_executor(),
             [self = this->shared_from_this(), p = std::move(payload)]() mutable {
               if (self->finished_ || self->close_started_) return;
               self->pings_.push_back(std::move(p));
               if (!self->ping_in_flight_) self->PingNext();
             });
}

template <class NextLayer>
void WebSocketSession<NextLayer>::PingNext() {
  if (pings_.empty() || finished_) {
    ping_in_flight_ = false;
    pings_.clear();
    return;
  }
  ping_in_flight_ = true;
  // Not assign(ptr, n): with std::string_view enabled Beast picks assign(view, pos) for it.
  ping_data_.resize(pings_.front().size());
  std::copy(pings_.front().begin(), pings_.front().end(), ping_data_.begin());
  pings_.erase(pings_.begin());
  ws_.async_ping(ping_data_,
                 [self = this->shared_from_this()](const boost::system::error_code& ec) {
                   if (ec) {
                     self->ping_in_flight_ = false;
                     self->pings_.clear();
                     return;
                   }
                   self->PingNext();
                 });
}

template <class NextLayer>
void WebSocketSession<NextLayer>::Close(uint16_t code, std::string reason) {
  asio::post(ws_.get_executor(),
             [self = this->shared_from_this(), code, reason = std::move(reason)]() mutable {
               if (self->finished_ || self->close_started_) return;
               if (!self->started_) {
                 self->DropTransport();
                 return;
               }
               self->close_started_ = true;
               websocket::close_reason why;
               why.code = code;
               // Close frame payloads are at most 125 bytes: 2 for the code, 123 for the reason.
               why.reason.resize(std::min<std::size_t>(reason.size(), why.reason.max_size()));
               std::copy_n(reason.begin(), why.reason.size(), why.reason.begin());
               self->ws_.async_close(why, [self](const boost::system::error_code& ec) {
                 // On success the read loop sees the peer's close frame and finishes; on failure it
                 // will see the dropped transport.
                 if (ec) self->DropTransport();
               });
             });
}

template <class NextLayer>
void WebSocketSession<NextLayer>::Abort() {
  asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
    if (self->finished_) return;
    if (!self->local_reason_) {
      self->local_reason_ = MakeError(ErrorKind::kUnavailable, "WebSocket aborted locally");
    }
    self->DropTransport();
  });
}

template <class NextLayer>
void WebSocketSession<NextLayer>::ArmIdleTimer(std::chrono::steady_clock::duration delay) {
  idle_timer_.expires_after(delay);
  idle_timer_.async_wait([self = this->shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->finished_) return;
    const auto quiet = std::chrono::steady_clock::now() - self->last_activity_;
    if (quiet < self->idle_timeout_) {
      self->ArmIdleTimer(self->idle_timeout_ - quiet);
      return;
    }
    self->local_reason_ = MakeError(ErrorKind::kTimeout, "idle timeout");
    self->DropTransport();
  });
}

template <class NextLayer>
void WebSocketSession<NextLayer>::DropTransport() {
  beast::error_code ignored;
  auto& tcp = beast::get_lowest_layer(ws_);
  tcp.socket().shutdown(tcp::socket::shutdown_both, ignored);
  tcp.close();
}

template <class NextLayer>
void WebSocketSession<NextLayer>::Finish(const boost::system::error_code& ec) {
  if (finished_) return;
  finished_ = true;
  open_.store(false, std::memory_order_release);
  idle_timer_.cancel();
  {
    std::lock_guard lock(write_mutex_);
    accepting_writes_ = false;
    pending_.clear();
  }
  Error why;
  if (local_reason_) {
    why = *local_reason_;
  } else if (ec == websocket::error::closed) {
    const auto& reason = ws_.reason();
    why = MakeError(
        ErrorKind::kUnavailable,
        "WebSocket closed with code " + std::to_string(reason.code) +
            (reason.reason.empty() ? std::string() : " '" + std::string(reason.reason) + "'"));
  } else {
    why = TransportError(ec, "WebSocket connection");
  }
  DropTransport();
  auto callbacks = std::move(callbacks_);
  callbacks_ = {};
  // The control callback captured `this`; dropping it and the user callbacks (which often hold
  // the socket) breaks reference cycles.
  ws_.control_callback();
  if (callbacks.on_close) callbacks.on_close(why);
  if (on_finished_) {
    auto finished = std::move(on_finished_);
    on_finished_ = nullptr;
    finished();
  }
}

template class WebSocketSession<beast::tcp_stream>;
template class WebSocketSession<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace contexten::core::net::detail
