#pragma once
// The `contexten sandbox` terminal: each line typed is a slash command or a channel message
// sent through the sandbox Slack, or an action of the simulated user on what the bot showed:
//   click <button text or action_id>       a button in the open modal, else in a message
//   submit <action_id>=<value> ...         submits the open modal (values may contain spaces)
//   close                                  closes the open modal
//   linear ... / gh ...                    acts as the other side on the Linear/GitHub stand-ins
//                                          (sandbox/script/peer_verbs.hpp), which send webhooks
//   wait <seconds>                         lets that much time pass (coalescing windows, timers)
//   reply <text>                           a reply in the thread of the bot's newest card
//   dm <text>                              a direct message to the bot
//   shortcut message <text>                posts <text>, then uses "Create Linear issue" on it
//   shortcut global                        the "Create Linear issue" global shortcut
//   as <USER> <line>                       any line above, typed by another user (U...)
// What the bot posts, updates and opens (modals, with their field errors) is rendered readably.

#include <atomic>
#include <chrono>
#include <functional>
#include <iosfwd>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace contexten::sandbox {
struct SandboxView;
}

namespace contexten::bot {

class SandboxMode;
class SandboxPeers;

// The user the console types as (the sandbox's default user), the channel it types in and its
// direct-message channel with the bot.
inline constexpr char kConsoleUser[] = "U0SANDBOXUSER";
inline constexpr char kConsoleChannel[] = "C0GENERAL";
inline constexpr char kConsoleDmChannel[] = "D0SANDBOXUSER";

class Console {
 public:
  // Waits until the bot has finished what it received and nothing is due within the horizon
  // (App::WaitIdle); false at the deadline.
  using WaitIdleFn =
      std::function<bool(std::chrono::milliseconds deadline, std::chrono::milliseconds horizon)>;
  // The bot in this process: lines wait for its acknowledgement and for it to go idle.
  Console(SandboxMode& mode, std::ostream& out);
  // The bot elsewhere (`--peers-only`) when `wait_idle` is null: lines wait for the
  // acknowledgement only, and what the bot does later is printed as it happens.
  Console(SandboxPeers& peers, std::ostream& out, WaitIdleFn wait_idle = nullptr);

  // Sends one line and waits until the bot has acted on it. False when the bot did not
  // acknowledge or finish within the deadline.
  bool RunLine(const std::string& line,
               std::chrono::milliseconds deadline = std::chrono::seconds(10));
  // Runs every line of `in` (blank lines and # comments skipped), echoing a transcript.
  // Returns the process exit code: 0 when every line was acknowledged and handled.
  int RunScript(std::istream& in);
  // Prompts on the terminal until EOF, `quit` or `exit`, or until `stop` turns true.
  int RunInteractive(std::istream& in, const std::atomic<bool>& stop);
  // A line from elsewhere in the process (e.g. "(rules reloaded)" after SIGHUP), printed whole.
  void Note(const std::string& line) { Print("(" + line + ")\n"); }

 private:
  void Print(const std::string& text);
  std::string ActingUser();
  // Sends what the line asks for; the envelope ids to wait for, or an error to show.
  core::Result<std::vector<std::string>> Send(const std::string& line, const std::string& user);
  // `settle [N]`: waits until the bot is idle with nothing due in the next N seconds.
  bool Settle(const std::string& line, std::chrono::milliseconds deadline);
  // `linear ...`, `gh ...` and `wait N`: run here, no envelope to wait for.
  core::Result<std::string> RunPeerLine(const std::string& line);
  SandboxPeers& peers_;
  WaitIdleFn wait_idle_;
  bool echo_input_ = true;  // off at a terminal, which already shows what was typed
  std::ostream& out_;
  std::mutex mu_;
  std::string acting_user_ = kConsoleUser;  // under mu_: whose ephemerals and forms are shown
};

// Renders one bot message for the terminal: blocks when present, else the text; thread
// replies indented.
std::string RenderBotMessage(const std::string& text, const std::string& blocks_json,
                             bool ephemeral, bool in_thread);
// Renders a modal: its title, blocks and buttons, the field errors under it, and how to fill it
// in from the console.
std::string RenderView(const sandbox::SandboxView& view,
                       const std::string& heading = "contexten opened a form");
// `title=Login crash priority=2` -> {title: "Login crash", priority: "2"}: a word starting with
// `<id>=` begins a field, other words continue the previous value. Empty on no `=` at all.
std::map<std::string, std::string> ParseSubmitArgs(const std::string& text);

}  // namespace contexten::bot
