// SIGHUP reloads the rules file of a running bot (issue 10, acceptance 4): the real executable in
// sandbox mode, driven through its console. A bad file keeps the rules in force and names its
// line; a good one swaps them, and every event is handled by exactly one rule set (none is
// dropped or handled twice across the swap).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/temp_dir.hpp"

extern char** environ;

namespace contexten {
namespace {

// `contexten sandbox --config <config>` with pipes on stdin and stdout.
class SandboxProcess {
 public:
  explicit SandboxProcess(const std::string& config) {
    int in[2];
    int out[2];
    if (pipe(in) != 0 || pipe(out) != 0) return;
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      if (std::strncmp(*e, "SLACK_", 6) != 0) env.emplace_back(*e);
    }
    const std::string binary = std::string(CONTEXTEN_BINARY_DIR) + "/contexten";
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      dup2(out[1], 2);
      close(in[1]);
      close(out[0]);
      std::vector<char*> envp;
      for (auto& e : env) envp.push_back(e.data());
      envp.push_back(nullptr);
      const char* argv[] = {binary.c_str(), "sandbox", "--config", config.c_str(), nullptr};
      execve(binary.c_str(), const_cast<char**>(argv), envp.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    in_ = in[1];
    out_ = out[0];
    fcntl(out_, F_SETFL, O_NONBLOCK);
  }
  ~SandboxProcess() {
    if (in_ >= 0) close(in_);  // EOF: the console ends
    if (pid_ > 0) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      int status = 0;
      while (waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
          kill(pid_, SIGKILL);
          waitpid(pid_, &status, 0);
          break;
        }
        Read(std::chrono::milliseconds(50));
      }
    }
    if (out_ >= 0) close(out_);
  }

  bool started() const { return pid_ > 0 && in_ >= 0; }
  void Send(const std::string& line) {
    const std::string text = line + "\n";
    ASSERT_EQ(write(in_, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  void Signal(int sig) { kill(pid_, sig); }
  // Waits until the output holds `count` occurrences of `needle`.
  bool WaitFor(const std::string& needle, int count = 1,
               std::chrono::seconds deadline = std::chrono::seconds(30)) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (Count(needle) < count) {
      if (std::chrono::steady_clock::now() > end) return false;
      Read(std::chrono::milliseconds(100));
    }
    return true;
  }
  int Count(const std::string& needle) const {
    int n = 0;
    for (auto pos = output_.find(needle); pos != std::string::npos;
         pos = output_.find(needle, pos + needle.size())) {
      ++n;
    }
    return n;
  }
  const std::string& output() const { return output_; }

 private:
  void Read(std::chrono::milliseconds wait) {
    pollfd p{out_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(wait.count())) <= 0) return;
    char buf[4096];
    while (true) {
      const ssize_t n = read(out_, buf, sizeof buf);
      if (n <= 0) return;
      output_.append(buf, static_cast<std::size_t>(n));
    }
  }

  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
  std::string output_;
};

std::string Rule(const std::string& name) {
  return "rules:\n"
         "  - name: " +
         name +
         "\n"
         "    when: {github: contexten/sandbox, event: ci}\n"
         "    then:\n"
         "      - post: {channel: C0GENERAL, text: \"" +
         name + " saw {title}\"}\n";
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

TEST(RulesReloadTest, SighupSwapsTheRulesAndABadFileKeepsThem) {
  testing::TempDir dir;
  const std::string rules = dir.File("rules.yaml");
  const std::string config = dir.File("config.yaml");
  Write(rules, Rule("rule-a"));
  Write(config, "rules:\n  file: " + rules + "\n");
  SandboxProcess bot(config);
  ASSERT_TRUE(bot.started());

  bot.Send("gh ci fail contexten/sandbox");
  ASSERT_TRUE(bot.WaitFor("rule-a saw CI on contexten/sandbox@main")) << bot.output();

  // A bad file: the reload is refused with its line, and rule-a still runs.
  Write(rules,
        "rules:\n  - name: broken\n    when:\n      github: contexten/sandbox\n"
        "    then:\n      - shout: {}\n");
  bot.Signal(SIGHUP);
  ASSERT_TRUE(bot.WaitFor("rules not reloaded, the previous rules stay: " + rules + ":6:"))
      << bot.output();
  bot.Send("gh ci fail contexten/sandbox");
  ASSERT_TRUE(bot.WaitFor("rule-a saw CI on contexten/sandbox@main", 2)) << bot.output();

  // A good file: swapped.
  Write(rules, Rule("rule-b"));
  bot.Signal(SIGHUP);
  ASSERT_TRUE(bot.WaitFor("(rules reloaded)")) << bot.output();
  bot.Send("gh ci fail contexten/sandbox");
  ASSERT_TRUE(bot.WaitFor("rule-b saw CI on contexten/sandbox@main")) << bot.output();
  // Three failures, three rule posts: none dropped, none doubled across the swaps.
  bot.Send("wait 1");
  ASSERT_TRUE(bot.WaitFor("(waited 1 s)")) << bot.output();
  EXPECT_EQ(bot.Count("rule-a saw"), 2) << bot.output();
  EXPECT_EQ(bot.Count("rule-b saw"), 1) << bot.output();
}

}  // namespace
}  // namespace contexten
