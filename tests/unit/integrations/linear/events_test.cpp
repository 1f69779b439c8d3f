#include "integrations/linear/events.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

// Payloads follow Linear's documented envelope (https://linear.app/developers/webhooks) and the
// *WebhookPayload types in ../shared/contracts/linear/schema.graphql.

namespace contexten::integrations::linear {
namespace {

using ::testing::HasSubstr;

std::string Envelope(std::string_view action, std::string_view type, std::string_view data,
                     std::string_view extra = "") {
  return R"({"action":")" + std::string(action) + R"(","type":")" + std::string(type) +
         R"(","createdAt":"2024-05-01T10:00:00.000Z",
            "url":"https://linear.app/acme/issue/ENG-123/login-crash",
            "webhookTimestamp":1714557600123,"webhookId":"wh-1","organizationId":"org-1",
            "actor":{"id":"u-1","name":"Alice","email":"alice@example.com","type":"user"},
            "data":)" +
         std::string(data) + std::string(extra) + "}";
}

template <typename T>
T DataAs(const core::Result<LinearEvent>& result) {
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
  if (!result) return T{};
  EXPECT_TRUE(std::holds_alternative<T>(result->data)) << result->data.index();
  if (!std::holds_alternative<T>(result->data)) return T{};
  return std::get<T>(result->data);
}

constexpr std::string_view kIssueData = R"({
  "id":"2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9","identifier":"ENG-123","number":123,
  "title":"Login crash","description":"Crashes on submit","priority":2,"priorityLabel":"High",
  "url":"https://linear.app/acme/issue/ENG-123/login-crash",
  "state":{"id":"s-1","name":"In Progress","type":"started","color":"#f00"},
  "team":{"id":"t-1","key":"ENG","name":"Engineering"},
  "assignee":{"id":"u-2","name":"Bob","email":"bob@example.com"},
  "labels":[{"id":"l-1","name":"bug","color":"#eb5757"},{"id":"l-2","name":"p1","color":"#000"}],
  "labelIds":["l-1","l-2"]})";

TEST(ParseLinearWebhookTest, IssueCreateEnvelopeAndData) {
  auto result = ParseLinearWebhook(Envelope("create", "Issue", kIssueData));
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->action, "create");
  EXPECT_EQ(result->type, "Issue");
  EXPECT_EQ(result->created_at, "2024-05-01T10:00:00.000Z");
  EXPECT_EQ(result->url, "https://linear.app/acme/issue/ENG-123/login-crash");
  EXPECT_EQ(result->webhook_timestamp_ms, 1714557600123);
  EXPECT_EQ(result->webhook_id, "wh-1");
  EXPECT_EQ(result->organization_id, "org-1");
  ASSERT_TRUE(result->actor.has_value());
  EXPECT_EQ(result->actor->name, "Alice");
  EXPECT_TRUE(result->updated_from.is_null());

  const auto issue = DataAs<LinearIssueData>(result);
  EXPECT_EQ(issue.id, "2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9");
  EXPECT_EQ(issue.identifier, "ENG-123");
  EXPECT_EQ(issue.title, "Login crash");
  EXPECT_EQ(issue.description, "Crashes on submit");
  EXPECT_EQ(issue.state_name, "In Progress");
  EXPECT_EQ(issue.state_type, "started");
  EXPECT_EQ(issue.team_key, "ENG");
  ASSERT_TRUE(issue.assignee.has_value());
  EXPECT_EQ(issue.assignee->id, "u-2");
  EXPECT_EQ(issue.assignee->name, "Bob");
  EXPECT_EQ(issue.assignee->email, "bob@example.com");
  EXPECT_EQ(issue.priority, 2);
  EXPECT_EQ(issue.priority_label, "High");
  EXPECT_EQ(issue.url, "https://linear.app/acme/issue/ENG-123/login-crash");
  ASSERT_EQ(issue.labels.size(), 2u);
  EXPECT_EQ(issue.labels[0].name, "bug");
  EXPECT_EQ(issue.labels[0].color, "#eb5757");
  EXPECT_EQ(issue.labels[1].id, "l-2");
}

TEST(ParseLinearWebhookTest, IssueUpdateKeepsUpdatedFrom) {
  auto result = ParseLinearWebhook(
      Envelope("update", "Issue", kIssueData,
               R"(,"updatedFrom":{"stateId":"s-0","updatedAt":"2024-05-01T09:00:00.000Z"})"));
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->action, "update");
  ASSERT_TRUE(result->updated_from.is_object());
  EXPECT_EQ(result->updated_from.value("stateId", ""), "s-0");
}

TEST(ParseLinearWebhookTest, SparseIssueDerivesTeamKeyAndUrl) {
  auto result = ParseLinearWebhook(
      Envelope("update", "Issue",
               R"({"id":"i-9","identifier":"OPS-9","title":"t","assignee":null,"priority":0.0,
          "description":null,"state":{"name":"Todo","type":"unstarted"}})"));
  const auto issue = DataAs<LinearIssueData>(result);
  EXPECT_EQ(issue.team_key, "OPS");
  EXPECT_FALSE(issue.assignee.has_value());
  EXPECT_EQ(issue.description, "");
  EXPECT_EQ(issue.priority, 0);
  EXPECT_TRUE(issue.labels.empty());
  EXPECT_EQ(issue.url, "https://linear.app/acme/issue/ENG-123/login-crash");  // envelope url
}

TEST(ParseLinearWebhookTest, Comment) {
  const auto comment = DataAs<LinearCommentData>(
      ParseLinearWebhook(Envelope("create", "Comment",
                                  R"({"id":"c-1","body":"Looks like a null deref","issueId":"i-1",
          "issue":{"id":"i-1","identifier":"ENG-123","title":"Login crash"},
          "user":{"id":"u-1","name":"Alice","email":"alice@example.com"},"userId":"u-1"})")));
  EXPECT_EQ(comment.id, "c-1");
  EXPECT_EQ(comment.body, "Looks like a null deref");
  EXPECT_EQ(comment.issue_id, "i-1");
  EXPECT_EQ(comment.issue_identifier, "ENG-123");
  ASSERT_TRUE(comment.user.has_value());
  EXPECT_EQ(comment.user->name, "Alice");
}

TEST(ParseLinearWebhookTest, CommentUpdateCarriesItsUpdatedAt) {
  const auto comment = DataAs<LinearCommentData>(
      ParseLinearWebhook(Envelope("update", "Comment",
                                  R"({"id":"c-1","body":"edited","issueId":"i-1",
          "createdAt":"2026-11-28T10:00:00.000Z","updatedAt":"2026-11-28T10:00:09.000Z"})")));
  EXPECT_EQ(comment.body, "edited");
  EXPECT_EQ(comment.updated_at, "2026-11-28T10:00:09.000Z");
}

TEST(ParseLinearWebhookTest, CommentIssueIdFromNestedIssue) {
  const auto comment = DataAs<LinearCommentData>(ParseLinearWebhook(
      Envelope("create", "Comment", R"({"id":"c-2","body":"x","issue":{"id":"i-7"}})")));
  EXPECT_EQ(comment.issue_id, "i-7");
  EXPECT_FALSE(comment.user.has_value());
}

TEST(ParseLinearWebhookTest, Attachment) {
  const auto attachment = DataAs<LinearAttachmentData>(ParseLinearWebhook(
      Envelope("create", "Attachment",
               R"({"id":"a-1","url":"https://github.com/acme/app/pull/42","title":"PR #42",
          "subtitle":"Open","issueId":"i-1","sourceType":"github","metadata":{}})")));
  EXPECT_EQ(attachment.id, "a-1");
  EXPECT_EQ(attachment.url, "https://github.com/acme/app/pull/42");
  EXPECT_EQ(attachment.title, "PR #42");
  EXPECT_EQ(attachment.subtitle, "Open");
  EXPECT_EQ(attachment.issue_id, "i-1");
  EXPECT_EQ(attachment.source_type, "github");
}

TEST(ParseLinearWebhookTest, IssueLabelAndProject) {
  const auto label = DataAs<LinearIssueLabelData>(ParseLinearWebhook(
      Envelope("create", "IssueLabel", R"({"id":"l-1","name":"bug","color":"#eb5757"})")));
  EXPECT_EQ(label.id, "l-1");
  EXPECT_EQ(label.name, "bug");
  EXPECT_EQ(label.color, "#eb5757");

  const auto legacy = DataAs<LinearProjectData>(ParseLinearWebhook(Envelope(
      "update", "Project",
      R"({"id":"p-1","name":"Login v2","state":"started","url":"https://linear.app/p/1"})")));
  EXPECT_EQ(legacy.id, "p-1");
  EXPECT_EQ(legacy.name, "Login v2");
  EXPECT_EQ(legacy.state, "started");
  EXPECT_EQ(legacy.url, "https://linear.app/p/1");

  const auto current = DataAs<LinearProjectData>(ParseLinearWebhook(Envelope(
      "update", "Project", R"({"id":"p-2","name":"n","status":{"id":"ps","name":"Completed"}})")));
  EXPECT_EQ(current.state, "Completed");
}

TEST(ParseLinearWebhookTest, RemoveStillCarriesData) {
  const auto issue =
      DataAs<LinearIssueData>(ParseLinearWebhook(Envelope("remove", "Issue", kIssueData)));
  EXPECT_EQ(issue.identifier, "ENG-123");
}

TEST(ParseLinearWebhookTest, OtherTypesAreUnhandledEvenWithoutData) {
  const auto cycle = DataAs<UnhandledLinearEvent>(
      ParseLinearWebhook(Envelope("update", "Cycle", R"({"id":"cy-1"})")));
  EXPECT_EQ(cycle.type, "Cycle");
  EXPECT_EQ(cycle.action, "update");
  const auto revoked = DataAs<UnhandledLinearEvent>(ParseLinearWebhook(
      R"({"action":"revoked","type":"OAuthApp","organizationId":"org-1","oauthClientId":"x"})"));
  EXPECT_EQ(revoked.type, "OAuthApp");
  EXPECT_EQ(revoked.action, "revoked");
}

TEST(ParseLinearWebhookTest, RejectsMalformedEnvelopes) {
  const std::string_view bodies[] = {
      "",
      "not json",
      "[]",
      R"({"type":"Issue","data":{}})",                      // no action
      R"({"action":"create","data":{}})",                   // no type
      R"({"action":"create","type":7,"data":{}})",          // type not a string
      R"({"action":"create","type":"Issue"})",              // handled type, no data
      R"({"action":"create","type":"Comment","data":[]})",  // data not an object
  };
  for (std::string_view body : bodies) {
    auto result = ParseLinearWebhook(body);
    ASSERT_FALSE(result.has_value()) << body;
    EXPECT_EQ(result.error().kind, core::ErrorKind::kInvalidInput) << body;
  }
  EXPECT_THAT(ParseLinearWebhook(R"({"action":"create","type":"Issue"})").error().message,
              HasSubstr("data"));
}

TEST(ParseLinearWebhookTest, WrongFieldTypesDegradeToEmpty) {
  auto result = ParseLinearWebhook(
      Envelope("create", "Issue",
               R"({"id":5,"identifier":["x"],"state":"Done","team":[],"labels":{"a":1},
          "priority":"high","assignee":"bob"})",
               R"(,"updatedFrom":"nope")"));
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->updated_from.is_null());
  const auto issue = DataAs<LinearIssueData>(result);
  EXPECT_EQ(issue.id, "");
  EXPECT_EQ(issue.identifier, "");
  EXPECT_EQ(issue.state_name, "");
  EXPECT_EQ(issue.team_key, "");
  EXPECT_TRUE(issue.labels.empty());
  EXPECT_EQ(issue.priority, 0);
  EXPECT_FALSE(issue.assignee.has_value());
}

}  // namespace
}  // namespace contexten::integrations::linear
