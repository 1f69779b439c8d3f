#include "intents/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace contexten::intents {
namespace {

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlnum(char c) { return IsAsciiAlpha(c) || IsAsciiDigit(c); }

// Length of the valid UTF-8 sequence at text[i], or 0 if it is not one (overlong forms,
// surrogates and code points past U+10FFFF are invalid).
std::size_t Utf8Length(std::string_view text, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  if (b0 < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return 0;
  }
  return n;
}

}  // namespace

std::string SanitizeUtf8(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  // Invalid bytes are dropped without growing `out`: stop reading after a few times the cap.
  const std::size_t read_limit = max_bytes > text.size() / 2 ? text.size() : max_bytes * 2;
  for (std::size_t i = 0; i < read_limit;) {
    const std::size_t n = Utf8Length(text, i);
    if (n == 0) {
      ++i;
      continue;
    }
    if (out.size() + n > max_bytes) break;
    const char c = text[i];
    if (n == 1 && c == '\0') {
      // dropped
    } else if (n == 1 && static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
      out += ' ';
    } else if (n == 1 && c == 0x7F) {
      out += ' ';
    } else {
      out.append(text.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string AsciiUpper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string_view TrimSpace(std::string_view text) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

std::size_t EditDistance(std::string_view a, std::string_view b, std::size_t max) {
  const std::size_t gap = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (gap > max) return max + 1;
  // Three rows for the transposition case. Words are short: their rows live on the stack, so the
  // fuzzy matching that runs for every word of every utterance does not allocate.
  constexpr std::size_t kInline = 64;
  const std::size_t width = b.size() + 1;
  std::array<std::size_t, 3 * kInline> inline_rows;
  std::vector<std::size_t> heap_rows;
  std::size_t* rows = inline_rows.data();
  if (width > kInline) {
    heap_rows.resize(3 * width);
    rows = heap_rows.data();
  }
  std::size_t* prev2 = rows;
  std::size_t* prev = rows + width;
  std::size_t* cur = rows + 2 * width;
  for (std::size_t j = 0; j <= b.size(); ++j) prev2[j] = prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    std::size_t row_min = cur[0];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > max) return max + 1;
    std::size_t* oldest = prev2;
    prev2 = prev;
    prev = cur;
    cur = oldest;
  }
  return std::min(prev[b.size()], max + 1);
}

std::size_t TypoBudget(std::string_view word) {
  if (word.size() < 4) return 0;
  if (word.size() <= 6) return 1;
  return 2;
}

bool IsTeamKey(std::string_view word, bool upper_only) {
  if (word.size() < 2 || word.size() > 10 || !IsAsciiAlpha(word[0])) return false;
  for (char c : word) {
    if (!IsAsciiAlnum(c)) return false;
    if (upper_only && c >= 'a' && c <= 'z') return false;
  }
  return true;
}

std::optional<std::string> AsIssueId(std::string_view word, bool upper_only) {
  const auto dash = word.find('-');
  if (dash == std::string_view::npos || dash + 1 >= word.size()) return std::nullopt;
  const auto key = word.substr(0, dash);
  const auto number = word.substr(dash + 1);
  if (!IsTeamKey(key, upper_only) || number.size() > 9 || !IsAllDigits(number)) {
    return std::nullopt;
  }
  return AsciiUpper(word);
}

namespace {
bool IsRepoPart(std::string_view part) {
  if (part.empty() || part.size() > 100 || part == "." || part == "..") return false;
  return std::all_of(part.begin(), part.end(),
                     [](char c) { return IsAsciiAlnum(c) || c == '-' || c == '_' || c == '.'; });
}
}  // namespace

bool IsRepo(std::string_view word) {
  const auto slash = word.find('/');
  if (slash == std::string_view::npos) return false;
  const auto owner = word.substr(0, slash);
  const auto name = word.substr(slash + 1);
  return IsRepoPart(owner) && IsRepoPart(name) && IsAsciiAlnum(owner.front()) &&
         name.find('/') == std::string_view::npos;
}

bool IsPrRef(std::string_view word) {
  const auto hash = word.find('#');
  if (hash == std::string_view::npos) return false;
  const auto number = word.substr(hash + 1);
  return IsRepo(word.substr(0, hash)) && !number.empty() && number.size() <= 9 &&
         IsAllDigits(number);
}

namespace {
std::optional<std::string> SlackRef(std::string_view word, std::string_view open) {
  if (!word.starts_with(open) || !word.ends_with(">")) return std::nullopt;
  auto inner = word.substr(open.size(), word.size() - open.size() - 1);
  inner = inner.substr(0, inner.find('|'));
  if (inner.empty() || inner.size() > 32) return std::nullopt;
  for (char c : inner) {
    if (!IsAsciiAlnum(c)) return std::nullopt;
  }
  return std::string(inner);
}
}  // namespace

std::optional<std::string> AsUserMention(std::string_view word) { return SlackRef(word, "<@"); }

std::optional<std::string> AsChannelMention(std::string_view word) { return SlackRef(word, "<#"); }

std::string NormalizePriority(std::string_view word) {
  const std::string w = AsciiLower(word);
  if (w == "urgent" || w == "1" || w == "critical" || w == "p0" || w == "blocker") {
    return "urgent";
  }
  if (w == "high" || w == "2" || w == "p1" || w == "important") return "high";
  if (w == "medium" || w == "3" || w == "normal" || w == "p2" || w == "med") return "medium";
  if (w == "low" || w == "4" || w == "p3" || w == "minor") return "low";
  if (w == "none" || w == "0") return "none";
  return "";
}

bool IsAllDigits(std::string_view word) {
  return !word.empty() && std::all_of(word.begin(), word.end(), IsAsciiDigit);
}

}  // namespace contexten::intents
