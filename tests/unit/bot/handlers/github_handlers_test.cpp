// `/ctx trace`: what it starts from (an issue, a PR, a Slack message link) and what it shows (the
// linked entities and the runs' notes in time order), over a real store; `/ctx deploy`'s usage.

#include "bot/handlers/github_handlers.hpp"

#include <gtest/gtest.h>

#include "tests/support/workflow_fixture.hpp"

namespace contexten::bot::handlers {
namespace {

using nlohmann::json;

// Decides what its events say: {links: [{from, to, kind}], note}.
class NotingWorkflow final : public workflows::engine::Workflow {
 public:
  std::string_view type() const override { return "noting"; }
  workflows::engine::Decision Decide(const workflows::engine::DecideContext&, const json& state,
                                     const workflows::engine::Event& event) const override {
    workflows::engine::Decision d;
    d.state = state.is_object() ? state : json::object();
    for (const auto& l : event.data.value("links", json::array())) {
      d.links.push_back({l["from"], l["to"], l["kind"], json::object()});
    }
    d.note = event.data.value("note", "");
    return d;
  }
};

TEST(TraceTargetTest, ReadsIssuesPullRequestsAndSlackLinks) {
  EXPECT_EQ(TraceTarget("ENG-12"), "linear_issue:ENG-12");
  EXPECT_EQ(TraceTarget("eng-12"), "linear_issue:ENG-12");
  EXPECT_EQ(TraceTarget("Acme/Web#7"), "github_pr:acme/web#7");
  EXPECT_EQ(TraceTarget("https://acme.slack.com/archives/C0123/p1700000000000100"),
            "slack_thread:C0123/1700000000.000100");
  EXPECT_EQ(TraceTarget("<https://acme.slack.com/archives/C0123/p1700000000000200"
                        "?thread_ts=1700000000.000100&cid=C0123>"),
            "slack_thread:C0123/1700000000.000100");
  EXPECT_FALSE(TraceTarget("acme/web"));
  EXPECT_FALSE(TraceTarget("acme/web#x"));
  EXPECT_FALSE(TraceTarget("hello"));
  EXPECT_FALSE(TraceTarget("https://acme.slack.com/archives/C0123"));
}

class TraceReplyTest : public ::testing::Test {
 protected:
  TraceReplyTest() { f_.engine->Register(std::make_unique<NotingWorkflow>()); }
  void Step(const std::string& run, const json& data, const std::string& key) {
    f_.clock.Advance(std::chrono::seconds(1));
    auto done = run_started_ ? f_.engine->Deliver(run, {"note", data, key})
                             : f_.engine->Start("noting", run, {"start", data, key});
    run_started_ = true;
    ASSERT_TRUE(done) << done.error().Describe();
  }
  testing::WorkflowFixture f_;
  bool run_started_ = false;
};

TEST_F(TraceReplyTest, ListsWhatIsLinkedAndTheTimelineInOrder) {
  Step("r1",
       {{"note", "filed ENG-1"},
        {"links", json::array({{{"from", "linear_issue:ENG-1"},
                                {"to", "slack_thread:C1/1.000100"},
                                {"kind", "created_from"}},
                               {{"from", "slack_thread:C1/1.000100"},
                                {"to", "contexten_run:r1"},
                                {"kind", "posted_in"}}})}},
       "k1");
  Step("r1",
       {{"note", "linked acme/web#3 (closes)"},
        {"links", json::array({{{"from", "github_pr:acme/web#3"},
                                {"to", "linear_issue:ENG-1"},
                                {"kind", "closes"}}})}},
       "k2");
  Step("r1", {{"note", "acme/web#3 merged"}}, "k3");
  const std::string text = TraceReply(*f_.workflows, "ENG-1").value("text", "");
  const auto thread = text.find("Slack thread <#C1>");
  const auto pr =
      text.find("pull request <https://github.com/acme/web/pull/3|acme/web#3> (closes)");
  const auto filed = text.find("filed ENG-1");
  const auto linked = text.find("linked acme/web#3 (closes)");
  const auto merged = text.find("acme/web#3 merged");
  ASSERT_NE(thread, std::string::npos) << text;
  ASSERT_NE(pr, std::string::npos) << text;
  ASSERT_NE(filed, std::string::npos) << text;
  EXPECT_LT(filed, linked) << text;
  EXPECT_LT(linked, merged) << text;
  // From the PR's side the same story is found.
  EXPECT_NE(TraceReply(*f_.workflows, "acme/web#3").value("text", "").find("filed ENG-1"),
            std::string::npos);
}

TEST_F(TraceReplyTest, UnknownOrMalformedTargetsSaySo) {
  EXPECT_NE(TraceReply(*f_.workflows, "ENG-9").value("text", "").find("nothing linked"),
            std::string::npos);
  EXPECT_NE(TraceReply(*f_.workflows, "what").value("text", "").find("Usage: /ctx trace"),
            std::string::npos);
}

TEST(StartDeployTest, MalformedArgumentsGetTheUsageAndStartNothing) {
  testing::WorkflowFixture f;
  DeploySettings settings;
  settings.github_enabled = true;
  EXPECT_NE(StartDeploy(*f.engine, settings, "acme", "U1", "C1", "E1").find("Usage"),
            std::string::npos);
  EXPECT_EQ(f.workflows->CountRuns(std::nullopt, "deploy").value_or(-1), 0);
  settings.github_enabled = false;
  EXPECT_NE(StartDeploy(*f.engine, settings, "acme/web staging", "U1", "C1", "E1")
                .find("GitHub is not configured"),
            std::string::npos);
}

}  // namespace
}  // namespace contexten::bot::handlers
