// The create-issue form's Linear fields: team, assignee and labels as selects of Linear's data
// (a FakeLinearApi behind the LinearReferenceCache), opened at once and updated once read; the
// submission's assignee and labels reach the file_issue run and its create effect, and choices
// Linear would refuse are field errors.

#include <gtest/gtest.h>

#include "bot/handlers/command_handler.hpp"
#include "bot/handlers/linear_reference_cache.hpp"
#include "bot/handlers/new_issue.hpp"
#include "bot/handlers/register_handlers.hpp"
#include "core/clock.hpp"
#include "tests/support/fakes/fake_linear_api.hpp"
#include "tests/support/fakes/recording_slack_api.hpp"
#include "tests/support/slack_interactions.hpp"
#include "tests/support/workflow_fixture.hpp"
#include "workflows/builtin/file_issue.hpp"
#include "workflows/outbox/effect_kinds.hpp"

namespace contexten::bot::handlers {
namespace {

using integrations::slack::Interaction;
using integrations::slack::listeners::DispatchOutcome;
using integrations::slack::listeners::ListenerContext;
using integrations::slack::listeners::ListenerRegistry;
using nlohmann::json;

json Block(const json& view, const std::string& block_id) {
  for (const auto& b : view["blocks"]) {
    if (b.value("block_id", "") == block_id) return b;
  }
  return json();
}

std::vector<std::string> OptionValues(const json& element) {
  std::vector<std::string> out;
  for (const auto& o : element["options"]) out.push_back(o["value"]);
  return out;
}

class NewIssueLinearFieldsTest : public ::testing::Test {
 protected:
  NewIssueLinearFieldsTest()
      : cache_(linear_, clock_),
        commands_(slack_, clock_),
        conversation_(
            {*f_.engine, *f_.workflows, nullptr, access_, Settings(), {}, intents::Understand}) {
    linear_.AddTeam("OPS", "Operations");
    linear_.AddLabel("label-bug", "Bug");
    linear_.AddLabel("label-oncall", "On call", "OPS");
    f_.engine->Register(std::make_unique<workflows::builtin::FileIssueWorkflow>());
    RegisterHandlers(registry_, commands_, conversation_, "/ctx",
                     {*f_.engine, *f_.workflows, nullptr, nullptr, Settings()});
  }

  FileIssueSettings Settings() { return {true, "ENG", &cache_}; }

  core::Status Run(const Interaction& interaction) {
    ListenerContext context(
        interaction, slack_,
        [this](const json* p) {
          acks_.push_back(p ? *p : json());
          return true;
        },
        "U0BOT");
    auto result = registry_.Dispatch(context);
    EXPECT_EQ(result.outcome, DispatchOutcome::kHandled);
    return result.status;
  }

  core::Status OpenForm() {
    return Run(testing::ParseTestInteraction("slash_commands", {{"command", "/ctx"},
                                                                {"text", "new"},
                                                                {"user_id", "U7"},
                                                                {"channel_id", "C9"},
                                                                {"trigger_id", "trig.1"}}));
  }

  Interaction Submit(const std::string& team, const std::string& assignee,
                     const std::vector<std::string>& labels) {
    json picked = json::array();
    for (const auto& l : labels) picked.push_back({{"value", l}, {"text", {{"text", l}}}});
    json values = {
        {kNewIssueTitleBlock,
         {{kNewIssueTitleAction, {{"type", "plain_text_input"}, {"value", "Login crash"}}}}},
        {kNewIssueTeamBlock,
         {{kNewIssueTeamAction,
           {{"type", "static_select"}, {"selected_option", {{"value", team}}}}}}},
        {kNewIssueLabelsBlock,
         {{kNewIssueLabelsAction,
           {{"type", "multi_static_select"}, {"selected_options", picked}}}}}};
    if (!assignee.empty()) {
      values[kNewIssueAssigneeBlock] = {
          {kNewIssueAssigneeAction,
           {{"type", "static_select"}, {"selected_option", {{"value", assignee}}}}}};
    }
    return testing::ParseTestInteraction("interactive",
                                         {{"type", "view_submission"},
                                          {"user", {{"id", "U7"}}},
                                          {"view",
                                           {{"id", "V1"},
                                            {"callback_id", kNewIssueCallbackId},
                                            {"private_metadata", R"({"channel":"C9"})"},
                                            {"state", {{"values", values}}}}}});
  }

  testing::WorkflowFixture f_;
  testing::RecordingSlackApi slack_;
  testing::FakeLinearApi linear_;
  core::FakeClock clock_;
  LinearReferenceCache cache_;
  CommandHandler commands_;
  AccessControl access_;
  ConversationHandler conversation_;
  ListenerRegistry registry_;
  std::vector<json> acks_;
};

TEST_F(NewIssueLinearFieldsTest, OpensAtOnceThenUpdatesTheFormWithLinearsLists) {
  ASSERT_TRUE(OpenForm());
  auto opened = slack_.CallsTo("views.open");
  ASSERT_EQ(opened.size(), 1u);
  // Nothing cached yet: a typed team key (the default filled in) and a line saying why.
  const json first = opened[0].args["view"];
  EXPECT_EQ(Block(first, kNewIssueTeamBlock)["element"]["type"], "plain_text_input");
  EXPECT_EQ(Block(first, kNewIssueTeamBlock)["element"]["initial_value"], "ENG");
  EXPECT_FALSE(Block(first, kNewIssueLoadingBlock).is_null());
  ASSERT_EQ(acks_.size(), 1u);  // acked before the read

  auto updated = slack_.CallsTo("views.update");
  ASSERT_EQ(updated.size(), 1u);
  EXPECT_EQ(updated[0].args["view_id"], "V1");
  EXPECT_EQ(updated[0].args["hash"], "h1");  // refused by Slack if the view moved on
  const json view = updated[0].args["view"];
  EXPECT_TRUE(Block(view, kNewIssueLoadingBlock).is_null());
  const json team = Block(view, kNewIssueTeamBlock)["element"];
  EXPECT_EQ(team["type"], "static_select");
  EXPECT_EQ(OptionValues(team), (std::vector<std::string>{"ENG", "OPS"}));
  EXPECT_EQ(team["initial_option"]["value"], "ENG");
  const json assignee = Block(view, kNewIssueAssigneeBlock);
  EXPECT_TRUE(assignee.value("optional", false));
  EXPECT_EQ(OptionValues(assignee["element"]),
            (std::vector<std::string>{"user-alice", "user-bob"}));
  const json labels = Block(view, kNewIssueLabelsBlock)["element"];
  EXPECT_EQ(labels["type"], "multi_static_select");
  EXPECT_EQ(OptionValues(labels), (std::vector<std::string>{"label-bug", "label-oncall"}));
  EXPECT_EQ(labels["options"][1]["text"]["text"], "On call (OPS)");
  EXPECT_EQ(linear_.Calls("Teams"), 1);

  // Within the TTL the next form opens with the selects and Linear is not asked again.
  ASSERT_TRUE(OpenForm());
  opened = slack_.CallsTo("views.open");
  ASSERT_EQ(opened.size(), 2u);
  EXPECT_EQ(Block(opened[1].args["view"], kNewIssueTeamBlock)["element"]["type"], "static_select");
  EXPECT_EQ(slack_.CallsTo("views.update").size(), 1u);
  EXPECT_EQ(linear_.Calls("Teams"), 1);

  // After it, the form opens with the old lists and is refreshed in place.
  clock_.Advance(LinearReferenceCache::kDefaultTtl + std::chrono::seconds(1));
  ASSERT_TRUE(OpenForm());
  EXPECT_EQ(slack_.CallsTo("views.update").size(), 2u);
  EXPECT_EQ(linear_.Calls("Teams"), 2);
}

TEST_F(NewIssueLinearFieldsTest, AFailedFirstReadLeavesTheTypedTeamAndSaysSo) {
  linear_.FailNext(1, core::MakeError(core::ErrorKind::kUnavailable, "down"), "Teams");
  ASSERT_TRUE(OpenForm());
  auto updated = slack_.CallsTo("views.update");
  ASSERT_EQ(updated.size(), 1u);
  const json view = updated[0].args["view"];
  EXPECT_EQ(Block(view, kNewIssueTeamBlock)["element"]["type"], "plain_text_input");
  EXPECT_NE(Block(view, kNewIssueLoadingBlock).dump().find("Could not load"), std::string::npos);
}

TEST_F(NewIssueLinearFieldsTest, TheSubmissionFilesWithTheAssigneeAndLabels) {
  ASSERT_TRUE(cache_.Refresh());
  ASSERT_TRUE(Run(Submit("OPS", "user-bob", {"label-bug", "label-oncall"})));
  ASSERT_EQ(acks_.size(), 1u);
  EXPECT_TRUE(acks_[0].is_null()) << acks_[0].dump();
  auto effects = f_.workflows->Effects(store::EffectStatus::kPending, "", 10);
  ASSERT_TRUE(effects);
  json create;
  for (const auto& e : *effects) {
    if (e.kind == workflows::outbox::kLinearCreateIssue) create = json::parse(e.args_json);
  }
  ASSERT_TRUE(create.is_object());
  EXPECT_EQ(create["team_key"], "OPS");
  EXPECT_EQ(create["assignee_id"], "user-bob");
  EXPECT_EQ(create["label_ids"], json({"label-bug", "label-oncall"}));
}

TEST_F(NewIssueLinearFieldsTest, ChoicesLinearWouldRefuseAreFieldErrors) {
  ASSERT_TRUE(cache_.Refresh());
  // An OPS label on an ENG issue; a user and a team Linear no longer has.
  ASSERT_TRUE(Run(Submit("ENG", "user-gone", {"label-oncall"})));
  ASSERT_TRUE(Run(Submit("WEB", "", {})));
  ASSERT_EQ(acks_.size(), 2u);
  EXPECT_EQ(acks_[0]["response_action"], "errors");
  EXPECT_NE(acks_[0]["errors"][kNewIssueLabelsBlock].get<std::string>().find("belongs to team OPS"),
            std::string::npos);
  EXPECT_TRUE(acks_[0]["errors"].contains(kNewIssueAssigneeBlock));
  EXPECT_FALSE(acks_[0]["errors"].contains(kNewIssueTeamBlock));
  EXPECT_TRUE(acks_[1]["errors"].contains(kNewIssueTeamBlock));
  auto runs = f_.workflows->CountRuns(std::nullopt, "");
  ASSERT_TRUE(runs);
  EXPECT_EQ(*runs, 0);
}

}  // namespace
}  // namespace contexten::bot::handlers
