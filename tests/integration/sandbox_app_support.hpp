#pragma once
// Starts the whole bot in sandbox mode (sandbox Slack in-process, real Socket Mode on loopback,
// real SQLite store in a temp dir) for integration tests.

#include <memory>
#include <string>

#include "bot/app.hpp"
#include "sandbox/slack/slack_sandbox.hpp"
#include "tests/support/temp_dir.hpp"

namespace contexten::testing {

class SandboxApp {
 public:
  SandboxApp();
  ~SandboxApp();
  bot::App& app() { return *app_; }
  sandbox::SlackSandbox& slack() { return *app_->slack_sandbox(); }
  const std::string& store_path() const { return store_path_; }
  // Rows in the inbox whose stored envelope carries this envelope id (another connection).
  int InboxRowsFor(const std::string& envelope_id) const;

 private:
  TempDir dir_;
  std::string store_path_;
  std::unique_ptr<bot::App> app_;
};

}  // namespace contexten::testing
