#pragma once
// A `contexten` child process for tools that kill and restart the bot (bench/kill_test.cpp).
// The child's environment is the tool's minus every SLACK_*, GITHUB_*, LINEAR_* and CONTEXTEN_*
// variable (no real tokens leak in), plus the given settings; its stdout and stderr are appended
// to one log file, with a line marking each start.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace contexten::bench {

class BotProcess {
 public:
  BotProcess(std::string binary, std::vector<std::string> args,
             std::map<std::string, std::string> env, std::string log_path);
  ~BotProcess();  // SIGKILLs a child still running
  BotProcess(const BotProcess&) = delete;
  BotProcess& operator=(const BotProcess&) = delete;

  // Forks and execs a new child (the previous one must have been reaped).
  core::Status Start();
  // SIGKILL, then reaps the child.
  core::Status Kill();
  // SIGTERM, then waits up to `deadline` for the child to exit; its wait status.
  core::Result<int> Terminate(std::chrono::milliseconds deadline);
  // The wait status when the child has exited on its own (reaps it); nullopt while it runs.
  std::optional<int> Exited();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }
  // The last `bytes` of the log.
  std::string LogTail(std::size_t bytes = 4000) const;

 private:
  std::string binary_;
  std::vector<std::string> args_;
  std::vector<std::string> env_;  // NAME=value, built once
  std::string log_path_;
  pid_t pid_ = -1;
  int starts_ = 0;
};

}  // namespace contexten::bench
