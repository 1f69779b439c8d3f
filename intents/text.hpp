#pragma once
// Text helpers shared by the slash grammar and the natural-language parser: UTF-8 hygiene, case,
// edit distance and the shapes of typed arguments (Linear ids, repos, Slack mentions). Pure.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace contexten::intents {

// Valid UTF-8 of at most `max_bytes` bytes (cut at a character boundary): invalid bytes and NULs
// are dropped, other control characters except '\n' and '\t' become spaces. Everything the
// parsers put into entities comes from this, so nlohmann::json::dump() never meets bad UTF-8.
std::string SanitizeUtf8(std::string_view text, std::size_t max_bytes);

std::string AsciiLower(std::string_view text);
std::string AsciiUpper(std::string_view text);
std::string_view TrimSpace(std::string_view text);

// Optimal string alignment distance (an adjacent transposition costs 1: "clsoe" -> "close"),
// or max + 1 as soon as it must exceed `max`. Linear in memory, O(|a|*|b|) time; words only.
std::size_t EditDistance(std::string_view a, std::string_view b, std::size_t max);

// How many edits a typo of `word` may have: none below 4 letters, 1 up to 6, then 2.
std::size_t TypoBudget(std::string_view word);

// A Linear team key: a letter then letters or digits, 2 to 10 characters; `upper_only` demands
// capitals (prose, where "eng" is a word) rather than any case (commands).
bool IsTeamKey(std::string_view word, bool upper_only);

// "ENG-123" (any case when !upper_only), returned upper-cased.
std::optional<std::string> AsIssueId(std::string_view word, bool upper_only);

// "owner/repo" (GitHub's characters: letters, digits, '-', '_', '.'), as written.
bool IsRepo(std::string_view word);

// "owner/repo#12".
bool IsPrRef(std::string_view word);

// "<@U123>" or "<@U123|name>" -> "U123".
std::optional<std::string> AsUserMention(std::string_view word);

// "<#C123|name>" or "<#C123>" -> "C123".
std::optional<std::string> AsChannelMention(std::string_view word);

// "urgent", "high", "medium", "low" or "none" from a priority word or number (Linear: 0 none,
// 1 urgent .. 4 low) or common synonyms (critical, normal, ...); "" if it is none of them.
std::string NormalizePriority(std::string_view word);

bool IsAllDigits(std::string_view word);

}  // namespace contexten::intents
