#include "sandbox/slack/tcp_relay.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

namespace contexten::sandbox {
namespace {

struct Pair {
  int client = -1;
  int server = -1;
  std::atomic<bool> frozen{false};
};

// Copies one direction until EOF or error; while frozen, reads and discards.
void Pump(const std::shared_ptr<Pair>& pair, int from, int to) {
  char buf[16384];
  while (true) {
    const ssize_t n = ::recv(from, buf, sizeof(buf), 0);
    if (n <= 0) break;
    if (pair->frozen.load()) continue;
    ssize_t off = 0;
    while (off < n) {
      const ssize_t w = ::send(to, buf + off, static_cast<size_t>(n - off), MSG_NOSIGNAL);
      if (w <= 0) break;
      off += w;
    }
    if (off < n) break;
  }
  // Either side ending ends both (a frozen pair still notices the client going away).
  ::shutdown(pair->client, SHUT_RDWR);
  ::shutdown(pair->server, SHUT_RDWR);
}

}  // namespace

struct TcpRelay::Impl {
  std::uint16_t target_port;
  int listen_fd = -1;
  std::uint16_t port = 0;
  std::mutex mu;
  std::vector<std::shared_ptr<Pair>> pairs;
  std::vector<std::thread> threads;
  std::thread acceptor;
  std::atomic<bool> stopping{false};

  void AcceptLoop() {
    while (!stopping.load()) {
      const int client = ::accept(listen_fd, nullptr, nullptr);
      if (client < 0) {
        if (errno == EINTR) continue;
        return;
      }
      const int server = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(target_port);
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (server < 0 || ::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        ::close(client);
        if (server >= 0) ::close(server);
        continue;
      }
      const int one = 1;
      ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      ::setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      auto pair = std::make_shared<Pair>();
      pair->client = client;
      pair->server = server;
      std::lock_guard lock(mu);
      if (stopping.load()) {
        ::close(client);
        ::close(server);
        return;
      }
      pairs.push_back(pair);
      threads.emplace_back([pair] { Pump(pair, pair->client, pair->server); });
      threads.emplace_back([pair] { Pump(pair, pair->server, pair->client); });
    }
  }
};

TcpRelay::TcpRelay(std::uint16_t target_port) : impl_(std::make_shared<Impl>()) {
  impl_->target_port = target_port;
}

TcpRelay::~TcpRelay() { Stop(); }

core::Status TcpRelay::Start() {
  impl_->listen_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (impl_->listen_fd < 0) {
    return core::Unexpected(core::MakeError(core::ErrorKind::kInternal, "relay socket failed"));
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(impl_->listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(impl_->listen_fd, 64) != 0 ||
      ::getsockname(impl_->listen_fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return core::Unexpected(core::MakeError(core::ErrorKind::kInternal,
                                            std::string("relay bind failed: ") + strerror(errno)));
  }
  impl_->port = ntohs(addr.sin_port);
  impl_->acceptor = std::thread([impl = impl_] { impl->AcceptLoop(); });
  return core::Ok();
}

void TcpRelay::Stop() {
  if (impl_->stopping.exchange(true)) return;
  if (impl_->listen_fd >= 0) ::shutdown(impl_->listen_fd, SHUT_RDWR);
  if (impl_->acceptor.joinable()) impl_->acceptor.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(impl_->mu);
    for (auto& p : impl_->pairs) {
      ::shutdown(p->client, SHUT_RDWR);
      ::shutdown(p->server, SHUT_RDWR);
    }
    threads.swap(impl_->threads);
  }
  for (auto& t : threads) t.join();
  for (auto& p : impl_->pairs) {
    ::close(p->client);
    ::close(p->server);
  }
  impl_->pairs.clear();
  if (impl_->listen_fd >= 0) ::close(impl_->listen_fd);
  impl_->listen_fd = -1;
}

std::uint16_t TcpRelay::port() const { return impl_->port; }

int TcpRelay::Freeze() {
  std::lock_guard lock(impl_->mu);
  int n = 0;
  for (auto& p : impl_->pairs) {
    if (!p->frozen.exchange(true)) ++n;
  }
  return n;
}

}  // namespace contexten::sandbox
