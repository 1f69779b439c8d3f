#include "integrations/linear/linking.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

namespace contexten::integrations::linear {
namespace {

constexpr size_t kMaxKeyLength = 10;
// Linear issue numbers are far below this; the cap keeps hashes and long numbers out.
constexpr size_t kMaxNumberDigits = 9;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlpha(char c) { return IsUpper(c) || IsLower(c); }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
char ToUpper(char c) { return IsLower(c) ? static_cast<char>(c - 'a' + 'A') : c; }
char ToLower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

void AddDistinct(std::vector<std::string>& out, std::string id) {
  if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(std::move(id));
}

// An identifier starting exactly at `pos` (the caller guarantees a token boundary before it).
// On success returns it upper-cased and sets `end` to the position after it.
std::optional<std::string> IdentifierAt(std::string_view text, size_t pos, bool case_insensitive,
                                        size_t& end) {
  auto key_char = [&](char c) {
    return IsUpper(c) || IsDigit(c) || (case_insensitive && IsLower(c));
  };
  if (pos >= text.size()) return std::nullopt;
  const char first = text[pos];
  if (!(IsUpper(first) || (case_insensitive && IsLower(first)))) return std::nullopt;
  size_t i = pos;
  while (i < text.size() && key_char(text[i])) ++i;
  const size_t key_len = i - pos;
  if (key_len > kMaxKeyLength || i >= text.size() || text[i] != '-') return std::nullopt;
  const size_t num_start = ++i;
  while (i < text.size() && IsDigit(text[i])) ++i;
  const size_t num_len = i - num_start;
  if (num_len == 0 || num_len > kMaxNumberDigits || text[num_start] == '0') return std::nullopt;
  if (i < text.size() && IsAlnum(text[i])) return std::nullopt;
  end = i;
  std::string id(text.substr(pos, i - pos));
  std::transform(id.begin(), id.end(), id.begin(), ToUpper);
  return id;
}

bool AtTokenStart(std::string_view text, size_t pos) { return pos == 0 || !IsAlnum(text[pos - 1]); }

enum class Link { kNone, kCloses, kRefs };

constexpr std::array<std::string_view, 20> kClosingWords = {
    "close",     "closes",     "closed",    "closing",    "fix",         "fixes",       "fixed",
    "fixing",    "resolve",    "resolves",  "resolved",   "resolving",   "complete",    "completes",
    "completed", "completing", "implement", "implements", "implemented", "implementing"};
constexpr std::array<std::string_view, 5> kRefWords = {"ref", "refs", "references", "toward",
                                                       "towards"};
// Two-word phrases: first word -> required second word.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kRefPhrases = {
    {{"part", "of"}, {"related", "to"}, {"relates", "to"}, {"contributes", "to"}}};

std::string LowerWord(std::string_view text, size_t pos, size_t& end) {
  std::string word;
  size_t i = pos;
  while (i < text.size() && IsAlpha(text[i])) word.push_back(ToLower(text[i++]));
  end = i;
  return word;
}

size_t SkipSpaces(std::string_view text, size_t i) {
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  return i;
}

// If a keyword starts at `pos`, returns its kind and sets `end` past it (and past a ':').
Link KeywordAt(std::string_view text, size_t pos, size_t& end) {
  size_t word_end = 0;
  const std::string word = LowerWord(text, pos, word_end);
  if (word.empty() || (word_end < text.size() && IsDigit(text[word_end]))) return Link::kNone;
  Link link = Link::kNone;
  if (std::find(kClosingWords.begin(), kClosingWords.end(), word) != kClosingWords.end()) {
    link = Link::kCloses;
  } else if (std::find(kRefWords.begin(), kRefWords.end(), word) != kRefWords.end()) {
    link = Link::kRefs;
  } else {
    for (const auto& [first, second] : kRefPhrases) {
      if (word != first) continue;
      const size_t next = SkipSpaces(text, word_end);
      if (next == word_end) break;
      size_t second_end = 0;
      if (LowerWord(text, next, second_end) == second) {
        link = Link::kRefs;
        word_end = second_end;
      }
      break;
    }
  }
  if (link == Link::kNone) return link;
  end = word_end;
  if (end < text.size() && text[end] == ':') ++end;
  return link;
}

bool EndsUrl(char c) {
  return std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == '<' || c == '>' ||
         c == '|' || c == ')' || c == ']' || c == '"';
}

// A URL at `pos` whose path holds "/issue/<identifier>" (Linear's issue URLs:
// https://linear.app/<workspace>/issue/ENG-123/<title-slug>). With `linear_host_only` the host
// must be linear.app, which is what makes a bare URL in prose count. Sets `end` past the URL.
std::optional<std::string> IssueUrlAt(std::string_view text, size_t pos, bool linear_host_only,
                                      size_t& end) {
  constexpr std::string_view kIssuePath = "/issue/";
  size_t token_end = pos;
  while (token_end < text.size() && !EndsUrl(text[token_end])) ++token_end;
  const std::string_view token = text.substr(pos, token_end - pos);
  size_t scheme = 0;
  if (token.starts_with("https://")) {
    scheme = 8;
  } else if (token.starts_with("http://")) {
    scheme = 7;
  } else {
    return std::nullopt;
  }
  if (linear_host_only) {
    const std::string_view host = token.substr(scheme, token.find('/', scheme) - scheme);
    if (host != "linear.app" && host != "www.linear.app") return std::nullopt;
  }
  const size_t at = token.find(kIssuePath);
  if (at == std::string_view::npos) return std::nullopt;
  size_t id_end = 0;
  const size_t id_pos = pos + at + kIssuePath.size();
  auto id = IdentifierAt(text.substr(0, token_end), id_pos, /*case_insensitive=*/true, id_end);
  if (!id) return std::nullopt;
  end = token_end;
  return id;
}

// One list item at `pos`: an identifier, or a URL whose path holds one
// (https://linear.app/acme/issue/ENG-123/title). Sets `end` on success.
std::optional<std::string> ItemAt(std::string_view text, size_t pos, size_t& end) {
  if (auto id = IdentifierAt(text, pos, /*case_insensitive=*/true, end)) return id;
  // Markdown link, as Linear's own PR comments write it: "[ENG-123](https://linear.app/...)".
  if (pos < text.size() && text[pos] == '[') {
    size_t id_end = 0;
    auto id = IdentifierAt(text, pos + 1, /*case_insensitive=*/true, id_end);
    if (!id || id_end >= text.size() || text[id_end] != ']') return std::nullopt;
    end = id_end + 1;
    if (end < text.size() && text[end] == '(') {
      const size_t close = text.find(')', end);
      if (close != std::string_view::npos) end = close + 1;
    }
    return id;
  }
  return IssueUrlAt(text, pos, /*linear_host_only=*/false, end);
}

// Parses "ID[, ID][ and ID]..." after a keyword: each item with the position after it.
std::vector<std::pair<std::string, size_t>> ItemsAfter(std::string_view text, size_t pos) {
  std::vector<std::pair<std::string, size_t>> items;
  size_t i = pos;
  while (true) {
    size_t j = i;
    while (j < text.size()) {
      const char c = text[j];
      if (c == ' ' || c == '\t' || c == '\r' || c == ',' || c == '&') {
        ++j;
      } else if (c == '\n' && items.empty()) {
        ++j;  // "Fixes:\nENG-1" still counts; after an item a line break ends the list.
      } else if (!items.empty() && ToLower(c) == 'a' && j + 3 <= text.size() &&
                 ToLower(text[j + 1]) == 'n' && ToLower(text[j + 2]) == 'd' &&
                 (j + 3 == text.size() || !IsAlnum(text[j + 3]))) {
        j += 3;
      } else {
        break;
      }
    }
    if (j == i && !items.empty()) break;  // "ENG-1ENG-2" is not a list
    size_t item_end = 0;
    auto id = ItemAt(text, j, item_end);
    if (!id) break;
    items.emplace_back(std::move(*id), item_end);
    i = item_end;
  }
  return items;
}

}  // namespace

std::vector<IdentifierMatch> FindLinearIdentifiers(std::string_view text,
                                                   IdentifierOptions options) {
  std::vector<IdentifierMatch> matches;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = 0;
    if (AtTokenStart(text, i)) {
      // A Linear URL is one match: its slug ("fix-utf-8-login") is not read for identifiers.
      if (auto id = IssueUrlAt(text, i, /*linear_host_only=*/true, end)) {
        matches.push_back({std::move(*id), i, end});
        i = end;
        continue;
      }
      if (auto id = IdentifierAt(text, i, options.case_insensitive, end)) {
        matches.push_back({std::move(*id), i, end});
        i = end;
        continue;
      }
    }
    ++i;
  }
  return matches;
}

std::vector<std::string> ExtractLinearIdentifiers(std::string_view text,
                                                  IdentifierOptions options) {
  std::vector<std::string> ids;
  for (auto& match : FindLinearIdentifiers(text, options)) {
    AddDistinct(ids, std::move(match.identifier));
  }
  return ids;
}

std::vector<KeywordMatch> FindLinkingKeywords(std::string_view text) {
  std::vector<KeywordMatch> matches;
  size_t i = 0;
  while (i < text.size()) {
    if (!IsAlpha(text[i]) || !AtTokenStart(text, i)) {
      ++i;
      continue;
    }
    size_t keyword_end = 0;
    const Link link = KeywordAt(text, i, keyword_end);
    if (link == Link::kNone) {
      while (i < text.size() && IsAlnum(text[i])) ++i;  // skip the whole word
      continue;
    }
    size_t next = keyword_end;
    for (auto& [id, item_end] : ItemsAfter(text, keyword_end)) {
      matches.push_back({std::move(id), link == Link::kCloses, i, item_end});
      next = item_end;
    }
    i = next;
  }
  return matches;
}

LinkingKeywords ParseLinkingKeywords(std::string_view pr_body) {
  LinkingKeywords result;
  for (auto& match : FindLinkingKeywords(pr_body)) {
    AddDistinct(match.closes ? result.closes : result.refs, std::move(match.identifier));
  }
  std::erase_if(result.refs, [&](const std::string& id) {
    return std::find(result.closes.begin(), result.closes.end(), id) != result.closes.end();
  });
  return result;
}

}  // namespace contexten::integrations::linear
