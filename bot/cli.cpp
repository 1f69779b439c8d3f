#include "bot/cli.hpp"

#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "bot/app.hpp"
#include "bot/console.hpp"
#include "bot/intents_tool.hpp"
#include "bot/sandbox_mode.hpp"
#include "bot/version.hpp"
#include "core/config.hpp"
#include "core/logging.hpp"
#include "core/redactor.hpp"
#include "store/database.hpp"
#include "store/postgres/pg_database.hpp"

namespace contexten::bot {
namespace {

std::optional<std::string> OptionalPath(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

// Blocks SIGINT/SIGTERM/SIGHUP in every thread and turns them into a flag (SIGINT, SIGTERM) or
// a call of the hang-up hook (SIGHUP: reload the rules), on one waiter thread. Threads started
// later inherit the mask, so no I/O thread is ever interrupted.
class SignalWatcher {
 public:
  SignalWatcher() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::thread([this] {
      while (true) {
        int sig = 0;
        sigwait(&set_, &sig);
        if (done_) return;
        if (sig != SIGHUP) {
          stop_ = true;
          return;
        }
        std::lock_guard lock(hook_mu_);
        if (on_hangup_) on_hangup_();
      }
    });
  }
  void set_on_hangup(std::function<void()> hook) {
    std::lock_guard lock(hook_mu_);
    on_hangup_ = std::move(hook);
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
  std::mutex hook_mu_;
  std::function<void()> on_hangup_;
};

// Takes the hang-up hook back before what it calls goes away.
struct HangupHookReset {
  SignalWatcher& signals;
  ~HangupHookReset() { signals.set_on_hangup(nullptr); }
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
  SandboxModeOptions options;
  options.config = std::move(config);
  options.allow_port_fallback = true;
  SandboxMode mode(std::move(options));
  if (auto started = mode.Start(); !started) {
    std::cerr << "contexten: " << started.error().message << "\n";
    return 2;
  }
  if (!mode.app().WaitConnected(std::chrono::seconds(10))) {
    std::cerr << "contexten: the bot did not connect to the sandbox Slack\n";
    return 1;
  }
  Console console(mode, std::cout);
  // SIGHUP reloads the rules, as in `contexten run`; the console says how it went.
  signals.set_on_hangup([&mode, &console] {
    auto reloaded = mode.app().ReloadRules();
    console.Note(reloaded
                     ? std::string("rules reloaded")
                     : "rules not reloaded, the previous rules stay: " + reloaded.error().message);
  });
  HangupHookReset reset_hangup{signals};
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
  mode.Stop();
  return code;
}

// Reads stdin a line at a time without stdio buffering, so that poll() sees every byte not yet
// consumed and a signal ends the wait even while nobody types. False at EOF or on `stop`.
bool ReadLineUnlessStopped(std::string& pending, std::string& line, const std::atomic<bool>& stop) {
  for (;;) {
    if (const auto newline = pending.find('\n'); newline != std::string::npos) {
      line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      return true;
    }
    if (stop) return false;
    pollfd pfd{STDIN_FILENO, POLLIN, 0};
    const int ready = poll(&pfd, 1, 200);
    if (ready == 0) continue;
    if (ready < 0) return false;
    char buf[4096];
    const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0) {
      if (pending.empty()) return false;
      line = std::exchange(pending, std::string());
      return true;
    }
    pending.append(buf, static_cast<std::size_t>(n));
  }
}

// `contexten sandbox --peers-only`: the stand-ins alone, until SIGTERM/SIGINT. Prints how to
// start a bot against them; lines on stdin are console lines (see console.hpp), plus
// `webhooks <base url>` to send GitHub and Linear webhooks to a bot.
int RunPeersOnly(core::Config config, std::string webhook_base) {
  InitLogsOrThrow(config, true);
  SignalWatcher signals;
  SandboxPeers peers;
  if (auto started = peers.Start(); !started) {
    std::cerr << "contexten: " << started.error().message << "\n";
    return 2;
  }
  if (webhook_base.empty()) {
    if (const char* env = std::getenv("CONTEXTEN_SANDBOX_WEBHOOK_BASE")) webhook_base = env;
  }
  peers.PointWebhooksAt(webhook_base);
  // Only the stand-ins' fixed fake credentials are printed here, never configured ones.
  std::cout << "# contexten sandbox stand-ins: Slack " << peers.slack().base_url() << ", GitHub "
            << peers.github().base_url() << ", Linear " << peers.linear().base_url() << "\n"
            << "# Start a bot against them with these settings (e.g. `env $(grep -v '^#' FILE) "
               "contexten run`):\n"
            << PeersConfigSnippet(peers) << "# webhooks -> "
            << (peers.webhook_base().empty() ? "(not sent: --webhook-base or "
                                               "CONTEXTEN_SANDBOX_WEBHOOK_BASE, or type "
                                               "`webhooks http://127.0.0.1:PORT`)"
                                             : peers.webhook_base())
            << "\n# serving until SIGTERM or SIGINT\n"
            << std::flush;
  Console console(peers, std::cout);
  std::string pending;
  std::string line;
  while (ReadLineUnlessStopped(pending, line, signals.flag())) {
    if (line.rfind("webhooks", 0) == 0) {
      std::string base = line.substr(8);
      base.erase(0, base.find_first_not_of(" \t"));
      while (!base.empty() && (base.back() == ' ' || base.back() == '\r')) base.pop_back();
      peers.PointWebhooksAt(base);
      std::cout << "# webhooks -> " << (base.empty() ? "(not sent)" : base) << "\n" << std::flush;
      continue;
    }
    console.RunLine(line);
  }
  while (!signals.stopped()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  peers.Stop();
  return 0;
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
  spdlog::info("Contexten {} running; SIGTERM or SIGINT stops it, SIGHUP reloads the rules",
               Version());
  signals.set_on_hangup([&app] {
    if (auto reloaded = app.ReloadRules(); !reloaded) {
      spdlog::error("SIGHUP: {}", reloaded.error().message);
    }
  });
  HangupHookReset reset_hangup{signals};
  while (!signals.stopped()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  signals.set_on_hangup(nullptr);
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
  bool peers_only = false;
  std::string webhook_base;

  auto* run = cli.add_subcommand(
      "run", "Run the bot (connects to Slack; starts the sandbox when no Slack tokens are set)");
  run->add_option("--config", config_path, "YAML configuration file")->check(CLI::ExistingFile);
  auto* sandbox = cli.add_subcommand(
      "sandbox", "Run the bot against built-in Slack stand-ins, driven from this terminal");
  sandbox->add_option("--config", config_path, "YAML configuration file")->check(CLI::ExistingFile);
  sandbox->add_option("--script", script, "Run the lines of FILE, print the transcript, exit")
      ->check(CLI::ExistingFile);
  sandbox->add_flag("--peers-only", peers_only,
                    "Run only the Slack, GitHub and Linear stand-ins and print the settings a "
                    "`contexten run` connects to them with; serve until SIGTERM or SIGINT");
  sandbox
      ->add_option("--webhook-base", webhook_base,
                   "With --peers-only: send GitHub and Linear webhooks to the bot at this URL "
                   "(http://127.0.0.1:PORT); default $CONTEXTEN_SANDBOX_WEBHOOK_BASE")
      ->needs("--peers-only");
  auto* migrate = cli.add_subcommand("migrate", "Apply database migrations and exit");
  migrate->add_option("--config", config_path, "YAML configuration file")->check(CLI::ExistingFile);
  auto* check = cli.add_subcommand("check-config", "Validate the configuration and exit");
  check->add_option("--config", config_path, "YAML configuration file")->check(CLI::ExistingFile);
  IntentsToolOptions intents_options;
  auto* intents = cli.add_subcommand(
      "intents",
      "Parse utterances (one per line on stdin) into intents as JSON lines, or --eval a corpus");
  intents
      ->add_option("--source", intents_options.source,
                   "Where the lines were said: command, mention, dm or thread")
      ->check(CLI::IsMember({"command", "mention", "dm", "thread"}));
  intents->add_option("--thread-issue", intents_options.thread_issue,
                      "The Linear issue whose thread the lines were said in (ENG-1)");
  intents
      ->add_option("--eval", intents_options.eval_path,
                   "JSONL of {\"text\",\"intent\",\"entities\"}: print accuracy, entity "
                   "precision/recall/F1 and the confusion pairs")
      ->check(CLI::ExistingFile);
  intents->add_option("--min-accuracy", intents_options.min_accuracy,
                      "With --eval: exit 1 when intent accuracy is below this (0..1)");
  intents->add_option("--min-f1", intents_options.min_f1,
                      "With --eval: exit 1 when entity F1 is below this (0..1)");
  intents->add_flag("--show-errors", intents_options.show_errors,
                    "With --eval: print every utterance parsed differently from its label");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }

  // Reads text only: no configuration, no store, no Slack.
  if (*intents) return RunIntentsTool(intents_options, std::cin, std::cout, std::cerr);

  try {
    core::Config config = core::LoadConfig(OptionalPath(config_path));
    for (const auto& s : config.Secrets()) core::Redactor::Global().AddSecret(s);
    if (*check) {
      std::cout << "config ok: slack " << (config.has_slack_tokens() ? "tokens set" : "sandbox")
                << ", api " << config.slack.api_url << ", store "
                << (config.store.postgres() ? std::string("postgresql (store.url)")
                                            : config.store.path)
                << ", http " << config.http.bind << ":" << config.http.port << "\n";
      return 0;
    }
    if (*migrate && config.store.postgres()) {
      // Opening the PostgreSQL store migrates it (the URL is never printed: it may hold a
      // password).
      store::postgres::PgOptions options;
      options.url = config.store.url;
      options.schema = config.store.schema;
      options.pool_size = 1;
      auto db = store::postgres::PgDatabase::Open(options);
      if (!db) {
        std::cerr << "contexten: migrate: " << db.error().message << "\n";
        return 1;
      }
      std::cout << "store postgresql at schema version " << (*db)->schema_version() << "\n";
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
    if (*sandbox && peers_only) return RunPeersOnly(std::move(config), webhook_base);
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
