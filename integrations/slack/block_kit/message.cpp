#include "integrations/slack/block_kit/message.hpp"

#include <utility>

#include "integrations/slack/block_kit/validate.hpp"

namespace contexten::integrations::slack::blocks {

Message& Message::Text(std::string text) {
  text_ = std::move(text);
  return *this;
}

Message& Message::Add(Block block) {
  blocks_.push_back(std::move(block));
  return *this;
}

core::Result<nlohmann::json> Message::Build() const {
  nlohmann::json out = nlohmann::json::object();
  if (text_) out["text"] = *text_;
  if (!blocks_.empty()) out["blocks"] = ToJson(blocks_);
  if (auto status = Validate(out, Surface::kMessage); !status) return status.error();
  return out;
}

}  // namespace contexten::integrations::slack::blocks
