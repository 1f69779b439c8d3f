#pragma once
// Plain-text rendering of Block Kit messages and views for the `contexten sandbox` console.

#include <nlohmann/json.hpp>
#include <string>

namespace contexten::integrations::slack::blocks {

struct TerminalRenderOptions {
  bool ansi = false;  // bold headers, dim context lines
  std::size_t width = 60;
};

// Accepts a blocks array, a message ({text?, blocks?}) or a view ({type: modal|home, ...}).
// Header: "== Title ==", section text with mrkdwn markers stripped, fields in two columns,
// context as "(small text)", divider as a row of '-', actions as "[Label] [Choose v]", inputs
// as "Label: ______", and for modals the title bar and "[Close] [Submit]" footer. Unknown
// blocks render as "[<type> block]". Every line ends with '\n'.
std::string RenderForTerminal(const nlohmann::json& message_or_view,
                              const TerminalRenderOptions& options = {});

// Mrkdwn to plain text: drops *bold*, _italic_, ~strike~ markers (not intra-word underscores),
// turns <url|label> into "label (url)", <@U1> into "@U1", <#C1|name> into "#name", <!here> into
// "@here", and unescapes &amp; &lt; &gt;.
std::string StripMrkdwn(const std::string& text);

}  // namespace contexten::integrations::slack::blocks
