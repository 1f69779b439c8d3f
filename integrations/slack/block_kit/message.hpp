#pragma once
// A chat message's content: the top-level fallback `text` plus `blocks`. Build() refuses a
// message that breaks a Block Kit limit, so nothing over a limit ever reaches Slack.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "integrations/slack/block_kit/blocks.hpp"

namespace contexten::integrations::slack::blocks {

class Message {
 public:
  Message() = default;
  // Notification/fallback text; Slack shows it where blocks cannot be rendered.
  Message& Text(std::string text);
  Message& Add(Block block);
  std::size_t size() const { return blocks_.size(); }

  // {"text": ..., "blocks": [...]}, or kInvalidInput naming the offending path.
  core::Result<nlohmann::json> Build() const;

 private:
  std::optional<std::string> text_;
  std::vector<Block> blocks_;
};

}  // namespace contexten::integrations::slack::blocks
