#include "intents/small_talk.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace contexten::intents {
namespace {

constexpr std::size_t kMaxLength = 60;  // longer than small talk: say so rather than guess

// Lower-case words with punctuation and :emoji_codes: dropped, joined by single spaces.
std::string Normalize(std::string_view text) {
  std::string out;
  bool in_emoji = false;
  for (char raw : text) {
    const unsigned char c = static_cast<unsigned char>(raw);
    if (c == ':') {
      in_emoji = !in_emoji;
      continue;
    }
    if (in_emoji) continue;
    if (std::isalpha(c) || c == '\'') {
      out += static_cast<char>(std::tolower(c));
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

constexpr std::array<std::string_view, 17> kThanks = {"thanks",
                                                      "thank you",
                                                      "thx",
                                                      "ty",
                                                      "thanks a lot",
                                                      "thank you so much",
                                                      "thanks so much",
                                                      "many thanks",
                                                      "cheers",
                                                      "much appreciated",
                                                      "appreciated",
                                                      "great thanks",
                                                      "nice thanks",
                                                      "awesome thanks",
                                                      "perfect thanks",
                                                      "thanks bot",
                                                      "ok thanks"};
constexpr std::array<std::string_view, 12> kGreetings = {
    "hi",           "hello",          "hey",          "hey there", "hi there", "hello there",
    "good morning", "good afternoon", "good evening", "yo",        "hiya",     "howdy"};

template <std::size_t N>
bool OneOf(const std::string& text, const std::array<std::string_view, N>& phrases) {
  return std::find(phrases.begin(), phrases.end(), text) != phrases.end();
}

}  // namespace

SmallTalk ClassifySmallTalk(std::string_view text) {
  if (text.size() > kMaxLength) return SmallTalk::kNone;
  std::string words = Normalize(text);
  // "thanks contexten", "hi contexten": the bot's own name adds nothing.
  for (std::string_view name : {" contexten", " ctx"}) {
    if (words.size() > name.size() && words.ends_with(name)) {
      words.resize(words.size() - name.size());
    }
  }
  if (OneOf(words, kThanks)) return SmallTalk::kThanks;
  if (OneOf(words, kGreetings)) return SmallTalk::kGreeting;
  return SmallTalk::kNone;
}

}  // namespace contexten::intents
