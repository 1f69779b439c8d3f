#pragma once
// Typed builders for the layout blocks Contexten uses: section, header, context, divider,
// actions, input. Value types with fluent setters; ToJson() gives Slack's wire shape.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "integrations/slack/block_kit/elements.hpp"
#include "integrations/slack/block_kit/text.hpp"

namespace contexten::integrations::slack::blocks {

class Section {
 public:
  Section() = default;
  explicit Section(TextObject text);
  static Section Markdown(std::string text) { return Section(Mrkdwn(std::move(text))); }

  Section& Text(TextObject text);
  Section& AddField(TextObject field);
  Section& Accessory(Element element);
  Section& BlockId(std::string block_id);
  nlohmann::json ToJson() const;

 private:
  std::optional<TextObject> text_;
  std::vector<TextObject> fields_;
  std::optional<Element> accessory_;
  std::optional<std::string> block_id_;
};

class Header {
 public:
  explicit Header(std::string text);
  Header& BlockId(std::string block_id);
  nlohmann::json ToJson() const;

 private:
  std::string text_;
  std::optional<std::string> block_id_;
};

class Context {
 public:
  Context() = default;
  Context& AddText(TextObject text);
  Context& AddImage(std::string image_url, std::string alt_text);
  Context& BlockId(std::string block_id);
  nlohmann::json ToJson() const;

 private:
  std::vector<nlohmann::json> elements_;
  std::optional<std::string> block_id_;
};

class Divider {
 public:
  Divider& BlockId(std::string block_id);
  nlohmann::json ToJson() const;

 private:
  std::optional<std::string> block_id_;
};

class Actions {
 public:
  Actions() = default;
  Actions& Add(Element element);
  Actions& BlockId(std::string block_id);
  nlohmann::json ToJson() const;

 private:
  std::vector<Element> elements_;
  std::optional<std::string> block_id_;
};

class Input {
 public:
  Input(std::string label, Element element);
  Input& Hint(std::string hint);
  Input& Optional(bool optional = true);
  Input& DispatchAction(bool dispatch = true);
  Input& BlockId(std::string block_id);
  nlohmann::json ToJson() const;

 private:
  std::string label_;
  Element element_;
  std::optional<std::string> hint_;
  bool optional_ = false;
  bool dispatch_action_ = false;
  std::optional<std::string> block_id_;
};

using Block = std::variant<Section, Header, Context, Divider, Actions, Input>;

nlohmann::json ToJson(const Block& block);
nlohmann::json ToJson(const std::vector<Block>& blocks);

}  // namespace contexten::integrations::slack::blocks
