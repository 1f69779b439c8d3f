#include "integrations/slack/block_kit/blocks.hpp"

#include <utility>

namespace contexten::integrations::slack::blocks {
namespace {

void PutBlockId(nlohmann::json& out, const std::optional<std::string>& block_id) {
  if (block_id) out["block_id"] = *block_id;
}

}  // namespace

Section::Section(TextObject text) : text_(std::move(text)) {}

Section& Section::Text(TextObject text) {
  text_ = std::move(text);
  return *this;
}

Section& Section::AddField(TextObject field) {
  fields_.push_back(std::move(field));
  return *this;
}

Section& Section::Accessory(Element element) {
  accessory_ = std::move(element);
  return *this;
}

Section& Section::BlockId(std::string block_id) {
  block_id_ = std::move(block_id);
  return *this;
}

nlohmann::json Section::ToJson() const {
  nlohmann::json out{{"type", "section"}};
  if (text_) out["text"] = text_->ToJson();
  if (!fields_.empty()) {
    out["fields"] = nlohmann::json::array();
    for (const auto& field : fields_) out["fields"].push_back(field.ToJson());
  }
  if (accessory_) out["accessory"] = blocks::ToJson(*accessory_);
  PutBlockId(out, block_id_);
  return out;
}

Header::Header(std::string text) : text_(std::move(text)) {}

Header& Header::BlockId(std::string block_id) {
  block_id_ = std::move(block_id);
  return *this;
}

nlohmann::json Header::ToJson() const {
  nlohmann::json out{{"type", "header"}, {"text", PlainText(text_).ToJson()}};
  PutBlockId(out, block_id_);
  return out;
}

Context& Context::AddText(TextObject text) {
  elements_.push_back(text.ToJson());
  return *this;
}

Context& Context::AddImage(std::string image_url, std::string alt_text) {
  elements_.push_back(nlohmann::json{
      {"type", "image"}, {"image_url", std::move(image_url)}, {"alt_text", std::move(alt_text)}});
  return *this;
}

Context& Context::BlockId(std::string block_id) {
  block_id_ = std::move(block_id);
  return *this;
}

nlohmann::json Context::ToJson() const {
  nlohmann::json out{{"type", "context"}, {"elements", elements_}};
  PutBlockId(out, block_id_);
  return out;
}

Divider& Divider::BlockId(std::string block_id) {
  block_id_ = std::move(block_id);
  return *this;
}

nlohmann::json Divider::ToJson() const {
  nlohmann::json out{{"type", "divider"}};
  PutBlockId(out, block_id_);
  return out;
}

Actions& Actions::Add(Element element) {
  elements_.push_back(std::move(element));
  return *this;
}

Actions& Actions::BlockId(std::string block_id) {
  block_id_ = std::move(block_id);
  return *this;
}

nlohmann::json Actions::ToJson() const {
  nlohmann::json elements = nlohmann::json::array();
  for (const auto& element : elements_) elements.push_back(blocks::ToJson(element));
  nlohmann::json out{{"type", "actions"}, {"elements", std::move(elements)}};
  PutBlockId(out, block_id_);
  return out;
}

Input::Input(std::string label, Element element)
    : label_(std::move(label)), element_(std::move(element)) {}

Input& Input::Hint(std::string hint) {
  hint_ = std::move(hint);
  return *this;
}

Input& Input::Optional(bool optional) {
  optional_ = optional;
  return *this;
}

Input& Input::DispatchAction(bool dispatch) {
  dispatch_action_ = dispatch;
  return *this;
}

Input& Input::BlockId(std::string block_id) {
  block_id_ = std::move(block_id);
  return *this;
}

nlohmann::json Input::ToJson() const {
  nlohmann::json out{{"type", "input"},
                     {"label", PlainText(label_).ToJson()},
                     {"element", blocks::ToJson(element_)}};
  if (hint_) out["hint"] = PlainText(*hint_).ToJson();
  if (optional_) out["optional"] = true;
  if (dispatch_action_) out["dispatch_action"] = true;
  PutBlockId(out, block_id_);
  return out;
}

nlohmann::json ToJson(const Block& block) {
  return std::visit([](const auto& b) { return b.ToJson(); }, block);
}

nlohmann::json ToJson(const std::vector<Block>& blocks) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& block : blocks) out.push_back(ToJson(block));
  return out;
}

}  // namespace contexten::integrations::slack::blocks
