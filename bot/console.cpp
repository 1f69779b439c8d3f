#include "bot/console.hpp"

#include <poll.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>

#include "bot/app.hpp"
#include "bot/handlers/new_issue.hpp"
#include "bot/sandbox_mode.hpp"
#include "core/wait_until.hpp"
#include "integrations/slack/block_kit/terminal_render.hpp"
#include "sandbox/script/peer_verbs.hpp"
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

std::string PlainText(const nlohmann::json& text_object) {
  if (!text_object.is_object()) return "";
  return text_object.value("text", "");
}

// "submit" followed by the fields of every input: `title=...` (required), select options.
std::string SubmitHint(const nlohmann::json& view) {
  std::string fields;
  for (const auto& block : view.value("blocks", nlohmann::json::array())) {
    if (block.value("type", "") != "input" || !block.contains("element")) continue;
    const auto& element = block["element"];
    const std::string id = element.value("action_id", block.value("block_id", ""));
    std::string field = id + "=";
    if (element.contains("options")) {
      std::string choices;
      for (const auto& o : element["options"]) {
        if (!choices.empty()) choices += "|";
        choices += o.value("value", "") + " (" + PlainText(o["text"]) + ")";
      }
      field += "<" + choices + ">";
    } else {
      field += "...";
    }
    if (block.value("optional", false)) field = "[" + field + "]";
    fields += " " + field;
  }
  if (fields.empty()) return "    (type: close)\n";
  return "    (type: submit" + fields + "   or: close)\n";
}

bool StartsWithWord(const std::string& line, const std::string& word) {
  return line == word || line.rfind(word + " ", 0) == 0;
}

}  // namespace

std::map<std::string, std::string> ParseSubmitArgs(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string word;
  std::string* current = nullptr;
  while (in >> word) {
    const auto eq = word.find('=');
    const bool starts_field =
        eq != std::string::npos && eq > 0 &&
        word.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == eq;
    if (starts_field) {
      current = &out[word.substr(0, eq)];
      *current = word.substr(eq + 1);
    } else if (current != nullptr) {
      *current += (current->empty() ? "" : " ") + word;
    }
  }
  return out;
}

std::string RenderView(const sandbox::SandboxView& view, const std::string& heading) {
  std::string out = heading + ":\n";
  out += Indent(integrations::slack::blocks::RenderForTerminal(view.view), "    ");
  if (view.errors.is_object()) {
    for (const auto& [block_id, message] : view.errors.items()) {
      std::string label = block_id;
      for (const auto& block : view.view.value("blocks", nlohmann::json::array())) {
        if (block.value("block_id", "") == block_id && block.contains("label")) {
          label = PlainText(block["label"]);
        }
      }
      out +=
          "    ! " + label + ": " + (message.is_string() ? message.get<std::string>() : "") + "\n";
    }
  }
  return out + SubmitHint(view.view);
}

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

Console::Console(SandboxMode& mode, std::ostream& out)
    : Console(mode.peers(), out,
              [&mode](std::chrono::milliseconds deadline, std::chrono::milliseconds horizon) {
                return mode.app().WaitIdle(deadline, horizon);
              }) {}

Console::Console(SandboxPeers& peers, std::ostream& out, WaitIdleFn wait_idle)
    : peers_(peers), wait_idle_(std::move(wait_idle)), out_(out) {
  peers_.slack().Subscribe([this](const sandbox::SandboxEvent& event) {
    using Kind = sandbox::SandboxEvent::Kind;
    switch (event.kind) {
      case Kind::kMessagePosted:
      case Kind::kMessageUpdated: {
        if (!event.message || !event.message->from_bot) return;
        const auto& m = *event.message;
        const std::string acting = ActingUser();
        if (m.ephemeral && m.visible_to != kConsoleUser && m.visible_to != acting) return;
        std::string rendered = RenderBotMessage(m.text, m.blocks.is_null() ? "" : m.blocks.dump(),
                                                m.ephemeral, !m.thread_ts.empty());
        if (m.ephemeral && m.visible_to != kConsoleUser) {
          const auto at = rendered.find("(only visible to you)");
          if (at != std::string::npos) {
            rendered.replace(at, 21, "(only visible to " + m.visible_to + ")");
          }
        }
        if (event.kind == Kind::kMessageUpdated) {
          // "contexten:" -> "contexten (updated its message):"
          const auto colon = rendered.find(":\n");
          if (colon != std::string::npos) rendered.insert(colon, " (updated its message)");
        }
        Print(rendered);
        return;
      }
      case Kind::kViewOpened:
      case Kind::kViewUpdated:
      case Kind::kViewErrors:
        if (event.view && (event.view->user == kConsoleUser || event.view->user == ActingUser())) {
          Print(RenderView(*event.view,
                           event.kind == Kind::kViewErrors    ? "contexten refused the form"
                           : event.kind == Kind::kViewUpdated ? "contexten updated the form"
                                                              : "contexten opened a form"));
        }
        return;
      case Kind::kViewClosed:
        if (event.view && (event.view->user == kConsoleUser || event.view->user == ActingUser())) {
          Print("(form \"" + PlainText(event.view->view.value("title", nlohmann::json())) +
                "\" closed)\n");
        }
        return;
      default:
        return;
    }
  });
}

std::string Console::ActingUser() {
  std::lock_guard lock(mu_);
  return acting_user_;
}

void Console::Print(const std::string& text) {
  std::lock_guard lock(mu_);
  out_ << text << std::flush;
}

bool Console::RunLine(const std::string& raw, std::chrono::milliseconds deadline) {
  auto* slack = &peers_.slack();
  const std::string line = Trim(raw);
  if (line.empty() || line[0] == '#') return true;
  if (echo_input_) Print("you> " + line + "\n");
  if (StartsWithWord(line, "settle")) return Settle(line, deadline);
  if (sandbox::PeerVerbs::IsPeerVerb(line) || StartsWithWord(line, "wait")) {
    auto done = RunPeerLine(line);
    Print("(" + (done ? *done : done.error().message) + ")\n");
    if (!done) return false;
    if (wait_idle_ && !wait_idle_(deadline, std::chrono::milliseconds(0))) {
      Print("(the bot did not finish within the deadline)\n");
      return false;
    }
    return true;
  }
  // `as U123 <line>`: the line typed by someone else.
  std::string user = kConsoleUser;
  std::string rest = line;
  if (StartsWithWord(line, "as")) {
    std::istringstream words(line.substr(2));
    words >> user;
    std::getline(words, rest);
    rest = Trim(rest);
    if (user.empty() || rest.empty()) {
      Print("(usage: as <USER> <line>)\n");
      return false;
    }
  }
  {
    std::lock_guard lock(mu_);
    acting_user_ = user;
  }
  auto sent = Send(rest, user);
  if (!sent) {
    Print("(" + sent.error().message + ")\n");
    return false;
  }
  const std::vector<std::string>& envelopes = *sent;
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
  if (wait_idle_ &&
      !wait_idle_(std::max(left, std::chrono::milliseconds(1)), std::chrono::milliseconds(0))) {
    Print("(the bot did not finish within the deadline)\n");
    return false;
  }
  return true;
}

bool Console::Settle(const std::string& line, std::chrono::milliseconds deadline) {
  const std::string arg = Trim(line.substr(6));
  char* end = nullptr;
  const double seconds = arg.empty() ? 5.0 : std::strtod(arg.c_str(), &end);
  if (!arg.empty() && (end == nullptr || *end != '\0' || seconds < 0 || seconds > 600)) {
    Print("(usage: settle [seconds] (0-600, default 5))\n");
    return false;
  }
  if (!wait_idle_) {
    Print("(settle needs the bot in this process)\n");
    return false;
  }
  // Unlike `wait`, this ends as soon as the work is done: what is due within the horizon (a
  // paced reply, a rate-limit retry) has happened, however slow the machine is.
  const auto horizon = std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
  if (!wait_idle_(deadline + horizon, horizon)) {
    Print("(the bot did not settle within the deadline)\n");
    return false;
  }
  Print("(settled)\n");
  return true;
}

core::Result<std::string> Console::RunPeerLine(const std::string& line) {
  if (StartsWithWord(line, "wait")) {
    const std::string arg = Trim(line.substr(4));
    char* end = nullptr;
    const double seconds = std::strtod(arg.c_str(), &end);
    if (arg.empty() || end == nullptr || *end != '\0' || seconds < 0 || seconds > 3600) {
      return core::Unexpected(
          core::MakeError(core::ErrorKind::kInvalidInput, "usage: wait <seconds> (0-3600)"));
    }
    // The script asked for time to pass (a coalescing window, a timer): real time, since the
    // bot runs on the real clock.
    const auto duration = std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
    std::mutex mu;
    std::condition_variable cv;
    std::unique_lock lock(mu);
    cv.wait_for(lock, duration, [] { return false; });
    return "waited " + arg + " s";
  }
  sandbox::PeerVerbs verbs(&peers_.github(), &peers_.linear());
  return verbs.Run(line);
}

core::Result<std::vector<std::string>> Console::Send(const std::string& line,
                                                     const std::string& user) {
  auto* slack = &peers_.slack();
  // "@contexten" is how a person types the mention; Slack sends it as <@U...>.
  const auto MentionsToSlack = [&](std::string text) {
    const std::string at = "@contexten";
    for (auto pos = text.find(at); pos != std::string::npos; pos = text.find(at)) {
      text.replace(pos, at.size(), "<@" + slack->options().bot_user_id + ">");
    }
    return text;
  };
  std::vector<std::string> envelopes;
  auto top_view = [&]() -> std::optional<sandbox::SandboxView> {
    auto views = slack->OpenViews(user);
    if (views.empty()) return std::nullopt;
    return views.back();
  };
  auto no_form = [] {
    return core::Unexpected(core::MakeError(core::ErrorKind::kNotFound, "no form is open"));
  };
  if (line[0] == '/') {
    const auto space = line.find(' ');
    const std::string command = line.substr(0, space);
    const std::string text = space == std::string::npos ? "" : Trim(line.substr(space + 1));
    envelopes.push_back(slack->InjectSlashCommand(command, text, user, kConsoleChannel));
  } else if (StartsWithWord(line, "click")) {
    const std::string label = Trim(line.substr(5));
    if (label.empty()) {
      return core::Unexpected(
          core::MakeError(core::ErrorKind::kInvalidInput, "usage: click <button text>"));
    }
    auto id = slack->Click(label, user);
    if (!id) return core::Unexpected(id.error());
    envelopes.push_back(*id);
  } else if (StartsWithWord(line, "submit")) {
    auto view = top_view();
    if (!view) return no_form();
    auto id = slack->SubmitView(view->id, ParseSubmitArgs(line.substr(6)), user);
    if (!id) return core::Unexpected(id.error());
    envelopes.push_back(*id);
  } else if (line == "close") {
    auto view = top_view();
    if (!view) return no_form();
    auto id = slack->CloseView(view->id, user);
    if (!id) return core::Unexpected(id.error());
    if (!id->empty()) envelopes.push_back(*id);  // only when the form asked to hear of it
  } else if (StartsWithWord(line, "edit-reply") || StartsWithWord(line, "delete-reply")) {
    // `edit-reply <n> <text>` / `delete-reply <n>`: the person's n-th reply (1 = their first) in
    // the newest card's thread, edited or deleted as in Slack's client (message_changed /
    // message_deleted).
    const bool remove = StartsWithWord(line, "delete-reply");
    const std::string usage = remove ? "usage: delete-reply <n>" : "usage: edit-reply <n> <text>";
    std::istringstream words(line.substr(remove ? 12 : 10));
    int n = 0;
    words >> n;
    std::string text;
    std::getline(words, text);
    text = Trim(text);
    if (n <= 0 || (remove && !text.empty()) || (!remove && text.empty())) {
      return core::Unexpected(core::MakeError(core::ErrorKind::kInvalidInput, usage));
    }
    std::string thread;
    for (const auto& m : slack->Messages(kConsoleChannel)) {
      if (m.from_bot && !m.ephemeral && m.thread_ts.empty() && m.blocks.is_array()) thread = m.ts;
    }
    std::vector<std::string> mine;
    for (const auto& m : slack->Messages(kConsoleChannel)) {
      if (!thread.empty() && !m.from_bot && m.user == user && m.thread_ts == thread) {
        mine.push_back(m.ts);
      }
    }
    if (n > static_cast<int>(mine.size())) {
      return core::Unexpected(core::MakeError(
          core::ErrorKind::kNotFound, "you have " + std::to_string(mine.size()) +
                                          " replies in the newest card's thread, no reply " +
                                          std::to_string(n)));
    }
    const std::string ts = mine[static_cast<std::size_t>(n - 1)];
    auto id = remove ? slack->DeleteMessage(kConsoleChannel, ts, user)
                     : slack->EditMessage(kConsoleChannel, ts, MentionsToSlack(text), user);
    if (!id) return core::Unexpected(id.error());
    envelopes.push_back(*id);
  } else if (StartsWithWord(line, "reply")) {
    // The thread of the newest card (a top-level bot message with blocks) in the channel.
    std::string thread;
    for (const auto& m : slack->Messages(kConsoleChannel)) {
      if (m.from_bot && !m.ephemeral && m.thread_ts.empty() && m.blocks.is_array()) thread = m.ts;
    }
    if (thread.empty()) {
      return core::Unexpected(
          core::MakeError(core::ErrorKind::kNotFound, "no card to reply to in the channel"));
    }
    envelopes.push_back(
        slack->InjectMessage(MentionsToSlack(Trim(line.substr(5))), user, kConsoleChannel, thread));
  } else if (StartsWithWord(line, "dm")) {
    envelopes.push_back(
        slack->InjectMessage(MentionsToSlack(Trim(line.substr(2))), user, kConsoleDmChannel));
  } else if (StartsWithWord(line, "shortcut")) {
    const std::string rest = Trim(line.substr(8));
    if (rest == "global") {
      auto id = slack->UseShortcut(handlers::kCreateIssueShortcut, user);
      if (!id) return core::Unexpected(id.error());
      envelopes.push_back(*id);
    } else if (StartsWithWord(rest, "message") && !Trim(rest.substr(7)).empty()) {
      const std::string text = Trim(rest.substr(7));
      envelopes.push_back(slack->InjectMessage(text, user, kConsoleChannel));
      std::string ts;
      for (const auto& m : slack->Messages(kConsoleChannel)) {
        if (!m.from_bot && m.user == user && m.text == text) ts = m.ts;
      }
      auto id =
          slack->UseShortcut(handlers::kCreateIssueFromMessageShortcut, user, kConsoleChannel, ts);
      if (!id) return core::Unexpected(id.error());
      envelopes.push_back(*id);
    } else {
      return core::Unexpected(core::MakeError(core::ErrorKind::kInvalidInput,
                                              "usage: shortcut message <text> | shortcut global"));
    }
  } else {
    envelopes.push_back(slack->InjectMessage(MentionsToSlack(line), user));
  }
  return envelopes;
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
      "Contexten sandbox: type /ctx help, /ctx new, or a message such as '@contexten ping'; "
      "'click <button>', 'submit <field>=<value> ...' and 'close' act on what the bot shows; "
      "'reply <text>' answers in the newest card's thread ('edit-reply <n> <text>' and "
      "'delete-reply <n>' change your n-th reply there), 'dm <text>' writes to the bot, "
      "'shortcut message <text>' and 'shortcut global' use \"Create Linear issue\", "
      "'as <USER> <line>' types as someone else. "
      "'linear ...' and 'gh ...' play Linear and GitHub ('linear help'); 'wait <seconds>'; 'settle "
      "[seconds]'. "
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
