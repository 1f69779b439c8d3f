#pragma once
// A loopback TCP relay that can turn into a black hole. The sandbox Slack can hand out Socket
// Mode URLs that point here instead of at its own port; Freeze() then makes every connection
// relayed so far silent in both directions (bytes are read and discarded, nothing is closed), the
// way a dead NAT mapping behaves. That is the only honest way to make a client's ping go
// unanswered: the WebSocket library answers pings by itself as long as it reads.
//
// Plain POSIX sockets and one thread per direction: this is test plumbing, not a server.

#include <cstdint>
#include <memory>

#include "core/result.hpp"

namespace contexten::sandbox {

class TcpRelay {
 public:
  explicit TcpRelay(std::uint16_t target_port);
  ~TcpRelay();  // Stop()
  TcpRelay(const TcpRelay&) = delete;
  TcpRelay& operator=(const TcpRelay&) = delete;

  core::Status Start();  // binds 127.0.0.1 on an ephemeral port
  void Stop();
  std::uint16_t port() const;
  // Silences every connection relayed so far; later connections are relayed normally.
  // Returns how many were frozen.
  int Freeze();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace contexten::sandbox
