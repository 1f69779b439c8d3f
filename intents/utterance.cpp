#include "intents/utterance.hpp"

#include <algorithm>

#include "intents/text.hpp"

namespace contexten::intents {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsEmojiChar(char c) {
  return IsLetter(c) || (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-';
}

// Removes ``` blocks (an unclosed one runs to the end) and `:emoji:` codes, and unwraps inline
// `code`. Slack markup in <...> is left for the tokenizer.
std::string StripBlocks(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size();) {
    if (in.substr(i, 3) == "```") {
      const auto close = in.find("```", i + 3);
      i = close == std::string_view::npos ? in.size() : close + 3;
      out += ' ';
      continue;
    }
    const char c = in[i];
    if (c == '`') {
      ++i;
      continue;
    }
    if (c == ':' && (i == 0 || IsSpace(in[i - 1]))) {
      std::size_t j = i + 1;
      bool letter = false;
      while (j < in.size() && j - i < 64 && IsEmojiChar(in[j])) letter |= IsLetter(in[j++]);
      if (letter && j < in.size() && in[j] == ':' && j > i + 1) {
        i = j + 1;
        out += ' ';
        continue;
      }
    }
    out += c;
    ++i;
  }
  return out;
}

struct QuotePair {
  std::string_view open, close;
};
constexpr QuotePair kQuotes[] = {
    {"\"", "\""}, {"\u201c", "\u201d"}, {"'", "'"}, {"\u2018", "\u2019"}};

constexpr std::string_view kTrailing = ",.:;?!)";
// Bounds that keep tokenizing linear on hostile input (thousands of '<' or quotes).
constexpr std::size_t kMaxMarkup = 512;
constexpr std::size_t kMaxQuoted = 2048;
constexpr std::size_t kQuoteBudget = 16 * 1024;

}  // namespace

Utterance Tokenize(std::string_view input, const std::vector<std::string>& team_keys,
                   std::size_t max_tokens) {
  Utterance u;
  u.text = StripBlocks(input);
  const std::string_view text = u.text;
  std::size_t i = 0;
  bool first = true;
  std::size_t quote_budget = kQuoteBudget;
  while (i < text.size() && u.tokens.size() < max_tokens) {
    if (IsSpace(text[i])) {
      ++i;
      continue;
    }
    Token token;
    // Slack markup: <@U1|name>, <#C1|name>, <https://x|label>, <!here>.
    if (text[i] == '<') {
      // Markup is short; looking further would make "<<<<..." quadratic.
      const std::string_view window = text.substr(i, kMaxMarkup);
      auto close = window.find('>');
      auto space = window.find_first_of(" \t\n");
      if (close != std::string_view::npos) close += i;
      if (space != std::string_view::npos) space += i;
      if (close != std::string_view::npos &&
          (space == std::string_view::npos || space > close || text.substr(i, 2) == "<h")) {
        const std::string_view markup = text.substr(i, close + 1 - i);
        const std::size_t start = i;
        i = close + 1;
        if (auto user = AsUserMention(markup)) {
          if (first) {
            u.addressed = true;
            first = false;
            continue;
          }
          token.kind = TokenKind::kUser;
          token.value = *user;
        } else if (auto channel = AsChannelMention(markup)) {
          token.kind = TokenKind::kChannel;
          token.value = *channel;
        } else if (markup.starts_with("<http")) {
          token.kind = TokenKind::kUrl;
          std::string_view inner = markup.substr(1, markup.size() - 2);
          token.value = std::string(inner.substr(0, inner.find('|')));
        } else {
          first = false;
          continue;  // <!here>, <!subteam^...>: not for us
        }
        first = false;
        token.begin = start;
        token.end = i;
        if (i < text.size() && kTrailing.find(text[i]) != std::string_view::npos) {
          token.punct_after = text[i];
        }
        u.tokens.push_back(std::move(token));
        continue;
      }
    }
    first = false;
    // Quotes that open a word group words up to the quote that closes a word; elsewhere they
    // are text (apostrophes in prose).
    bool grouped = false;
    for (const auto& quote : kQuotes) {
      if (text.substr(i).starts_with(quote.open)) {
        const std::size_t inner = i + quote.open.size();
        // A closing quote is looked for within kMaxQuoted bytes, and within a total budget for
        // the whole message, so text full of stray quotes stays linear.
        const std::size_t limit = std::min({text.size(), inner + kMaxQuoted, inner + quote_budget});
        quote_budget -= std::min(quote_budget, limit - inner);
        for (auto at = text.find(quote.close, inner); at != std::string_view::npos && at < limit;
             at = text.find(quote.close, at + 1)) {
          const std::size_t after = at + quote.close.size();
          if (after == text.size() || IsSpace(text[after]) ||
              kTrailing.find(text[after]) != std::string_view::npos) {
            if (at == inner) break;
            token.kind = TokenKind::kQuoted;
            token.value = std::string(TrimSpace(text.substr(inner, at - inner)));
            token.begin = inner;
            token.end = at;
            i = after;
            if (i < text.size() && kTrailing.find(text[i]) != std::string_view::npos) {
              token.punct_after = text[i];
            }
            grouped = true;
            break;
          }
        }
        break;
      }
    }
    if (grouped) {
      u.tokens.push_back(std::move(token));
      continue;
    }
    std::size_t start = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    std::size_t end = i;
    // Edge punctuation: "(ENG-5)," -> ENG-5 with ',' after.
    while (start < end && (text[start] == '(' || text[start] == '"' || text[start] == '*' ||
                           text[start] == '_' || text[start] == '~')) {
      ++start;
    }
    while (end > start && kTrailing.find(text[end - 1]) != std::string_view::npos) {
      if (token.punct_after == 0 || text[end - 1] != '.') token.punct_after = text[end - 1];
      --end;
    }
    while (end > start && (text[end - 1] == '"' || text[end - 1] == '*' || text[end - 1] == '_' ||
                           text[end - 1] == '~')) {
      --end;
    }
    if (end == start) {
      // A lone "-" or ":" between words: remember it on the previous token.
      if (!u.tokens.empty() && u.tokens.back().punct_after == 0) {
        const char c = text[start < text.size() ? start : text.size() - 1];
        if (c == '-' || c == ':' || c == ',') u.tokens.back().punct_after = c == '-' ? ':' : c;
      }
      continue;
    }
    const std::string_view word = text.substr(start, end - start);
    token.begin = start;
    token.end = end;
    if (word.size() == 1 && word[0] == '-') {
      if (!u.tokens.empty() && u.tokens.back().punct_after == 0) u.tokens.back().punct_after = ':';
      continue;
    }
    if (auto issue = AsIssueId(word, true)) {
      token.kind = TokenKind::kIssue;
      token.value = *issue;
    } else if (auto lower_issue = AsIssueId(word, false);
               lower_issue && std::any_of(team_keys.begin(), team_keys.end(), [&](const auto& k) {
                 return AsciiUpper(k) == lower_issue->substr(0, lower_issue->find('-'));
               })) {
      token.kind = TokenKind::kIssue;
      token.value = *lower_issue;
    } else if (IsPrRef(word)) {
      token.kind = TokenKind::kPr;
      token.value = std::string(word);
    } else if (word.starts_with("https://") || word.starts_with("http://")) {
      token.kind = TokenKind::kUrl;
      token.value = std::string(word);
    } else if (IsRepo(word)) {
      token.kind = TokenKind::kRepo;
      token.value = std::string(word);
    } else if (word.size() > 1 && word[0] == '@') {
      token.kind = TokenKind::kUser;
      token.value = std::string(word.substr(1));
    } else {
      token.lower = AsciiLower(word);
    }
    u.tokens.push_back(std::move(token));
  }
  return u;
}

}  // namespace contexten::intents
