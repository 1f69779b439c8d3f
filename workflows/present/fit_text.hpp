#pragma once
// User text into mrkdwn that fits a Slack limit (../shared/DESIGN.md §4, Block Kit limits).

#include <cstddef>
#include <string>
#include <string_view>

namespace contexten::workflows::present {

// `raw` escaped for mrkdwn (&, <, > so that user text cannot inject mentions or links) and cut
// with an ellipsis so that the escaped result has at most `max_chars` characters. The cut is made
// on the raw text, so an escape ("&amp;") is never split.
std::string FitEscaped(std::string_view raw, std::size_t max_chars);

}  // namespace contexten::workflows::present
