#include "workflows/present/fit_text.hpp"

#include <algorithm>

#include "integrations/slack/block_kit/text.hpp"
#include "integrations/slack/block_kit/truncate.hpp"

namespace contexten::workflows::present {

namespace blocks = integrations::slack::blocks;

std::string FitEscaped(std::string_view raw, std::size_t max_chars) {
  std::size_t budget = max_chars;
  std::string escaped = blocks::EscapeMrkdwn(blocks::TruncateForSlack(raw, budget));
  // Escapes make the text longer ("&" -> "&amp;"); shrink the raw budget in proportion until the
  // escaped text fits. Each round strictly lowers the budget, so this ends.
  for (std::size_t chars = blocks::CountChars(escaped); chars > max_chars && budget > 0;
       chars = blocks::CountChars(escaped)) {
    budget = std::min(budget - 1, budget * max_chars / chars);
    escaped = blocks::EscapeMrkdwn(blocks::TruncateForSlack(raw, budget));
  }
  return escaped;
}

}  // namespace contexten::workflows::present
