// Hostile and random input never throws and always gives an intent or an error whose JSON can
// be written (../shared/DESIGN.md §2: intents are pure; a message must never take the bot down).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "intents/understanding.hpp"

namespace contexten::intents {
namespace {

using Source = UtteranceContext::Source;

std::vector<std::string> HostileInputs() {
  std::vector<std::string> inputs = {
      "",
      " ",
      std::string(10000, ' '),
      "\n\n\t\r\n",
      std::string("close\0ENG-1", 11),
      std::string(5, '\0'),
      "\xff\xfe\xfd",
      "close \xc3\x28 ENG-1",                  // invalid 2-byte sequence
      "deploy acme/web \xed\xa0\x80 staging",  // a UTF-16 surrogate in UTF-8
      "create issue in ENG: \xf0\x28\x8c\x28",
      "assign ENG-1 to \xe2\x82",  // truncated 3-byte sequence at the end
      "\"\"\"\"\"\"\"",
      "\"'\"'\"'nested 'quotes \"inside' quotes\"'\"",
      "issue create ENG \"unterminated",
      "\u201cclose ENG-1",
      "```close ENG-1",
      "``````````",
      "<@U1> <@U2> <@U3|x> <#C1|y> <!here> <https://x.y|z> <<<>>> <@",
      "<@" + std::string(300, 'U') + ">",
      ":a:b:c:d:e:f:g: :::: :smile::smile:",
      "ENG-99999999999999999999 acme/web#99999999999999999 x/y/z #1",
      "issue",
      "issue state ENG-1",
      "report schedule digest",
      "retry 99999999999999999999999",
      "audit -1",
      "help " + std::string(5000, 'x'),
  };
  // 100 KB of a long message, of markup, of quotes, of one word.
  std::string long_message;
  while (long_message.size() < 100 * 1024) long_message += "please close ENG-1 it's done ";
  inputs.push_back(long_message);
  inputs.push_back(std::string(100 * 1024, '<'));
  inputs.push_back(std::string(100 * 1024, '"'));
  inputs.push_back(std::string(100 * 1024, '\''));
  inputs.push_back(std::string(100 * 1024, ':'));
  inputs.push_back(std::string(100 * 1024, 'a'));
  std::string quotes;
  while (quotes.size() < 100 * 1024) quotes += "\"a ";
  inputs.push_back(quotes);
  std::string words;
  for (int i = 0; i < 10000; ++i) words += (i % 7 == 0 ? "deploy " : "word ");
  inputs.push_back(words);
  std::string code;
  while (code.size() < 100 * 1024) code += "```x``` `y` ";
  inputs.push_back(code);
  return inputs;
}

std::vector<std::string> RandomInputs() {
  std::mt19937 rng(20261127);  // fixed: a failure reproduces
  const std::vector<std::string> pieces = {
      "close",  "ENG-1", "acme/web", "acme/web#2", "<@U1>", "<#C1|x>", "\"", "'",    "\u201c",
      "```",    ":",     "to",       "me",         "in",    "deploy",  "it", "help", "issue",
      "create", "?",     ",",        "\n",         "\xff",  "\xc3",    "\0", "<",    ">",
      "|",      "-",     "staging",  "priority:",  "high",  "every",   "at", "9am",  "@"};
  std::vector<std::string> out;
  std::uniform_int_distribution<std::size_t> piece(0, pieces.size() - 1);
  std::uniform_int_distribution<int> length(0, 40);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int n = 0; n < 400; ++n) {
    std::string text;
    const int count = length(rng);
    for (int i = 0; i < count; ++i) {
      if (n % 4 == 0) {
        text += static_cast<char>(byte(rng));  // raw random bytes
      } else {
        text += pieces[piece(rng)];
        if (i % 2 == 0) text += ' ';
      }
    }
    out.push_back(std::move(text));
  }
  return out;
}

void ExpectSane(const std::string& text) {
  for (Source source :
       {Source::kSlashCommand, Source::kMention, Source::kDirectMessage, Source::kThreadReply}) {
    for (const char* thread_issue : {"", "ENG-1"}) {
      UtteranceContext context;
      context.source = source;
      context.thread_issue = thread_issue;
      Understanding u;
      ASSERT_NO_THROW(u = Understand(text, context)) << text.substr(0, 80);
      EXPECT_FALSE(u.intent.empty());
      EXPECT_GE(u.confidence, 0.0);
      EXPECT_LE(u.confidence, 1.0);
      EXPECT_TRUE(u.entities.is_object());
      // dump() throws on invalid UTF-8: every string must have been sanitised.
      EXPECT_NO_THROW((void)ToJson(u).dump()) << text.substr(0, 80);
      EXPECT_NO_THROW((void)u.entities.dump());
      for (const auto& alt : u.alternatives) EXPECT_NO_THROW((void)ToJson(alt).dump());
    }
  }
}

TEST(UnderstandRobustnessTest, HostileInputGivesAnIntentOrAnError) {
  for (const auto& text : HostileInputs()) ExpectSane(text);
}

TEST(UnderstandRobustnessTest, RandomInputGivesAnIntentOrAnError) {
  for (const auto& text : RandomInputs()) ExpectSane(text);
}

TEST(UnderstandRobustnessTest, HugeInputIsReadFromItsStart) {
  std::string text = "<@U0BOT> close ENG-7 ";
  text += std::string(200 * 1024, 'x');
  UtteranceContext context;
  const auto u = Understand(text, context);
  EXPECT_EQ(u.intent, "close");
  EXPECT_EQ(u.entities["issue"], "ENG-7");
}

TEST(UnderstandRobustnessTest, UnmatchedQuoteInACommandIsAClearError) {
  UtteranceContext context;
  context.source = Source::kSlashCommand;
  const auto u = Understand("issue create ENG \"Login fails", context);
  EXPECT_NE(u.error.find("unmatched"), std::string::npos) << u.error;
}

}  // namespace
}  // namespace contexten::intents
