#include "integrations/slack/block_kit/text.hpp"

#include <utility>

namespace contexten::integrations::slack::blocks {

TextObject::TextObject(Type type, std::string text, bool emoji, bool verbatim)
    : type_(type), text_(std::move(text)), emoji_(emoji), verbatim_(verbatim) {}

TextObject TextObject::Plain(std::string text, bool emoji) {
  return TextObject(Type::kPlainText, std::move(text), emoji, false);
}

TextObject TextObject::Markdown(std::string text, bool verbatim) {
  return TextObject(Type::kMrkdwn, std::move(text), false, verbatim);
}

nlohmann::json TextObject::ToJson() const {
  nlohmann::json out;
  if (type_ == Type::kPlainText) {
    out["type"] = "plain_text";
    out["text"] = text_;
    out["emoji"] = emoji_;
  } else {
    out["type"] = "mrkdwn";
    out["text"] = text_;
    if (verbatim_) out["verbatim"] = true;
  }
  return out;
}

std::string EscapeMrkdwn(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace contexten::integrations::slack::blocks
