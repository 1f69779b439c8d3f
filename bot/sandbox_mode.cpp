#include "bot/sandbox_mode.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <utility>

#include "core/logging.hpp"
#include "core/redactor.hpp"

namespace contexten::bot {
namespace {

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::Logger("sandbox");
  return log;
}

}  // namespace

SandboxPeers::SandboxPeers(core::Clock& clock) : clock_(clock), io_(1) {
  slack_ = std::make_unique<sandbox::SlackSandbox>(io_);
  sandbox::GitHubSandboxOptions github_options;
  // Re-runs and dispatched (deploy) runs finish on their own, as CI would.
  github_options.run_duration = std::chrono::milliseconds(300);
  github_ = std::make_unique<sandbox::GitHubSandbox>(io_, github_options);
  linear_ = std::make_unique<sandbox::LinearSandbox>(io_, sandbox::LinearSandboxOptions{}, clock_);
}

SandboxPeers::~SandboxPeers() { Stop(); }

core::Status SandboxPeers::Start() {
  if (auto started = slack_->Start(); !started) return started;
  if (auto started = github_->Start(); !started) return started;
  // Something to act on from the console: a repository with a CI workflow.
  github_->AddRepository("contexten", "sandbox");
  github_->AddWorkflow("contexten/sandbox", "ci.yml", "CI");
  // What `/ctx deploy` dispatches (github.deploy_workflow).
  github_->AddWorkflow("contexten/sandbox", "deploy.yml", "Deploy");
  if (auto started = linear_->Start(); !started) return started;
  Log()->info("sandbox Slack at {}, GitHub at {}, Linear at {}", slack_->base_url(),
              github_->base_url(), linear_->base_url());
  return core::Ok();
}

void SandboxPeers::Stop() {
  slack_->Stop();
  github_->Stop();
  linear_->Stop();
  io_.Stop();
}

void SandboxPeers::PointWebhooksAt(const std::string& base_url) {
  webhook_base_ = base_url;
  while (!webhook_base_.empty() && webhook_base_.back() == '/') webhook_base_.pop_back();
  github_->SetWebhookUrl(webhook_base_.empty() ? "" : webhook_base_ + "/webhooks/github");
  linear_->SetWebhookUrl(webhook_base_.empty() ? "" : webhook_base_ + "/webhooks/linear");
}

void SandboxPeers::ApplyTo(core::Config& config) const {
  config.slack.api_url = slack_->api_url();
  config.slack.app_token = slack_->options().app_token;
  config.slack.bot_token = slack_->options().bot_token;
  config.slack.connections = 1;
  config.github.api_url = github_->base_url();
  config.github.token = github_->options().token;
  config.github.app_id.clear();
  config.github.webhook_secret = github_->options().webhook_secret;
  config.linear.api_url = linear_->base_url();
  config.linear.api_key = linear_->options().api_key;
  config.linear.webhook_secret = linear_->options().webhook_secret;
  // The Linear stand-in's team, offered first by the New issue form.
  if (config.linear.default_team.empty()) config.linear.default_team = "ENG";
  // CI alerts go where the console types (bot/console.hpp kConsoleChannel).
  if (config.github.alerts_channel.empty()) config.github.alerts_channel = "C0GENERAL";
}

std::string PeersConfigSnippet(SandboxPeers& peers) {
  core::Config c;
  peers.ApplyTo(c);
  std::ostringstream out;
  // The environment overrides core::LoadConfig reads (core/config.cpp EnvOverrides()).
  out << "SLACK_API_URL=" << c.slack.api_url << "\n"
      << "SLACK_APP_TOKEN=" << c.slack.app_token << "\n"
      << "SLACK_BOT_TOKEN=" << c.slack.bot_token << "\n"
      << "GITHUB_API_URL=" << c.github.api_url << "\n"
      << "GITHUB_TOKEN=" << c.github.token << "\n"
      << "GITHUB_WEBHOOK_SECRET=" << c.github.webhook_secret << "\n"
      << "LINEAR_API_URL=" << c.linear.api_url << "\n"
      << "LINEAR_API_KEY=" << c.linear.api_key << "\n"
      << "LINEAR_WEBHOOK_SECRET=" << c.linear.webhook_secret << "\n"
      << "LINEAR_DEFAULT_TEAM=" << c.linear.default_team << "\n";
  out << "# or, in the YAML configuration:\n"
      << "# slack:\n"
      << "#   api_url: " << c.slack.api_url << "\n"
      << "#   app_token: " << c.slack.app_token << "\n"
      << "#   bot_token: " << c.slack.bot_token << "\n"
      << "#   connections: 1\n"
      << "# github:\n"
      << "#   api_url: " << c.github.api_url << "\n"
      << "#   token: " << c.github.token << "\n"
      << "#   webhook_secret: " << c.github.webhook_secret << "\n"
      << "# linear:\n"
      << "#   api_url: " << c.linear.api_url << "\n"
      << "#   api_key: " << c.linear.api_key << "\n"
      << "#   webhook_secret: " << c.linear.webhook_secret << "\n";
  return out.str();
}

SandboxMode::SandboxMode(SandboxModeOptions options) : options_(std::move(options)) {}

SandboxMode::~SandboxMode() { Stop(); }

core::Status SandboxMode::Start() {
  if (auto started = peers_.Start(); !started) return started;
  auto& config = options_.config;
  peers_.ApplyTo(config);
  // The sandbox's Slack forgets everything at exit, so its inbox should too.
  if (config.store.path == core::Config{}.store.path) {
    throwaway_store_path_ = (std::filesystem::temp_directory_path() /
                             ("contexten-sandbox-" + std::to_string(::getpid()) + ".db"))
                                .string();
    config.store.path = throwaway_store_path_;
  }
  AppOptions app_options;
  app_options.config = config;
  app_options.allow_port_fallback = options_.allow_port_fallback;
  app_ = std::make_unique<App>(std::move(app_options));
  if (auto started = app_->Start(); !started) return started;
  peers_.PointWebhooksAt("http://127.0.0.1:" + std::to_string(app_->http_port()));
  return core::Ok();
}

void SandboxMode::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (app_) app_->Stop();
  peers_.Stop();
  app_.reset();
  if (!throwaway_store_path_.empty()) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(throwaway_store_path_ + suffix, ec);
    }
  }
}

}  // namespace contexten::bot
