#pragma once
// Sandbox mode (../shared/DESIGN.md §1, the newcomer; §2: App never knows the sandbox): the
// loopback stand-ins for Slack, GitHub and Linear run on an I/O runtime of their own, their URLs
// and fake credentials go into an ordinary core::Config, and an ordinary App runs with it. Once
// the App's HTTP port is known, the GitHub and Linear stand-ins send their webhooks there.
//
// SandboxPeers alone is `contexten sandbox --peers-only`: the stand-ins without a bot, so a bot
// process can be started, killed and restarted against them.

#include <chrono>
#include <memory>
#include <string>

#include "bot/app.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/net/io_runtime.hpp"
#include "core/result.hpp"
#include "sandbox/github/github_sandbox.hpp"
#include "sandbox/linear/linear_sandbox.hpp"
#include "sandbox/slack/slack_sandbox.hpp"

namespace contexten::bot {

// The three stand-ins, on their own I/O thread.
class SandboxPeers {
 public:
  explicit SandboxPeers(core::Clock& clock = core::DefaultClock());
  ~SandboxPeers();
  SandboxPeers(const SandboxPeers&) = delete;
  SandboxPeers& operator=(const SandboxPeers&) = delete;

  // Starts all three on loopback ports of their own choosing and seeds GitHub with a repository
  // (contexten/sandbox) and a CI workflow, something to act on from the console.
  core::Status Start();
  void Stop();

  // Points the GitHub and Linear webhooks at a bot serving HTTP at `base_url`
  // ("http://127.0.0.1:8080"): <base_url>/webhooks/github and <base_url>/webhooks/linear.
  // Empty: webhooks are recorded, not sent.
  void PointWebhooksAt(const std::string& base_url);
  const std::string& webhook_base() const { return webhook_base_; }

  // Writes the stand-ins' URLs and credentials into `config` (Slack with one Socket Mode
  // connection; GitHub with the personal token, not App auth).
  void ApplyTo(core::Config& config) const;

  sandbox::SlackSandbox& slack() { return *slack_; }
  sandbox::GitHubSandbox& github() { return *github_; }
  sandbox::LinearSandbox& linear() { return *linear_; }

 private:
  core::Clock& clock_;
  core::net::IoRuntime io_;
  std::unique_ptr<sandbox::SlackSandbox> slack_;
  std::unique_ptr<sandbox::GitHubSandbox> github_;
  std::unique_ptr<sandbox::LinearSandbox> linear_;
  std::string webhook_base_;
};

// What a `contexten run` needs to talk to `peers`: environment assignments (one `NAME=value` a
// line, the overrides core::LoadConfig reads) followed by the same as YAML, in # comments. The
// credentials are the stand-ins' fixed fake ones.
std::string PeersConfigSnippet(SandboxPeers& peers);

struct SandboxModeOptions {
  core::Config config;
  // An HTTP port that is taken is not fatal (a newcomer may run two copies).
  bool allow_port_fallback = true;
};

// The stand-ins plus an App configured against them.
class SandboxMode {
 public:
  explicit SandboxMode(SandboxModeOptions options);
  ~SandboxMode();
  SandboxMode(const SandboxMode&) = delete;
  SandboxMode& operator=(const SandboxMode&) = delete;

  // Starts the stand-ins, then the App against them, then points the webhooks at the App.
  core::Status Start();
  // Stops the App (graceful drain), then the stand-ins; removes the throwaway store.
  void Stop();

  App& app() { return *app_; }
  SandboxPeers& peers() { return peers_; }

 private:
  SandboxModeOptions options_;
  SandboxPeers peers_;
  std::unique_ptr<App> app_;
  std::string throwaway_store_path_;  // removed at Stop
  bool stopped_ = false;
};

}  // namespace contexten::bot
