// AbortConnection: a handler drops the connection without an answer (the connection-reset
// fault the sandboxes inject), and what the client makes of it.

#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "core/net/http_client.hpp"
#include "core/net/http_server.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten::core::net {
namespace {

using contexten::testing::WaitFor;

OutgoingRequest Request(std::string method, std::string url) {
  OutgoingRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.body = "{}";
  return request;
}

class HttpServerAbortTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Every request to /reset is aborted while `abort_` is set; /ok always answers.
    auto handler = [this](HttpRequest&&, HttpResponder respond) {
      ++calls_;
      if (abort_.load()) {
        AbortConnection(std::move(respond));
      } else {
        respond(HttpResponse::Text(200, "ok"));
      }
    };
    server_.Route("POST", "/reset", handler);
    server_.Route("GET", "/reset", handler);
    server_.Route("POST", "/ok", [](HttpRequest&&, HttpResponder respond) {
      respond(HttpResponse::Text(200, "ok"));
    });
    ASSERT_TRUE(server_.Start().has_value());
  }

  void TearDown() override { server_.Stop(); }

  Result<HttpResponse> Send(const std::string& method, const std::string& path) {
    return client_.Send(Request(method, server_.BaseUrl() + path));
  }

  IoRuntime io_{2};
  HttpServer server_{io_, HttpServerOptions{}};
  HttpClient client_{io_};
  std::atomic<int> calls_{0};
  std::atomic<bool> abort_{true};
};

TEST_F(HttpServerAbortTest, AbortedRequestIsATransientTransportErrorWithoutAnAnswer) {
  auto response = Send("POST", "/reset");
  ASSERT_FALSE(response.has_value()) << "got HTTP " << response->status;
  EXPECT_EQ(response.error().kind, ErrorKind::kTransient) << response.error().message;
  EXPECT_EQ(calls_.load(), 1);
  ASSERT_TRUE(WaitFor([&] { return server_.open_connections() == 0; }))
      << "the aborted connection is closed on the server side too";

  abort_ = false;
  auto after = Send("POST", "/reset");
  ASSERT_TRUE(after.has_value()) << after.error().message;
  EXPECT_EQ(after->status, 200) << "the server keeps serving new connections";
}

TEST_F(HttpServerAbortTest, PostResetOnAReusedConnectionIsNotResentByTheClient) {
  ASSERT_EQ(Send("POST", "/ok")->status, 200);  // leaves an idle keep-alive connection
  ASSERT_EQ(server_.accepted_connections(), 1u);

  auto response = Send("POST", "/reset");
  ASSERT_FALSE(response.has_value()) << "got HTTP " << response->status;
  EXPECT_EQ(response.error().kind, ErrorKind::kTransient);
  EXPECT_EQ(calls_.load(), 1) << "a POST that may have been acted on is the caller's to retry";
  EXPECT_EQ(server_.accepted_connections(), 1u) << "no second connection was opened for it";
}

TEST_F(HttpServerAbortTest, IdempotentRequestResetOnAReusedConnectionIsTriedOnceMore) {
  ASSERT_EQ(Send("POST", "/ok")->status, 200);
  auto response = Send("GET", "/reset");
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(calls_.load(), 2) << "one resend on a fresh connection, then the error";
  EXPECT_EQ(server_.accepted_connections(), 2u);
}

TEST_F(HttpServerAbortTest, ResponderThatIsNotTheServersAnswers500) {
  HttpResponse seen;
  AbortConnection([&](HttpResponse r) { seen = std::move(r); });
  EXPECT_EQ(seen.status, 500);
}

}  // namespace
}  // namespace contexten::core::net
