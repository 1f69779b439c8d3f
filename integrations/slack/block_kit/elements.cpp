#include "integrations/slack/block_kit/elements.hpp"

#include <utility>

namespace contexten::integrations::slack::blocks {
namespace {

void PutStyle(nlohmann::json& out, ButtonStyle style) {
  if (style == ButtonStyle::kPrimary) out["style"] = "primary";
  if (style == ButtonStyle::kDanger) out["style"] = "danger";
}

}  // namespace

Option::Option(std::string text, std::string value)
    : text_(std::move(text)), value_(std::move(value)) {}

Option& Option::Description(std::string description) {
  description_ = std::move(description);
  return *this;
}

Option& Option::Url(std::string url) {
  url_ = std::move(url);
  return *this;
}

nlohmann::json Option::ToJson() const {
  nlohmann::json out{{"text", PlainText(text_).ToJson()}, {"value", value_}};
  if (description_) out["description"] = PlainText(*description_).ToJson();
  if (url_) out["url"] = *url_;
  return out;
}

ConfirmDialog::ConfirmDialog(std::string title, TextObject text, std::string confirm,
                             std::string deny)
    : title_(std::move(title)),
      text_(std::move(text)),
      confirm_(std::move(confirm)),
      deny_(std::move(deny)) {}

ConfirmDialog& ConfirmDialog::Style(ButtonStyle style) {
  style_ = style;
  return *this;
}

nlohmann::json ConfirmDialog::ToJson() const {
  nlohmann::json out{{"title", PlainText(title_).ToJson()},
                     {"text", text_.ToJson()},
                     {"confirm", PlainText(confirm_).ToJson()},
                     {"deny", PlainText(deny_).ToJson()}};
  PutStyle(out, style_);
  return out;
}

Button::Button(std::string text, std::string action_id)
    : text_(std::move(text)), action_id_(std::move(action_id)) {}

Button& Button::Value(std::string value) {
  value_ = std::move(value);
  return *this;
}

Button& Button::Url(std::string url) {
  url_ = std::move(url);
  return *this;
}

Button& Button::Style(ButtonStyle style) {
  style_ = style;
  return *this;
}

Button& Button::Confirm(ConfirmDialog confirm) {
  confirm_ = std::move(confirm);
  return *this;
}

Button& Button::AccessibilityLabel(std::string label) {
  accessibility_label_ = std::move(label);
  return *this;
}

nlohmann::json Button::ToJson() const {
  nlohmann::json out{
      {"type", "button"}, {"text", PlainText(text_).ToJson()}, {"action_id", action_id_}};
  if (value_) out["value"] = *value_;
  if (url_) out["url"] = *url_;
  PutStyle(out, style_);
  if (confirm_) out["confirm"] = confirm_->ToJson();
  if (accessibility_label_) out["accessibility_label"] = *accessibility_label_;
  return out;
}

StaticSelect::StaticSelect(std::string placeholder, std::string action_id)
    : placeholder_(std::move(placeholder)), action_id_(std::move(action_id)) {}

StaticSelect& StaticSelect::AddOption(Option option) {
  options_.push_back(std::move(option));
  return *this;
}

StaticSelect& StaticSelect::Options(std::vector<Option> options) {
  options_ = std::move(options);
  return *this;
}

StaticSelect& StaticSelect::InitialOption(Option option) {
  if (!multi_) initial_options_.clear();
  initial_options_.push_back(std::move(option));
  return *this;
}

StaticSelect& StaticSelect::Confirm(ConfirmDialog confirm) {
  confirm_ = std::move(confirm);
  return *this;
}

StaticSelect& StaticSelect::Multi(bool multi) {
  multi_ = multi;
  return *this;
}

nlohmann::json StaticSelect::ToJson() const {
  nlohmann::json options = nlohmann::json::array();
  for (const auto& option : options_) options.push_back(option.ToJson());
  nlohmann::json out{{"type", multi_ ? "multi_static_select" : "static_select"},
                     {"placeholder", PlainText(placeholder_).ToJson()},
                     {"action_id", action_id_},
                     {"options", std::move(options)}};
  if (multi_ && !initial_options_.empty()) {
    out["initial_options"] = nlohmann::json::array();
    for (const auto& option : initial_options_) out["initial_options"].push_back(option.ToJson());
  } else if (!multi_ && !initial_options_.empty()) {
    out["initial_option"] = initial_options_.front().ToJson();
  }
  if (confirm_) out["confirm"] = confirm_->ToJson();
  return out;
}

Overflow::Overflow(std::string action_id) : action_id_(std::move(action_id)) {}

Overflow& Overflow::AddOption(Option option) {
  options_.push_back(std::move(option));
  return *this;
}

Overflow& Overflow::Confirm(ConfirmDialog confirm) {
  confirm_ = std::move(confirm);
  return *this;
}

nlohmann::json Overflow::ToJson() const {
  nlohmann::json options = nlohmann::json::array();
  for (const auto& option : options_) options.push_back(option.ToJson());
  nlohmann::json out{
      {"type", "overflow"}, {"action_id", action_id_}, {"options", std::move(options)}};
  if (confirm_) out["confirm"] = confirm_->ToJson();
  return out;
}

PlainTextInput::PlainTextInput(std::string action_id) : action_id_(std::move(action_id)) {}

PlainTextInput& PlainTextInput::Placeholder(std::string placeholder) {
  placeholder_ = std::move(placeholder);
  return *this;
}

PlainTextInput& PlainTextInput::InitialValue(std::string value) {
  initial_value_ = std::move(value);
  return *this;
}

PlainTextInput& PlainTextInput::Multiline(bool multiline) {
  multiline_ = multiline;
  return *this;
}

PlainTextInput& PlainTextInput::MinLength(int min_length) {
  min_length_ = min_length;
  return *this;
}

PlainTextInput& PlainTextInput::MaxLength(int max_length) {
  max_length_ = max_length;
  return *this;
}

PlainTextInput& PlainTextInput::FocusOnLoad(bool focus) {
  focus_on_load_ = focus;
  return *this;
}

nlohmann::json PlainTextInput::ToJson() const {
  nlohmann::json out{{"type", "plain_text_input"}, {"action_id", action_id_}};
  if (placeholder_) out["placeholder"] = PlainText(*placeholder_).ToJson();
  if (initial_value_) out["initial_value"] = *initial_value_;
  if (multiline_) out["multiline"] = true;
  if (min_length_) out["min_length"] = *min_length_;
  if (max_length_) out["max_length"] = *max_length_;
  if (focus_on_load_) out["focus_on_load"] = true;
  return out;
}

DatePicker::DatePicker(std::string action_id) : action_id_(std::move(action_id)) {}

DatePicker& DatePicker::Placeholder(std::string placeholder) {
  placeholder_ = std::move(placeholder);
  return *this;
}

DatePicker& DatePicker::InitialDate(std::string yyyy_mm_dd) {
  initial_date_ = std::move(yyyy_mm_dd);
  return *this;
}

DatePicker& DatePicker::Confirm(ConfirmDialog confirm) {
  confirm_ = std::move(confirm);
  return *this;
}

nlohmann::json DatePicker::ToJson() const {
  nlohmann::json out{{"type", "datepicker"}, {"action_id", action_id_}};
  if (placeholder_) out["placeholder"] = PlainText(*placeholder_).ToJson();
  if (initial_date_) out["initial_date"] = *initial_date_;
  if (confirm_) out["confirm"] = confirm_->ToJson();
  return out;
}

nlohmann::json ToJson(const Element& element) {
  return std::visit([](const auto& e) { return e.ToJson(); }, element);
}

}  // namespace contexten::integrations::slack::blocks
