#include "bench/bot_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

#include "core/wait_until.hpp"

extern char** environ;

namespace contexten::bench {
namespace {

bool ForeignSetting(const std::string& entry) {
  for (const char* prefix : {"SLACK_", "GITHUB_", "LINEAR_", "CONTEXTEN_"}) {
    if (entry.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

core::Error SystemError(const std::string& what) {
  return core::MakeError(core::ErrorKind::kInternal, what + ": " + std::strerror(errno));
}

}  // namespace

BotProcess::BotProcess(std::string binary, std::vector<std::string> args,
                       std::map<std::string, std::string> env, std::string log_path)
    : binary_(std::move(binary)), args_(std::move(args)), log_path_(std::move(log_path)) {
  for (char** e = environ; *e != nullptr; ++e) {
    if (!ForeignSetting(*e)) env_.emplace_back(*e);
  }
  for (const auto& [name, value] : env) env_.push_back(name + "=" + value);
}

BotProcess::~BotProcess() {
  if (pid_ > 0) (void)Kill();
}

core::Status BotProcess::Start() {
  if (pid_ > 0) {
    return core::Unexpected(core::MakeError(core::ErrorKind::kConflict, "bot still running"));
  }
  const int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0) return core::Unexpected(SystemError("open " + log_path_));
  const std::string banner = "===== kill_test: bot start " + std::to_string(++starts_) + " =====\n";
  (void)!write(log, banner.data(), banner.size());
  // Everything the child needs is built before fork(): after it, only async-signal-safe calls.
  std::vector<char*> argv{binary_.data()};
  for (auto& a : args_) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env_) envp.push_back(e.data());
  envp.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    close(log);
    return core::Unexpected(SystemError("fork"));
  }
  if (pid == 0) {
    const int null_in = open("/dev/null", O_RDONLY);
    dup2(null_in, STDIN_FILENO);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    execve(binary_.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  close(log);
  pid_ = pid;
  return core::Ok();
}

core::Status BotProcess::Kill() {
  if (pid_ <= 0) return core::Ok();
  if (kill(pid_, SIGKILL) != 0 && errno != ESRCH) return core::Unexpected(SystemError("kill"));
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return core::Ok();
}

core::Result<int> BotProcess::Terminate(std::chrono::milliseconds deadline) {
  if (pid_ <= 0) {
    return core::Unexpected(core::MakeError(core::ErrorKind::kNotFound, "bot not running"));
  }
  if (kill(pid_, SIGTERM) != 0) return core::Unexpected(SystemError("kill"));
  std::optional<int> status;
  if (!core::WaitUntil([&] { return (status = Exited()).has_value(); }, deadline,
                       std::chrono::milliseconds(10))) {
    return core::Unexpected(
        core::MakeError(core::ErrorKind::kTimeout, "bot did not exit after SIGTERM"));
  }
  return *status;
}

std::optional<int> BotProcess::Exited() {
  if (pid_ <= 0) return std::nullopt;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r != pid_) return std::nullopt;
  pid_ = -1;
  return status;
}

std::string BotProcess::LogTail(std::size_t bytes) const {
  std::ifstream in(log_path_, std::ios::binary);
  std::string text(std::istreambuf_iterator<char>(in), {});
  return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

}  // namespace contexten::bench
