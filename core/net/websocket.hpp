#pragma once
// A WebSocket connection, client or server side, text frames only. No Asio/Beast here.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace contexten::core::net {

class WebSocket {
 public:
  virtual ~WebSocket() = default;
  // Thread-safe. Writes are queued so only one async write is ever in flight.
  virtual void Send(std::string text) = 0;
  virtual void Ping(std::string payload) = 0;
  // Graceful close handshake; on_close fires once afterwards.
  virtual void Close(uint16_t code = 1000, std::string reason = {}) = 0;
  // Drops the TCP connection without a close handshake (tests: simulate a dead peer).
  virtual void Abort() = 0;
  virtual bool is_open() const = 0;
  virtual std::uint64_t id() const = 0;  // unique within the process
};

// Callbacks run on an I/O thread. Any may be empty.
struct WebSocketCallbacks {
  std::function<void(std::string_view text)> on_message;
  std::function<void(std::string_view payload)> on_ping;  // pong is sent automatically
  std::function<void(std::string_view payload)> on_pong;
  // Fires exactly once when the connection ends, with why (close frame reason, reset, idle).
  std::function<void(const Error& why)> on_close;
};

}  // namespace contexten::core::net
