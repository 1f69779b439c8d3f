// GET /metrics of the whole bot in sandbox mode passes `promtool check metrics` (Debian's
// prometheus package, installed by scripts/setup.sh), before and after the sandbox is used, and
// the counters move: filing an issue is a Socket Mode envelope and ack, Linear and Slack calls
// from the outbox, and a file_issue run.

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/net/http_client.hpp"
#include "core/net/io_runtime.hpp"
#include "tests/integration/sandbox_app_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten {
namespace {

using testing::SandboxApp;
using testing::WaitFor;

struct Scrape {
  int status = 0;
  std::string content_type;
  std::string body;
};

Scrape GetMetrics(SandboxApp& env) {
  core::net::IoRuntime io;
  core::net::HttpClient http(io);
  core::net::OutgoingRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(env.app().http_port()) + "/metrics";
  auto response = http.Send(request);
  Scrape scrape;
  if (!response) return scrape;
  scrape.status = response->status;
  scrape.content_type = response->headers.Get("Content-Type").value_or("");
  scrape.body = response->body;
  return scrape;
}

bool HavePromtool() { return std::system("command -v promtool >/dev/null 2>&1") == 0; }

// promtool's verdict: empty when the exposition parses and passes its lint rules.
std::string PromtoolProblems(const std::string& body) {
  testing::TempDir dir;
  const std::string in = dir.File("metrics.txt");
  const std::string out = dir.File("promtool.txt");
  std::ofstream(in) << body;
  const std::string command = "promtool check metrics < " + in + " > " + out + " 2>&1";
  const int rc = std::system(command.c_str());
  std::ifstream result(out);
  std::stringstream text;
  text << result.rdbuf();
  return rc == 0 ? text.str() : "exit " + std::to_string(rc) + ": " + text.str();
}

// The value of the sample `series` (name with its labels, as rendered); nothing if absent.
std::optional<double> Value(const std::string& body, const std::string& series) {
  std::istringstream lines(body);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return std::nullopt;
}

TEST(MetricsPromtoolTest, MetricsPassPromtoolAndCountersMoveWhenTheSandboxIsUsed) {
  SandboxApp env;
  ASSERT_TRUE(env.app().WaitConnected(std::chrono::seconds(10)));
  const Scrape before = GetMetrics(env);
  ASSERT_EQ(before.status, 200);
  EXPECT_EQ(before.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(Value(before.body, "contexten_socket_mode_connected"), 1.0) << before.body;
  EXPECT_EQ(Value(before.body, "contexten_breaker_state{breaker=\"linear\",state=\"closed\"}"), 1.0)
      << before.body;

  env.slack().InjectSlashCommand("/ctx", "issue create ENG Login crash on Safari");
  ASSERT_TRUE(WaitFor([&] { return env.linear().Issues().size() >= 1; }));
  ASSERT_TRUE(env.app().WaitIdle(std::chrono::seconds(10)));
  const Scrape after = GetMetrics(env);
  ASSERT_EQ(after.status, 200);

  const auto moved = [&](const std::string& series) {
    return Value(after.body, series).value_or(0) > Value(before.body, series).value_or(0);
  };
  EXPECT_TRUE(moved("contexten_socket_mode_envelopes_total")) << after.body;
  EXPECT_TRUE(moved("contexten_socket_mode_acks_total"));
  EXPECT_TRUE(moved("contexten_socket_mode_ack_latency_seconds_count"));
  EXPECT_TRUE(moved("contexten_integration_requests_total{integration=\"linear\"}"));
  EXPECT_TRUE(moved("contexten_integration_requests_total{integration=\"slack\"}"));
  EXPECT_TRUE(
      moved("contexten_integration_request_duration_seconds_count{integration=\"linear\"}"));
  EXPECT_TRUE(moved("contexten_outbox_performed_total"));
  EXPECT_TRUE(moved("contexten_slack_deliveries_total{outcome=\"accepted\"}"));
  EXPECT_NE(after.body.find("contexten_workflow_runs{type=\"file_issue\""), std::string::npos);

  if (!HavePromtool()) {
    GTEST_SKIP() << "promtool not installed (Debian package `prometheus`, scripts/setup.sh): "
                    "the exposition was not checked by it";
  }
  EXPECT_EQ(PromtoolProblems(before.body), "") << before.body;
  EXPECT_EQ(PromtoolProblems(after.body), "") << after.body;
}

}  // namespace
}  // namespace contexten
