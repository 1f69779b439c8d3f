#include "bot/cli.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include "bot/app.hpp"
#include "bot/console.hpp"
#include "bot/version.hpp"
#include "core/config.hpp"
#include "core/logging.hpp"
#include "core/redactor.hpp"
#include "store/database.hpp"

namespace contexten::bot {
namespace {

std::optional<std::string> OptionalPath(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

// Blocks SIGINT/SIGTERM in every thread and turns them into a flag, set by one waiter thread.
// Threads started later inherit the mask, so no I/O thread is ever interrupted.
class SignalWatcher {
 public:
  SignalWatcher() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::thread([this] {
      int sig = 0;
      sigwait(&set_, &sig);
      if (!done_) stop_ = true;
    });
  }
  ~SignalWatcher() {
    done_ = true;
    // Wake the waiter with a signal it is waiting for, so it exits.
    pthread_kill(thread_.native_handle(), SIGTERM);
    thread_.join();
  }
  bool stopped() const { return stop_; }
  const std::atomic<bool>& flag() const { return stop_; }

 private:
  sigset_t set_{};
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
};

void InitLogsOrThrow(const core::Config& config, bool quiet_console) {
  core::LogOptions options;
  options.level = config.log.level;
  options.format = config.log.format;
  // In the console the transcript is the interface; only warnings belong beside it.
  if (quiet_console && options.level == "info") options.level = "warn";
  core::InitLogging(options);
}

int RunSandbox(core::Config config, const std::string& script) {
  InitLogsOrThrow(config, true);
  SignalWatcher signals;
  AppOptions options;
  options.config = std::move(config);
  options.sandbox = true;
  options.allow_port_fallback = true;
  App app(std::move(options));
  if (auto started = app.Start(); !started) {
    std::cerr << "contexten: " << started.error().message << "\n";
    return 2;
  }
  if (!app.WaitConnected(std::chrono::seconds(10))) {
    std::cerr << "contexten: the bot did not connect to the sandbox Slack\n";
    return 1;
  }
  Console console(app, std::cout);
  int code = 0;
  if (!script.empty()) {
    std::ifstream in(script);
    if (!in) {
      std::cerr << "contexten: cannot read script '" << script << "'\n";
      return 2;
    }
    code = console.RunScript(in);
  } else {
    code = console.RunInteractive(std::cin, signals.flag());
  }
  app.Stop();
  return code;
}

int RunConnected(core::Config config) {
  InitLogsOrThrow(config, false);
  SignalWatcher signals;
  AppOptions options;
  options.config = std::move(config);
  App app(std::move(options));
  if (auto started = app.Start(); !started) {
    spdlog::error("startup failed: {}", started.error().Describe());
    std::cerr << "contexten: " << started.error().message << "\n";
    return 2;
  }
  spdlog::info("Contexten {} running; SIGTERM or SIGINT stops it", Version());
  while (!signals.stopped()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  spdlog::info("shutting down");
  app.Stop();
  return 0;
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App cli{"Contexten: Slack, GitHub and Linear in one place"};
  cli.set_version_flag("--version", std::string("contexten ") + std::string(Version()));
  cli.require_subcommand(1);
  std::string config_path;
  std::string script;

  auto* run = cli.add_subcommand(
      "run", "Run the bot (connects to Slack; starts the sandbox when no Slack tokens are set)");
  run->add_option("--config", config_path, "YAML configuration file")->check(CLI::ExistingFile);
  auto* sandbox = cli.add_subcommand(
      "sandbox", "Run the bot against built-in Slack stand-ins, driven from this terminal");
  sandbox->add_option("--config", config_path, "YAML configuration file")->check(CLI::ExistingFile);
  sandbox->add_option("--script", script, "Run the lines of FILE, print the transcript, exit")
      ->check(CLI::ExistingFile);
  auto* migrate = cli.add_subcommand("migrate", "Apply database migrations and exit");
  migrate->add_option("--config", config_path, "YAML configuration file")->check(CLI::ExistingFile);
  auto* check = cli.add_subcommand("check-config", "Validate the configuration and exit");
  check->add_option("--config", config_path, "YAML configuration file")->check(CLI::ExistingFile);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }

  try {
    core::Config config = core::LoadConfig(OptionalPath(config_path));
    for (const auto& s : config.Secrets()) core::Redactor::Global().AddSecret(s);
    if (*check) {
      std::cout << "config ok: slack " << (config.has_slack_tokens() ? "tokens set" : "sandbox")
                << ", api " << config.slack.api_url << ", store " << config.store.path << ", http "
                << config.http.bind << ":" << config.http.port << "\n";
      return 0;
    }
    if (*migrate) {
      auto version = store::Migrate(config.store.path);
      if (!version) {
        std::cerr << "contexten: migrate: " << version.error().message << "\n";
        return 1;
      }
      std::cout << "store " << config.store.path << " at schema version " << *version << "\n";
      return 0;
    }
    if (*sandbox) return RunSandbox(std::move(config), script);
    if (!config.has_slack_tokens()) {
      std::cerr << "contexten: no Slack tokens configured (SLACK_APP_TOKEN, SLACK_BOT_TOKEN); "
                   "starting the sandbox\n";
      return RunSandbox(std::move(config), "");
    }
    return RunConnected(std::move(config));
  } catch (const core::ConfigError& e) {
    std::cerr << "contexten: " << e.what() << "\n";
    return 2;
  } catch (const std::invalid_argument& e) {
    std::cerr << "contexten: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace contexten::bot
