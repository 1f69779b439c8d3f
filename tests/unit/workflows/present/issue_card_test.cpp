#include "workflows/present/issue_card.hpp"

#include <gtest/gtest.h>

#include <string>

#include "integrations/slack/block_kit/validate.hpp"

namespace contexten::workflows::present {
namespace {

using nlohmann::json;
namespace blocks = integrations::slack::blocks;

IssueCardModel Filed() {
  IssueCardModel model;
  model.phase = IssueCardModel::Phase::kFiled;
  model.title = "Login crashes on Safari";
  model.description = "Steps: open /login, press Enter.";
  model.team_key = "ENG";
  model.identifier = "ENG-123";
  model.url = "https://linear.app/acme/issue/ENG-123/login-crashes";
  model.state_name = "Todo";
  model.state_type = "unstarted";
  model.priority = 2;
  model.reporter_slack_id = "U0REPORTER";
  model.run_id = "run-42";
  return model;
}

// Every block's text (section text and fields, context elements, button labels), joined.
std::string AllText(const json& card) {
  std::string out;
  for (const auto& block : card["blocks"]) {
    if (block.contains("text")) out += block["text"]["text"].get<std::string>() + "\n";
    for (const auto& field : block.value("fields", json::array())) {
      out += field["text"].get<std::string>() + "\n";
    }
    for (const auto& element : block.value("elements", json::array())) {
      if (element.contains("text") && element["text"].is_object()) {
        out += element["text"]["text"].get<std::string>() + "\n";
      } else if (element.contains("text")) {
        out += element["text"].get<std::string>() + "\n";
      }
    }
  }
  return out;
}

const json* FindButton(const json& card, std::string_view action_id) {
  for (const auto& block : card["blocks"]) {
    if (block["type"] != "actions") continue;
    for (const auto& element : block["elements"]) {
      if (element["action_id"] == action_id) return &element;
    }
  }
  return nullptr;
}

bool Contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(PriorityNameTest, LinearPriorities) {
  EXPECT_EQ(PriorityName(0), "No priority");
  EXPECT_EQ(PriorityName(1), "Urgent");
  EXPECT_EQ(PriorityName(2), "High");
  EXPECT_EQ(PriorityName(3), "Medium");
  EXPECT_EQ(PriorityName(4), "Low");
  EXPECT_EQ(PriorityName(7), "No priority");
  EXPECT_EQ(PriorityName(-1), "No priority");
}

TEST(IssueCardTest, FiledUnassignedCardShowsIssueAndBothButtons) {
  const json card = RenderIssueCard(Filed());
  EXPECT_TRUE(blocks::Validate(card, blocks::Surface::kMessage)) << card.dump(2);
  EXPECT_EQ(card["text"], "ENG-123: Login crashes on Safari");
  const std::string text = AllText(card);
  EXPECT_TRUE(Contains(text, "<https://linear.app/acme/issue/ENG-123/login-crashes|*ENG-123*>"))
      << text;
  EXPECT_TRUE(Contains(text, "*Login crashes on Safari*"));
  EXPECT_TRUE(Contains(text, "*Status*\nTodo"));
  EXPECT_TRUE(Contains(text, "*Priority*\nHigh"));
  EXPECT_TRUE(Contains(text, "*Assignee*\n_Unassigned_"));
  EXPECT_TRUE(Contains(text, "<@U0REPORTER>"));

  const json* assign = FindButton(card, kIssueCardAssignAction);
  ASSERT_NE(assign, nullptr) << card.dump(2);
  EXPECT_EQ((*assign)["value"], "run-42");
  EXPECT_EQ((*assign)["text"]["text"], "Assign to me");
  const json* open = FindButton(card, kIssueCardOpenAction);
  ASSERT_NE(open, nullptr);
  EXPECT_EQ((*open)["url"], "https://linear.app/acme/issue/ENG-123/login-crashes");
  EXPECT_EQ((*open)["value"], "run-42");
}

TEST(IssueCardTest, AssignedCardHasNoAssignButton) {
  auto model = Filed();
  model.assignee_name = "Alice";
  json card = RenderIssueCard(model);
  EXPECT_EQ(FindButton(card, kIssueCardAssignAction), nullptr);
  EXPECT_NE(FindButton(card, kIssueCardOpenAction), nullptr);
  EXPECT_TRUE(Contains(AllText(card), "*Assignee*\nAlice"));

  model.assignee_slack_id = "U0ALICE";
  card = RenderIssueCard(model);
  EXPECT_TRUE(Contains(AllText(card), "*Assignee*\n<@U0ALICE>"));
  EXPECT_EQ(FindButton(card, kIssueCardAssignAction), nullptr);
}

TEST(IssueCardTest, FilingCardHasNoButtonsAndSaysWhereItGoes) {
  auto model = Filed();
  model.phase = IssueCardModel::Phase::kFiling;
  model.identifier.clear();
  model.url.clear();
  const json card = RenderIssueCard(model);
  EXPECT_TRUE(blocks::Validate(card, blocks::Surface::kMessage));
  EXPECT_EQ(FindButton(card, kIssueCardAssignAction), nullptr);
  EXPECT_EQ(FindButton(card, kIssueCardOpenAction), nullptr);
  EXPECT_EQ(card["text"], "Filing: Login crashes on Safari");
  const std::string text = AllText(card);
  EXPECT_TRUE(Contains(text, "Filing *Login crashes on Safari* in ENG")) << text;
  EXPECT_FALSE(Contains(text, "*Status*"));
  EXPECT_FALSE(Contains(text, "Unassigned"));
}

TEST(IssueCardTest, QueuedAndFailedCardsShowTheNote) {
  auto model = Filed();
  model.identifier.clear();
  model.url.clear();
  model.phase = IssueCardModel::Phase::kQueued;
  model.note = "Linear is not answering; your request is queued";
  json card = RenderIssueCard(model);
  EXPECT_TRUE(Contains(AllText(card), "queued for ENG"));
  EXPECT_TRUE(Contains(AllText(card), "Linear is not answering; your request is queued"));
  EXPECT_EQ(FindButton(card, kIssueCardAssignAction), nullptr);

  model.phase = IssueCardModel::Phase::kFailed;
  model.note = "Linear refused the title";
  card = RenderIssueCard(model);
  EXPECT_EQ(card["text"], "Could not file: Login crashes on Safari");
  EXPECT_TRUE(Contains(AllText(card), "Could not file *Login crashes on Safari*"));
  EXPECT_TRUE(Contains(AllText(card), "Linear refused the title"));

  // A note while filing or filed is not shown: it belongs to the queued/failed states.
  model.phase = IssueCardModel::Phase::kFiling;
  EXPECT_FALSE(Contains(AllText(RenderIssueCard(model)), "Linear refused the title"));
}

TEST(IssueCardTest, UserTextIsEscaped) {
  auto model = Filed();
  model.title = "<!channel> crash & burn";
  model.description = "<https://evil.example|click> <@U999>";
  model.assignee_name = "Bob <b>";
  model.state_name = "In <Review>";
  model.reporter_slack_id = "U1> <!here";  // not a user id: left out
  const json card = RenderIssueCard(model);
  const std::string text = AllText(card) + card["text"].get<std::string>();
  EXPECT_FALSE(Contains(text, "<!channel>"));
  EXPECT_FALSE(Contains(text, "<!here"));
  EXPECT_FALSE(Contains(text, "<https://evil"));
  EXPECT_FALSE(Contains(text, "<@U999>"));
  EXPECT_TRUE(Contains(text, "&lt;!channel&gt; crash &amp; burn"));
  EXPECT_TRUE(Contains(text, "Bob &lt;b&gt;"));
  EXPECT_TRUE(Contains(text, "In &lt;Review&gt;"));
}

TEST(IssueCardTest, UnsafeUrlIsNotLinkedAndGetsNoButton) {
  auto model = Filed();
  model.url = "https://linear.app/x|<!channel>";
  const json card = RenderIssueCard(model);
  EXPECT_EQ(FindButton(card, kIssueCardOpenAction), nullptr);
  EXPECT_FALSE(Contains(AllText(card), "<!channel>"));
  EXPECT_NE(FindButton(card, kIssueCardAssignAction), nullptr);
}

TEST(IssueCardTest, LongFieldsAreCutToSlackLimits) {
  auto model = Filed();
  model.title = std::string(5000, 'T');
  model.description = std::string(2000, '&') + std::string(20000, 'd');
  model.note = std::string(5000, 'n');
  model.phase = IssueCardModel::Phase::kQueued;
  for (int i = 0; i < 200; ++i) {
    model.pull_requests.push_back({"acme/web", i, std::string(500, 'p'),
                                   "https://github.com/acme/web/pull/" + std::to_string(i), "open",
                                   "approved", "passing"});
  }
  const json card = RenderIssueCard(model);
  EXPECT_TRUE(blocks::Validate(card, blocks::Surface::kMessage))
      << blocks::Validate(card, blocks::Surface::kMessage).error().message;
  ASSERT_TRUE(card.contains("blocks"));
  EXPECT_LE(card["blocks"].size(), 50u);
  const std::string text = AllText(card);
  EXPECT_TRUE(Contains(text, "\u2026"));
  EXPECT_TRUE(Contains(text, "more_")) << "the PR list says how many were left out";
  // The cut never splits an escape.
  EXPECT_FALSE(Contains(text, "&am\u2026"));
  EXPECT_FALSE(Contains(text, "&\u2026"));
}

TEST(IssueCardTest, PullRequestsShowStateReviewAndChecks) {
  auto model = Filed();
  model.pull_requests = {
      {"acme/web", 12, "Fix login", "https://github.com/acme/web/pull/12", "open",
       "changes_requested", "failing"},
      {"acme/api", 3, "Token refresh", "https://github.com/acme/api/pull/3", "merged", "approved",
       "passing"},
      {"acme/api", 4, "", "", "draft", "", "pending"},
  };
  const std::string text = AllText(RenderIssueCard(model));
  EXPECT_TRUE(Contains(text, "<https://github.com/acme/web/pull/12|acme/web#12> Fix login"))
      << text;
  EXPECT_TRUE(Contains(text, "*open* \u00b7 changes requested \u00b7 :x: checks failing"));
  EXPECT_TRUE(Contains(text, "*merged* \u00b7 approved \u00b7 :white_check_mark: checks passing"));
  EXPECT_TRUE(Contains(text, "acme/api#4 \u2014 *draft* \u00b7 :hourglass_flowing_sand:"));
}

TEST(IssueCardTest, NoRunIdMeansNoButtonValue) {
  auto model = Filed();
  model.run_id.clear();
  const json card = RenderIssueCard(model);
  const json* assign = FindButton(card, kIssueCardAssignAction);
  ASSERT_NE(assign, nullptr);
  EXPECT_FALSE(assign->contains("value"));
}

TEST(IssueCardTest, AnOpenIssueHasCloseAndAClosedOneReopenNamingTheIssue) {
  auto model = Filed();
  model.state_type = "started";
  json card = RenderIssueCard(model);
  const json* close = FindButton(card, kIssueCardCloseAction);
  ASSERT_NE(close, nullptr) << card.dump(2);
  EXPECT_EQ((*close)["value"], model.identifier);
  EXPECT_EQ((*close)["style"], "danger");
  EXPECT_EQ(FindButton(card, kIssueCardReopenAction), nullptr);
  model.state_type = "completed";
  card = RenderIssueCard(model);
  EXPECT_EQ(FindButton(card, kIssueCardCloseAction), nullptr);
  const json* reopen = FindButton(card, kIssueCardReopenAction);
  ASSERT_NE(reopen, nullptr) << card.dump(2);
  EXPECT_EQ((*reopen)["value"], model.identifier);
}

}  // namespace
}  // namespace contexten::workflows::present
