#pragma once
// A message as the natural-language parser sees it: Slack markup resolved (mentions, channels,
// links), code blocks and emoji codes gone, split into tokens that remember where they were so a
// title can be cut from the text as typed. Pure; linear in the length of the text.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace contexten::intents {

enum class TokenKind {
  kWord,     // letters, digits, apostrophes ("can't", "2MB", "v1.4.2")
  kIssue,    // ENG-123 (value: upper case)
  kPr,       // owner/repo#12
  kRepo,     // owner/repo
  kUser,     // <@U123> (value: U123) or @handle (value: handle)
  kChannel,  // <#C123|eng> (value: C123)
  kUrl,      // <https://...> or a bare https://... (value: the URL)
  kQuoted,   // "..." or “...” (value: the inner text)
};

struct Token {
  TokenKind kind = TokenKind::kWord;
  std::string lower;               // lower case, edge punctuation trimmed; words only
  std::string value;               // normalised entity for non-words; the inner text for kQuoted
  std::size_t begin = 0, end = 0;  // byte range in Utterance::text, edge punctuation excluded
  char punct_after = 0;            // ',', ':', '.', '?', '!', ';' right after the token, or 0
};

struct Utterance {
  std::string text;  // the cleaned text the token offsets point into
  std::vector<Token> tokens;
  bool addressed = false;  // began with a mention (taken to be the bot's; not a token)
};

// `text` must be valid UTF-8 (SanitizeUtf8). At most `max_tokens` tokens are kept.
// `team_keys`: lower-case issue ids ("eng-5") count only for these keys.
Utterance Tokenize(std::string_view text, const std::vector<std::string>& team_keys,
                   std::size_t max_tokens);

}  // namespace contexten::intents
