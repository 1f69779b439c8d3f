#include "intents/understanding.hpp"

#include <gtest/gtest.h>

namespace contexten::intents {
namespace {

using nlohmann::json;
using Source = UtteranceContext::Source;

Understanding Say(std::string_view text, Source source = Source::kMention,
                  std::string thread_issue = "") {
  UtteranceContext context;
  context.source = source;
  context.thread_issue = std::move(thread_issue);
  return Understand(text, context);
}

TEST(UnderstandTest, MentionsBecomeTheSameIntentsAsCommands) {
  const auto command = Say("issue create ENG Login crash", Source::kSlashCommand);
  const auto mention = Say("<@U0BOT> create a bug in ENG for the login crash");
  EXPECT_EQ(command.intent, "create_issue");
  EXPECT_EQ(mention.intent, "create_issue");
  EXPECT_EQ(mention.entities["team"], "ENG");
  EXPECT_EQ(mention.entities["title"], "login crash");
  EXPECT_EQ(mention.entities["labels"], json::array({"bug"}));
  EXPECT_GE(mention.confidence, kAskBelow);
}

TEST(UnderstandTest, StatusQuestionWithAnApostropheIsATrace) {
  const auto u = Say("<@U0BOT> what's the status of ENG-1?");
  EXPECT_EQ(u.intent, "trace");
  EXPECT_EQ(u.entities, (json{{"issue", "ENG-1"}}));
  EXPECT_TRUE(u.error.empty());
}

TEST(UnderstandTest, ThreadContextResolvesItAndThis) {
  auto u = Say("close it", Source::kThreadReply, "ENG-15");
  EXPECT_EQ(u.intent, "close");
  EXPECT_EQ(u.entities, (json{{"issue", "ENG-15"}}));
  EXPECT_TRUE(IsDestructive(u.intent));

  u = Say("<@U0BOT> assign it to me", Source::kThreadReply, "ENG-15");
  EXPECT_EQ(u.intent, "assign");
  EXPECT_EQ(u.entities, (json{{"issue", "ENG-15"}, {"assignee", "me"}}));

  u = Say("move this to in progress", Source::kThreadReply, "ENG-15");
  EXPECT_EQ(u.intent, "change_state");
  EXPECT_EQ(u.entities, (json{{"issue", "ENG-15"}, {"state", "in progress"}}));
}

TEST(UnderstandTest, WithoutAThreadTheIssueIsMissingNotGuessed) {
  const auto u = Say("<@U0BOT> close it");
  EXPECT_EQ(u.intent, "close");
  EXPECT_EQ(u.missing, std::vector<std::string>{"issue"});
  EXPECT_FALSE(u.entities.contains("issue"));
}

TEST(UnderstandTest, MissingTeamIsNamed) {
  const auto u = Say("<@U0BOT> open an issue: dark mode toggle doesn't persist");
  EXPECT_EQ(u.intent, "create_issue");
  EXPECT_EQ(u.missing, std::vector<std::string>{"team"});
  EXPECT_EQ(u.entities["title"], "dark mode toggle doesn't persist");
}

TEST(UnderstandTest, ChatterIsNoneWithLowConfidence) {
  for (const char* text : {"thanks!", "lol", "anyone around?", "the deploy went fine yesterday",
                           "I closed the browser and it worked again",
                           ":tada: :tada:", "did anyone close the laptop lid during the demo lol",
                           "I'll deploy acme/web to staging after lunch"}) {
    const auto u = Say(text, Source::kThreadReply, "ENG-1");
    EXPECT_EQ(u.intent, "none") << text << " -> " << u.intent;
    EXPECT_LT(u.confidence, 0.5) << text;
    EXPECT_TRUE(u.entities.empty()) << text;
  }
}

TEST(UnderstandTest, SlackMarkupIsReadNotTakenLiterally) {
  auto u = Say("<@U0BOT> assign ENG-4 to <@U02ALICE|alice>");
  EXPECT_EQ(u.entities["assignee"], "U02ALICE");
  u = Say("<@U0BOT> schedule the stale prs report every day at 10 in <#C0WEB|web>");
  EXPECT_EQ(u.intent, "report");
  EXPECT_EQ(u.entities, (json{{"action", "schedule"},
                              {"kind", "stale_prs"},
                              {"schedule", "0 10 * * *"},
                              {"channel", "C0WEB"}}));
  // A command inside a code block is quoted, not asked.
  EXPECT_EQ(Say("<@U0BOT> ```close ENG-1```").intent, "none");
  EXPECT_EQ(Say("<@U0BOT> :rocket: deploy `acme/web` to staging").entities,
            (json{{"repo", "acme/web"}, {"environment", "staging"}}));
}

TEST(UnderstandTest, TyposInProseStillMatchButLowerConfidence) {
  const auto clean = Say("<@U0BOT> close ENG-8");
  const auto typo = Say("<@U0BOT> clsoe ENG-8");
  EXPECT_EQ(typo.intent, "close");
  EXPECT_LT(typo.confidence, clean.confidence);
  // Real words near a cue word are not typos of it.
  EXPECT_NE(Say("<@U0BOT> the lint job is red on ENG-3").intent, "link");
}

TEST(UnderstandTest, TypoedCommandInAMentionSuggestsTheCommand) {
  const auto u = Say("<@U0BOT> isue create ENG Login fails");
  EXPECT_EQ(u.intent, "create_issue");
  EXPECT_EQ(u.suggestion, "issue create");
  EXPECT_LT(u.confidence, kAskBelow);
}

TEST(UnderstandTest, ProseAfterTheSlashCommandIsReadAsProse) {
  const auto u = Say("create a bug in ENG for the login crash", Source::kSlashCommand);
  EXPECT_EQ(u.intent, "create_issue");
  EXPECT_EQ(u.entities["team"], "ENG");
  EXPECT_TRUE(u.error.empty());
}

TEST(UnderstandTest, AmbiguousMessagesCarryAlternatives) {
  const auto u = Say("<@U0BOT> make a ticket in ENG for the memory leak and assign it to me");
  EXPECT_EQ(u.intent, "create_issue");
  ASSERT_FALSE(u.alternatives.empty());
  EXPECT_EQ(u.alternatives.front().intent, "assign");
  EXPECT_LT(u.alternatives.front().confidence, u.confidence);
  EXPECT_EQ(u.entities["assignee"], "me");
}

TEST(UnderstandTest, DestructiveIntents) {
  for (const char* intent : {"close", "deploy", "rerun", "unsubscribe"}) {
    EXPECT_TRUE(IsDestructive(intent)) << intent;
  }
  for (const char* intent : {"create_issue", "assign", "reopen", "trace", "subscribe", "none"}) {
    EXPECT_FALSE(IsDestructive(intent)) << intent;
  }
}

TEST(UnderstandTest, ToJsonCarriesWhatIsSet) {
  const auto u = Say("isue create ENG x", Source::kSlashCommand);
  const json j = ToJson(u);
  EXPECT_EQ(j["intent"], "create_issue");
  EXPECT_EQ(j["suggestion"], "issue create");
  EXPECT_EQ(j["offending_word"], "isue");
  EXPECT_FALSE(j.contains("error"));
  EXPECT_EQ(SourceFromName("dm"), Source::kDirectMessage);
  EXPECT_EQ(SourceName(Source::kThreadReply), "thread");
  EXPECT_FALSE(SourceFromName("carrier pigeon"));
}

}  // namespace
}  // namespace contexten::intents
