// The kill test: issue-filing workflows survive SIGKILLs of the bot (../shared/DESIGN.md §3,
// "an acknowledged event is never lost", "each external side effect has an idempotency key").
//
// This process hosts the Slack, Linear and GitHub stand-ins (sandbox/) on one I/O thread and runs
// the real bot, `contexten run`, as a child process configured through the environment (the
// CONTEXTEN_* / SLACK_* / LINEAR_* / GITHUB_* overrides of core/config.cpp) against them, with
// its store in a work directory that outlives restarts and a fixed HTTP port, so the stand-ins'
// webhook URL stays valid across restarts.
//
// While it runs:
// - `--concurrency` simulated users type `/ctx issue create ENG Kill test <n> r<try>` in three
//   channels (slash_commands envelopes through the Slack stand-in, several in flight) until
//   `--workflows` distinct commands have been acknowledged. Slack does not redeliver a slash
//   command (the stand-in's redelivery is off here): a user whose command is not acked within
//   Slack's 3 s (the bot died) sees an error and types it again, which is a new envelope with
//   a new title ("r2", "r3", ...). Both envelopes may end up as workflows: the first can have
//   reached the bot's inbox before the kill, or have been queued by the stand-in while no
//   socket was open and delivered on the next hello. So the tool counts honestly:
//     workflows started = file_issue runs in the bot's store (every title a run was started
//     for), each must come from an envelope the tool sent, and every acked envelope must have
//     its run (else a workflow was lost); each run must end with exactly one Linear issue and
//     exactly one Slack card, matched by title.
// - Webhooks arrive: from the start until the last kill, a Linear actor moves filed issues to "In
// Progress" and comments on some
//   (the Linear stand-in posts signed Issue/Comment webhooks to the bot; the bot creating
//   issues makes Linear send Issue create webhooks too). It only acts on issues whose card
//   already shows the identifier (the run knows its issue), so every such change must reach
//   the card (state) or the card's thread (comment). A webhook posted while the bot is dead
//   fails; Linear retries failed deliveries, so the tool re-sends each one (same
//   Linear-Delivery id, body and signature) once the bot is back, sooner than Linear's backoff
//   so the body's webhookTimestamp stays inside the bot's 60 s window.
// - The bot is SIGKILLed `--kills` times at random moments (a seeded RNG; the seed is printed
//   and `--seed` repeats the schedule): when progress (acknowledged commands plus cards that
//   show their identifier, 0 .. 2 x workflows) passes thresholds drawn uniformly from that
//   range, plus 0-300 ms, so kills land while commands arrive and while the outbox files issues
//   and updates cards. Each time it is restarted after 0-1000 ms and the tool waits (with a
//   deadline) for a new Socket Mode connection before users go on.
//
// - The workflows of issue 10 are mixed in (bench/kill_test_mix.hpp), from the start until the
//   last kill: PRs opened in the GitHub stand-in naming filed issues ("Fixes ENG-12": a Linear
//   attachment and a line in the issue's thread), replies typed in filed cards' threads (each a
//   Linear comment "via Slack"), CI failures on main of a few repositories (`--ci-failures`:
//   an alert in C0ENG, later failures "failed again" in its thread) with [Re-run failed jobs]
//   clicked on about half of the alerts (the stand-in re-runs and passes, the alert recovers).
//   GitHub does not retry a failed delivery on its own (one can redeliver it), so the tool
//   re-sends GitHub deliveries the bot missed as it does Linear's.
//
// Then it waits for quiet, a condition polled until a deadline (`--quiet-timeout`): no inbox
// row left unfinished, no outbox row pending or in flight, no timer set, every run filed and
// its card showing the Linear identifier, every webhook accepted, every move and comment shown.
// It stops the bot with SIGTERM, reads the final state and prints a table; the exit status is
// non-zero when an invariant fails (issues != workflows, a duplicate issue or card, a lost
// workflow, an unfinished inbox row, a dead letter, a webhook change that never reached Slack).
//
// `--card-kills N` adds N targeted kills before the random ones: each SIGKILLs the bot the
// moment the Slack stand-in records a new card, while Slack's answer (the message ts) is still on
// its way to the bot, which is the window where a card can be posted twice.
//
// The Slack stand-in's Web API rate limits are off by default (`--slack-rate-limits` turns them
// on); the bot still paces itself (chat.update is Tier 3, about 50 a minute) and keeps to
// Linear's 1500 requests an hour (a burst of 50, then one every 2.4 s, fresh at every start),
// which is what sets the wall time of a long run: minutes, mostly draining.
//
// Replicas (`--replicas N --store-url postgresql://...`, issue 14): N `contexten run` processes
// share one PostgreSQL store (a fresh schema per run, dropped on PASS), each with its own HTTP
// port, replica_id and Socket Mode connection (the Slack stand-in spreads envelopes over the
// open connections). Webhooks go to the replicas in turn (the stand-ins' webhook URL moves to
// the next live replica at every load step; a re-send goes to a live one). Each kill SIGKILLs
// one replica, every other time the one holding the scheduler's leadership (leader_terms), and
// restarts it; users keep typing while another replica is up. `--report-schedule` adds an
// every-minute digest schedule in C0REPORTS: each slot must be fired once (one report run, one
// post) with no slot skipped between the first and the last. `--linear-outage-s N` makes the
// Linear stand-in answer 503 for N s once half the progress is reached: the health monitor (on
// the replica leading "health") must post each incident root once (one post per episode). The
// table adds those counts; any duplicate or miss fails the run.
//
// Usage: kill_test [--workflows 300] [--kills 10] [--card-kills 0] [--seed N]
//                  [--concurrency 8] [--bot build/contexten] [--quiet-timeout 300] [--keep]
//                  [--replicas 1] [--store-url URL] [--report-schedule] [--linear-outage-s 0]

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_support.hpp"
#include "bench/bot_process.hpp"
#include "bench/kill_test_mix.hpp"
#include "bench/kill_test_store.hpp"
#include "bench/stand_in_environment.hpp"
#include "core/logging.hpp"
#include "core/net/http_client.hpp"
#include "core/net/io_runtime.hpp"
#include "core/wait_until.hpp"
#include "sandbox/github/github_sandbox.hpp"
#include "sandbox/linear/linear_sandbox.hpp"
#include "sandbox/slack/slack_sandbox.hpp"
#include "workflows/builtin/ci_alert.hpp"
#include "workflows/builtin/file_issue_events.hpp"
#include "workflows/builtin/report.hpp"

namespace contexten::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kChannels[] = {"C0GENERAL", "C0RANDOM", "C0ENG"};
constexpr char kUser[] = "U0SANDBOXUSER";
constexpr char kMovedTo[] = "In Progress";
constexpr char kAlertsChannel[] = "C0ENG";  // where CI alerts go (github.alerts_channel)

struct Options {
  int workflows = 300;
  int kills = 10;
  int card_kills = 0;  // extra kills, each the moment Slack records a new card
  std::uint64_t seed = 0;
  int concurrency = 8;
  std::string bot;
  int quiet_timeout_s = 300;
  int ack_timeout_ms = 3000;  // Slack's window for acking a slash command
  int max_downtime_ms = 1000;
  bool slack_rate_limits = false;
  std::string bot_log_level = "warn";
  bool keep = false;
  int ci_failures = -1;  // -1: max(3, workflows / 5)
  int replicas = 1;
  std::string store_url;  // PostgreSQL (required with replicas > 1); empty: SQLite
  bool report_schedule = false;
  int linear_outage_s = 0;
};

constexpr char kReportsChannel[] = "C0REPORTS";  // the every-minute digest (--report-schedule)
constexpr char kOpsChannel[] = "C0OPS";          // incidents (--linear-outage-s)

// "Kill test 17 r2": command 17, the user's second try.
std::string Title(int command, int attempt) {
  return "Kill test " + std::to_string(command) + " r" + std::to_string(attempt);
}

// The title a card's text ends with ("Filing: <title>", "ENG-12: <title>"), and the identifier
// in front of it once filed.
struct CardText {
  std::string title;
  std::string prefix;  // "Filing", "ENG-12", ...
};
std::optional<CardText> ParseCardText(const std::string& text) {
  static const std::regex pattern(R"(^(.*): (Kill test \d+ r\d+)$)");
  std::smatch m;
  if (!std::regex_match(text, m, pattern)) return std::nullopt;
  return CardText{m[2].str(), m[1].str()};
}

bool IsKillTestTitle(const std::string& title) {
  static const std::regex pattern(R"(^Kill test \d+ r\d+$)");
  return std::regex_match(title, pattern);
}

std::string Str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

core::Result<int> FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return core::Unexpected(core::MakeError(core::ErrorKind::kInternal, "socket"));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return core::Unexpected(core::MakeError(core::ErrorKind::kInternal, "bind port 0"));
  }
  const int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

struct EnvelopeInfo {
  int command = 0;
  int attempt = 0;
  std::string title;
};

// Everything the final check needs, read after the bot has stopped.
struct Verdict {
  std::vector<std::string> failures;
  bench::Table table{{"metric", "value", "expected"}};
};

class KillTest {
 public:
  explicit KillTest(Options options) : options_(std::move(options)), rng_(options_.seed) {}

  int Run();

 private:
  // --- set-up -------------------------------------------------------------------------------
  core::Status StartStandIns();
  std::map<std::string, std::string> BotEnvironment() const;

  // --- the bot's life -----------------------------------------------------------------------
  // Starts the bot and waits for a new Socket Mode connection; false (with a message) when it
  // exits or does not connect in time.
  bool StartBotAndWait(int replica);
  bool KillAndRestart(int replica, const std::string& when);
  void SetBotUp(int replica, bool up);
  // A live replica's HTTP port, in turn (webhooks to any replica); 0 when none is up.
  int NextLivePort();
  // The replica to kill: every other time the scheduler's leader, else one at random.
  int PickVictim();

  // --- load ---------------------------------------------------------------------------------
  void UserLoop(int user_index);
  void LinearActorLoop();
  void WebhookRetrierLoop();
  // Waits on the state condition variable for `duration` or until the run stops.
  void Pause(milliseconds duration);

  // --- checks -------------------------------------------------------------------------------
  struct Outstanding {
    std::int64_t inbox_pending = 0, outbox_open = 0, outbox_dead = 0, timers = 0;
    std::int64_t runs_not_filed = 0, cards_not_current = 0, acked_without_run = 0;
    std::int64_t webhooks_not_accepted = 0, moves_not_shown = 0, comments_not_shown = 0;
    MixOutstanding mix;
    std::vector<std::string> examples;      // a few of what is missing, for the report
    std::vector<std::string> later_timers;  // due after the hour: named, not waited for
    bool store_readable = false;
    bool Quiet() const {
      return store_readable && inbox_pending == 0 && outbox_open == 0 && timers == 0 &&
             runs_not_filed == 0 && cards_not_current == 0 && acked_without_run == 0 &&
             webhooks_not_accepted == 0 && moves_not_shown == 0 && comments_not_shown == 0 &&
             mix.Quiet();
    }
    // Nothing can change any more on its own: no work queued, but a dead letter stays.
    bool Stuck() const { return store_readable && outbox_open == 0 && outbox_dead > 0; }
    std::string Describe() const;
  };
  Outstanding Measure();
  bool WaitForQuiet();
  Verdict Judge(const StoreSnapshot& store);

  std::string StorePath() const { return (work_dir_ / "bot.db").string(); }
  bool Postgres() const { return !options_.store_url.empty(); }
  core::Result<StoreSnapshot> Read(const std::string& run_type) const {
    return Postgres() ? ReadPgStore(options_.store_url, schema_, run_type)
                      : ReadStore(StorePath(), run_type);
  }
  // The report and incident checks of the replica run (rows and failure lines).
  void JudgeReplicas(Verdict& v);
  std::set<std::string> AckedTitles() const;
  bool Acked(const std::string& envelope_id) const;
  std::string ConfigPath(int replica) const {
    return (work_dir_ / ("bot" + std::to_string(replica) + ".yaml")).string();
  }
  // Writes the bot's configuration file: what the environment overrides cannot say.
  core::Status WriteConfig(int replica) const;
  // Re-sends one failed delivery as the platform would (same id, body and signature); true when
  // the bot answered 2xx, false on 5xx or no answer; `rejected` on 4xx.
  bool Resend(const std::string& path,
              const std::vector<std::pair<std::string, std::string>>& headers,
              const std::string& body, bool& rejected);
  // acked commands + filed cards; with mu_ held.
  int Progress() const { return acked_commands_ + filed_cards_; }

  Options options_;
  std::mt19937_64 rng_;
  std::filesystem::path work_dir_;
  int http_port_ = 0;          // replica 0's
  std::vector<int> ports_;     // each replica's HTTP port
  std::string schema_;         // the run's PostgreSQL schema
  std::size_t next_port_ = 0;  // round robin over live replicas
  std::uint64_t schedule_id_ = 0;
  bool outage_started_ = false;

  core::net::IoRuntime io_{1};
  std::unique_ptr<sandbox::SlackSandbox> slack_;
  std::unique_ptr<sandbox::LinearSandbox> linear_;
  std::unique_ptr<sandbox::GitHubSandbox> github_;
  std::unique_ptr<core::net::HttpClient> webhook_client_;
  std::vector<std::unique_ptr<BotProcess>> bots_;
  std::unique_ptr<WorkflowMix> mix_;

  // Shared with the load threads.
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool bot_up_ = false;                            // at least one replica is up (users type)
  std::vector<bool> replica_up_;                   // each replica
  bool stopping_ = false;                          // load threads end
  bool actor_stop_ = false;                        // the Linear actor ends (after the last kill)
  bool retrier_stop_ = false;                      // the webhook retrier ends (after quiet)
  std::map<std::string, EnvelopeInfo> envelopes_;  // by envelope id
  std::set<std::string> acked_ids_;
  int next_command_ = 0;
  int acked_commands_ = 0;  // commands with at least one acked envelope
  int user_retries_ = 0;
  std::atomic<pid_t> armed_pid_{-1};  // the bot to kill on the next card post
  bool card_kill_fired_ = false;
  int card_kills_ = 0;
  int filed_cards_ = 0;              // cards showing their identifier, as the Linear actor last saw
  std::set<std::string> moved_;      // identifiers the actor moved to kMovedTo
  std::set<std::string> commented_;  // identifiers the actor commented on
  std::map<std::string, int> webhook_resends_;  // delivery id -> re-sends
  std::set<std::string> webhook_accepted_;      // delivery ids the bot answered 2xx
  std::map<std::string, SteadyClock::time_point> webhook_last_try_;
  int webhook_rejected_ = 0;  // 4xx answers (a signature or shape the bot refused)
  int kills_ = 0;
  int restarts_ = 0;
  std::uint64_t connections_before_ = 0;
};

core::Status KillTest::StartStandIns() {
  sandbox::SlackSandboxOptions slack_options;
  slack_options.redelivery_delay = milliseconds(0);  // Slack does not redeliver slash commands
  slack_options.rate_limits.enabled = options_.slack_rate_limits;
  slack_ = std::make_unique<sandbox::SlackSandbox>(io_, slack_options);
  linear_ = std::make_unique<sandbox::LinearSandbox>(io_);
  sandbox::GitHubSandboxOptions github_options;
  github_options.run_duration = milliseconds(300);  // a re-run passes this long after the click
  github_ = std::make_unique<sandbox::GitHubSandbox>(io_, github_options);
  if (auto s = slack_->Start(); !s) return s;
  if (auto s = linear_->Start(); !s) return s;
  if (auto s = github_->Start(); !s) return s;
  const std::string base = "http://127.0.0.1:" + std::to_string(http_port_);
  linear_->SetWebhookUrl(base + "/webhooks/linear");
  github_->SetWebhookUrl(base + "/webhooks/github");
  webhook_client_ = std::make_unique<core::net::HttpClient>(io_);
  MixOptions mix;
  mix.alerts_channel = kAlertsChannel;
  mix.user = kUser;
  mix.ci_failures =
      options_.ci_failures >= 0 ? options_.ci_failures : std::max(3, options_.workflows / 5);
  mix.ack_timeout_ms = options_.ack_timeout_ms;
  mix.seed = options_.seed;
  mix_ = std::make_unique<WorkflowMix>(mix, *slack_, *linear_, *github_);
  mix_->Seed();
  slack_->Subscribe([this](const sandbox::SandboxEvent& event) {
    if (event.kind == sandbox::SandboxEvent::Kind::kMessagePosted && event.message &&
        event.message->from_bot && event.message->thread_ts.empty() &&
        event.message->text.rfind("Filing: ", 0) == 0) {
      // An armed card kill: the bot dies while Slack's answer to its chat.postMessage is on
      // the wire, before it can record the message's ts.
      const pid_t pid = armed_pid_.exchange(-1);
      if (pid > 0) {
        ::kill(pid, SIGKILL);
        std::lock_guard lock(mu_);
        card_kill_fired_ = true;
        cv_.notify_all();
      }
      return;
    }
    if (event.kind != sandbox::SandboxEvent::Kind::kAcked || !event.ack) return;
    std::lock_guard lock(mu_);
    acked_ids_.insert(event.ack->envelope_id);
    cv_.notify_all();
  });
  return core::Ok();
}

std::map<std::string, std::string> KillTest::BotEnvironment() const {
  std::map<std::string, std::string> env = StandInEnvironment(*slack_, *github_, *linear_);
  env["CONTEXTEN_STORE_PATH"] = StorePath();
  env["CONTEXTEN_LOG_LEVEL"] = options_.bot_log_level;
  env["CONTEXTEN_LOG_FORMAT"] = "text";
  if (Postgres()) env["CONTEXTEN_STORE_URL"] = options_.store_url;
  return env;
}

core::Status KillTest::WriteConfig(int replica) const {
  std::ofstream out(ConfigPath(replica));
  out << "github:\n  alerts_channel: " << kAlertsChannel << "\n  linear_team: ENG\n";
  out << "http:\n  port: " << ports_[replica] << "\n";
  if (Postgres()) {
    // Each replica its own replica_id (the outbox lease holder and the leadership term's
    // holder), all on one schema.
    out << "store:\n  schema: " << schema_ << "\n  replica_id: replica-" << replica << "\n";
  }
  if (options_.linear_outage_s > 0) {
    // Incidents are posted (an ops channel), sampled every second and grouped for 2 s, so an
    // outage of a few seconds makes one.
    out << "slack:\n  ops_channel: " << kOpsChannel
        << "\nhealth:\n  sample_seconds: 1\n  grouping_delay_seconds: 2\n";
  }
  out.close();
  if (!out) {
    return core::Unexpected(
        core::MakeError(core::ErrorKind::kInternal, "writing " + ConfigPath(replica)));
  }
  return core::Ok();
}

void KillTest::SetBotUp(int replica, bool up) {
  std::lock_guard lock(mu_);
  replica_up_[replica] = up;
  bot_up_ = std::find(replica_up_.begin(), replica_up_.end(), true) != replica_up_.end();
  cv_.notify_all();
}

int KillTest::NextLivePort() {
  std::lock_guard lock(mu_);
  for (std::size_t i = 0; i < ports_.size(); ++i) {
    const std::size_t r = next_port_++ % ports_.size();
    if (replica_up_[r]) return ports_[r];
  }
  return 0;
}

int KillTest::PickVictim() {
  const int n = options_.replicas;
  if (n == 1) return 0;
  if (Postgres() && kills_ % 2 == 1) {
    if (auto facts = ReadReplicaFacts(options_.store_url, schema_); facts) {
      auto leader = facts->leaders.find("scheduler");
      for (int r = 0; leader != facts->leaders.end() && r < n; ++r) {
        if (leader->second == "replica-" + std::to_string(r)) return r;
      }
    }
  }
  return std::uniform_int_distribution<int>(0, n - 1)(rng_);
}

bool KillTest::StartBotAndWait(int replica) {
  auto& bot = bots_[replica];
  connections_before_ = slack_->connections_opened();
  int live = 0;
  {
    std::lock_guard lock(mu_);
    for (bool up : replica_up_) live += up ? 1 : 0;
  }
  if (auto started = bot->Start(); !started) {
    std::cerr << "kill_test: cannot start the bot: " << started.error().Describe() << "\n";
    return false;
  }
  std::optional<int> exited;
  const bool connected = core::WaitUntil(
      [&] {
        if ((exited = bot->Exited())) return true;
        return slack_->connections_opened() > connections_before_ &&
               slack_->open_connections() > live;
      },
      seconds(60), milliseconds(5));
  if (exited || !connected) {
    std::cerr << "kill_test: the bot "
              << (exited ? "exited (status " + std::to_string(*exited) + ")"
                         : std::string("did not open a Socket Mode connection in 60 s"))
              << "; log tail:\n"
              << bot->LogTail() << "\n";
    return false;
  }
  SetBotUp(replica, true);
  return true;
}

bool KillTest::KillAndRestart(int replica, const std::string& when) {
  SetBotUp(replica, false);
  if (auto killed = bots_[replica]->Kill(); !killed) {
    std::cerr << "kill_test: kill failed: " << killed.error().Describe() << "\n";
    return false;
  }
  ++kills_;
  std::cout << "  kill " << kills_;
  if (options_.replicas > 1) std::cout << " of replica " << replica;
  std::cout << " (" << when << ")" << std::endl;
  Pause(milliseconds(std::uniform_int_distribution<int>(0, options_.max_downtime_ms)(rng_)));
  if (!StartBotAndWait(replica)) return false;
  ++restarts_;
  return true;
}

void KillTest::Pause(milliseconds duration) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, duration, [&] { return stopping_; });
}

void KillTest::UserLoop(int user_index) {
  for (;;) {
    int command = 0;
    {
      std::lock_guard lock(mu_);
      if (stopping_ || next_command_ >= options_.workflows) return;
      command = next_command_++;
    }
    for (int attempt = 1;; ++attempt) {
      {
        // A user does not type into a bot Slack shows as offline.
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return bot_up_ || stopping_; });
        if (stopping_) return;
      }
      const std::string title = Title(command, attempt);
      const std::string channel = kChannels[(command + user_index) % std::size(kChannels)];
      const std::string envelope_id =
          slack_->InjectSlashCommand("/ctx", "issue create ENG " + title, kUser, channel);
      std::unique_lock lock(mu_);
      envelopes_[envelope_id] = {command, attempt, title};
      const bool acked = cv_.wait_for(lock, milliseconds(options_.ack_timeout_ms), [&] {
        return acked_ids_.count(envelope_id) > 0 || stopping_;
      });
      if (stopping_) return;
      if (acked) {
        ++acked_commands_;
        cv_.notify_all();
        break;
      }
      ++user_retries_;  // Slack showed the user an error; they type the command again
    }
  }
}

void KillTest::LinearActorLoop() {
  std::uniform_int_distribution<int> pause_ms(20, 150);
  std::uniform_int_distribution<int> coin(0, 2);
  std::mt19937_64 rng(options_.seed ^ 0x9e3779b97f4a7c15ULL);
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (actor_stop_) return;
    }
    // Issues whose card shows the identifier: their runs wait for their webhooks.
    std::vector<std::string> filed;
    std::vector<FiledCard> cards;
    for (const auto& message : slack_->Messages()) {
      if (!message.thread_ts.empty() || message.ephemeral || !message.from_bot) continue;
      auto card = ParseCardText(message.text);
      if (card && card->prefix.rfind("ENG-", 0) == 0) {
        filed.push_back(card->prefix);
        cards.push_back({card->prefix, message.channel, message.ts});
      }
    }
    bool up = false;
    {
      std::lock_guard lock(mu_);
      filed_cards_ = static_cast<int>(filed.size());
      up = bot_up_;
      cv_.notify_all();
    }
    // Webhooks to any replica: the next delivery goes to the next live one.
    if (options_.replicas > 1) {
      if (const int port = NextLivePort(); port != 0) {
        const std::string base = "http://127.0.0.1:" + std::to_string(port);
        linear_->SetWebhookUrl(base + "/webhooks/linear");
        github_->SetWebhookUrl(base + "/webhooks/github");
      }
    }
    if (options_.linear_outage_s > 0) {
      bool start_outage = false;
      {
        std::lock_guard lock(mu_);
        start_outage = !outage_started_ && Progress() >= options_.workflows;
        if (start_outage) outage_started_ = true;
      }
      if (start_outage) {
        std::cout << "  Linear outage for " << options_.linear_outage_s << " s" << std::endl;
        linear_->FailFor(seconds(options_.linear_outage_s), 503);
      }
    }
    // The other workflows' load (PRs, thread replies, CI failures, re-run clicks).
    mix_->Act(cards, up, [this](const std::string& id) { return Acked(id); });
    if (!filed.empty()) {
      const std::string identifier =
          filed[std::uniform_int_distribution<std::size_t>(0, filed.size() - 1)(rng)];
      const bool comment = coin(rng) == 0;
      bool act = false;
      {
        std::lock_guard lock(mu_);
        act = comment ? commented_.insert(identifier).second : moved_.insert(identifier).second;
      }
      if (act) {
        std::optional<core::Error> refused;
        if (comment) {
          auto added = linear_->AddComment(identifier, "Seen it on " + identifier + " too");
          if (!added) refused = added.error();
        } else {
          auto moved = linear_->MoveIssue(identifier, kMovedTo);
          if (!moved) refused = moved.error();
        }
        if (refused) {
          std::cerr << "kill_test: Linear stand-in refused a change of " << identifier << ": "
                    << refused->Describe() << "\n";
        }
      }
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, milliseconds(pause_ms(rng)), [&] { return actor_stop_; });
  }
}

bool KillTest::Resend(const std::string& path,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      const std::string& body, bool& rejected) {
  core::net::OutgoingRequest request;
  request.method = "POST";
  const int port = options_.replicas > 1 ? NextLivePort() : http_port_;
  if (port == 0) return false;
  request.url = "http://127.0.0.1:" + std::to_string(port) + path;
  for (const auto& [name, value] : headers) request.headers.Set(name, value);
  request.body = body;
  request.timeout = seconds(5);
  auto answer = webhook_client_->Send(std::move(request));
  rejected = answer && answer->status >= 400 && answer->status < 500;
  return answer && answer->status >= 200 && answer->status < 300;
}

void KillTest::WebhookRetrierLoop() {
  // One failed delivery: settles it from the platform's own answer, else re-sends it (at most
  // every 500 ms, while the bot is up).
  struct Failed {
    std::string id, path, body;
    std::vector<std::pair<std::string, std::string>> headers;
    int status = 0;
  };
  auto settle = [this](const Failed& d, bool up) {
    std::unique_lock lock(mu_);
    if (webhook_accepted_.count(d.id)) return;
    if (d.status >= 200 && d.status < 300) {
      webhook_accepted_.insert(d.id);
      return;
    }
    if (d.status >= 400 && d.status < 500) {
      ++webhook_rejected_;
      webhook_accepted_.insert(d.id);  // not retried: counted as rejected
      return;
    }
    if (!up) return;
    auto& last = webhook_last_try_[d.id];
    if (SteadyClock::now() - last < milliseconds(500)) return;
    last = SteadyClock::now();
    ++webhook_resends_[d.id];
    lock.unlock();
    bool rejected = false;
    const bool accepted = Resend(d.path, d.headers, d.body, rejected);
    lock.lock();
    if (accepted || rejected) webhook_accepted_.insert(d.id);
    if (rejected) ++webhook_rejected_;
  };
  for (;;) {
    bool up = false;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, milliseconds(200), [&] { return retrier_stop_; });
      if (retrier_stop_) return;
      up = bot_up_;
    }
    for (const auto& d : linear_->Deliveries()) {
      if (!d.sent || !d.done) continue;
      // As Linear retries a failed delivery: the same id, body and signature.
      settle({d.delivery_id,
              "/webhooks/linear",
              d.body,
              {{"Content-Type", "application/json; charset=utf-8"},
               {"User-Agent", "Linear-Webhook"},
               {"Linear-Delivery", d.delivery_id},
               {"Linear-Event", d.event},
               {"Linear-Signature", d.signature}},
              d.status},
             up);
    }
    for (const auto& d : github_->Deliveries()) {
      if (!d.sent || !d.done) continue;
      // As "Redeliver" in the app's settings does: the same delivery id, body and signature.
      settle({d.delivery_id,
              "/webhooks/github",
              d.body,
              {{"Content-Type", "application/json"},
               {"User-Agent", "GitHub-Hookshot/sandbox"},
               {"X-GitHub-Event", d.event},
               {"X-GitHub-Delivery", d.delivery_id},
               {"X-GitHub-Hook-ID", "1"},
               {"X-Hub-Signature-256", d.signature}},
              d.response_status},
             up);
    }
  }
}

std::set<std::string> KillTest::AckedTitles() const {
  std::lock_guard lock(mu_);
  std::set<std::string> titles;
  for (const auto& [id, info] : envelopes_) {
    if (acked_ids_.count(id)) titles.insert(info.title);
  }
  return titles;
}

bool KillTest::Acked(const std::string& envelope_id) const {
  std::lock_guard lock(mu_);
  return acked_ids_.count(envelope_id) > 0;
}

std::string KillTest::Outstanding::Describe() const {
  if (!store_readable) return "store not readable yet";
  std::ostringstream out;
  out << "inbox pending " << inbox_pending << ", outbox open " << outbox_open << ", dead "
      << outbox_dead << ", timers " << timers << ", runs not filed " << runs_not_filed
      << ", cards not current " << cards_not_current << ", acked without run " << acked_without_run
      << ", webhooks not accepted " << webhooks_not_accepted << ", moves not shown "
      << moves_not_shown << ", comments not shown " << comments_not_shown << "; " << mix.Describe();
  for (const auto& timer : later_timers) out << "; timer due later: " << timer;
  return out.str();
}

KillTest::Outstanding KillTest::Measure() {
  Outstanding o;
  auto store = Read(workflows::builtin::kFileIssueType);
  if (!store) return o;
  o.store_readable = true;
  o.inbox_pending = store->InboxNotDone();
  o.outbox_open = store->Outbox("pending") + store->Outbox("in_flight");
  o.outbox_dead = store->Outbox("dead");
  o.timers = store->timers;
  o.later_timers = store->later_timers;

  std::map<std::string, std::string> card_prefix;           // title -> card text prefix
  std::map<std::string, std::string> card_blocks;           // identifier -> card blocks
  std::map<std::string, std::string> card_ts;               // identifier -> card ts
  std::map<std::string, std::vector<std::string>> replies;  // thread ts -> reply texts
  for (const auto& m : slack_->Messages()) {
    if (m.ephemeral || !m.from_bot) continue;
    if (!m.thread_ts.empty()) {
      replies[m.thread_ts].push_back(m.text);
      continue;
    }
    auto card = ParseCardText(m.text);
    if (!card) continue;
    card_prefix[card->title] = card->prefix;
    card_blocks[card->prefix] = m.blocks.dump();
    card_ts[card->prefix] = m.ts;
  }
  std::set<std::string> run_titles;
  for (const auto& run : store->runs) {
    const std::string title = Str(run.state.value("request", json::object()), "title");
    run_titles.insert(title);
    if (run.state.value("phase", "") != "filed") {
      ++o.runs_not_filed;
      continue;
    }
    const std::string identifier = Str(run.state.value("issue", json::object()), "identifier");
    auto card = card_prefix.find(title);
    if (card == card_prefix.end() || card->second != identifier) ++o.cards_not_current;
  }
  for (const auto& title : AckedTitles()) {
    if (!run_titles.count(title)) ++o.acked_without_run;
  }
  std::set<std::string> moved, commented;
  {
    std::lock_guard lock(mu_);
    moved = moved_;
    commented = commented_;
  }
  for (const auto& identifier : moved) {
    auto blocks = card_blocks.find(identifier);
    if (blocks == card_blocks.end() || blocks->second.find(kMovedTo) == std::string::npos) {
      ++o.moves_not_shown;
      if (o.examples.size() < 5) {
        auto issue = linear_->GetIssue(identifier);
        o.examples.push_back(
            "move of " + identifier + " (Linear: " + (issue ? issue->state.name : "?") +
            ", card: " + (blocks == card_blocks.end() ? "none" : "not updated") + ")");
      }
    }
  }
  for (const auto& identifier : commented) {
    bool shown = false;
    if (auto ts = card_ts.find(identifier); ts != card_ts.end()) {
      for (const auto& text : replies[ts->second]) {
        if (text.find("commented on *" + identifier + "*") != std::string::npos) shown = true;
      }
    }
    if (!shown) {
      ++o.comments_not_shown;
      if (o.examples.size() < 5) o.examples.push_back("comment on " + identifier);
    }
  }
  auto ci_runs = Read(workflows::builtin::kCiAlertType);
  if (!ci_runs) {
    o.store_readable = false;
    return o;
  }
  o.mix = mix_->Measure(*ci_runs, [this](const std::string& id) { return Acked(id); });
  for (const auto& example : o.mix.examples) {
    if (o.examples.size() < 8) o.examples.push_back(example);
  }
  const auto deliveries = linear_->Deliveries();
  const auto github_deliveries = github_->Deliveries();
  std::lock_guard lock(mu_);
  for (const auto& d : deliveries) {
    if (d.sent && !webhook_accepted_.count(d.delivery_id)) ++o.webhooks_not_accepted;
  }
  for (const auto& d : github_deliveries) {
    if (d.sent && !webhook_accepted_.count(d.delivery_id)) ++o.webhooks_not_accepted;
  }
  return o;
}

bool KillTest::WaitForQuiet() {
  const auto deadline = SteadyClock::now() + seconds(options_.quiet_timeout_s);
  auto next_report = SteadyClock::now() + seconds(5);
  Outstanding last;
  for (;;) {
    last = Measure();
    if (last.Quiet()) return true;
    if (last.Stuck()) {
      std::cout << "  stuck on dead letters: " << last.Describe() << std::endl;
      return false;
    }
    for (auto& bot : bots_) {
      if (auto exited = bot->Exited()) {
        std::cout << "  a bot exited (status " << *exited << ") while draining; log tail:\n"
                  << bot->LogTail() << std::endl;
        return false;
      }
    }
    const auto now = SteadyClock::now();
    if (now >= deadline) {
      std::cout << "  not quiet after " << options_.quiet_timeout_s << " s: " << last.Describe()
                << std::endl;
      return false;
    }
    if (now >= next_report) {
      std::cout << "  draining: " << last.Describe() << std::endl;
      next_report = now + seconds(5);
    }
    // A poll, not a wait for time: the condition above is what ends the loop.
    core::WaitUntil([] { return false; }, milliseconds(200), milliseconds(200));
  }
}

Verdict KillTest::Judge(const StoreSnapshot& store) {
  Verdict v;
  auto row = [&](const std::string& metric, std::int64_t value, const std::string& expected) {
    v.table.AddRow({metric, std::to_string(value), expected});
  };
  auto fail = [&](bool bad, const std::string& what) {
    if (bad) v.failures.push_back(what);
  };

  // Runs by title (a title is one envelope: one user's one try).
  std::map<std::string, int> runs_per_title;
  std::map<std::string, const StoredRun*> run_by_title;
  for (const auto& run : store.runs) {
    const std::string title = Str(run.state.value("request", json::object()), "title");
    ++runs_per_title[title];
    run_by_title[title] = &run;
  }
  std::map<std::string, EnvelopeInfo> sent_titles;
  std::set<std::string> acked_titles;
  int envelopes = 0, acked = 0;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, info] : envelopes_) {
      ++envelopes;
      sent_titles[info.title] = info;
      if (acked_ids_.count(id)) {
        ++acked;
        acked_titles.insert(info.title);
      }
    }
  }
  int runs_unacked = 0, runs_unknown = 0, run_duplicates = 0;
  for (const auto& [title, n] : runs_per_title) {
    if (!sent_titles.count(title)) ++runs_unknown;
    if (!acked_titles.count(title)) ++runs_unacked;
    run_duplicates += n - 1;
  }
  int lost = 0;
  for (const auto& title : acked_titles) lost += runs_per_title.count(title) ? 0 : 1;

  // Linear issues and Slack cards by title.
  std::map<std::string, int> issues_per_title;
  int issues = 0;
  for (const auto& issue : linear_->Issues()) {
    if (!IsKillTestTitle(issue.title)) continue;
    ++issues;
    ++issues_per_title[issue.title];
  }
  std::map<std::string, int> cards_per_title;
  std::map<std::string, std::string> card_prefix;
  int cards = 0;
  for (const auto& m : slack_->Messages()) {
    if (!m.thread_ts.empty() || m.ephemeral || !m.from_bot) continue;
    auto card = ParseCardText(m.text);
    if (!card) continue;
    ++cards;
    ++cards_per_title[card->title];
    card_prefix[card->title] = card->prefix;
  }
  auto duplicates = [](const std::map<std::string, int>& per_title) {
    int d = 0;
    for (const auto& [title, n] : per_title) d += n - 1;
    return d;
  };
  const int duplicate_issues = duplicates(issues_per_title);
  const int duplicate_cards = duplicates(cards_per_title);
  int issues_without_run = 0, cards_without_run = 0, runs_without_issue = 0, runs_without_card = 0,
      completed = 0;
  for (const auto& [title, n] : issues_per_title)
    issues_without_run += run_by_title.count(title) ? 0 : 1;
  for (const auto& [title, n] : cards_per_title)
    cards_without_run += run_by_title.count(title) ? 0 : 1;
  for (const auto& [title, run] : run_by_title) {
    if (!issues_per_title.count(title)) ++runs_without_issue;
    if (!cards_per_title.count(title)) ++runs_without_card;
    const std::string identifier = Str(run->state.value("issue", json::object()), "identifier");
    const bool filed = run->state.value("phase", "") == "filed" && !identifier.empty();
    auto card = card_prefix.find(title);
    if (filed && card != card_prefix.end() && card->second == identifier) ++completed;
  }
  const Outstanding o = Measure();
  const auto workflows = static_cast<std::int64_t>(store.runs.size());
  int resent = 0, resends = 0;
  std::size_t webhooks = 0;
  int rejected = 0;
  {
    std::lock_guard lock(mu_);
    resent = static_cast<int>(webhook_resends_.size());
    for (const auto& [id, n] : webhook_resends_) resends += n;
    rejected = webhook_rejected_;
  }
  webhooks = linear_->DeliveryCount();

  row("commands (distinct user requests)", options_.workflows, "");
  row("slash-command envelopes sent", envelopes, "");
  row("  acked", acked, ">= commands");
  row("  user retries (not acked within 3 s)", user_retries_, "");
  row("workflows started (file_issue runs)", workflows, ">= acked envelopes");
  row("  from envelopes never acked", runs_unacked, "");
  row("  acked envelopes without a run (lost)", lost, "0");
  row("  runs of one envelope started twice", run_duplicates, "0");
  row("workflows completed (filed, card shows identifier)", completed, "= started");
  row("Linear issues created", issues, "= started");
  row("duplicate issues", duplicate_issues, "0");
  row("  issues without a run / runs without an issue", issues_without_run + runs_without_issue,
      "0");
  row("Slack cards", cards, "= started");
  row("duplicate cards", duplicate_cards, "0");
  row("  cards without a run / runs without a card", cards_without_run + runs_without_card, "0");
  row("unprocessed inbox rows", store.InboxNotDone(), "0");
  row("dead-lettered effects", store.Outbox("dead"), "0");
  row("effects pending or in flight", store.Outbox("pending") + store.Outbox("in_flight"), "0");
  row("Linear webhooks sent", static_cast<std::int64_t>(webhooks), "");
  row("GitHub webhooks sent", static_cast<std::int64_t>(github_->DeliveryCount()), "");
  v.table.AddRow({"  re-sent after failing (deliveries / posts)",
                  std::to_string(resent) + " / " + std::to_string(resends), ""});
  row("  rejected by the bot (4xx)", rejected, "0");
  row("issue moves not on the card", o.moves_not_shown, "0");
  row("comments not in the thread", o.comments_not_shown, "0");
  if (auto ci_runs = Read(workflows::builtin::kCiAlertType); ci_runs) {
    mix_->Judge(
        *ci_runs, [this](const std::string& id) { return Acked(id); }, v.table, v.failures);
  } else {
    v.failures.push_back("the CI alert runs could not be read: " + ci_runs.error().Describe());
  }
  row("kills (SIGKILL)", kills_, ">= " + std::to_string(options_.kills));
  row("  of which the moment a card was posted", card_kills_, "");
  row("restarts", restarts_, "= kills");
  if (options_.replicas > 1) row("replicas", options_.replicas, "");
  JudgeReplicas(v);

  fail(lost > 0, std::to_string(lost) + " acked command(s) have no workflow run (lost)");
  fail(runs_unknown > 0, std::to_string(runs_unknown) + " run(s) for titles the tool never sent");
  fail(run_duplicates > 0, std::to_string(run_duplicates) + " envelope(s) started two runs");
  fail(issues != workflows, "Linear issues (" + std::to_string(issues) + ") != workflows (" +
                                std::to_string(workflows) + ")");
  fail(duplicate_issues > 0, std::to_string(duplicate_issues) + " duplicate Linear issue(s)");
  fail(issues_without_run + runs_without_issue > 0, "issues and runs do not pair up");
  fail(cards != workflows, "Slack cards (" + std::to_string(cards) + ") != workflows (" +
                               std::to_string(workflows) + ")");
  fail(duplicate_cards > 0, std::to_string(duplicate_cards) + " duplicate Slack card(s)");
  fail(cards_without_run + runs_without_card > 0, "cards and runs do not pair up");
  fail(completed != workflows,
       std::to_string(workflows - completed) + " workflow(s) not completed");
  fail(store.InboxNotDone() > 0,
       std::to_string(store.InboxNotDone()) + " unprocessed inbox row(s)");
  fail(store.Outbox("dead") > 0, std::to_string(store.Outbox("dead")) + " dead-lettered effect(s)");
  fail(store.Outbox("pending") + store.Outbox("in_flight") > 0, "effects left pending/in flight");
  fail(rejected > 0, std::to_string(rejected) + " webhook(s) rejected by the bot");
  fail(o.webhooks_not_accepted > 0, "webhooks never accepted");
  fail(o.moves_not_shown > 0, std::to_string(o.moves_not_shown) + " move(s) never reached a card");
  for (const auto& example : o.examples) fail(true, "  missing: " + example);
  fail(o.comments_not_shown > 0,
       std::to_string(o.comments_not_shown) + " comment(s) never reached a thread");
  fail(kills_ < options_.kills + card_kills_, "fewer kills than asked");
  fail(restarts_ != kills_, "not every kill was followed by a restart");
  return v;
}

void KillTest::JudgeReplicas(Verdict& v) {
  auto row = [&](const std::string& metric, std::int64_t value, const std::string& expected) {
    v.table.AddRow({metric, std::to_string(value), expected});
  };
  auto fail = [&](bool bad, const std::string& what) {
    if (bad) v.failures.push_back(what);
  };
  auto root_posts = [&](const std::string& channel) {
    std::int64_t n = 0;
    for (const auto& m : slack_->Messages(channel)) {
      if (m.from_bot && !m.ephemeral && m.thread_ts.empty()) ++n;
    }
    return n;
  };
  if (options_.report_schedule) {
    auto reports = Read(workflows::builtin::kReportType);
    if (!reports) {
      fail(true, "the report runs could not be read: " + reports.error().Describe());
    } else {
      // Run ids are "report:<schedule>@<slot ms>" (workflows/schedule/scheduler.hpp).
      std::set<std::int64_t> slots;
      std::int64_t completed = 0;
      for (const auto& run : reports->runs) {
        const auto at = run.id.rfind('@');
        if (at != std::string::npos) slots.insert(std::stoll(run.id.substr(at + 1)));
        if (run.status == "completed") ++completed;
      }
      const auto runs = static_cast<std::int64_t>(reports->runs.size());
      const std::int64_t expected =
          slots.empty() ? 0 : (*slots.rbegin() - *slots.begin()) / 60000 + 1;
      const std::int64_t posts = root_posts(kReportsChannel);
      row("report slots fired (every minute)", runs, ">= 1");
      row("  slots skipped between the first and the last", expected - runs, "0");
      row("  report runs completed", completed, "= fired");
      row("  reports posted", posts, "= fired");
      fail(runs == 0, "no scheduled report fired");
      fail(expected != runs, std::to_string(expected - runs) + " report slot(s) skipped");
      fail(completed != runs, std::to_string(runs - completed) + " report run(s) not completed");
      fail(posts != runs, "reports posted (" + std::to_string(posts) + ") != slots fired (" +
                              std::to_string(runs) + ")");
    }
  }
  if (!Postgres()) return;
  auto facts = ReadReplicaFacts(options_.store_url, schema_);
  if (!facts) {
    fail(true, "the replica facts could not be read: " + facts.error().Describe());
    return;
  }
  for (const auto& [role, epoch] : facts->epochs) {
    v.table.AddRow({"leadership terms of '" + role + "' (last holder)",
                    std::to_string(epoch) + " (" + facts->leaders[role] + ")", ""});
  }
  const std::int64_t incident_posts = root_posts(kOpsChannel);
  row("incident roots posted (ops channel)", incident_posts, "= incident episodes");
  row("  incident episodes whose root was posted", facts->incident_roots_done, "");
  row("  incident roots still to post", facts->incident_roots_open, "0");
  fail(incident_posts != facts->incident_roots_done,
       "incident roots posted (" + std::to_string(incident_posts) + ") != episodes (" +
           std::to_string(facts->incident_roots_done) + "): an incident posted twice or lost");
  fail(facts->incident_roots_open > 0, "incident roots never posted");
  fail(options_.linear_outage_s > 0 && incident_posts == 0,
       "the Linear outage raised no incident in the ops channel");
}

int KillTest::Run() {
  const auto started_at = SteadyClock::now();
  std::cout << "kill_test: " << options_.workflows << " workflows, " << options_.kills
            << " kills, seed " << options_.seed << " (repeat with --seed " << options_.seed << ")"
            << std::endl;
  char dir_template[] = "/tmp/contexten-kill-test-XXXXXX";
  if (mkdtemp(dir_template) == nullptr) {
    std::cerr << "kill_test: mkdtemp failed\n";
    return 2;
  }
  work_dir_ = dir_template;
  auto port = FreeLoopbackPort();
  if (!port) {
    std::cerr << "kill_test: " << port.error().Describe() << "\n";
    return 2;
  }
  http_port_ = *port;
  ports_.push_back(http_port_);
  for (int r = 1; r < options_.replicas; ++r) {
    auto more = FreeLoopbackPort();
    if (!more) {
      std::cerr << "kill_test: " << more.error().Describe() << "\n";
      return 2;
    }
    ports_.push_back(*more);
  }
  replica_up_.assign(static_cast<std::size_t>(options_.replicas), false);
  if (Postgres()) {
    schema_ = "kill_" + std::to_string(getpid()) + "_" + std::to_string(options_.seed % 1000000);
  }
  if (auto s = StartStandIns(); !s) {
    std::cerr << "kill_test: stand-ins: " << s.error().Describe() << "\n";
    return 2;
  }
  for (int r = 0; r < options_.replicas; ++r) {
    if (auto written = WriteConfig(r); !written) {
      std::cerr << "kill_test: " << written.error().Describe() << "\n";
      return 2;
    }
    const std::string log = r == 0 ? "bot.log" : "bot" + std::to_string(r) + ".log";
    bots_.push_back(std::make_unique<BotProcess>(
        options_.bot, std::vector<std::string>{"run", "--config", ConfigPath(r)}, BotEnvironment(),
        (work_dir_ / log).string()));
  }
  std::cout << "  work dir " << work_dir_.string() << ", bot HTTP port " << http_port_;
  if (Postgres()) std::cout << ", PostgreSQL schema " << schema_;
  std::cout << std::endl;
  for (int r = 0; r < options_.replicas; ++r) {
    if (!StartBotAndWait(r)) return 2;
  }
  if (options_.report_schedule) {
    // An every-minute digest, added as `/ctx schedule` would (store/schedule_store.hpp): the
    // scheduler's leader fires each slot; a follower takes over when the leader is killed.
    // Created two minutes ago, so the latest past slot fires as soon as the leader looks (a
    // short run has at least one slot).
    const auto now_ms = std::chrono::duration_cast<milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    auto added = ExecPg(options_.store_url, schema_,
                        "INSERT INTO schedules(channel, kind, cron, tz, created_by, created_at_ms) "
                        "VALUES('" +
                            std::string(kReportsChannel) + "', 'digest', '* * * * *', 'UTC', '" +
                            kUser + "', " + std::to_string(now_ms - 120000) + ")");
    if (!added) {
      std::cerr << "kill_test: adding the report schedule: " << added.error().Describe() << "\n";
      return 2;
    }
  }

  // Kill moments: thresholds of progress (acked commands + cards showing their identifier,
  // 0 .. 2 x workflows) drawn uniformly, so kills land while commands arrive and while the
  // outbox files issues and updates cards, each 0-300 ms after its threshold is passed.
  const int total = 2 * options_.workflows;
  std::vector<int> thresholds;
  std::uniform_int_distribution<int> at(std::max(1, total / 20), std::max(1, total - total / 20));
  for (int i = 0; i < options_.kills; ++i) thresholds.push_back(at(rng_));
  std::sort(thresholds.begin(), thresholds.end());

  std::vector<std::thread> users;
  for (int i = 0; i < options_.concurrency; ++i) users.emplace_back([this, i] { UserLoop(i); });
  std::thread actor([this] { LinearActorLoop(); });
  std::thread retrier([this] { WebhookRetrierLoop(); });
  bool ok = true;
  std::string failure;
  // Waits until `reached()` holds; gives up when nothing moved for 120 s (a broken bot).
  auto wait_progress = [&](const std::function<bool()>& reached) {
    std::unique_lock lock(mu_);
    int seen = Progress();
    while (!reached()) {
      if (!cv_.wait_for(lock, seconds(120), [&] { return Progress() != seen || reached(); })) {
        return false;
      }
      seen = Progress();
    }
    return true;
  };
  // Targeted kills first, while cards are being posted.
  for (int i = 0; ok && i < options_.card_kills; ++i) {
    {
      std::lock_guard lock(mu_);
      card_kill_fired_ = false;
    }
    armed_pid_ = bots_[0]->pid();
    bool fired = false;
    {
      std::unique_lock lock(mu_);
      fired = cv_.wait_for(lock, seconds(60), [&] { return card_kill_fired_; });
    }
    armed_pid_ = -1;
    if (!fired) {
      std::cout << "  no card was posted within 60 s; card kill " << i + 1 << " skipped"
                << std::endl;
      break;
    }
    ++card_kills_;
    if (!KillAndRestart(0, "the moment a card was posted")) {
      ok = false;
      failure = "the bot did not come back";
    }
  }
  for (int threshold : thresholds) {
    if (!ok) break;
    if (!wait_progress([&] { return Progress() >= threshold; })) {
      ok = false;
      failure = "no progress for 120 s";
      break;
    }
    Pause(milliseconds(std::uniform_int_distribution<int>(0, 300)(rng_)));
    std::string when;
    {
      std::lock_guard lock(mu_);
      when = std::to_string(acked_commands_) + " acked, " + std::to_string(filed_cards_) +
             " cards filed";
    }
    if (!KillAndRestart(PickVictim(), when)) {
      ok = false;
      failure = "the bot did not come back";
      break;
    }
  }
  if (ok && !wait_progress([&] { return acked_commands_ >= options_.workflows; })) {
    ok = false;
    failure = "no command acked for 120 s";
  }
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  for (auto& t : users) t.join();
  {
    std::lock_guard lock(mu_);
    actor_stop_ = true;
    cv_.notify_all();
  }
  actor.join();
  bool quiet = ok && WaitForQuiet();
  if (quiet && options_.report_schedule) {
    // At least one slot (the first is due at once; the leader looks within its longest wait).
    core::WaitUntil(
        [&] {
          auto reports = Read(workflows::builtin::kReportType);
          return reports && !reports->runs.empty();
        },
        seconds(90), milliseconds(200));
    // No more slots: the last report fired finishes, then the store is read. A slot fired
    // between the two is waited for too.
    if (auto off = ExecPg(options_.store_url, schema_, "UPDATE schedules SET enabled = FALSE");
        !off) {
      std::cerr << "kill_test: " << off.error().Describe() << "\n";
    }
    quiet = WaitForQuiet();
  }
  {
    std::lock_guard lock(mu_);
    retrier_stop_ = true;
    cv_.notify_all();
  }
  retrier.join();

  // Stop the bot gracefully, then read the final state.
  for (auto& bot : bots_) {
    if (!bot->running()) continue;
    auto stopped = bot->Terminate(seconds(30));
    if (!stopped || !WIFEXITED(*stopped) || WEXITSTATUS(*stopped) != 0) {
      std::cout << "  a bot did not stop cleanly on SIGTERM" << std::endl;
      (void)bot->Kill();
    }
  }
  auto store = Read(workflows::builtin::kFileIssueType);
  if (!store) {
    std::cerr << "kill_test: " << store.error().Describe() << "\n";
    return 2;
  }
  Verdict verdict = Judge(*store);
  const double wall = std::chrono::duration<double>(SteadyClock::now() - started_at).count();
  std::ostringstream wall_text;
  wall_text.precision(1);
  wall_text << std::fixed << wall << " s";
  verdict.table.AddRow({"wall time", wall_text.str(), ""});
  verdict.table.AddRow({"seed", std::to_string(options_.seed), ""});
  if (!ok) verdict.failures.insert(verdict.failures.begin(), failure);
  if (ok && !quiet) verdict.failures.insert(verdict.failures.begin(), "never quiet");
  std::cout << "\n";
  verdict.table.Print(std::cout);
  std::cout << "\n";
  for (const auto& f : verdict.failures) std::cout << "FAIL: " << f << "\n";
  if (verdict.failures.empty()) {
    std::cout << "PASS" << std::endl;
    if (!options_.keep) {
      std::filesystem::remove_all(work_dir_);
      if (Postgres()) {
        (void)ExecPg(options_.store_url, "", "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
      }
    }
  } else {
    std::cout << "work dir kept for inspection: " << work_dir_.string() << std::endl;
  }
  slack_->Stop();
  linear_->Stop();
  github_->Stop();
  io_.Stop();
  return verdict.failures.empty() ? 0 : 1;
}

}  // namespace
}  // namespace contexten::bench

int main(int argc, char** argv) {
  using contexten::bench::Options;
  Options options;
  CLI::App app{"SIGKILL the bot while it files issues; check nothing is lost or duplicated"};
  app.add_option("--workflows", options.workflows, "distinct issue-filing commands to run")
      ->check(CLI::PositiveNumber);
  app.add_option("--kills", options.kills, "SIGKILLs of the bot")->check(CLI::NonNegativeNumber);
  app.add_option("--seed", options.seed, "RNG seed (0: random)");
  app.add_option("--concurrency", options.concurrency, "simulated users typing at once")
      ->check(CLI::PositiveNumber);
  app.add_option("--bot", options.bot, "the contexten executable");
  app.add_option("--quiet-timeout", options.quiet_timeout_s, "seconds to wait for quiet");
  app.add_option("--max-downtime-ms", options.max_downtime_ms, "longest pause before a restart");
  app.add_option("--bot-log-level", options.bot_log_level, "the bot's log level");
  app.add_flag("--slack-rate-limits", options.slack_rate_limits,
               "enforce Slack's Web API rate limits in the stand-in");
  app.add_option("--card-kills", options.card_kills,
                 "extra kills, each the moment the Slack stand-in records a new card");
  app.add_option("--ci-failures", options.ci_failures,
                 "failed CI runs to cause (default: max(3, workflows / 5))");
  app.add_flag("--keep", options.keep, "keep the work directory (store, bot log)");
  app.add_option("--replicas", options.replicas, "bot processes on one PostgreSQL store")
      ->check(CLI::Range(1, 9));
  app.add_option("--store-url", options.store_url,
                 "PostgreSQL URL for the bots' store (default: SQLite; needed with --replicas)");
  app.add_flag("--report-schedule", options.report_schedule,
               "an every-minute digest; each slot must fire once (PostgreSQL only)");
  app.add_option("--linear-outage-s", options.linear_outage_s,
                 "a Linear outage of this many seconds halfway; each incident must post once")
      ->check(CLI::NonNegativeNumber);
  bool pg_from_env = false;
  app.add_flag("--store-url-from-test-env", pg_from_env,
               "the store URL is CONTEXTEN_TEST_PG_URL; exit 77 (skipped) when it is unset");
  CLI11_PARSE(app, argc, argv);
  if (pg_from_env) {
    const char* url = std::getenv("CONTEXTEN_TEST_PG_URL");
    if (url == nullptr || *url == '\0') {
      std::cout << "SKIP: CONTEXTEN_TEST_PG_URL is not set (scripts/pg_test_server.sh starts a "
                   "PostgreSQL to test on)"
                << std::endl;
      return 77;
    }
    options.store_url = url;
  }
  if ((options.replicas > 1 || options.report_schedule) && options.store_url.empty()) {
    std::cerr << "kill_test: --replicas > 1 and --report-schedule need --store-url\n";
    return 2;
  }
  if (options.seed == 0) options.seed = std::random_device{}() | 1;
  if (options.bot.empty()) options.bot = CONTEXTEN_DEFAULT_BOT;
  contexten::core::InitLogging({"warn", "text"});
  return contexten::bench::KillTest(options).Run();
}
