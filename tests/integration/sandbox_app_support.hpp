#pragma once
// Starts the whole bot in sandbox mode (the Slack, GitHub and Linear stand-ins in-process, real
// Socket Mode on loopback, real SQLite store in a temp dir) for integration tests.

#include <memory>
#include <string>

#include "bot/app.hpp"
#include "bot/sandbox_mode.hpp"
#include "sandbox/github/github_sandbox.hpp"
#include "sandbox/linear/linear_sandbox.hpp"
#include "sandbox/slack/slack_sandbox.hpp"
#include "tests/support/temp_dir.hpp"

namespace contexten::testing {

class SandboxApp {
 public:
  SandboxApp();
  ~SandboxApp();
  bot::App& app() { return mode_->app(); }
  bot::SandboxMode& mode() { return *mode_; }
  sandbox::SlackSandbox& slack() { return mode_->peers().slack(); }
  sandbox::GitHubSandbox& github() { return mode_->peers().github(); }
  sandbox::LinearSandbox& linear() { return mode_->peers().linear(); }
  const std::string& store_path() const { return store_path_; }
  // Rows in the inbox whose stored envelope carries this envelope id (another connection).
  int InboxRowsFor(const std::string& envelope_id) const;

 private:
  TempDir dir_;
  std::string store_path_;
  std::unique_ptr<bot::SandboxMode> mode_;
};

}  // namespace contexten::testing
