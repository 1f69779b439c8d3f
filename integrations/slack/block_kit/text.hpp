#pragma once
// Block Kit text composition object: {"type": "plain_text"|"mrkdwn", "text": ..., "emoji"?}.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace contexten::integrations::slack::blocks {

class TextObject {
 public:
  enum class Type { kPlainText, kMrkdwn };

  static TextObject Plain(std::string text, bool emoji = true);
  static TextObject Markdown(std::string text, bool verbatim = false);

  Type type() const { return type_; }
  const std::string& text() const { return text_; }

  nlohmann::json ToJson() const;

 private:
  TextObject(Type type, std::string text, bool emoji, bool verbatim);

  Type type_;
  std::string text_;
  bool emoji_;
  bool verbatim_;
};

inline TextObject PlainText(std::string text, bool emoji = true) {
  return TextObject::Plain(std::move(text), emoji);
}
inline TextObject Mrkdwn(std::string text) { return TextObject::Markdown(std::move(text)); }

// Escapes the three characters Slack's mrkdwn treats as control characters (&, <, >) so that
// user content cannot inject mentions (<!channel>) or links.
std::string EscapeMrkdwn(std::string_view text);

}  // namespace contexten::integrations::slack::blocks
