#include "integrations/slack/block_kit/validate.hpp"

#include <string_view>
#include <utility>

#include "integrations/slack/block_kit/limits.hpp"
#include "integrations/slack/block_kit/truncate.hpp"

namespace contexten::integrations::slack::blocks {
namespace {

using nlohmann::json;

// A location in the payload, kept in both the dotted form used in our messages and the JSON
// pointer form Slack uses in its `invalid_blocks` errors.
class Path {
 public:
  Path() = default;
  Path Key(std::string_view key) const {
    Path p = *this;
    if (!p.dotted_.empty()) p.dotted_ += '.';
    p.dotted_ += key;
    p.pointer_ += '/';
    p.pointer_ += key;
    return p;
  }
  Path Index(std::size_t i) const {
    // Appended piece by piece, not "[" + std::to_string(i): GCC 12 at -O3 reports a
    // false-positive -Wrestrict for that operator+ (GCC bug 105329), failing Release builds.
    Path p = *this;
    const std::string index = std::to_string(i);
    p.dotted_.append(1, '[').append(index).append(1, ']');
    p.pointer_.append(1, '/').append(index);
    return p;
  }
  const std::string& dotted() const { return dotted_; }
  const std::string& pointer() const { return pointer_; }

 private:
  std::string dotted_;
  std::string pointer_;
};

enum class TextKind { kAny, kPlainOnly };

struct OptionRules {
  TextKind text_kind = TextKind::kPlainOnly;
  bool allow_url = false;
};

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool IsIsoDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  const auto num = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  const int year = num(0, 4);
  const int month = num(5, 2);
  const int day = num(8, 2);
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  const int max_day = kDays[month - 1] + (month == 2 && IsLeapYear(year) ? 1 : 0);
  return day <= max_day;
}

std::string Plural(std::size_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

class Checker {
 public:
  explicit Checker(std::vector<Violation>& out) : out_(out) {}

  void Fail(const Path& path, std::string what) {
    out_.push_back(Violation{path.dotted(), path.pointer(), path.dotted() + " " + what});
  }

  // Optional string field (or required when `required`), at most `max` characters.
  void String(const json& obj, std::string_view key, const Path& parent, std::size_t max,
              bool required = false) {
    const Path path = parent.Key(key);
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
      if (required) Fail(path, "is missing");
      return;
    }
    if (!it->is_string()) {
      Fail(path, "must be a string");
      return;
    }
    Length(it->get_ref<const std::string&>(), path, max);
  }

  void Length(const std::string& value, const Path& path, std::size_t max) {
    const std::size_t n = CountChars(value);
    if (n > max) {
      Fail(path, "is " + std::to_string(n) + " characters; Slack allows " + std::to_string(max));
    }
  }

  // A text composition object at obj[key].
  void Text(const json& obj, std::string_view key, const Path& parent, std::size_t max,
            TextKind kind, bool required) {
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
      if (required) Fail(parent.Key(key), "is missing");
      return;
    }
    TextValue(*it, parent.Key(key), max, kind);
  }

  void TextValue(const json& text, const Path& path, std::size_t max, TextKind kind) {
    if (!text.is_object()) {
      Fail(path, "must be a text object");
      return;
    }
    const auto type = text.find("type");
    if (type == text.end() || !type->is_string()) {
      Fail(path.Key("type"), "is missing");
      return;
    }
    const auto& type_name = type->get_ref<const std::string&>();
    if (type_name != "plain_text" && type_name != "mrkdwn") {
      Fail(path.Key("type"), "is '" + type_name + "'; Slack allows plain_text or mrkdwn");
      return;
    }
    if (kind == TextKind::kPlainOnly && type_name != "plain_text") {
      Fail(path.Key("type"), "is '" + type_name + "'; Slack requires plain_text here");
    }
    const auto body = text.find("text");
    if (body == text.end() || !body->is_string()) {
      Fail(path.Key("text"), "is missing");
      return;
    }
    const auto& value = body->get_ref<const std::string&>();
    if (value.empty()) {
      Fail(path.Key("text"), "is empty; Slack requires at least 1 character");
      return;
    }
    Length(value, path.Key("text"), max);
  }

  // obj[key] must be an array with min..max items; returns it, or nullptr when absent/invalid.
  const json* Array(const json& obj, std::string_view key, const Path& parent, std::size_t min,
                    std::size_t max, bool required, std::string_view noun = "item") {
    const Path path = parent.Key(key);
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
      if (required) Fail(path, "is missing");
      return nullptr;
    }
    if (!it->is_array()) {
      Fail(path, "must be an array");
      return nullptr;
    }
    const std::size_t n = it->size();
    if (n > max) {
      Fail(path, "has " + Plural(n, noun) + "; Slack allows " + std::to_string(max));
    } else if (n < min) {
      Fail(path, "has " + Plural(n, noun) + "; Slack requires at least " + std::to_string(min));
    }
    return &*it;
  }

  void Integer(const json& obj, std::string_view key, const Path& parent, long long min,
               long long max) {
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return;
    const Path path = parent.Key(key);
    if (!it->is_number_integer()) {
      Fail(path, "must be an integer");
      return;
    }
    const long long v = it->get<long long>();
    if (v < min || v > max) {
      Fail(path, "is " + std::to_string(v) + "; Slack allows " + std::to_string(min) + " to " +
                     std::to_string(max));
    }
  }

  void Style(const json& obj, const Path& parent) {
    const auto it = obj.find("style");
    if (it == obj.end() || it->is_null()) return;
    if (!it->is_string() || (*it != "primary" && *it != "danger")) {
      Fail(parent.Key("style"), "must be 'primary' or 'danger'");
    }
  }

  void Confirm(const json& obj, const Path& parent) {
    const auto it = obj.find("confirm");
    if (it == obj.end() || it->is_null()) return;
    const Path path = parent.Key("confirm");
    if (!it->is_object()) {
      Fail(path, "must be an object");
      return;
    }
    Text(*it, "title", path, limits::kConfirmTitle, TextKind::kPlainOnly, true);
    Text(*it, "text", path, limits::kConfirmText, TextKind::kAny, true);
    Text(*it, "confirm", path, limits::kConfirmButton, TextKind::kPlainOnly, true);
    Text(*it, "deny", path, limits::kConfirmButton, TextKind::kPlainOnly, true);
    Style(*it, path);
  }

  void Option(const json& option, const Path& path, OptionRules rules) {
    if (!option.is_object()) {
      Fail(path, "must be an option object");
      return;
    }
    Text(option, "text", path, limits::kOptionText, rules.text_kind, true);
    String(option, "value", path, limits::kOptionValue);
    Text(option, "description", path, limits::kOptionDescription, rules.text_kind, false);
    if (option.contains("url")) {
      if (rules.allow_url) {
        String(option, "url", path, limits::kOptionUrl);
      } else {
        Fail(path.Key("url"), "is only allowed in overflow menu options");
      }
    }
  }

  void Options(const json* options, const Path& path, OptionRules rules) {
    if (options == nullptr) return;
    for (std::size_t i = 0; i < options->size(); ++i) Option((*options)[i], path.Index(i), rules);
  }

  void StaticSelect(const json& e, const Path& path) {
    const bool has_options = e.contains("options");
    const bool has_groups = e.contains("option_groups");
    if (has_options == has_groups) {
      Fail(path, "needs exactly one of options or option_groups");
    }
    const OptionRules rules{};
    Options(Array(e, "options", path, 0, limits::kSelectOptions, false, "option"),
            path.Key("options"), rules);
    if (const json* groups = Array(e, "option_groups", path, 0, limits::kSelectOptionGroups, false,
                                   "option group")) {
      for (std::size_t i = 0; i < groups->size(); ++i) {
        const json& group = (*groups)[i];
        const Path group_path = path.Key("option_groups").Index(i);
        if (!group.is_object()) {
          Fail(group_path, "must be an object");
          continue;
        }
        Text(group, "label", group_path, limits::kOptionGroupLabel, TextKind::kPlainOnly, true);
        Options(Array(group, "options", group_path, 1, limits::kSelectOptions, true, "option"),
                group_path.Key("options"), rules);
      }
    }
    if (const auto it = e.find("initial_option"); it != e.end() && !it->is_null()) {
      Option(*it, path.Key("initial_option"), rules);
    }
    Options(Array(e, "initial_options", path, 0, limits::kSelectOptions, false, "option"),
            path.Key("initial_options"), rules);
  }

  void Element(const json& e, const Path& path) {
    if (!e.is_object()) {
      Fail(path, "must be an element object");
      return;
    }
    const auto type_it = e.find("type");
    if (type_it == e.end() || !type_it->is_string()) {
      Fail(path.Key("type"), "is missing");
      return;
    }
    const std::string& type = type_it->get_ref<const std::string&>();
    String(e, "action_id", path, limits::kActionId);
    Confirm(e, path);
    if (type != "button" && type != "overflow" && type != "image" && type != "checkboxes" &&
        type != "radio_buttons") {
      Text(e, "placeholder", path, limits::kPlaceholder, TextKind::kPlainOnly, false);
    }

    if (type == "button") {
      Text(e, "text", path, limits::kButtonText, TextKind::kPlainOnly, true);
      String(e, "value", path, limits::kButtonValue);
      String(e, "url", path, limits::kButtonUrl);
      String(e, "accessibility_label", path, limits::kButtonAccessibilityLabel);
      Style(e, path);
    } else if (type == "static_select" || type == "multi_static_select") {
      StaticSelect(e, path);
    } else if (type == "overflow") {
      Options(Array(e, "options", path, limits::kOverflowMinOptions, limits::kOverflowMaxOptions,
                    true, "option"),
              path.Key("options"), OptionRules{TextKind::kPlainOnly, true});
    } else if (type == "checkboxes" || type == "radio_buttons") {
      const std::size_t max =
          type == "checkboxes" ? limits::kCheckboxOptions : limits::kRadioButtonOptions;
      Options(Array(e, "options", path, 1, max, true, "option"), path.Key("options"),
              OptionRules{TextKind::kAny, false});
    } else if (type == "plain_text_input") {
      PlainTextInput(e, path);
    } else if (type == "datepicker") {
      const auto it = e.find("initial_date");
      if (it != e.end() && !it->is_null() &&
          (!it->is_string() || !IsIsoDate(it->get_ref<const std::string&>()))) {
        Fail(path.Key("initial_date"), "is " + it->dump() + "; Slack requires a YYYY-MM-DD date");
      }
    } else if (type == "image") {
      Image(e, path);
    }
  }

  void PlainTextInput(const json& e, const Path& path) {
    String(e, "initial_value", path, limits::kPlainTextInputLength);
    const long long max_length = static_cast<long long>(limits::kPlainTextInputLength);
    Integer(e, "min_length", path, 0, max_length);
    Integer(e, "max_length", path, 1, max_length);
    const auto min_it = e.find("min_length");
    const auto max_it = e.find("max_length");
    if (min_it != e.end() && max_it != e.end() && min_it->is_number_integer() &&
        max_it->is_number_integer() && min_it->get<long long>() > max_it->get<long long>()) {
      Fail(path.Key("min_length"),
           "is " + min_it->dump() + "; it must not exceed max_length " + max_it->dump());
    }
  }

  void Image(const json& e, const Path& path) {
    if (!e.contains("slack_file")) String(e, "image_url", path, limits::kImageUrl, true);
    String(e, "alt_text", path, limits::kImageAltText, true);
  }

  void Block(const json& b, const Path& path) {
    if (!b.is_object()) {
      Fail(path, "must be a block object");
      return;
    }
    const auto type_it = b.find("type");
    if (type_it == b.end() || !type_it->is_string()) {
      Fail(path.Key("type"), "is missing");
      return;
    }
    const std::string& type = type_it->get_ref<const std::string&>();
    String(b, "block_id", path, limits::kBlockId);

    if (type == "section") {
      if (!b.contains("text") && !b.contains("fields")) {
        Fail(path, "needs text or fields");
      }
      Text(b, "text", path, limits::kSectionText, TextKind::kAny, false);
      if (const json* fields =
              Array(b, "fields", path, 0, limits::kSectionFields, false, "field")) {
        for (std::size_t i = 0; i < fields->size(); ++i) {
          TextValue((*fields)[i], path.Key("fields").Index(i), limits::kSectionFieldText,
                    TextKind::kAny);
        }
      }
      if (const auto it = b.find("accessory"); it != b.end() && !it->is_null()) {
        Element(*it, path.Key("accessory"));
      }
    } else if (type == "header") {
      Text(b, "text", path, limits::kHeaderText, TextKind::kPlainOnly, true);
    } else if (type == "context") {
      ContextElements(b, path);
    } else if (type == "actions") {
      if (const json* elements =
              Array(b, "elements", path, 1, limits::kActionsElements, true, "element")) {
        for (std::size_t i = 0; i < elements->size(); ++i) {
          Element((*elements)[i], path.Key("elements").Index(i));
        }
      }
    } else if (type == "input") {
      Text(b, "label", path, limits::kInputLabel, TextKind::kPlainOnly, true);
      Text(b, "hint", path, limits::kInputHint, TextKind::kPlainOnly, false);
      const auto it = b.find("element");
      if (it == b.end() || it->is_null()) {
        Fail(path.Key("element"), "is missing");
      } else {
        Element(*it, path.Key("element"));
      }
    } else if (type == "image") {
      Image(b, path);
      Text(b, "title", path, limits::kImageTitle, TextKind::kPlainOnly, false);
    }
  }

  void ContextElements(const json& b, const Path& path) {
    const json* elements = Array(b, "elements", path, 1, limits::kContextElements, true, "element");
    if (elements == nullptr) return;
    for (std::size_t i = 0; i < elements->size(); ++i) {
      const json& e = (*elements)[i];
      const Path element_path = path.Key("elements").Index(i);
      const auto type = e.is_object() ? e.find("type") : e.end();
      if (!e.is_object() || type == e.end() || !type->is_string()) {
        Fail(element_path, "must be a text or image object");
      } else if (*type == "image") {
        Image(e, element_path);
      } else if (*type == "plain_text" || *type == "mrkdwn") {
        // Slack documents no per-element length for context text; the section limit is the
        // tightest bound it applies anywhere to a text object.
        TextValue(e, element_path, limits::kSectionText, TextKind::kAny);
      } else {
        Fail(element_path.Key("type"),
             "is '" + type->get<std::string>() + "'; a context block takes text or images");
      }
    }
  }

  void Blocks(const json& blocks, const Path& path, Surface surface) {
    const std::size_t max = surface == Surface::kMessage ? limits::kMessageBlocks
                            : surface == Surface::kModal ? limits::kModalBlocks
                                                         : limits::kHomeBlocks;
    const std::string_view where = surface == Surface::kMessage ? " in a message"
                                   : surface == Surface::kModal ? " in a modal"
                                                                : " in a home tab";
    if (!blocks.is_array()) {
      Fail(path, "must be an array");
      return;
    }
    if (blocks.size() > max) {
      Fail(path, "has " + Plural(blocks.size(), "block") + "; Slack allows " + std::to_string(max) +
                     std::string(where));
    }
    for (std::size_t i = 0; i < blocks.size(); ++i) Block(blocks[i], path.Index(i));
  }

  void Message(const json& m) {
    const Path root;
    if (!m.contains("text") && !m.contains("blocks") && !m.contains("attachments")) {
      Fail(root.Key("text"), "is missing; a message needs text or blocks");
    }
    String(m, "text", root, limits::kMessageText);
    if (const auto it = m.find("blocks"); it != m.end() && !it->is_null()) {
      Blocks(*it, root.Key("blocks"), Surface::kMessage);
    }
  }

  void View(const json& v, Surface surface) {
    const Path root;
    const std::string expected = surface == Surface::kModal ? "modal" : "home";
    const auto type = v.find("type");
    if (type == v.end() || !type->is_string()) {
      Fail(root.Key("type"), "is missing");
    } else if (*type != expected) {
      Fail(root.Key("type"), "is '" + type->get<std::string>() + "'; expected '" + expected + "'");
    }
    if (surface == Surface::kModal) {
      Text(v, "title", root, limits::kViewTitle, TextKind::kPlainOnly, true);
      Text(v, "submit", root, limits::kViewTitle, TextKind::kPlainOnly, false);
      Text(v, "close", root, limits::kViewTitle, TextKind::kPlainOnly, false);
    }
    String(v, "private_metadata", root, limits::kPrivateMetadata);
    String(v, "callback_id", root, limits::kCallbackId);
    String(v, "external_id", root, limits::kExternalId);
    const auto blocks = v.find("blocks");
    if (blocks == v.end() || blocks->is_null()) {
      Fail(root.Key("blocks"), "is missing");
      return;
    }
    Blocks(*blocks, root.Key("blocks"), surface);
    if (surface == Surface::kModal && blocks->is_array() &&
        (!v.contains("submit") || v["submit"].is_null())) {
      for (const json& b : *blocks) {
        // Not b.value("type", ""): it throws when "type" is there but not a string (found by
        // fuzz/block_kit_validate_fuzzer; Blocks() above already reported that type).
        const auto type = b.is_object() ? b.find("type") : b.end();
        if (type != b.end() && type->is_string() && *type == "input") {
          Fail(root.Key("submit"), "is missing; Slack requires it when a modal has input blocks");
          break;
        }
      }
    }
  }

 private:
  std::vector<Violation>& out_;
};

}  // namespace

std::vector<Violation> FindViolations(const nlohmann::json& payload, Surface surface) {
  std::vector<Violation> out;
  Checker checker(out);
  if (payload.is_array()) {
    checker.Blocks(payload, Path().Key("blocks"), surface);
  } else if (payload.is_object()) {
    if (surface == Surface::kMessage) {
      checker.Message(payload);
    } else {
      checker.View(payload, surface);
    }
  } else {
    out.push_back(Violation{"", "", "payload must be an array of blocks or an object"});
  }
  return out;
}

core::Status Validate(const nlohmann::json& payload, Surface surface) {
  const auto violations = FindViolations(payload, surface);
  if (violations.empty()) return core::Ok();
  std::string message = violations.front().message;
  if (violations.size() > 1) {
    message += " (and " + std::to_string(violations.size() - 1) + " more)";
  }
  return core::Unexpected(core::MakeError(core::ErrorKind::kInvalidInput, std::move(message)));
}

}  // namespace contexten::integrations::slack::blocks
