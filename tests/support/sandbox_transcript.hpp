#pragma once
// Runs a `contexten sandbox --script` file of tests/scripts/ through the built executable, as a
// newcomer would, and checks the transcript: the story tests of tests/integration/ use it.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <initializer_list>
#include <string>

namespace contexten::testing {

struct Transcript {
  int exit_code = -1;
  std::string output;
};

// `config`: a file of tests/scripts/ passed as --config (empty: none). Slack tokens are unset so
// that the sandbox's stand-ins are used whatever the environment holds.
inline Transcript RunScript(const std::string& name, const std::string& config = "") {
  const std::string scripts = std::string(CONTEXTEN_SOURCE_DIR) + "/tests/scripts/";
  const std::string command = "env -u SLACK_APP_TOKEN -u SLACK_BOT_TOKEN " +
                              std::string(CONTEXTEN_BINARY_DIR) + "/contexten sandbox " +
                              (config.empty() ? "" : "--config " + scripts + config + " ") +
                              "--script " + scripts + name + " </dev/null 2>&1";
  Transcript run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) {
    run.output.append(buf.data(), n);
  }
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// Finds each needle at or after the previous one; the transcript is printed when one is missing.
class InOrder {
 public:
  explicit InOrder(const Transcript& t) : t_(t) {}
  InOrder& Then(const std::string& needle) {
    const auto pos = t_.output.find(needle, at_);
    EXPECT_NE(pos, std::string::npos)
        << "missing '" << needle << "' after offset " << at_ << " in:\n"
        << t_.output;
    if (pos != std::string::npos) at_ = pos + needle.size();
    return *this;
  }
  // Finds every needle after the previous position, in any order (a thread reply and a card edit
  // go out on separate order keys), and moves past the last of them.
  InOrder& ThenAll(std::initializer_list<std::string> needles) {
    std::size_t end = at_;
    for (const auto& needle : needles) {
      const auto pos = t_.output.find(needle, at_);
      EXPECT_NE(pos, std::string::npos)
          << "missing '" << needle << "' after offset " << at_ << " in:\n"
          << t_.output;
      if (pos != std::string::npos) end = std::max(end, pos + needle.size());
    }
    at_ = end;
    return *this;
  }
  std::size_t at() const { return at_; }

 private:
  const Transcript& t_;
  std::size_t at_ = 0;
};

// The transcript between the line that starts with `from` and the next "you> " line.
inline std::string After(const Transcript& t, const std::string& from) {
  const auto start = t.output.find(from);
  if (start == std::string::npos) return "<missing " + from + ">";
  const auto end = t.output.find("\nyou> ", start + from.size());
  return t.output.substr(start + from.size(),
                         end == std::string::npos ? std::string::npos : end - start - from.size());
}

// How many times `needle` occurs in `text`.
inline std::size_t Count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

}  // namespace contexten::testing
