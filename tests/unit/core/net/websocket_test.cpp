#include <gtest/gtest.h>

#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "core/net/http_server.hpp"
#include "core/net/websocket_client.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten::core::net {
namespace {

using contexten::testing::WaitFor;

// Everything one side of a connection observed, safe to read from the test thread. Shared with
// the callbacks, which may run after the test body has returned.
struct Observed : std::enable_shared_from_this<Observed> {
  std::mutex mutex;
  std::vector<std::string> messages;
  std::vector<std::string> pongs;
  std::optional<Error> closed;
  int close_count = 0;

  WebSocketCallbacks Callbacks() {
    WebSocketCallbacks callbacks;
    callbacks.on_message = [self = shared_from_this()](std::string_view text) {
      std::lock_guard lock(self->mutex);
      self->messages.emplace_back(text);
    };
    callbacks.on_pong = [self = shared_from_this()](std::string_view payload) {
      std::lock_guard lock(self->mutex);
      self->pongs.emplace_back(payload);
    };
    callbacks.on_close = [self = shared_from_this()](const Error& why) {
      std::lock_guard lock(self->mutex);
      self->closed = why;
      ++self->close_count;
    };
    return callbacks;
  }
  std::size_t message_count() {
    std::lock_guard lock(mutex);
    return messages.size();
  }
  bool is_closed() {
    std::lock_guard lock(mutex);
    return closed.has_value();
  }
};

class WebSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.RouteWebSocket("/echo", [](std::shared_ptr<WebSocket> socket, const HttpRequest&) {
      WebSocketCallbacks callbacks;
      std::weak_ptr<WebSocket> weak = socket;
      callbacks.on_message = [weak](std::string_view text) {
        if (auto s = weak.lock()) s->Send(std::string(text));
      };
      return callbacks;
    });
    server_.RouteWebSocket("/close", [](std::shared_ptr<WebSocket> socket, const HttpRequest&) {
      socket->Close(4000, "go away");
      return WebSocketCallbacks{};
    });
    server_.RouteWebSocket("/silent", [](std::shared_ptr<WebSocket>, const HttpRequest&) {
      return WebSocketCallbacks{};
    });
    server_.RouteWebSocket(
        "/observe", [this](std::shared_ptr<WebSocket> socket, const HttpRequest& upgrade) {
          std::lock_guard lock(server_side_.mutex);
          server_socket_ = socket;
          upgrade_header_ = std::string(upgrade.headers.Get("X-Test").value_or(""));
          return server_side_.Callbacks();
        });
    ASSERT_TRUE(server_.Start().has_value());
  }

  std::string WsUrl(const std::string& path) {
    return "ws://127.0.0.1:" + std::to_string(server_.port()) + path;
  }

  std::shared_ptr<WebSocket> Connect(const std::string& path, Observed& observed,
                                     WebSocketClientOptions options = {}) {
    std::promise<Result<std::shared_ptr<WebSocket>>> connected;
    ConnectWebSocket(
        io_, WsUrl(path), std::move(options), observed.Callbacks(),
        [&](Result<std::shared_ptr<WebSocket>> result) { connected.set_value(std::move(result)); });
    auto result = connected.get_future().get();
    EXPECT_TRUE(result.has_value()) << result.error().message;
    return result.has_value() ? result.value() : nullptr;
  }

  IoRuntime io_{2};
  HttpServer server_{io_, {}};
  std::shared_ptr<Observed> server_side_owner_ = std::make_shared<Observed>();
  Observed& server_side_ = *server_side_owner_;
  std::shared_ptr<WebSocket> server_socket_;
  std::string upgrade_header_;
};

TEST_F(WebSocketTest, EchoRoundTrip) {
  auto client_owner = std::make_shared<Observed>();
  Observed& client = *client_owner;
  auto socket = Connect("/echo", client);
  ASSERT_TRUE(socket);
  EXPECT_TRUE(socket->is_open());
  socket->Send(R"({"type":"hello"})");
  ASSERT_TRUE(WaitFor([&] { return client.message_count() == 1; }));
  std::lock_guard lock(client.mutex);
  EXPECT_EQ(client.messages.front(), R"({"type":"hello"})");
}

TEST_F(WebSocketTest, UpgradeCarriesExtraHeaders) {
  auto client_owner = std::make_shared<Observed>();
  Observed& client = *client_owner;
  WebSocketClientOptions options;
  options.headers.Set("X-Test", "ticket-1");
  auto socket = Connect("/observe", client, options);
  ASSERT_TRUE(socket);
  // The server's handler may run just after the client sees the handshake complete.
  EXPECT_TRUE(WaitFor([&] {
    std::lock_guard lock(server_side_.mutex);
    return upgrade_header_ == "ticket-1";
  }));
}

TEST_F(WebSocketTest, MessagesFromSeveralThreadsArriveIntactAndInOrder) {
  auto client_owner = std::make_shared<Observed>();
  Observed& client = *client_owner;
  auto socket = Connect("/echo", client);
  ASSERT_TRUE(socket);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        socket->Send(std::to_string(t) + ":" + std::to_string(i) + ":" + std::string(40, 'x'));
      }
    });
  }
  for (auto& s : senders) s.join();
  ASSERT_TRUE(WaitFor([&] { return client.message_count() == kThreads * kPerThread; }))
      << client.message_count();
  std::map<int, int> next;
  std::lock_guard lock(client.mutex);
  for (const auto& message : client.messages) {
    const auto first = message.find(':');
    const auto second = message.find(':', first + 1);
    ASSERT_NE(second, std::string::npos) << message;
    const int thread = std::stoi(message.substr(0, first));
    const int index = std::stoi(message.substr(first + 1, second - first - 1));
    EXPECT_EQ(index, next[thread]) << "thread " << thread;
    next[thread] = index + 1;
    EXPECT_EQ(message.substr(second + 1), std::string(40, 'x'));
  }
}

TEST_F(WebSocketTest, ServerInitiatedCloseReportsReason) {
  auto client_owner = std::make_shared<Observed>();
  Observed& client = *client_owner;
  auto socket = Connect("/close", client);
  ASSERT_TRUE(socket);
  ASSERT_TRUE(WaitFor([&] { return client.is_closed(); }));
  std::lock_guard lock(client.mutex);
  EXPECT_EQ(client.close_count, 1);
  EXPECT_NE(client.closed->message.find("4000"), std::string::npos) << client.closed->message;
  EXPECT_NE(client.closed->message.find("go away"), std::string::npos) << client.closed->message;
  EXPECT_FALSE(socket->is_open());
}

TEST_F(WebSocketTest, ClientCloseReachesServer) {
  auto client_owner = std::make_shared<Observed>();
  Observed& client = *client_owner;
  auto socket = Connect("/observe", client);
  ASSERT_TRUE(socket);
  socket->Close(1000, "bye");
  ASSERT_TRUE(WaitFor([&] { return server_side_.is_closed() && client.is_closed(); }));
  std::lock_guard lock(server_side_.mutex);
  EXPECT_NE(server_side_.closed->message.find("bye"), std::string::npos);
}

TEST_F(WebSocketTest, AbortIsSeenByPeer) {
  auto client_owner = std::make_shared<Observed>();
  Observed& client = *client_owner;
  auto socket = Connect("/observe", client);
  ASSERT_TRUE(socket);
  socket->Abort();
  ASSERT_TRUE(WaitFor([&] { return server_side_.is_closed(); }));
  ASSERT_TRUE(WaitFor([&] { return client.is_closed(); }));
  std::lock_guard lock(client.mutex);
  EXPECT_EQ(client.close_count, 1);
  EXPECT_NE(client.closed->message.find("aborted"), std::string::npos) << client.closed->message;
}

TEST_F(WebSocketTest, PingGetsPongWithSamePayload) {
  auto client_owner = std::make_shared<Observed>();
  Observed& client = *client_owner;
  auto socket = Connect("/echo", client);
  ASSERT_TRUE(socket);
  socket->Ping("ping-42");
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(client.mutex);
    return !client.pongs.empty();
  }));
  std::lock_guard lock(client.mutex);
  EXPECT_EQ(client.pongs.front(), "ping-42");
}

TEST_F(WebSocketTest, IdleTimeoutClosesSilentConnection) {
  auto client_owner = std::make_shared<Observed>();
  Observed& client = *client_owner;
  WebSocketClientOptions options;
  options.idle_timeout = std::chrono::milliseconds(200);
  auto socket = Connect("/silent", client, options);
  ASSERT_TRUE(socket);
  ASSERT_TRUE(WaitFor([&] { return client.is_closed(); }));
  std::lock_guard lock(client.mutex);
  EXPECT_EQ(client.closed->kind, ErrorKind::kTimeout);
  EXPECT_EQ(client.closed->message, "idle timeout");
}

TEST_F(WebSocketTest, ServerStopClosesWebSockets) {
  auto client_owner = std::make_shared<Observed>();
  Observed& client = *client_owner;
  auto socket = Connect("/echo", client);
  ASSERT_TRUE(socket);
  server_.Stop();
  ASSERT_TRUE(WaitFor([&] { return client.is_closed(); }));
  std::lock_guard lock(client.mutex);
  EXPECT_NE(client.closed->message.find("1001"), std::string::npos) << client.closed->message;
}

TEST_F(WebSocketTest, UnknownPathIsDeclined) {
  std::promise<Result<std::shared_ptr<WebSocket>>> connected;
  ConnectWebSocket(io_, WsUrl("/nope"), {}, {}, [&](Result<std::shared_ptr<WebSocket>> result) {
    connected.set_value(std::move(result));
  });
  auto result = connected.get_future().get();
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("declined"), std::string::npos) << result.error().message;
}

TEST_F(WebSocketTest, IdsAreUnique) {
  auto a_owner = std::make_shared<Observed>(), b_owner = std::make_shared<Observed>();
  Observed &a = *a_owner, &b = *b_owner;
  auto first = Connect("/echo", a);
  auto second = Connect("/echo", b);
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->id(), second->id());
}

}  // namespace
}  // namespace contexten::core::net
