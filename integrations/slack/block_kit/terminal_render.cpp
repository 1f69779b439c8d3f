#include "integrations/slack/block_kit/terminal_render.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <vector>

#include "integrations/slack/block_kit/truncate.hpp"

namespace contexten::integrations::slack::blocks {
namespace {

using nlohmann::json;

constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kDim = "\x1b[2m";
constexpr std::string_view kReset = "\x1b[0m";

// Bytes of multi-byte UTF-8 sequences count as word characters so that markers next to
// non-ASCII letters are treated like markers next to ASCII letters.
bool IsWordByte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || std::isalnum(u) != 0;
}

bool IsSpaceByte(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string Unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s.substr(i, 5) == "&amp;") {
      out += '&';
      i += 4;
    } else if (s.substr(i, 4) == "&lt;") {
      out += '<';
      i += 3;
    } else if (s.substr(i, 4) == "&gt;") {
      out += '>';
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// "<...>" control sequence body to display text.
std::string RenderControl(std::string_view body) {
  const auto bar = body.find('|');
  const std::string_view target = body.substr(0, bar);
  const std::string_view label =
      bar == std::string_view::npos ? std::string_view() : body.substr(bar + 1);
  if (target.empty()) return std::string(label);
  switch (target.front()) {
    case '@':
      return "@" + std::string(label.empty() ? target.substr(1) : label);
    case '#':
      return "#" + std::string(label.empty() ? target.substr(1) : label);
    case '!':
      if (!label.empty()) return std::string(label);
      return "@" + std::string(target.substr(1));
    default:
      if (label.empty()) return std::string(target);
      return std::string(label) + " (" + std::string(target) + ")";
  }
}

std::string TextOf(const json& text) {
  if (text.is_string()) return text.get<std::string>();
  if (!text.is_object()) return "";
  const std::string body = text.value("text", "");
  return text.value("type", "") == "mrkdwn" ? StripMrkdwn(body) : body;
}

std::string FieldText(const json& obj, std::string_view key) {
  const auto it = obj.find(key);
  return it == obj.end() ? std::string() : TextOf(*it);
}

std::string OneLine(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

class Renderer {
 public:
  explicit Renderer(const TerminalRenderOptions& options) : options_(options) {}

  std::string Take() { return std::move(out_); }

  void Line(std::string_view text, std::string_view style = {}) {
    std::size_t start = 0;
    while (true) {
      const auto end = text.find('\n', start);
      const auto piece = text.substr(start, end == std::string_view::npos ? end : end - start);
      if (options_.ansi && !style.empty()) {
        out_ += style;
        out_ += piece;
        out_ += kReset;
      } else {
        out_ += piece;
      }
      out_ += '\n';
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
  }

  void Rule(char c) { Line(std::string(options_.width, c)); }

  std::string ElementLabel(const json& e) {
    if (!e.is_object()) return "";
    const std::string type = e.value("type", "");
    if (type == "button") return "[" + FieldText(e, "text") + "]";
    if (type == "overflow") return "[...]";
    if (type == "plain_text_input") {
      const std::string initial = e.value("initial_value", "");
      return initial.empty() ? "______" : "[" + OneLine(initial) + "]";
    }
    if (type == "datepicker") {
      std::string label = e.value("initial_date", "");
      if (label.empty()) label = FieldText(e, "placeholder");
      if (label.empty()) label = "Pick a date";
      return "[" + label + " v]";
    }
    if (type == "checkboxes" || type == "radio_buttons") {
      const std::string box = type == "checkboxes" ? "[ ] " : "( ) ";
      std::string joined;
      for (const auto& option : e.value("options", json::array())) {
        if (!joined.empty()) joined += "  ";
        joined += box + OneLine(FieldText(option, "text"));
      }
      return joined;
    }
    if (type == "image") return "[image: " + e.value("alt_text", "") + "]";
    if (type.find("select") != std::string::npos) {
      std::string label;
      if (const auto it = e.find("initial_option"); it != e.end() && it->is_object()) {
        label = FieldText(*it, "text");
      }
      if (label.empty()) label = FieldText(e, "placeholder");
      if (label.empty()) label = "Select";
      return "[" + label + " v]";
    }
    return "[" + type + "]";
  }

  void Fields(const json& fields) {
    std::vector<std::string> cells;
    for (const auto& field : fields) cells.push_back(OneLine(TextOf(field)));
    std::size_t left_width = 0;
    for (std::size_t i = 0; i < cells.size(); i += 2) {
      left_width = std::max(left_width, CountChars(cells[i]));
    }
    left_width = std::min(left_width, options_.width / 2);
    for (std::size_t i = 0; i < cells.size(); i += 2) {
      std::string row = cells[i];
      if (i + 1 < cells.size()) {
        const std::size_t used = CountChars(row);
        row.append(used < left_width ? left_width - used : 0, ' ');
        row += "  " + cells[i + 1];
      }
      Line(row);
    }
  }

  void RichText(const json& node, std::string& out) {
    if (node.is_array()) {
      for (const auto& child : node) RichText(child, out);
      return;
    }
    if (!node.is_object()) return;
    const std::string type = node.value("type", "");
    if (type == "text") {
      out += node.value("text", "");
    } else if (type == "user") {
      out += "@" + node.value("user_id", "");
    } else if (type == "channel") {
      out += "#" + node.value("channel_id", "");
    } else if (type == "usergroup") {
      out += "@" + node.value("usergroup_id", "");
    } else if (type == "broadcast") {
      out += "@" + node.value("range", "");
    } else if (type == "emoji") {
      out += ":" + node.value("name", "") + ":";
    } else if (type == "link") {
      const std::string text = node.value("text", "");
      out += text.empty() ? node.value("url", "") : text + " (" + node.value("url", "") + ")";
    } else if (const auto it = node.find("elements"); it != node.end()) {
      if (!out.empty() && out.back() != '\n' &&
          (type == "rich_text_section" || type == "rich_text_list" ||
           type == "rich_text_preformatted" || type == "rich_text_quote")) {
        out += '\n';
      }
      RichText(*it, out);
    }
  }

  void Block(const json& b) {
    if (!b.is_object()) return;
    const std::string type = b.value("type", "");
    if (type == "header") {
      Line("== " + FieldText(b, "text") + " ==", kBold);
    } else if (type == "section") {
      if (b.contains("text")) Line(FieldText(b, "text"));
      if (const auto it = b.find("fields"); it != b.end() && it->is_array()) Fields(*it);
      if (const auto it = b.find("accessory"); it != b.end()) Line("  " + ElementLabel(*it));
    } else if (type == "context") {
      std::string joined;
      for (const auto& e : b.value("elements", json::array())) {
        if (!joined.empty()) joined += " | ";
        joined += e.value("type", "") == "image" ? ElementLabel(e) : OneLine(TextOf(e));
      }
      Line("(" + joined + ")", kDim);
    } else if (type == "divider") {
      Rule('-');
    } else if (type == "actions") {
      std::string joined;
      for (const auto& e : b.value("elements", json::array())) {
        if (!joined.empty()) joined += ' ';
        joined += ElementLabel(e);
      }
      Line(joined);
    } else if (type == "input") {
      std::string label = FieldText(b, "label");
      if (b.value("optional", false)) label += " (optional)";
      const auto element = b.find("element");
      Line(label + ": " + (element == b.end() ? std::string("______") : ElementLabel(*element)));
      if (b.contains("hint")) Line("  (" + FieldText(b, "hint") + ")", kDim);
    } else if (type == "image") {
      std::string line = "[image: " + b.value("alt_text", "") + "]";
      if (b.contains("title")) line = FieldText(b, "title") + " " + line;
      Line(line);
    } else if (type == "rich_text") {
      std::string text;
      RichText(b.value("elements", json::array()), text);
      Line(text);
    } else {
      Line("[" + type + " block]");
    }
  }

  void Blocks(const json& blocks) {
    if (!blocks.is_array()) return;
    for (const auto& b : blocks) Block(b);
  }

  void View(const json& view) {
    const bool modal = view.value("type", "") == "modal";
    Rule('=');
    Line(modal ? FieldText(view, "title") : std::string("Home"), kBold);
    Rule('=');
    Blocks(view.value("blocks", json::array()));
    if (modal) {
      std::string footer =
          "[" + (view.contains("close") ? FieldText(view, "close") : "Cancel") + "]";
      if (view.contains("submit")) footer += " [" + FieldText(view, "submit") + "]";
      Rule('-');
      Line(footer);
    }
  }

 private:
  const TerminalRenderOptions& options_;
  std::string out_;
};

}  // namespace

std::string StripMrkdwn(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '<') {
      if (const auto end = text.find('>', i + 1); end != std::string::npos) {
        out += RenderControl(std::string_view(text).substr(i + 1, end - i - 1));
        i = end;
        continue;
      }
    }
    if (c == '*' || c == '_' || c == '~') {
      const char prev = i == 0 ? ' ' : text[i - 1];
      const char next = i + 1 < text.size() ? text[i + 1] : ' ';
      const bool intra_word = IsWordByte(prev) && IsWordByte(next);
      const bool opens = !IsWordByte(prev) && !IsSpaceByte(next);
      const bool closes = !IsWordByte(next) && !IsSpaceByte(prev);
      if (!intra_word && (opens || closes)) continue;
    }
    out += c;
  }
  return Unescape(out);
}

std::string RenderForTerminal(const nlohmann::json& message_or_view,
                              const TerminalRenderOptions& options) {
  Renderer renderer(options);
  const json& in = message_or_view;
  if (in.is_array()) {
    renderer.Blocks(in);
  } else if (in.is_object()) {
    const std::string type = in.value("type", "");
    if (type == "modal" || type == "home") {
      renderer.View(in);
    } else if (in.contains("blocks") && in["blocks"].is_array() && !in["blocks"].empty()) {
      renderer.Blocks(in["blocks"]);
    } else if (in.contains("text")) {
      renderer.Line(TextOf(in["text"].is_string() ? json{{"type", "mrkdwn"}, {"text", in["text"]}}
                                                  : in["text"]));
    }
  }
  return renderer.Take();
}

}  // namespace contexten::integrations::slack::blocks
