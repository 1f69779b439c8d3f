#include "bot/console.hpp"

#include <poll.h>
#include <unistd.h>

#include <iostream>
#include <sstream>

#include "bot/app.hpp"
#include "core/wait_until.hpp"
#include "integrations/slack/block_kit/terminal_render.hpp"
#include "sandbox/slack/slack_sandbox.hpp"

namespace contexten::bot {
namespace {

std::string Indent(const std::string& text, const std::string& prefix) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out += prefix + line + "\n";
  return out;
}

std::string Trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

}  // namespace

std::string RenderBotMessage(const std::string& text, const std::string& blocks_json,
                             bool ephemeral, bool in_thread) {
  std::string body;
  auto blocks = nlohmann::json::parse(blocks_json, nullptr, false);
  if (!blocks.is_discarded() && blocks.is_array() && !blocks.empty()) {
    body = integrations::slack::blocks::RenderForTerminal(blocks);
  } else {
    body = integrations::slack::blocks::StripMrkdwn(text) + "\n";
  }
  std::string head = in_thread ? "  ↳ contexten" : "contexten";
  if (ephemeral) head += " (only visible to you)";
  head += ":\n";
  return head + Indent(body, in_thread ? "      " : "    ");
}

Console::Console(App& app, std::ostream& out) : app_(app), out_(out) {
  app_.slack_sandbox()->Subscribe([this](const sandbox::SandboxEvent& event) {
    if (event.kind != sandbox::SandboxEvent::Kind::kMessagePosted || !event.message) return;
    const auto& m = *event.message;
    if (!m.from_bot) return;
    Print(RenderBotMessage(m.text, m.blocks.is_null() ? "" : m.blocks.dump(), m.ephemeral,
                           !m.thread_ts.empty()));
  });
}

void Console::Print(const std::string& text) {
  std::lock_guard lock(mu_);
  out_ << text << std::flush;
}

bool Console::RunLine(const std::string& raw, std::chrono::milliseconds deadline) {
  auto* slack = app_.slack_sandbox();
  const std::string line = Trim(raw);
  if (line.empty() || line[0] == '#') return true;
  if (echo_input_) Print("you> " + line + "\n");
  std::vector<std::string> envelopes;
  if (line[0] == '/') {
    const auto space = line.find(' ');
    const std::string command = line.substr(0, space);
    const std::string text = space == std::string::npos ? "" : Trim(line.substr(space + 1));
    envelopes.push_back(slack->InjectSlashCommand(command, text));
  } else {
    // "@contexten" is how a person types the mention; Slack sends it as <@U...>.
    std::string text = line;
    const std::string at = "@contexten";
    for (auto pos = text.find(at); pos != std::string::npos; pos = text.find(at)) {
      text.replace(pos, at.size(), "<@" + slack->options().bot_user_id + ">");
    }
    envelopes.push_back(slack->InjectMessage(text));
  }
  const auto until = std::chrono::steady_clock::now() + deadline;
  const bool acked = core::WaitUntil(
      [&] {
        for (const auto& id : envelopes) {
          auto ack = slack->AckFor(id);
          if (!ack || !ack->acked_at) return false;
        }
        return true;
      },
      deadline);
  if (!acked) {
    Print("(no acknowledgement from the bot within " + std::to_string(deadline.count()) + " ms)\n");
    return false;
  }
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      until - std::chrono::steady_clock::now());
  if (!app_.WaitIdle(std::max(left, std::chrono::milliseconds(1)))) {
    Print("(the bot did not finish within the deadline)\n");
    return false;
  }
  return true;
}

int Console::RunScript(std::istream& in) {
  std::string line;
  int failures = 0;
  while (std::getline(in, line)) {
    if (!RunLine(line)) ++failures;
  }
  return failures == 0 ? 0 : 1;
}

int Console::RunInteractive(std::istream& in, const std::atomic<bool>& stop) {
  const bool tty = isatty(STDIN_FILENO) != 0 && &in == &std::cin;
  echo_input_ = !tty;
  Print(
      "Contexten sandbox: type /ctx help, or a message such as '@contexten ping'. "
      "Ctrl-D or 'quit' ends.\n");
  std::string line;
  bool prompted = false;
  while (!stop) {
    if (tty && !prompted) {
      Print("you> ");
      prompted = true;
    }
    if (tty) {
      // Poll so that a signal (stop) ends the loop even while nobody types.
      pollfd pfd{STDIN_FILENO, POLLIN, 0};
      const int ready = poll(&pfd, 1, 200);
      if (ready == 0) continue;
      if (ready < 0) break;
    }
    if (!std::getline(in, line)) break;
    prompted = false;
    const std::string t = Trim(line);
    if (t == "quit" || t == "exit") break;
    RunLine(t);
  }
  return 0;
}

}  // namespace contexten::bot
