// The conversation path through the registered listeners, with a stand-in for the parser (the
// real one is intents::Understand; these tests fix what it says to test what the bot does with
// it): routing of mentions, DMs and replies in the bot's threads with the thread's issue as
// context, silence for chatter, confirmations that only the requester can answer, "did you
// mean" below the threshold, team buttons for a missing team, allow-lists, help and the audit
// log.

#include "bot/handlers/conversation_handler.hpp"

#include <gtest/gtest.h>

#include "bot/handlers/command_handler.hpp"
#include "bot/handlers/register_handlers.hpp"
#include "bot/handlers/whoami.hpp"
#include "store/sqlite_audit_log.hpp"
#include "tests/support/fakes/recording_slack_api.hpp"
#include "tests/support/scripted_workflow.hpp"
#include "tests/support/workflow_fixture.hpp"
#include "workflows/builtin/ci_alert.hpp"
#include "workflows/builtin/file_issue.hpp"
#include "workflows/builtin/github_events.hpp"
#include "workflows/builtin/identity.hpp"
#include "workflows/builtin/intent_action.hpp"
#include "workflows/outbox/effect_kinds.hpp"

namespace contexten::bot::handlers {
namespace {

using integrations::slack::Envelope;
using integrations::slack::Interaction;
using integrations::slack::listeners::ListenerContext;
using integrations::slack::listeners::ListenerRegistry;
using intents::Understanding;
using intents::UtteranceContext;
using nlohmann::json;

core::AccessConfig Access() {
  core::AccessConfig access;
  access.admins = {"U0ADMIN"};
  access.commands["close"].users = {"U7", "U8"};
  access.commands["create_issue"].channels = {"C9"};
  return access;
}

class ConversationHandlerTest : public ::testing::Test {
 protected:
  ConversationHandlerTest()
      : commands_(slack_, clock_),
        access_(Access()),
        audit_(*f_.database),
        conversation_({*f_.engine,
                       *f_.workflows,
                       &audit_,
                       access_,
                       {true, "ENG"},
                       {"/ctx", 0.6, {}},
                       [this](std::string_view text, const UtteranceContext& context) {
                         seen_text_ = std::string(text);
                         seen_context_ = context;
                         ++understood_;
                         return next_;
                       }}) {
    f_.engine->Register(std::make_unique<workflows::builtin::FileIssueWorkflow>());
    f_.engine->Register(std::make_unique<workflows::builtin::IntentActionWorkflow>());
    f_.engine->Register(std::make_unique<testing::ScriptedWorkflow>());
    f_.engine->Register(std::make_unique<workflows::builtin::IdentityWorkflow>());
    f_.engine->Register(std::make_unique<workflows::builtin::CiAlertWorkflow>());
    RegisterHandlers(registry_, commands_, conversation_, "/ctx",
                     {*f_.engine, *f_.workflows, nullptr, nullptr, {true, "ENG"}});
    // ENG-1's card is the root of thread C9/100.1 (what file_issue links when it posts it).
    auto linked = f_.engine->Start("scripted", "card-run",
                                   {"start",
                                    {{"links", json::array({{{"from", "linear_issue:ENG-1"},
                                                             {"to", "slack_thread:C9/100.1"},
                                                             {"kind", "created_from"}}})}},
                                    ""});
    EXPECT_TRUE(linked);
  }

  void Says(std::string intent, json entities = json::object(), double confidence = 0.95,
            std::vector<std::string> missing = {}) {
    next_ = Understanding{};
    next_.intent = std::move(intent);
    next_.entities = std::move(entities);
    next_.confidence = confidence;
    next_.missing = std::move(missing);
  }

  void Dispatch(const std::string& type, json payload, const std::string& envelope_id) {
    Envelope e;
    e.envelope_id = envelope_id;
    e.type = type;
    e.payload = std::move(payload);
    auto interaction = integrations::slack::ParseInteraction(e);
    ASSERT_TRUE(interaction) << interaction.error().message;
    ListenerContext context(
        *interaction, slack_,
        [this](const json* p) {
          acks_.push_back(p ? *p : json());
          return true;
        },
        "U0BOT");
    registry_.Dispatch(context);
  }

  void Message(const std::string& text, const std::string& user = "U7",
               const std::string& thread_ts = "", const std::string& channel = "C9",
               const std::string& type = "message", const std::string& envelope_id = "E1") {
    json event = {{"type", type},       {"user", user},
                  {"channel", channel}, {"ts", "200.2"},
                  {"text", text},       {"channel_type", channel[0] == 'D' ? "im" : "channel"}};
    if (!thread_ts.empty()) event["thread_ts"] = thread_ts;
    Dispatch("events_api", {{"type", "event_callback"}, {"event", event}}, envelope_id);
  }

  void Slash(const std::string& text, const std::string& user = "U7",
             const std::string& channel = "C9", const std::string& envelope_id = "E2") {
    Dispatch("slash_commands",
             {{"command", "/ctx"}, {"text", text}, {"channel_id", channel}, {"user_id", user}},
             envelope_id);
  }

  void Click(const std::string& action_id, const std::string& value, const std::string& user,
             const std::string& envelope_id) {
    Dispatch("interactive",
             {{"type", "block_actions"},
              {"user", {{"id", user}}},
              {"channel", {{"id", "C9"}}},
              {"container", {{"type", "message"}, {"message_ts", "300.3"}, {"channel_id", "C9"}}},
              {"message", {{"ts", "300.3"}, {"thread_ts", "100.1"}, {"text", "prompt"}}},
              {"trigger_id", "T1"},
              {"actions", json::array({{{"action_id", action_id},
                                        {"type", "button"},
                                        {"value", value},
                                        {"block_id", "b"}}})}},
             envelope_id);
  }

  std::vector<store::EffectRecord> EffectsOf(const std::string& run_id) {
    auto effects = f_.workflows->Effects(std::nullopt, run_id, 100);
    EXPECT_TRUE(effects);
    return effects ? *effects : std::vector<store::EffectRecord>{};
  }

  static std::string RunFor(const std::string& envelope_id) {
    return std::string(workflows::builtin::kIntentActionType) + ":slack:" + envelope_id;
  }

  static bool HasKind(const std::vector<store::EffectRecord>& effects, const std::string& kind) {
    return std::any_of(effects.begin(), effects.end(),
                       [&](const auto& e) { return e.kind == kind; });
  }

  std::vector<store::AuditEntry> Audit() {
    auto entries = audit_.Recent(50);
    EXPECT_TRUE(entries);
    return entries ? *entries : std::vector<store::AuditEntry>{};
  }

  // Performs the prompt's post so that the run knows the prompt's ts, as the relay would.
  void PromptPosted(const std::string& run_id) {
    for (const auto& e : EffectsOf(run_id)) {
      if (e.step_id != "prompt") continue;
      store::EffectOutcome outcome{e.id, store::EffectStatus::kDone,
                                   R"({"channel":"C9","ts":"300.3"})", ""};
      ASSERT_TRUE(f_.engine->Deliver(run_id,
                                     {workflows::engine::kEffectDone,
                                      {{"step", e.step_id},
                                       {"kind", e.kind},
                                       {"result", {{"channel", "C9"}, {"ts", "300.3"}}}},
                                      "effect:" + std::to_string(e.id)},
                                     std::nullopt, outcome));
    }
  }

  testing::WorkflowFixture f_;
  testing::RecordingSlackApi slack_;
  core::FakeClock clock_;
  CommandHandler commands_;
  AccessControl access_;
  store::SqliteAuditLog audit_;
  ConversationHandler conversation_;
  ListenerRegistry registry_;
  Understanding next_;
  std::string seen_text_;
  UtteranceContext seen_context_;
  int understood_ = 0;
  std::vector<json> acks_;
};

TEST_F(ConversationHandlerTest, CloseItInTheIssueThreadAsksOnlyTheRequesterThenCloses) {
  Says("close", {{"issue", "ENG-1"}}, 0.99);
  Message("close it", "U7", "100.1");
  // The reply in ENG-1's thread was understood with that issue as its context.
  ASSERT_EQ(understood_, 1);
  EXPECT_EQ(seen_text_, "close it");
  EXPECT_EQ(seen_context_.source, UtteranceContext::Source::kThreadReply);
  EXPECT_EQ(seen_context_.thread_issue, "ENG-1");

  const std::string run = RunFor("E1");
  auto effects = EffectsOf(run);
  ASSERT_EQ(effects.size(), 1u);  // the question, nothing in Linear yet
  EXPECT_EQ(effects[0].kind, workflows::outbox::kSlackPostMessage);
  const json prompt = json::parse(effects[0].args_json);
  EXPECT_EQ(prompt["thread_ts"], "100.1");
  EXPECT_NE(prompt["text"].get<std::string>().find("close *ENG-1*"), std::string::npos);
  EXPECT_NE(prompt["blocks"].dump().find("Close ENG-1"), std::string::npos);
  PromptPosted(run);

  // Someone else's click does not count.
  Click(workflows::builtin::kIntentYesAction, run, "U8", "E3");
  effects = EffectsOf(run);
  EXPECT_FALSE(HasKind(effects, workflows::outbox::kLinearGetIssue));
  ASSERT_TRUE(HasKind(effects, workflows::outbox::kSlackPostEphemeral));

  // The requester's does: the issue is read, then moved (by the executor) to its team's
  // completed state.
  Click(workflows::builtin::kIntentYesAction, run, "U7", "E4");
  effects = EffectsOf(run);
  ASSERT_TRUE(HasKind(effects, workflows::outbox::kLinearGetIssue));
  EXPECT_TRUE(HasKind(effects, workflows::outbox::kSlackUpdateMessage));  // the prompt, answered

  const auto audit = Audit();
  ASSERT_GE(audit.size(), 2u);
  EXPECT_EQ(audit[0].decision, "confirmed");
  EXPECT_EQ(audit[0].action, "close");
  EXPECT_EQ(audit[1].decision, "asked");
  EXPECT_EQ(audit[1].source, "thread_reply");
  EXPECT_EQ(audit[1].channel, "C9");
}

TEST_F(ConversationHandlerTest, ADestructiveSlashCommandAtFullConfidenceStillConfirms) {
  Says("close", {{"issue", "ENG-1"}}, 1.0);
  Slash("issue close ENG-1");
  ASSERT_EQ(acks_.size(), 1u);
  EXPECT_TRUE(acks_[0].is_null()) << acks_[0].dump();
  auto effects = EffectsOf(RunFor("E2"));
  ASSERT_EQ(effects.size(), 1u);
  EXPECT_EQ(effects[0].step_id, "prompt");
}

TEST_F(ConversationHandlerTest, CancelEndsTheRunWithoutTouchingLinear) {
  Says("close", {{"issue", "ENG-1"}});
  Message("close it", "U7", "100.1");
  const std::string run = RunFor("E1");
  PromptPosted(run);
  Click(workflows::builtin::kIntentNoAction, run, "U7", "E5");
  const auto effects = EffectsOf(run);
  EXPECT_FALSE(HasKind(effects, workflows::outbox::kLinearGetIssue));
  EXPECT_FALSE(HasKind(effects, workflows::outbox::kLinearUpdateIssue));
  auto loaded = f_.workflows->LoadRun(run);
  ASSERT_TRUE(loaded && *loaded);
  EXPECT_EQ((*loaded)->status, store::RunStatus::kCompleted);
  EXPECT_EQ(Audit()[0].decision, "cancelled");
}

TEST_F(ConversationHandlerTest, ChatterInAThreadAndInAChannelGetsNoReply) {
  Says("none", json::object(), 0.0);
  Message("lol same here", "U7", "100.1");
  Message("honestly <@U0BOT> is great", "U7", "", "C9", "app_mention", "E6");
  EXPECT_TRUE(slack_.CallsTo("chat.postMessage").empty());
  EXPECT_TRUE(slack_.CallsTo("chat.postEphemeral").empty());
  // A thread the bot does not keep is not even read.
  const int before = understood_;
  Message("close it", "U7", "555.5");
  EXPECT_EQ(understood_, before);
}

TEST_F(ConversationHandlerTest, AMentionAddressedToTheBotThatItDoesNotGetPointsToHelp) {
  Says("none", json::object(), 0.0);
  Message("<@U0BOT> what is the meaning of life", "U7", "", "C9", "app_mention", "E6");
  auto posts = slack_.CallsTo("chat.postMessage");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_NE(posts[0].args["text"].get<std::string>().find("/ctx help"), std::string::npos);
  EXPECT_EQ(posts[0].args["thread_ts"], "200.2");
}

TEST_F(ConversationHandlerTest, AskingWhereAnIssueIsAtAnswersWithItsTrace) {
  Says("trace", {{"issue", "ENG-9"}});
  Message("<@U0BOT> where is ENG-9 at?", "U7", "", "C9", "app_mention", "E6");
  auto posts = slack_.CallsTo("chat.postMessage");
  ASSERT_EQ(posts.size(), 1u);
  const std::string text = posts[0].args["text"];
  EXPECT_NE(text.find("Linear issue *ENG-9*"), std::string::npos) << text;
  EXPECT_EQ(text.find("not available"), std::string::npos) << text;
  const auto audit = Audit();
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit[0].action, "trace");
}

TEST_F(ConversationHandlerTest, LinkingAPrAsksTheIssuesCardRunAndSaysSoOnlyToTheRequester) {
  using workflows::engine::kEffectDone;
  // ENG-2's card: a file_issue run that filed it (the relay's answers given by hand).
  const std::string card = "file_issue:slack:card-2";
  ASSERT_TRUE(f_.engine->Start(
      workflows::builtin::kFileIssueType, card,
      {"start",
       {{"team_key", "ENG"}, {"title", "Search is slow"}, {"channel", "C9"}, {"reporter", "U7"}},
       "start"}));
  ASSERT_TRUE(f_.engine->Deliver(
      card, {kEffectDone,
             {{"step", "card"}, {"result", {{"channel", "C9"}, {"ts", "150.1"}}}},
             "e:card"}));
  ASSERT_TRUE(f_.engine->Deliver(card, {kEffectDone,
                                        {{"step", "create"},
                                         {"result",
                                          {{"id", "uuid-2"},
                                           {"identifier", "ENG-2"},
                                           {"title", "Search is slow"},
                                           {"url", "https://linear.app/x/issue/ENG-2"},
                                           {"team_key", "ENG"},
                                           {"state", {{"name", "Todo"}, {"type", "unstarted"}}},
                                           {"assignee", nullptr}}}},
                                        "e:create"}));
  // Something else waiting on ENG-3 (a subscription's home thread, say) is not a card.
  ASSERT_TRUE(f_.engine->Start("scripted", "other-run",
                               {"start", {{"wait_for", json::array({"linear_issue:ENG-3"})}}, ""}));

  Says("link", {{"issue", "ENG-2"}, {"pr", "acme/web#34"}}, 1.0);
  Message("<@U0BOT> link ENG-2 to acme/web#34", "U7", "", "C9", "app_mention", "E20");
  EXPECT_TRUE(HasKind(EffectsOf(card), workflows::outbox::kGitHubGetPullRequest));
  Says("link", {{"issue", "ENG-3"}, {"pr", "acme/web#34"}}, 1.0);
  Message("<@U0BOT> link ENG-3 to acme/web#34", "U7", "", "C9", "app_mention", "E21");
  Says("link", {{"issues", json::array({"ENG-2", "ENG-3"})}}, 1.0);
  Message("<@U0BOT> link ENG-2 to ENG-3", "U7", "", "C9", "app_mention", "E22");

  auto ephemerals = slack_.CallsTo("chat.postEphemeral");
  ASSERT_EQ(ephemerals.size(), 3u);
  EXPECT_EQ(ephemerals[0].args["user"], "U7");
  const std::string linking = ephemerals[0].args["text"];
  EXPECT_NE(linking.find("Linking acme/web#34 to *ENG-2*"), std::string::npos) << linking;
  const std::string no_card = ephemerals[1].args["text"];
  EXPECT_NE(no_card.find("No card in Slack follows *ENG-3*"), std::string::npos) << no_card;
  const std::string issues = ephemerals[2].args["text"];
  EXPECT_NE(issues.find("not available yet"), std::string::npos) << issues;
  EXPECT_TRUE(slack_.CallsTo("chat.postMessage").empty());
  auto other = f_.workflows->LoadRun("other-run");
  ASSERT_TRUE(other && *other);
  EXPECT_EQ((*other)->state_json.find("slack.link_request"), std::string::npos);
  const auto audit = Audit();
  ASSERT_GE(audit.size(), 3u);
  EXPECT_EQ(audit[2].action, "link");
}

TEST_F(ConversationHandlerTest, ThanksAndGreetingsGetAFriendlyAnswer) {
  Says("none", json::object(), 0.0);
  Message("<@U0BOT> thanks!", "U7", "", "C9", "app_mention", "E6");
  Says("none", json::object(), 0.0);
  Message("<@U0BOT> hi there", "U7", "", "C9", "app_mention", "E7");
  auto posts = slack_.CallsTo("chat.postMessage");
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].args["text"], "You're welcome!");
  const std::string hi = posts[1].args["text"];
  EXPECT_NE(hi.find("Hi <@U7>!"), std::string::npos) << hi;
  EXPECT_EQ(hi.find("not sure"), std::string::npos) << hi;
}

TEST_F(ConversationHandlerTest, ADirectMessageIsUnderstoodAsOne) {
  Says("reopen", {{"issue", "ENG-1"}});
  Message("reopen ENG-1", "U7", "", "D123");
  EXPECT_EQ(seen_context_.source, UtteranceContext::Source::kDirectMessage);
  // Reopen is not destructive: it acts at once (reads the issue first).
  EXPECT_TRUE(HasKind(EffectsOf(RunFor("E1")), workflows::outbox::kLinearGetIssue));
}

TEST_F(ConversationHandlerTest, BelowTheThresholdTheBotAsksAndYesFilesTheIssue) {
  Says("create_issue", {{"team", "ENG"}, {"title", "Login crash"}}, 0.4);
  Message("<@U0BOT> login crash in eng maybe?", "U7", "", "C9", "app_mention", "E7");
  const std::string run = RunFor("E7");
  auto effects = EffectsOf(run);
  ASSERT_EQ(effects.size(), 1u);
  const std::string text = json::parse(effects[0].args_json)["text"];
  EXPECT_NE(text.find("did you mean: create an issue in ENG titled “Login crash”"),
            std::string::npos)
      << text;
  EXPECT_NE(effects[0].args_json.find("\"Yes\""), std::string::npos);
  PromptPosted(run);
  Click(workflows::builtin::kIntentYesAction, run, "U7", "E8");
  // The file_issue run for it exists, with what was understood.
  auto files = f_.workflows->CountRuns(std::nullopt, workflows::builtin::kFileIssueType);
  ASSERT_TRUE(files);
  EXPECT_EQ(*files, 1);
  auto filed = f_.workflows->LoadRun("file_issue:slack:" + run);
  ASSERT_TRUE(filed && *filed);
  EXPECT_EQ(json::parse((*filed)->state_json)["request"]["title"], "Login crash");
}

TEST_F(ConversationHandlerTest, AMissingTeamIsAskedForWithTheLinearTeams) {
  Says("create_issue", {{"title", "Login crash"}}, 0.9, {"team"});
  Message("<@U0BOT> file a bug: login crash", "U7", "", "C9", "app_mention", "E9");
  const std::string run = RunFor("E9");
  auto effects = EffectsOf(run);
  ASSERT_EQ(effects.size(), 1u);
  EXPECT_EQ(effects[0].kind, workflows::outbox::kLinearListTeams);
  // The teams come back: one button each.
  store::EffectOutcome outcome{effects[0].id, store::EffectStatus::kDone, "", ""};
  ASSERT_TRUE(f_.engine->Deliver(
      run,
      {workflows::engine::kEffectDone,
       {{"step", effects[0].step_id},
        {"result", {{"teams", json::array({{{"key", "ENG"}}, {{"key", "DES"}}})}}}},
       "effect:1"},
      std::nullopt, outcome));
  effects = EffectsOf(run);
  ASSERT_EQ(effects.size(), 2u);
  const json blocks = json::parse(effects[1].args_json)["blocks"];
  EXPECT_NE(blocks.dump().find("intent_team_1"), std::string::npos);
  EXPECT_NE(blocks.dump().find(run + "|DES"), std::string::npos);
  PromptPosted(run);
  Click("intent_team_1", run + "|DES", "U7", "E10");
  auto filed = f_.workflows->LoadRun("file_issue:slack:" + run);
  ASSERT_TRUE(filed && *filed);
  EXPECT_EQ(json::parse((*filed)->state_json)["request"]["team_key"], "DES");
}

TEST_F(ConversationHandlerTest, OutsideTheAllowListIsRefusedWithAReasonAndAudited) {
  Says("close", {{"issue", "ENG-1"}});
  Message("close it", "U5", "100.1");
  EXPECT_TRUE(EffectsOf(RunFor("E1")).empty());
  auto ephemerals = slack_.CallsTo("chat.postEphemeral");
  ASSERT_EQ(ephemerals.size(), 1u);
  EXPECT_EQ(ephemerals[0].args["user"], "U5");
  EXPECT_NE(ephemerals[0].args["text"].get<std::string>().find("not on the allow-list for `close`"),
            std::string::npos);
  const auto audit = Audit();
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit[0].actor, "U5");
  EXPECT_EQ(audit[0].decision, "refused");
  EXPECT_NE(audit[0].outcome.find("allow-list"), std::string::npos);
}

TEST_F(ConversationHandlerTest, HelpListsOnlyWhatThePersonMayRun) {
  Says("help");
  Slash("help", "U7", "C1");  // create_issue is only allowed in C9
  ASSERT_EQ(acks_.size(), 1u);
  std::string text = acks_[0]["text"];
  EXPECT_EQ(text.find("/ctx new"), std::string::npos) << text;
  EXPECT_EQ(text.find("/ctx issue create"), std::string::npos) << text;
  EXPECT_NE(text.find("/ctx status"), std::string::npos) << text;
  EXPECT_EQ(text.find("/ctx audit"), std::string::npos) << text;
  // Everything else the grammar knows is listed, each under its own allow-list.
  for (const char* open : {"/ctx subscribe ", "/ctx subscriptions", "/ctx deploy ", "/ctx trace ",
                           "/ctx report schedule ", "/ctx issue close "}) {
    EXPECT_NE(text.find(open), std::string::npos) << open << " missing from:\n" << text;
  }
  Slash("help", "U5", "C1", "E10");  // U5 is not on close's allow-list
  ASSERT_EQ(acks_.size(), 2u);
  EXPECT_EQ(acks_[1]["text"].get<std::string>().find("/ctx issue close "), std::string::npos);
  Slash("help", "U0ADMIN", "C1", "E11");
  text = acks_[2]["text"];
  EXPECT_NE(text.find("/ctx new"), std::string::npos) << text;
  EXPECT_NE(text.find("/ctx audit"), std::string::npos) << text;
  // The list spans several sections, none over Block Kit's 3,000 characters.
  int sections = 0;
  for (const auto& block : acks_[2]["blocks"]) {
    if (block["type"] != "section") continue;
    ++sections;
    EXPECT_LE(block["text"]["text"].get<std::string>().size(), 3000u);
  }
  EXPECT_GE(sections, 1);
}

TEST_F(ConversationHandlerTest, HelpOnACommandShowsItsExamplesOrWhyThePersonMayNotRunIt) {
  Says("help", {{"topic", "issue close"}});
  Slash("help issue close", "U7", "C1");
  ASSERT_EQ(acks_.size(), 1u);
  std::string text = acks_[0]["text"];
  EXPECT_NE(text.find("issue close &lt;ISSUE&gt;"), std::string::npos) << text;
  EXPECT_NE(text.find("e.g. `issue close ENG-12`"), std::string::npos) << text;
  Slash("help issue close", "U5", "C1", "E10");  // not on close's allow-list
  ASSERT_EQ(acks_.size(), 2u);
  text = acks_[1]["text"];
  EXPECT_NE(text.find("not on the allow-list for `close`"), std::string::npos) << text;
  EXPECT_EQ(text.find("e.g."), std::string::npos) << text;
}

TEST_F(ConversationHandlerTest, AuditIsForAdminsAndShowsTheNewestEntries) {
  Says("close", {{"issue", "ENG-1"}});
  Message("close it", "U5", "100.1");  // refused
  Slash("audit 5", "U7");
  ASSERT_EQ(acks_.size(), 1u);
  EXPECT_NE(acks_[0]["text"].get<std::string>().find("Only Contexten admins"), std::string::npos);
  Slash("audit 5", "U0ADMIN", "C9", "E12");
  ASSERT_EQ(acks_.size(), 2u);
  const std::string text = acks_[1]["text"];
  EXPECT_NE(text.find("<@U5> close (thread_reply in <#C9>) *refused*"), std::string::npos) << text;
  EXPECT_NE(text.find("<@U7> audit"), std::string::npos) << text;  // its refusal, too
}

TEST_F(ConversationHandlerTest, SecretsInArgumentsAreRedactedInTheAuditLog) {
  Says("comment", {{"issue", "ENG-1"}, {"body", "token xoxb-1234567890-abcdefghij here"}});
  Message("comment on ENG-1: token xoxb-1234567890-abcdefghij here", "U7", "100.1");
  const auto audit = Audit();
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit[0].args.find("xoxb-1234567890"), std::string::npos) << audit[0].args;
  EXPECT_NE(audit[0].args.find("[REDACTED]"), std::string::npos) << audit[0].args;
}

TEST_F(ConversationHandlerTest, AConfirmedRerunReachesTheReposOpenCiAlertsOnly) {
  using workflows::builtin::CiRepoKey;
  // acme/web has one open CI alert; a deploy run also waits on the repo's key and is no alert.
  const json start = {{"repo", "acme/web"},   {"run_id", 42},     {"attempt", 1},
                      {"workflow", "CI"},     {"branch", "main"}, {"sha", "abc"},
                      {"url", "https://x/1"}, {"channel", "C9"}};
  ASSERT_TRUE(
      f_.engine->Start(workflows::builtin::kCiAlertType, "ci:alert-1", {"start", start, ""}));
  ASSERT_TRUE(
      f_.engine->Start("scripted", "not-an-alert",
                       {"start", {{"wait_for", json::array({CiRepoKey("acme/web")})}}, ""}));

  Says("rerun", {{"repo", "acme/web"}, {"workflow", "Lint"}}, 1.0);
  Slash("rerun acme/web Lint", "U7", "C9", "E30");
  PromptPosted(RunFor("E30"));
  Click(workflows::builtin::kIntentYesAction, RunFor("E30"), "U7", "E31");
  Says("rerun", {{"repo", "acme/web"}}, 1.0);
  Slash("rerun acme/web", "U7", "C9", "E32");
  PromptPosted(RunFor("E32"));
  Click(workflows::builtin::kIntentYesAction, RunFor("E32"), "U7", "E33");

  auto told = slack_.CallsTo("chat.postEphemeral");
  ASSERT_EQ(told.size(), 2u);
  const std::string none = told[0].args["text"];
  EXPECT_NE(none.find("No CI failure is open for acme/web (Lint)"), std::string::npos) << none;
  const std::string one = told[1].args["text"];
  EXPECT_NE(one.find("Re-running the failed jobs of 1 open CI alert of acme/web"),
            std::string::npos)
      << one;
  EXPECT_TRUE(HasKind(EffectsOf("ci:alert-1"), workflows::outbox::kGitHubRerunFailedJobs));
  auto other = f_.workflows->LoadRun("not-an-alert");
  ASSERT_TRUE(other && *other);
  EXPECT_EQ((*other)->state_json.find("slack.click"), std::string::npos);
}

TEST_F(ConversationHandlerTest, WhoAmIKeepsTheGitHubLoginAPersonSetsDurably) {
  Slash("whoami", "U7", "C9", "E20");
  EXPECT_NE(acks_.back()["text"].get<std::string>().find("GitHub: not known yet"),
            std::string::npos);
  Slash("whoami github @octo-cat", "U7", "C9", "E21");
  EXPECT_NE(acks_.back()["text"].get<std::string>().find("`octo-cat` on GitHub"),
            std::string::npos);
  Slash("whoami github -bad-", "U7", "C9", "E22");
  EXPECT_NE(acks_.back()["text"].get<std::string>().find("is not a GitHub login"),
            std::string::npos);
  Slash("whoami github octocat", "U7", "C9", "E23");
  f_.Reopen();  // a restart: the login is in the store
  f_.engine->Register(std::make_unique<workflows::builtin::IdentityWorkflow>());
  auto login = GitHubLoginFor(*f_.engine, {{"U7", "configured"}}, "U7");
  ASSERT_TRUE(login);
  EXPECT_EQ(**login, "octocat");
  auto configured = GitHubLoginFor(*f_.engine, {{"U8", "from-config"}}, "U8");
  ASSERT_TRUE(configured);
  EXPECT_EQ(**configured, "from-config");
}

TEST_F(ConversationHandlerTest, AMentionInsideADirectMessageIsStillUnderstood) {
  Says("reopen", {{"issue", "ENG-1"}});
  Message("<@U0BOT> reopen ENG-1", "U7", "", "D123");
  EXPECT_EQ(understood_, 1);
  EXPECT_EQ(seen_text_, "reopen ENG-1");
}

}  // namespace
}  // namespace contexten::bot::handlers
