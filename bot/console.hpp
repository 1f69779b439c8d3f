#pragma once
// The `contexten sandbox` terminal: each line typed is a slash command or a channel message
// sent through the sandbox Slack; what the bot posts is rendered readably.

#include <atomic>
#include <chrono>
#include <iosfwd>
#include <mutex>
#include <string>

namespace contexten::bot {

class App;

class Console {
 public:
  Console(App& app, std::ostream& out);

  // Sends one line and waits until the bot has acted on it. False when the bot did not
  // acknowledge or finish within the deadline.
  bool RunLine(const std::string& line,
               std::chrono::milliseconds deadline = std::chrono::seconds(10));
  // Runs every line of `in` (blank lines and # comments skipped), echoing a transcript.
  // Returns the process exit code: 0 when every line was acknowledged and handled.
  int RunScript(std::istream& in);
  // Prompts on the terminal until EOF, `quit` or `exit`, or until `stop` turns true.
  int RunInteractive(std::istream& in, const std::atomic<bool>& stop);

 private:
  void Print(const std::string& text);
  App& app_;
  bool echo_input_ = true;  // off at a terminal, which already shows what was typed
  std::ostream& out_;
  std::mutex mu_;
};

// Renders one bot message for the terminal: blocks when present, else the text; thread
// replies indented.
std::string RenderBotMessage(const std::string& text, const std::string& blocks_json,
                             bool ephemeral, bool in_thread);

}  // namespace contexten::bot
