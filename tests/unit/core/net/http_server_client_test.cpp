#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "core/net/http_client.hpp"
#include "core/net/http_server.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten::core::net {
namespace {

using contexten::testing::WaitFor;

// Designated initializers would trip -Wmissing-field-initializers, hence these helpers.
OutgoingRequest Request(std::string method, std::string url, std::string body = {},
                        std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
  OutgoingRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.body = std::move(body);
  request.timeout = timeout;
  return request;
}

HttpServerOptions WithBodyLimit(std::size_t limit) {
  HttpServerOptions options;
  options.body_limit = limit;
  return options;
}

HttpServerOptions WithReadTimeout(std::chrono::milliseconds timeout) {
  HttpServerOptions options;
  options.read_timeout = timeout;
  return options;
}

class HttpServerClientTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (server_) server_->Stop();
    for (auto& t : threads_) t.join();
  }

  HttpServer& StartServer(HttpServerOptions options = {}) {
    server_ = std::make_unique<HttpServer>(io_, std::move(options));
    configure_(*server_);
    auto started = server_->Start();
    EXPECT_TRUE(started.has_value()) << started.error().message;
    return *server_;
  }

  Result<HttpResponse> Get(const std::string& path) {
    return client_.Send(Request("GET", server_->BaseUrl() + path));
  }

  IoRuntime io_{2};
  HttpClient client_{io_};
  std::function<void(HttpServer&)> configure_ = [](HttpServer&) {};
  std::unique_ptr<HttpServer> server_;
  std::vector<std::thread> threads_;
};

TEST_F(HttpServerClientTest, GetAndPostRoundTrip) {
  configure_ = [](HttpServer& server) {
    server.Route("GET", "/hello", [](HttpRequest&& request, HttpResponder respond) {
      respond(HttpResponse::Text(200, "hi " + request.Query("name").value_or("?")));
    });
    server.Route("POST", "/echo", [](HttpRequest&& request, HttpResponder respond) {
      auto response = HttpResponse::Json(201, request.body);
      response.headers.Set("X-Seen-Type",
                           std::string(request.headers.Get("content-type").value_or("")));
      response.headers.Set("X-Remote", request.remote_address);
      respond(std::move(response));
    });
  };
  StartServer();

  auto get = Get("/hello?name=a%20b");
  ASSERT_TRUE(get.has_value()) << get.error().message;
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "hi a b");
  EXPECT_EQ(get->headers.Get("server").value_or(""), "contexten");

  OutgoingRequest post = Request("POST", server_->BaseUrl() + "/echo");
  post.headers.Set("Content-Type", "application/json");
  post.body = R"({"text":"hello"})";
  auto posted = client_.Send(post);
  ASSERT_TRUE(posted.has_value()) << posted.error().message;
  EXPECT_EQ(posted->status, 201);
  EXPECT_EQ(posted->body, R"({"text":"hello"})");
  EXPECT_EQ(posted->headers.Get("content-type").value_or(""), "application/json; charset=utf-8");
  EXPECT_EQ(posted->headers.Get("x-seen-type").value_or(""), "application/json");
  EXPECT_EQ(posted->headers.Get("x-remote").value_or("").rfind("127.0.0.1:", 0), 0u);
}

TEST_F(HttpServerClientTest, PrefixRouteMatchesAfterExactRoutes) {
  configure_ = [](HttpServer& server) {
    server.Route("GET", "/api/exact", [](HttpRequest&&, HttpResponder respond) {
      respond(HttpResponse::Text(200, "exact"));
    });
    server.RoutePrefix("GET", "/api/", [](HttpRequest&& request, HttpResponder respond) {
      respond(HttpResponse::Text(200, "prefix " + std::string(request.Path())));
    });
  };
  StartServer();
  EXPECT_EQ(Get("/api/exact").value().body, "exact");
  EXPECT_EQ(Get("/api/chat.postMessage").value().body, "prefix /api/chat.postMessage");
}

TEST_F(HttpServerClientTest, UnknownPathIs404AndWrongMethodIs405) {
  configure_ = [](HttpServer& server) {
    server.Route("POST", "/events", [](HttpRequest&&, HttpResponder respond) {
      respond(HttpResponse::Text(200, "ok"));
    });
  };
  StartServer();
  auto missing = Get("/nowhere");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 404);
  auto wrong_method = Get("/events");
  ASSERT_TRUE(wrong_method.has_value());
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->headers.Get("allow").value_or(""), "POST");
}

TEST_F(HttpServerClientTest, BodyOverLimitIs413WithoutCallingHandler) {
  std::atomic<bool> handler_called{false};
  configure_ = [&](HttpServer& server) {
    server.Route("POST", "/upload", [&](HttpRequest&&, HttpResponder respond) {
      handler_called = true;
      respond(HttpResponse::Text(200, "ok"));
    });
  };
  StartServer(WithBodyLimit(16));
  auto response =
      client_.Send(Request("POST", server_->BaseUrl() + "/upload", std::string(100, 'x')));
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 413);
  EXPECT_FALSE(handler_called.load());
  // A body within the limit still works (on a fresh connection, since 413 closes).
  auto small = client_.Send(Request("POST", server_->BaseUrl() + "/upload", "tiny"));
  ASSERT_TRUE(small.has_value()) << small.error().message;
  EXPECT_EQ(small->status, 200);
}

TEST_F(HttpServerClientTest, ResponderMayBeCalledFromAnotherThread) {
  configure_ = [&](HttpServer& server) {
    server.Route("GET", "/later", [&](HttpRequest&&, HttpResponder respond) {
      threads_.emplace_back(
          [respond = std::move(respond)] { respond(HttpResponse::Text(202, "from a worker")); });
    });
  };
  StartServer();
  auto response = Get("/later");
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 202);
  EXPECT_EQ(response->body, "from a worker");
}

TEST_F(HttpServerClientTest, DroppedResponderAnswers500) {
  configure_ = [](HttpServer& server) {
    server.Route("GET", "/drop", [](HttpRequest&&, HttpResponder) {});
  };
  StartServer();
  auto response = Get("/drop");
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 500);
}

TEST_F(HttpServerClientTest, SequentialRequestsReuseOneConnection) {
  configure_ = [](HttpServer& server) {
    server.Route("GET", "/", [](HttpRequest&&, HttpResponder respond) {
      respond(HttpResponse::Text(200, "ok"));
    });
  };
  StartServer();
  for (int i = 0; i < 3; ++i) {
    auto response = Get("/");
    ASSERT_TRUE(response.has_value()) << response.error().message;
    EXPECT_EQ(response->status, 200);
  }
  EXPECT_EQ(server_->accepted_connections(), 1u);
}

TEST_F(HttpServerClientTest, RetriesOnceWhenServerClosedTheIdleConnection) {
  configure_ = [](HttpServer& server) {
    server.Route("GET", "/", [](HttpRequest&&, HttpResponder respond) {
      respond(HttpResponse::Text(200, "ok"));
    });
  };
  // The server drops idle keep-alive connections after the read timeout.
  StartServer(WithReadTimeout(std::chrono::milliseconds(100)));
  ASSERT_EQ(Get("/")->status, 200);
  ASSERT_TRUE(WaitFor([&] { return server_->open_connections() == 0; }));
  auto again = Get("/");
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(server_->accepted_connections(), 2u);
}

TEST_F(HttpServerClientTest, ConnectionRefusedIsTransient) {
  std::string url;
  {
    HttpServer closed(io_, {});
    ASSERT_TRUE(closed.Start().has_value());
    url = closed.BaseUrl() + "/";
  }
  auto response = client_.Send(Request("GET", url));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kTransient) << response.error().message;
  EXPECT_NE(response.error().message.find("refused"), std::string::npos)
      << response.error().message;
}

TEST_F(HttpServerClientTest, SlowHandlerTimesOut) {
  std::mutex mutex;
  std::vector<HttpResponder> parked;
  configure_ = [&](HttpServer& server) {
    server.Route("GET", "/slow", [&](HttpRequest&&, HttpResponder respond) {
      std::lock_guard lock(mutex);
      parked.push_back(std::move(respond));
    });
  };
  StartServer();
  auto response = client_.Send(
      Request("GET", server_->BaseUrl() + "/slow", {}, std::chrono::milliseconds(200)));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kTimeout) << response.error().message;
  // Answer after the client gave up: the server must cope with the closed connection.
  std::lock_guard lock(mutex);
  ASSERT_EQ(parked.size(), 1u);
  parked.front()(HttpResponse::Text(200, "too late"));
  parked.clear();
}

TEST_F(HttpServerClientTest, StopWhileIdleClosesConnectionsAndRefusesNewOnes) {
  configure_ = [](HttpServer& server) {
    server.Route("GET", "/", [](HttpRequest&&, HttpResponder respond) {
      respond(HttpResponse::Text(200, "ok"));
    });
  };
  StartServer();
  ASSERT_EQ(Get("/")->status, 200);
  EXPECT_EQ(server_->open_connections(), 1u);
  server_->Stop();
  EXPECT_TRUE(WaitFor([&] { return server_->open_connections() == 0; }));
  auto after = Get("/");
  ASSERT_FALSE(after.has_value());
  EXPECT_EQ(after.error().kind, ErrorKind::kTransient) << after.error().message;
  server_->Stop();  // twice is fine
}

TEST_F(HttpServerClientTest, BlockingSendOnIoThreadIsRefused) {
  std::promise<Result<HttpResponse>> result;
  io_.Post([&] { result.set_value(client_.Send(Request("GET", "http://127.0.0.1:1/"))); });
  auto response = result.get_future().get();
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kInternal);
}

TEST_F(HttpServerClientTest, UnsupportedSchemeIsInvalidInput) {
  auto response = client_.Send(Request("GET", "ftp://example.test/"));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kInvalidInput);
  EXPECT_NE(response.error().message.find("'ftp'"), std::string::npos);
}

}  // namespace
}  // namespace contexten::core::net
