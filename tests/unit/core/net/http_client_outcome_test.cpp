// Error::outcome_unknown from HttpClient: set when the whole request went out and the answer
// was lost (reset, timeout, close), clear when nothing can have reached the server (refused
// connect, TLS handshake failure) or when the server answered.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/net/http_client.hpp"
#include "core/net/http_server.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten::core::net {
namespace {

using contexten::testing::WaitFor;

OutgoingRequest Request(std::string method, std::string url, std::string body = "{}",
                        std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
  OutgoingRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.body = std::move(body);
  request.timeout = timeout;
  return request;
}

// A one-connection loopback peer on a raw socket: accepts, reads one complete request (head and
// Content-Length body), records it, then resets the connection (SO_LINGER 0) without answering.
class ResetAfterRequestPeer {
 public:
  ResetAfterRequestPeer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;  // port 0: the kernel picks one
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    EXPECT_EQ(::listen(listener_, 4), 0);
    socklen_t length = sizeof(address);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ResetAfterRequestPeer() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::string received() const {
    std::lock_guard lock(mu_);
    return received_;
  }
  bool complete() const { return complete_.load(); }

 private:
  void Serve() {
    const int connection = ::accept(listener_, nullptr, nullptr);
    if (connection < 0) return;
    std::string data;
    char buffer[4096];
    while (true) {
      const auto head_end = data.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const auto at = data.find("Content-Length: ");
        std::size_t length = 0;
        if (at != std::string::npos && at < head_end) length = std::stoul(data.substr(at + 16));
        if (data.size() >= head_end + 4 + length) break;
      }
      const ssize_t n = ::recv(connection, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      data.append(buffer, static_cast<std::size_t>(n));
    }
    {
      std::lock_guard lock(mu_);
      received_ = data;
    }
    complete_ = true;
    linger reset{1, 0};
    ::setsockopt(connection, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
    ::close(connection);
  }

  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::string received_;
  std::atomic<bool> complete_{false};
};

class HttpClientOutcomeTest : public ::testing::Test {
 protected:
  IoRuntime io_{2};
  HttpClient client_{io_};
};

TEST_F(HttpClientOutcomeTest, ResetAfterTheRequestWasReadIsOutcomeUnknown) {
  ResetAfterRequestPeer peer;
  auto response = client_.Send(Request("POST", peer.url("/chat.postMessage"), R"({"text":"hi"})"));
  ASSERT_FALSE(response.has_value()) << "got HTTP " << response->status;
  EXPECT_TRUE(peer.complete());
  EXPECT_NE(peer.received().find(R"({"text":"hi"})"), std::string::npos)
      << "the peer read the whole request before resetting";
  EXPECT_EQ(response.error().kind, ErrorKind::kTransient) << response.error().message;
  EXPECT_TRUE(response.error().outcome_unknown) << response.error().message;
  EXPECT_NE(response.error().message.find("outcome unknown"), std::string::npos);
}

TEST_F(HttpClientOutcomeTest, RefusedConnectIsAKnownFailure) {
  std::string url;
  {
    HttpServer closed(io_, {});
    ASSERT_TRUE(closed.Start().has_value());
    url = closed.BaseUrl() + "/";
  }
  auto response = client_.Send(Request("POST", url));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kTransient) << response.error().message;
  EXPECT_FALSE(response.error().outcome_unknown)
      << "nothing was sent: " << response.error().message;
}

TEST_F(HttpClientOutcomeTest, TimeoutWaitingForTheAnswerIsOutcomeUnknown) {
  std::mutex mutex;
  std::vector<HttpResponder> parked;
  HttpServer server(io_, {});
  server.Route("POST", "/slow", [&](HttpRequest&&, HttpResponder respond) {
    std::lock_guard lock(mutex);
    parked.push_back(std::move(respond));
  });
  ASSERT_TRUE(server.Start().has_value());
  auto response = client_.Send(
      Request("POST", server.BaseUrl() + "/slow", "{}", std::chrono::milliseconds(200)));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kTimeout) << response.error().message;
  EXPECT_TRUE(response.error().outcome_unknown) << response.error().message;
  {
    std::lock_guard lock(mutex);
    ASSERT_EQ(parked.size(), 1u) << "the handler saw the request";
    parked.front()(HttpResponse::Text(200, "too late"));
    parked.clear();
  }
  server.Stop();
}

TEST_F(HttpClientOutcomeTest, AbortedByTheServerHandlerIsOutcomeUnknown) {
  HttpServer server(io_, {});
  std::atomic<int> calls{0};
  server.Route("POST", "/reset", [&](HttpRequest&&, HttpResponder respond) {
    ++calls;
    AbortConnection(std::move(respond));
  });
  ASSERT_TRUE(server.Start().has_value());
  auto response = client_.Send(Request("POST", server.BaseUrl() + "/reset"));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(calls.load(), 1);
  EXPECT_TRUE(response.error().outcome_unknown) << response.error().message;
  server.Stop();
}

TEST_F(HttpClientOutcomeTest, TlsHandshakeFailureIsAKnownFailure) {
  // An https request to a plain HTTP server: the handshake fails before any request byte.
  HttpServer server(io_, {});
  std::atomic<int> calls{0};
  server.Route("POST", "/", [&](HttpRequest&&, HttpResponder respond) {
    ++calls;
    respond(HttpResponse::Text(200, "ok"));
  });
  ASSERT_TRUE(server.Start().has_value());
  std::string url = server.BaseUrl();
  url.replace(0, 4, "https");
  auto response = client_.Send(Request("POST", url + "/", "{}", std::chrono::milliseconds(2000)));
  ASSERT_FALSE(response.has_value());
  EXPECT_FALSE(response.error().outcome_unknown) << response.error().message;
  EXPECT_EQ(calls.load(), 0);
  server.Stop();
}

}  // namespace
}  // namespace contexten::core::net
