#pragma once
// Counting and cutting user content so that it fits Slack's limits.
//
// Slack documents its limits in "characters"; we count Unicode code points of the UTF-8 text,
// which is what Slack's server-side length checks see for the JSON string after decoding (an
// emoji such as U+1F600 is one character, not two UTF-16 units or four bytes). Grapheme clusters
// (a family emoji joined by U+200D) count as several code points, as they do for Slack. A byte
// that is not part of a valid UTF-8 sequence counts as one character.

#include <cstddef>
#include <string>
#include <string_view>

namespace contexten::integrations::slack::blocks {

// Number of characters (code points) in `text` as Slack counts them.
std::size_t CountChars(std::string_view text);

// The longest prefix of `text` with at most `max_chars` characters that ends on a code point
// boundary and does not leave a joiner, variation selector, skin-tone modifier or combining mark
// separated from what it modifies. No ellipsis.
std::string TruncateUtf8(std::string_view text, std::size_t max_chars);

// Fits `text` into `max_chars` characters including `ellipsis`. Returns `text` unchanged when it
// already fits. Otherwise cuts at the last whitespace before the limit when that loses at most
// min(budget / 2, 80) characters (budget = max_chars minus the ellipsis), else cuts hard at a
// code point boundary; trailing whitespace is dropped before the ellipsis is appended. When the
// ellipsis alone does not fit, returns TruncateUtf8(text, max_chars).
std::string TruncateForSlack(std::string_view text, std::size_t max_chars,
                             std::string_view ellipsis = "\u2026");

}  // namespace contexten::integrations::slack::blocks
