// Acceptance: the HTTPS client and the wss client against a loopback TLS server whose
// certificate comes from a throwaway CA generated at test time.
#include <gtest/gtest.h>

#include <future>

#include "core/net/http_client.hpp"
#include "core/net/http_server.hpp"
#include "core/net/websocket_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tls_ca.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten::core::net {
namespace {

using contexten::testing::TempDir;
using contexten::testing::TlsTestFiles;

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    // Names localhost and 127.0.0.1, like a real server certificate would its host names.
    good_ = new TlsTestFiles(contexten::testing::MakeTlsTestFiles(*dir_));
    // Names only other.test: connecting as localhost must fail host name verification.
    other_ =
        new TlsTestFiles(contexten::testing::MakeTlsTestFiles(*dir_, {"other.test"}, {}, "other"));
  }
  static void TearDownTestSuite() {
    delete good_;
    delete other_;
    delete dir_;
  }

  void StartServer(const TlsTestFiles& files) {
    HttpServerOptions options;
    options.tls = {files.server_cert, files.server_key};
    server_ = std::make_unique<HttpServer>(io_, options);
    server_->Route("GET", "/", [](HttpRequest&&, HttpResponder respond) {
      respond(HttpResponse::Text(200, "secure"));
    });
    server_->RouteWebSocket("/echo", [](std::shared_ptr<WebSocket> socket, const HttpRequest&) {
      WebSocketCallbacks callbacks;
      std::weak_ptr<WebSocket> weak = socket;
      callbacks.on_message = [weak](std::string_view text) {
        if (auto s = weak.lock()) s->Send(std::string(text));
      };
      return callbacks;
    });
    auto started = server_->Start();
    ASSERT_TRUE(started.has_value()) << started.error().message;
    ASSERT_EQ(server_->BaseUrl().rfind("https://", 0), 0u);
  }

  std::string Url(const std::string& scheme) {
    return scheme + "://localhost:" + std::to_string(server_->port()) + "/";
  }

  OutgoingRequest Get() {
    OutgoingRequest request;
    request.url = Url("https");
    return request;
  }

  Result<HttpResponse> HttpsGet(TlsClientOptions tls) {
    HttpClientOptions options;
    options.tls = std::move(tls);
    HttpClient client(io_, options);
    return client.Send(Get());
  }

  Result<std::shared_ptr<WebSocket>> WssConnect(TlsClientOptions tls,
                                                std::shared_ptr<std::promise<std::string>> echo) {
    WebSocketClientOptions options;
    options.tls = std::move(tls);
    WebSocketCallbacks callbacks;
    auto answered = std::make_shared<std::atomic<bool>>(false);
    callbacks.on_message = [echo, answered](std::string_view text) {
      if (!answered->exchange(true)) echo->set_value(std::string(text));
    };
    std::promise<Result<std::shared_ptr<WebSocket>>> connected;
    ConnectWebSocket(
        io_, Url("wss") + "echo", options, callbacks,
        [&](Result<std::shared_ptr<WebSocket>> result) { connected.set_value(std::move(result)); });
    return connected.get_future().get();
  }

  static TempDir* dir_;
  static TlsTestFiles* good_;
  static TlsTestFiles* other_;
  IoRuntime io_{2};
  std::unique_ptr<HttpServer> server_;
};

TempDir* TlsTest::dir_ = nullptr;
TlsTestFiles* TlsTest::good_ = nullptr;
TlsTestFiles* TlsTest::other_ = nullptr;

TEST_F(TlsTest, HttpsSucceedsWithTheCaConfigured) {
  StartServer(*good_);
  auto response = HttpsGet({.ca_file = good_->ca_cert});
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "secure");
}

TEST_F(TlsTest, HttpsKeepAliveReusesTheTlsConnection) {
  StartServer(*good_);
  HttpClientOptions options;
  options.tls.ca_file = good_->ca_cert;
  HttpClient client(io_, options);
  for (int i = 0; i < 3; ++i) {
    auto response = client.Send(Get());
    ASSERT_TRUE(response.has_value()) << response.error().message;
  }
  EXPECT_EQ(server_->accepted_connections(), 1u);
}

TEST_F(TlsTest, HttpsFailsWithoutTheCa) {
  StartServer(*good_);
  auto response = HttpsGet({});  // system CAs do not know the throwaway CA
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kTls) << response.error().message;
  EXPECT_NE(response.error().message.find("certificate verify failed"), std::string::npos)
      << response.error().message;
  EXPECT_NE(response.error().message.find("localhost:" + std::to_string(server_->port())),
            std::string::npos)
      << response.error().message;
}

TEST_F(TlsTest, HttpsFailsWhenTheCertificateNamesAnotherHost) {
  StartServer(*other_);
  auto response = HttpsGet({.ca_file = other_->ca_cert});
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kTls) << response.error().message;
  EXPECT_NE(response.error().message.find("host name mismatch"), std::string::npos)
      << response.error().message;
  EXPECT_NE(response.error().message.find("'localhost'"), std::string::npos)
      << response.error().message;
}

TEST_F(TlsTest, HttpsFailsWithAnUnreadableCaFile) {
  StartServer(*good_);
  auto response = HttpsGet({.ca_file = dir_->File("missing.pem")});
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kTls);
  EXPECT_NE(response.error().message.find("missing.pem"), std::string::npos);
}

TEST_F(TlsTest, WssSucceedsWithTheCaConfigured) {
  StartServer(*good_);
  auto echo = std::make_shared<std::promise<std::string>>();
  auto socket = WssConnect({.ca_file = good_->ca_cert}, echo);
  ASSERT_TRUE(socket.has_value()) << socket.error().message;
  socket.value()->Send("over tls");
  auto answer = echo->get_future();
  ASSERT_EQ(answer.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(answer.get(), "over tls");
  socket.value()->Close(1000, "done");
}

TEST_F(TlsTest, WssFailsWithoutTheCa) {
  StartServer(*good_);
  auto socket = WssConnect({}, std::make_shared<std::promise<std::string>>());
  ASSERT_FALSE(socket.has_value());
  EXPECT_EQ(socket.error().kind, ErrorKind::kTls) << socket.error().message;
  EXPECT_NE(socket.error().message.find("certificate verify failed"), std::string::npos)
      << socket.error().message;
}

TEST_F(TlsTest, WssFailsWhenTheCertificateNamesAnotherHost) {
  StartServer(*other_);
  auto socket =
      WssConnect({.ca_file = other_->ca_cert}, std::make_shared<std::promise<std::string>>());
  ASSERT_FALSE(socket.has_value());
  EXPECT_EQ(socket.error().kind, ErrorKind::kTls) << socket.error().message;
  EXPECT_NE(socket.error().message.find("host name mismatch"), std::string::npos)
      << socket.error().message;
}

}  // namespace
}  // namespace contexten::core::net
