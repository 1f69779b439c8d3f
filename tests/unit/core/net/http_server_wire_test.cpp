// HttpServer seen from a raw TCP client: request framing the HTTP client never produces
// (pipelining, bodies in many small segments, a client trickling a request forever) and the
// exact bytes of the answer.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>

#include "core/net/http_server.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten::core::net {
namespace {

using contexten::testing::WaitFor;

// A blocking client socket whose reads give up after a while, so a broken server fails the
// test instead of hanging it.
class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // One response with a Content-Length body (or none); empty if the connection ended first.
  std::string ReadResponse() {
    while (true) {
      const auto head_end = pending_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        std::size_t length = 0;
        const auto at = Lower(pending_.substr(0, head_end)).find("\r\ncontent-length: ");
        if (at != std::string::npos) {
          length = std::stoul(pending_.substr(at + 18));
        }
        const std::size_t total = head_end + 4 + length;
        if (pending_.size() >= total) {
          std::string response = pending_.substr(0, total);
          pending_.erase(0, total);
          return response;
        }
      }
      if (!ReadMore()) return {};
    }
  }

  // True when the server closed the connection (EOF or reset) and sent nothing more.
  bool ReadsEndOfStream() {
    char byte = 0;
    const ssize_t n = ::recv(fd_, &byte, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

  // Non-blocking: has the server closed the connection yet?
  bool ClosedByServer() {
    char byte = 0;
    const ssize_t n = ::recv(fd_, &byte, 1, MSG_DONTWAIT | MSG_PEEK);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
  }

  static std::string Lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  }

 private:
  bool ReadMore() {
    char chunk[4096];
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    pending_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string pending_;
};

std::string Post(std::string_view path, std::string_view body, std::string_view extra = {}) {
  return "POST " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra) +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

std::string BodyOf(const std::string& response) {
  const auto at = response.find("\r\n\r\n");
  return at == std::string::npos ? std::string() : response.substr(at + 4);
}

class HttpServerWireTest : public ::testing::Test {
 protected:
  void Start(std::chrono::milliseconds read_timeout = std::chrono::seconds(10),
             const std::function<void(HttpServer&)>& more_routes = {}) {
    HttpServerOptions options;
    options.read_timeout = read_timeout;
    options.body_limit = 1024 * 1024;
    server_ = std::make_unique<HttpServer>(io_, options);
    server_->Route("POST", "/echo", [this](HttpRequest&& request, HttpResponder respond) {
      ++handled_;
      respond(HttpResponse::Text(200, request.body));
    });
    server_->Route("POST", "/empty", [](HttpRequest&&, HttpResponder respond) {
      HttpResponse response{204, {}, {}};
      respond(std::move(response));
    });
    server_->Route("POST", "/framing", [](HttpRequest&&, HttpResponder respond) {
      HttpResponse response = HttpResponse::Text(200, "four");
      response.headers.Set("Content-Length", "999");
      response.headers.Set("Connection", "close");
      response.headers.Set("Server", "custom");
      // From a peer's input, say: must not become headers of their own.
      response.headers.Set("X-Echo", "id\r\nSet-Cookie: stolen=1\r\n\r\nbody");
      response.headers.Set("X-Bad\nName", "v");
      response.headers.Set("X-Fine", "ok");
      respond(std::move(response));
    });
    if (more_routes) more_routes(*server_);
    ASSERT_TRUE(server_->Start().has_value());
  }

  void TearDown() override {
    if (server_) server_->Stop();
  }

  IoRuntime io_{2};
  std::unique_ptr<HttpServer> server_;
  std::atomic<int> handled_{0};
};

TEST_F(HttpServerWireTest, PipelinedRequestsAreAnsweredInOrderOnOneConnection) {
  Start();
  RawClient client(server_->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(Post("/echo", "first") + Post("/echo", "second") +
                          Post("/echo", std::string(20000, 'x'))));
  const std::string first = client.ReadResponse();
  const std::string second = client.ReadResponse();
  const std::string third = client.ReadResponse();
  EXPECT_EQ(first.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << first;
  EXPECT_EQ(BodyOf(first), "first");
  EXPECT_EQ(BodyOf(second), "second");
  EXPECT_EQ(BodyOf(third), std::string(20000, 'x'));
  EXPECT_EQ(server_->accepted_connections(), 1u);
}

TEST_F(HttpServerWireTest, BodySplitAcrossManySegmentsIsReassembled) {
  Start();
  RawClient client(server_->port());
  ASSERT_TRUE(client.connected());
  std::string body;
  for (int i = 0; i < 3000; ++i) body += static_cast<char>('a' + i % 26);
  const std::string request = Post("/echo", body);
  // Small sends with TCP_NODELAY: the header itself arrives in pieces too.
  for (std::size_t at = 0; at < request.size(); at += 7) {
    ASSERT_TRUE(client.Send(std::string_view(request).substr(at, 7)));
  }
  const std::string response = client.ReadResponse();
  EXPECT_EQ(BodyOf(response), body);
  // The connection stays usable for the next request.
  ASSERT_TRUE(client.Send(Post("/echo", "again")));
  EXPECT_EQ(BodyOf(client.ReadResponse()), "again");
}

TEST_F(HttpServerWireTest, ChunkedRequestBodyIsDecoded) {
  Start();
  RawClient client(server_->port());
  ASSERT_TRUE(
      client.Send("POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  EXPECT_EQ(BodyOf(client.ReadResponse()), "hello world");
}

TEST_F(HttpServerWireTest, ClientTricklingARequestIsCutOffAfterTheReadTimeout) {
  // Each byte arrives well within the timeout, so only a deadline for the whole request (not
  // one per socket read) stops this client.
  Start(std::chrono::milliseconds(300));
  RawClient client(server_->port());
  ASSERT_TRUE(client.connected());
  const std::string request = Post("/echo", std::string(1000, 'y'));
  bool closed = false;
  for (std::size_t at = 0; at < request.size() && !closed; ++at) {
    if (!client.Send(std::string_view(request).substr(at, 1))) break;
    closed = WaitFor([&] { return client.ClosedByServer(); }, std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(closed || WaitFor([&] { return client.ClosedByServer(); }));
  EXPECT_EQ(handled_.load(), 0) << "the trickled request was never completed";
  EXPECT_TRUE(WaitFor([&] { return server_->open_connections() == 0; }));
}

TEST_F(HttpServerWireTest, IdleKeepAliveConnectionIsClosedAfterTheReadTimeout) {
  Start(std::chrono::milliseconds(100));
  RawClient client(server_->port());
  ASSERT_TRUE(client.Send(Post("/echo", "one")));
  EXPECT_EQ(BodyOf(client.ReadResponse()), "one");
  EXPECT_TRUE(client.ReadsEndOfStream());
  EXPECT_TRUE(WaitFor([&] { return server_->open_connections() == 0; }));
}

TEST_F(HttpServerWireTest, SlowHandlerIsNotCutOffByTheReadTimeout) {
  std::mutex mutex;
  HttpResponder parked;
  Start(std::chrono::milliseconds(100), [&](HttpServer& server) {
    server.Route("POST", "/slow", [&](HttpRequest&&, HttpResponder respond) {
      std::lock_guard lock(mutex);
      parked = std::move(respond);
    });
  });
  RawClient client(server_->port());
  ASSERT_TRUE(client.Send(Post("/slow", "work")));
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(mutex);
    return static_cast<bool>(parked);
  }));
  // Several read timeouts pass while the handler works; the connection must stay open.
  EXPECT_FALSE(WaitFor([&] { return client.ClosedByServer(); }, std::chrono::milliseconds(400)));
  {
    std::lock_guard lock(mutex);
    parked(HttpResponse::Text(200, "done"));
    parked = nullptr;
  }
  EXPECT_EQ(BodyOf(client.ReadResponse()), "done");
  // Idle again afterwards: the read timeout applies again.
  EXPECT_TRUE(client.ReadsEndOfStream());
}

TEST_F(HttpServerWireTest, ServerOwnsFramingHeaders) {
  Start();
  RawClient client(server_->port());
  ASSERT_TRUE(client.Send(Post("/framing", "")));
  const std::string response = RawClient::Lower(client.ReadResponse());
  EXPECT_NE(response.find("\r\ncontent-length: 4\r\n"), std::string::npos) << response;
  EXPECT_EQ(response.find("999"), std::string::npos) << response;
  EXPECT_EQ(response.find("connection: close"), std::string::npos) << response;
  EXPECT_NE(response.find("\r\nserver: custom\r\n"), std::string::npos) << response;
  EXPECT_EQ(response.find("contexten"), std::string::npos) << "one Server header: " << response;
  EXPECT_TRUE(response.ends_with("\r\n\r\nfour"));
  EXPECT_EQ(response.find("set-cookie"), std::string::npos) << response;
  EXPECT_EQ(response.find("x-bad"), std::string::npos) << response;
  EXPECT_NE(response.find("\r\nx-fine: ok\r\n"), std::string::npos) << response;
}

TEST_F(HttpServerWireTest, NoContentHasNeitherBodyNorLength) {
  Start();
  RawClient client(server_->port());
  ASSERT_TRUE(client.Send(Post("/empty", "x")));
  const std::string response = client.ReadResponse();
  EXPECT_EQ(response.rfind("HTTP/1.1 204 No Content\r\n", 0), 0u) << response;
  EXPECT_EQ(RawClient::Lower(response).find("content-length"), std::string::npos) << response;
  // Still keep-alive.
  ASSERT_TRUE(client.Send(Post("/echo", "next")));
  EXPECT_EQ(BodyOf(client.ReadResponse()), "next");
}

TEST_F(HttpServerWireTest, Http10WithoutKeepAliveIsAnsweredThenClosed) {
  Start();
  RawClient client(server_->port());
  ASSERT_TRUE(client.Send("POST /echo HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi"));
  const std::string response = client.ReadResponse();
  EXPECT_EQ(BodyOf(response), "hi");
  EXPECT_NE(RawClient::Lower(response).find("\r\nconnection: close\r\n"), std::string::npos)
      << response;
  EXPECT_TRUE(client.ReadsEndOfStream());
}

TEST_F(HttpServerWireTest, MalformedRequestClosesTheConnection) {
  Start();
  RawClient client(server_->port());
  ASSERT_TRUE(client.Send("NOT HTTP AT ALL\r\n\r\n"));
  EXPECT_TRUE(client.ReadsEndOfStream());
  EXPECT_EQ(handled_.load(), 0);
}

}  // namespace
}  // namespace contexten::core::net
