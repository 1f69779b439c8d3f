#include "workflows/correlation/link_json.hpp"

#include <gtest/gtest.h>

namespace contexten::workflows::correlation {
namespace {

using nlohmann::json;

TEST(LinkJsonTest, RoundTrips) {
  const Link link{PullRequest("acme/web", 12), LinearIssue("ENG-1"), LinkKind::kCloses,
                  Evidence{"github:pull_request.opened:d-1", "body", "Fixes ENG-1"}};
  const json stored = json::parse(ToJson(link).dump());
  EXPECT_EQ(stored["from"], "github_pr:acme/web#12");
  EXPECT_EQ(stored["to"], "linear_issue:ENG-1");
  EXPECT_EQ(stored["kind"], "closes");
  EXPECT_EQ(stored["evidence"]["excerpt"], "Fixes ENG-1");
  EXPECT_EQ(LinkFromJson(stored), link);
}

TEST(LinkJsonTest, RejectsWhatIsNotALink) {
  EXPECT_EQ(LinkFromJson(json()), std::nullopt);
  EXPECT_EQ(LinkFromJson(json{{"from", "linear_issue:ENG-1"}, {"kind", "closes"}}), std::nullopt);
  EXPECT_EQ(LinkFromJson(
                json{{"from", "linear_issue:ENG-1"}, {"to", "github_pr:a/b#1"}, {"kind", "fixes"}}),
            std::nullopt);
  EXPECT_EQ(LinkFromJson(json{{"from", "jira:X-1"}, {"to", "github_pr:a/b#1"}, {"kind", "closes"}}),
            std::nullopt);
}

TEST(LinkJsonTest, MissingEvidenceReadsAsEmpty) {
  const auto link = LinkFromJson(json{{"from", "slack_thread:C1/1.2"},
                                      {"to", "linear_issue:ENG-1"},
                                      {"kind", "created_from"},
                                      {"evidence", 5}});
  ASSERT_TRUE(link);
  EXPECT_EQ(link->kind, LinkKind::kCreatedFrom);
  EXPECT_EQ(link->evidence, Evidence{});
}

}  // namespace
}  // namespace contexten::workflows::correlation
