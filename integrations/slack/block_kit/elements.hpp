#pragma once
// Typed builders for the block elements Contexten uses. Each is a value type with fluent
// setters; ToJson() gives Slack's wire shape. Limits are enforced when the enclosing Message or
// Modal is built (Build() runs Validate), so one set of rules covers builders and raw JSON.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "integrations/slack/block_kit/text.hpp"

namespace contexten::integrations::slack::blocks {

enum class ButtonStyle { kDefault, kPrimary, kDanger };

// Option object for selects and overflow menus (plain_text text).
class Option {
 public:
  Option(std::string text, std::string value);
  Option& Description(std::string description);
  Option& Url(std::string url);  // overflow menus only
  nlohmann::json ToJson() const;

 private:
  std::string text_;
  std::string value_;
  std::optional<std::string> description_;
  std::optional<std::string> url_;
};

// Confirmation dialog shown before an element's action is sent.
class ConfirmDialog {
 public:
  ConfirmDialog(std::string title, TextObject text, std::string confirm, std::string deny);
  ConfirmDialog& Style(ButtonStyle style);
  nlohmann::json ToJson() const;

 private:
  std::string title_;
  TextObject text_;
  std::string confirm_;
  std::string deny_;
  ButtonStyle style_ = ButtonStyle::kDefault;
};

class Button {
 public:
  Button(std::string text, std::string action_id);
  Button& Value(std::string value);
  Button& Url(std::string url);
  Button& Style(ButtonStyle style);
  Button& Confirm(ConfirmDialog confirm);
  Button& AccessibilityLabel(std::string label);
  nlohmann::json ToJson() const;

 private:
  std::string text_;
  std::string action_id_;
  std::optional<std::string> value_;
  std::optional<std::string> url_;
  ButtonStyle style_ = ButtonStyle::kDefault;
  std::optional<ConfirmDialog> confirm_;
  std::optional<std::string> accessibility_label_;
};

class StaticSelect {
 public:
  StaticSelect(std::string placeholder, std::string action_id);
  StaticSelect& AddOption(Option option);
  StaticSelect& Options(std::vector<Option> options);
  StaticSelect& InitialOption(Option option);
  StaticSelect& Confirm(ConfirmDialog confirm);
  // A multi_static_select: the person may pick several; InitialOption may then be called for
  // each preselected option (initial_options).
  StaticSelect& Multi(bool multi = true);
  nlohmann::json ToJson() const;

 private:
  std::string placeholder_;
  std::string action_id_;
  std::vector<Option> options_;
  std::vector<Option> initial_options_;
  std::optional<ConfirmDialog> confirm_;
  bool multi_ = false;
};

class Overflow {
 public:
  explicit Overflow(std::string action_id);
  Overflow& AddOption(Option option);
  Overflow& Confirm(ConfirmDialog confirm);
  nlohmann::json ToJson() const;

 private:
  std::string action_id_;
  std::vector<Option> options_;
  std::optional<ConfirmDialog> confirm_;
};

class PlainTextInput {
 public:
  explicit PlainTextInput(std::string action_id);
  PlainTextInput& Placeholder(std::string placeholder);
  PlainTextInput& InitialValue(std::string value);
  PlainTextInput& Multiline(bool multiline = true);
  PlainTextInput& MinLength(int min_length);
  PlainTextInput& MaxLength(int max_length);
  PlainTextInput& FocusOnLoad(bool focus = true);
  nlohmann::json ToJson() const;

 private:
  std::string action_id_;
  std::optional<std::string> placeholder_;
  std::optional<std::string> initial_value_;
  bool multiline_ = false;
  std::optional<int> min_length_;
  std::optional<int> max_length_;
  bool focus_on_load_ = false;
};

class DatePicker {
 public:
  explicit DatePicker(std::string action_id);
  DatePicker& Placeholder(std::string placeholder);
  DatePicker& InitialDate(std::string yyyy_mm_dd);
  DatePicker& Confirm(ConfirmDialog confirm);
  nlohmann::json ToJson() const;

 private:
  std::string action_id_;
  std::optional<std::string> placeholder_;
  std::optional<std::string> initial_date_;
  std::optional<ConfirmDialog> confirm_;
};

using Element = std::variant<Button, StaticSelect, Overflow, PlainTextInput, DatePicker>;

nlohmann::json ToJson(const Element& element);

}  // namespace contexten::integrations::slack::blocks
