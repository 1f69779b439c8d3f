// `contexten sandbox --peers-only` runs the Slack, GitHub and Linear stand-ins as a process of
// their own and prints the settings a bot connects to them with. A bot started from those
// settings answers slash commands typed into the stand-ins' console; the stand-ins outlive a
// SIGKILL of the bot and serve the next one.

#include <SQLiteCpp/SQLiteCpp.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "bot/app.hpp"
#include "core/config.hpp"
#include "integrations/github/github_api.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

extern char** environ;

namespace contexten {
namespace {

using Clock = std::chrono::steady_clock;

// A child process of the real executable: stdin is a pipe we write to; stdout and stderr go to
// a pipe we read (`capture`) or to a file.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
        const std::string& output_file = "") {
    int in[2];
    int out[2];
    EXPECT_EQ(pipe(in), 0);
    EXPECT_EQ(pipe(out), 0);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry(*e);
      // No real tokens from the environment running the tests.
      if (entry.rfind("SLACK_", 0) == 0 || entry.rfind("GITHUB_", 0) == 0 ||
          entry.rfind("LINEAR_", 0) == 0 || entry.rfind("CONTEXTEN_", 0) == 0) {
        continue;
      }
      env_strings.push_back(entry);
    }
    for (const auto& [name, value] : env) env_strings.push_back(name + "=" + value);
    const std::string binary = std::string(CONTEXTEN_BINARY_DIR) + "/contexten";
    // Everything the child needs is built before fork(): it only calls what is safe after it.
    std::vector<char*> argv{const_cast<char*>(binary.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], STDIN_FILENO);
      if (output_file.empty()) {
        dup2(out[1], STDOUT_FILENO);
        dup2(out[1], STDERR_FILENO);
      } else {
        const int fd = open(output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
      }
      close(in[0]);
      close(in[1]);
      close(out[0]);
      close(out[1]);
      execve(binary.c_str(), argv.data(), envp.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
  }

  ~Child() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stdin_ >= 0) close(stdin_);
    if (stdout_ >= 0) close(stdout_);
  }

  pid_t pid() const { return pid_; }

  void Write(const std::string& text) {
    ASSERT_EQ(write(stdin_, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }

  // Reads output until `needle` occurs `times` times, or the deadline passes.
  bool WaitForOutput(const std::string& needle, int times = 1,
                     std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
    const auto until = Clock::now() + deadline;
    for (;;) {
      if (Count(needle) >= times) return true;
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
      if (left <= 0) return false;
      pollfd pfd{stdout_, POLLIN, 0};
      if (poll(&pfd, 1, static_cast<int>(left)) <= 0) continue;
      char buf[4096];
      const ssize_t n = read(stdout_, buf, sizeof buf);
      if (n <= 0) return Count(needle) >= times;
      output_.append(buf, static_cast<std::size_t>(n));
    }
  }

  // Still running (not exited, not killed).
  bool Running() {
    if (exited_) return false;
    int status = 0;
    return waitpid(pid_, &status, WNOHANG) == 0;
  }

  // Waits for the process to end; its wait status, or nullopt at the deadline.
  std::optional<int> Wait(std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
    int status = 0;
    const bool done = testing::WaitFor(
        [&] {
          const pid_t r = waitpid(pid_, &status, WNOHANG);
          return r == pid_;
        },
        deadline);
    if (!done) return std::nullopt;
    exited_ = true;
    return status;
  }

  const std::string& output() const { return output_; }

 private:
  int Count(const std::string& needle) const {
    int n = 0;
    for (auto pos = output_.find(needle); pos != std::string::npos;
         pos = output_.find(needle, pos + needle.size())) {
      ++n;
    }
    return n;
  }

  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  bool exited_ = false;
  std::string output_;
};

// The `NAME=value` lines of the printed snippet.
std::map<std::string, std::string> Settings(const std::string& output) {
  std::map<std::string, std::string> settings;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    const std::string name = line.substr(0, eq);
    if (name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != std::string::npos) continue;
    settings[name] = line.substr(eq + 1);
  }
  return settings;
}

class PeersOnlyTest : public ::testing::Test {
 protected:
  void StartPeers(const std::vector<std::string>& extra_args = {},
                  const std::map<std::string, std::string>& env = {}) {
    std::vector<std::string> args{"sandbox", "--peers-only"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    peers_ = std::make_unique<Child>(args, env);
    ASSERT_TRUE(peers_->WaitForOutput("# serving until")) << peers_->output();
    settings_ = Settings(peers_->output());
    for (const char* name :
         {"SLACK_API_URL", "SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "GITHUB_API_URL", "GITHUB_TOKEN",
          "GITHUB_WEBHOOK_SECRET", "LINEAR_API_URL", "LINEAR_API_KEY", "LINEAR_WEBHOOK_SECRET"}) {
      ASSERT_TRUE(settings_.count(name)) << name << " missing in:\n" << peers_->output();
    }
  }

  std::unique_ptr<Child> StartBot() {
    auto env = settings_;
    env["CONTEXTEN_HTTP_BIND"] = "127.0.0.1";
    env["CONTEXTEN_HTTP_PORT"] = "0";
    env["CONTEXTEN_STORE_PATH"] = dir_.File("bot.db");
    return std::make_unique<Child>(std::vector<std::string>{"run"}, env, dir_.File("bot.log"));
  }

  std::string BotLog() const {
    std::ifstream in(dir_.File("bot.log"));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  testing::TempDir dir_;
  std::unique_ptr<Child> peers_;
  std::map<std::string, std::string> settings_;
};

TEST_F(PeersOnlyTest, StandInsOutliveAKilledBotAndServeTheNextOne) {
  StartPeers();
  ASSERT_NE(peers_->output().find("webhooks -> (not sent"), std::string::npos) << peers_->output();

  auto bot = StartBot();
  peers_->Write("/ctx ping\n");
  ASSERT_TRUE(peers_->WaitForOutput("pong · Contexten", 1)) << peers_->output() << "\nbot:\n"
                                                            << BotLog();

  ASSERT_EQ(kill(bot->pid(), SIGKILL), 0);
  const auto killed = bot->Wait();
  ASSERT_TRUE(killed.has_value());
  EXPECT_TRUE(WIFSIGNALED(*killed));
  EXPECT_TRUE(peers_->Running()) << peers_->output();

  // A new bot against the same stand-ins (and the same store) answers the next command.
  bot = StartBot();
  peers_->Write("/ctx ping\n");
  ASSERT_TRUE(peers_->WaitForOutput("pong · Contexten", 2)) << peers_->output() << "\nbot:\n"
                                                            << BotLog();

  ASSERT_EQ(kill(bot->pid(), SIGTERM), 0);
  const auto stopped = bot->Wait();
  ASSERT_TRUE(stopped.has_value());
  EXPECT_TRUE(WIFEXITED(*stopped) && WEXITSTATUS(*stopped) == 0) << BotLog();

  ASSERT_EQ(kill(peers_->pid(), SIGTERM), 0);
  const auto peers_stopped = peers_->Wait();
  ASSERT_TRUE(peers_stopped.has_value());
  EXPECT_TRUE(WIFEXITED(*peers_stopped) && WEXITSTATUS(*peers_stopped) == 0);
}

int InboxRows(const std::string& store_path, const std::string& source, const std::string& kind) {
  SQLite::Database db(store_path, SQLite::OPEN_READONLY);
  SQLite::Statement query(db, "SELECT COUNT(*) FROM inbox WHERE source = ? AND kind = ?");
  query.bind(1, source);
  query.bind(2, kind);
  query.executeStep();
  return query.getColumn(0).getInt();
}

TEST_F(PeersOnlyTest, InProcessAppAnswersAndReceivesWebhooksOncePointedAtIt) {
  StartPeers();
  auto config = core::LoadConfigFromString("", [this](const std::string& name) {
    auto it = settings_.find(name);
    return it == settings_.end() ? std::nullopt : std::optional<std::string>(it->second);
  });
  config.http.bind = "127.0.0.1";
  config.http.port = 0;
  config.store.path = dir_.File("app.db");
  bot::AppOptions options;
  options.config = config;
  bot::App app(std::move(options));
  auto started = app.Start();
  ASSERT_TRUE(started) << started.error().Describe();
  ASSERT_TRUE(app.WaitConnected(std::chrono::seconds(10)));

  peers_->Write("/ctx ping\n");
  ASSERT_TRUE(peers_->WaitForOutput("pong · Contexten")) << peers_->output();

  const std::string base = "http://127.0.0.1:" + std::to_string(app.http_port());
  peers_->Write("webhooks " + base + "\n");
  ASSERT_TRUE(peers_->WaitForOutput("# webhooks -> " + base)) << peers_->output();
  ASSERT_NE(app.github(), nullptr);
  integrations::github::NewIssue issue;
  issue.title = "Flaky deploy step";
  auto created = app.github()->CreateIssue({"contexten", "sandbox"}, issue);
  ASSERT_TRUE(created) << created.error().Describe();
  // The stand-in signed it with the secret it printed, which the App verifies with.
  EXPECT_TRUE(
      testing::WaitFor([&] { return InboxRows(config.store.path, "github", "issues:opened") == 1; },
                       std::chrono::seconds(10)));
  app.Stop();
}

TEST_F(PeersOnlyTest, WebhookBaseComesFromTheFlagOrTheEnvironment) {
  {
    StartPeers({"--webhook-base", "http://127.0.0.1:18080/"});
    EXPECT_NE(peers_->output().find("# webhooks -> http://127.0.0.1:18080\n"), std::string::npos)
        << peers_->output();
  }
  StartPeers({}, {{"CONTEXTEN_SANDBOX_WEBHOOK_BASE", "http://127.0.0.1:18081"}});
  EXPECT_NE(peers_->output().find("# webhooks -> http://127.0.0.1:18081\n"), std::string::npos)
      << peers_->output();
}

}  // namespace
}  // namespace contexten
