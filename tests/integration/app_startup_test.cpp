// App::Start reports what stops the wiring modules from being built as an error naming the
// cause, and what was built before the problem is torn down again.

#include <gtest/gtest.h>

#include <string>

#include "bot/app.hpp"
#include "bot/sandbox_mode.hpp"
#include "core/config.hpp"
#include "core/net/http_server.hpp"
#include "core/net/io_runtime.hpp"
#include "tests/support/temp_dir.hpp"

namespace contexten {
namespace {

class AppStartupTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(peers_.Start()); }

  bot::AppOptions Options() {
    bot::AppOptions options;
    options.config =
        core::LoadConfigFromString("", [](const std::string&) { return std::nullopt; });
    peers_.ApplyTo(options.config);
    options.config.store.path = dir_.File("inbox.db");
    options.config.http.bind = "127.0.0.1";
    options.config.http.port = 0;
    return options;
  }

  testing::TempDir dir_;
  bot::SandboxPeers peers_;
};

TEST_F(AppStartupTest, AStoreThatCannotBeOpenedIsNamed) {
  auto options = Options();
  options.config.store.path = dir_.File("missing-dir/inbox.db");
  bot::App app(std::move(options));
  auto started = app.Start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("store '" + dir_.File("missing-dir/inbox.db") + "'"),
            std::string::npos)
      << started.error().message;
  EXPECT_FALSE(app.ready());
}

TEST_F(AppStartupTest, ATakenPortIsAnErrorUnlessFallbackIsAllowed) {
  core::net::IoRuntime io;
  core::net::HttpServerOptions taken_options;
  taken_options.bind_address = "127.0.0.1";
  core::net::HttpServer taken(io, taken_options);
  ASSERT_TRUE(taken.Start());

  auto options = Options();
  options.config.http.port = taken.port();
  {
    bot::App app(options);
    EXPECT_FALSE(app.Start());
    EXPECT_EQ(app.http_port(), 0);
  }
  options.allow_port_fallback = true;
  bot::App app(options);
  auto started = app.Start();
  ASSERT_TRUE(started) << started.error().Describe();
  EXPECT_NE(app.http_port(), 0);
  EXPECT_NE(app.http_port(), taken.port());
  EXPECT_TRUE(app.WaitConnected(std::chrono::seconds(10)));
  app.Stop();
}

}  // namespace
}  // namespace contexten
