#pragma once
// One Block Kit button as Slack's wire JSON, for renderers that assemble blocks as JSON (cards,
// prompts, alerts). Built with the typed block_kit::Button so the shape lives in one place; the
// label and value are cut to Slack's limits (block_kit/limits.hpp) rather than refused, since
// the label may carry user text (a team key, an issue title) and the value is an id.

#include <nlohmann/json.hpp>
#include <string_view>

#include "integrations/slack/block_kit/elements.hpp"

namespace contexten::workflows::present {

using ButtonStyle = integrations::slack::blocks::ButtonStyle;

nlohmann::json ButtonJson(std::string_view text, std::string_view action_id, std::string_view value,
                          ButtonStyle style = ButtonStyle::kDefault);

}  // namespace contexten::workflows::present
