// `contexten sandbox` runs GitHub and Linear stand-ins beside the Slack one, and the bot's
// resilient clients point at them. A change made through a client comes back to the bot as a
// signed webhook, as with the real platforms, and lands in the inbox.

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/net/http_client.hpp"
#include "core/net/io_runtime.hpp"
#include "integrations/github/github_api.hpp"
#include "integrations/linear/linear_api.hpp"
#include "sandbox/github/github_sandbox.hpp"
#include "sandbox/linear/linear_sandbox.hpp"
#include "tests/integration/sandbox_app_support.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten {
namespace {

using testing::SandboxApp;
using testing::WaitFor;

int InboxRows(const std::string& store_path, const std::string& source, const std::string& kind) {
  SQLite::Database db(store_path, SQLite::OPEN_READONLY);
  SQLite::Statement query(db, "SELECT COUNT(*) FROM inbox WHERE source = ? AND kind = ?");
  query.bind(1, source);
  query.bind(2, kind);
  query.executeStep();
  return query.getColumn(0).getInt();
}

TEST(PeerSandboxesWiringTest, GitHubIssueCreatedThroughTheBotComesBackAsAWebhook) {
  SandboxApp env;
  ASSERT_NE(env.app().github(), nullptr);

  integrations::github::NewIssue issue;
  issue.title = "Flaky deploy step";
  auto created = env.app().github()->CreateIssue({"contexten", "sandbox"}, issue);
  ASSERT_TRUE(created) << created.error().Describe();
  ASSERT_EQ(env.github().Issues("contexten/sandbox").size(), 1u);

  ASSERT_TRUE(WaitFor([&] { return InboxRows(env.store_path(), "github", "issues:opened") == 1; },
                      std::chrono::seconds(10)));
  // The sandbox signed it with the secret the bot verifies with: answered 2xx.
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& d : env.github().Deliveries()) {
          if (d.event == "issues" && d.response_status == 202) return true;
        }
        return false;
      },
      std::chrono::seconds(10)));
}

TEST(PeerSandboxesWiringTest, LinearIssueCreatedThroughTheBotComesBackAsAWebhook) {
  SandboxApp env;
  ASSERT_NE(env.app().linear(), nullptr);
  auto teams = env.app().linear()->Teams();
  ASSERT_TRUE(teams) << teams.error().Describe();
  ASSERT_FALSE(teams->empty());

  integrations::linear::IssueCreateRequest request;
  request.team_id = teams->front().id;
  request.title = "Checkout times out";
  auto created = env.app().linear()->CreateIssue(request);
  ASSERT_TRUE(created) << created.error().Describe();
  EXPECT_TRUE(env.linear().GetIssue(created->identifier).has_value());

  ASSERT_TRUE(WaitFor([&] { return InboxRows(env.store_path(), "linear", "Issue:create") == 1; },
                      std::chrono::seconds(10)));
}

TEST(PeerSandboxesWiringTest, ReadyzReportsEachPlatformBreakerWithoutGatingOnIt) {
  SandboxApp env;
  ASSERT_TRUE(env.app().WaitConnected(std::chrono::seconds(10)));
  core::net::IoRuntime io;
  core::net::HttpClient http(io);
  core::net::OutgoingRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(env.app().http_port()) + "/readyz";
  auto answer = http.Send(std::move(request));
  ASSERT_TRUE(answer) << answer.error().Describe();
  auto body = nlohmann::json::parse(answer->body);
  ASSERT_TRUE(body["checks"].contains("github")) << answer->body;
  ASSERT_TRUE(body["checks"].contains("linear")) << answer->body;
  EXPECT_EQ(body["checks"]["github"]["detail"], "circuit CLOSED");
  EXPECT_EQ(body["checks"]["github"]["gates_readiness"], false);
  EXPECT_EQ(body["checks"]["linear"]["detail"], "circuit CLOSED");
  ASSERT_TRUE(body["checks"].contains("slack_api")) << answer->body;
  EXPECT_EQ(body["checks"]["slack_api"]["detail"], "circuit CLOSED");
  EXPECT_EQ(body["checks"]["slack_api"]["gates_readiness"], false);
  EXPECT_EQ(answer->status, 200);
}

}  // namespace
}  // namespace contexten
