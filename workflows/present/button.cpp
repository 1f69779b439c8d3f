#include "workflows/present/button.hpp"

#include <string>

#include "integrations/slack/block_kit/limits.hpp"
#include "integrations/slack/block_kit/truncate.hpp"

namespace contexten::workflows::present {

namespace bk = integrations::slack::blocks;
namespace limits = integrations::slack::blocks::limits;

nlohmann::json ButtonJson(std::string_view text, std::string_view action_id, std::string_view value,
                          ButtonStyle style) {
  bk::Button button(bk::TruncateForSlack(text, limits::kButtonText), std::string(action_id));
  button.Value(bk::TruncateUtf8(value, limits::kButtonValue)).Style(style);
  return button.ToJson();
}

}  // namespace contexten::workflows::present
