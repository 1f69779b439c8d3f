#pragma once
// Private to core/net/*.cpp: the one WebSocket implementation, client or server side, over a
// plain or TLS stream. Explicitly instantiated in websocket_session.cpp for both streams so the
// heavy Beast templates compile once.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/net/asio.hpp"
#include "core/net/websocket.hpp"

namespace contexten::core::net::detail {

template <class NextLayer>
class WebSocketSession final : public WebSocket,
                               public std::enable_shared_from_this<WebSocketSession<NextLayer>> {
 public:
  using Stream = websocket::stream<NextLayer>;

  // `keepalive` holds whatever the stream borrows (e.g. the ssl::context).
  WebSocketSession(NextLayer&& next, std::shared_ptr<void> keepalive);
  ~WebSocketSession() override;

  Stream& ws() { return ws_; }

  // On the stream's executor, after the handshake: installs the callbacks, starts the read
  // loop and the idle timer. `on_finished` runs after on_close (owner bookkeeping).
  void Start(WebSocketCallbacks callbacks, std::chrono::milliseconds idle_timeout,
             std::size_t max_message_size, std::function<void()> on_finished = {});

  void Send(std::string text) override;
  void Ping(std::string payload) override;
  void Close(uint16_t code, std::string reason) override;
  void Abort() override;
  bool is_open() const override { return open_.load(std::memory_order_acquire); }
  std::uint64_t id() const override { return id_; }

 private:
  void ReadNext();
  void OnRead(const boost::system::error_code& ec);
  void WriteNext();
  void PingNext();
  void ArmIdleTimer(std::chrono::steady_clock::duration delay);
  void DropTransport();
  void Finish(const boost::system::error_code& ec);

  Stream ws_;
  std::shared_ptr<void> keepalive_;
  const std::uint64_t id_;
  std::atomic<bool> open_{false};

  // Strand-only state.
  WebSocketCallbacks callbacks_;
  std::function<void()> on_finished_;
  beast::flat_buffer read_buffer_;
  std::vector<std::string> writing_;  // batch taken from pending_, written in order
  std::size_t write_index_ = 0;
  std::vector<std::string> pings_;
  bool ping_in_flight_ = false;
  bool close_started_ = false;
  bool finished_ = false;
  bool started_ = false;
  std::optional<Error> local_reason_;  // why we dropped the transport ourselves
  std::chrono::milliseconds idle_timeout_{0};
  std::chrono::steady_clock::time_point last_activity_;
  asio::steady_timer idle_timer_;
  websocket::ping_data ping_data_;

  // Shared with Send() callers on any thread.
  std::mutex write_mutex_;
  std::vector<std::string> pending_;
  bool write_active_ = false;  // a WriteNext chain is scheduled or running
  bool accepting_writes_ = true;
  bool write_ready_ = false;  // Start() ran; until then Send() only queues
};

extern template class WebSocketSession<beast::tcp_stream>;
extern template class WebSocketSession<beast::ssl_stream<beast::tcp_stream>>;

using PlainWebSocket = WebSocketSession<beast::tcp_stream>;
using TlsWebSocket = WebSocketSession<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace contexten::core::net::detail
