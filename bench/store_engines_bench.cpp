// Store engines compared on the real process (../shared/DESIGN.md §2 store/, §3 "durable before
// any ack"): `contexten run` children against the sandbox stand-ins (hosted in this process), on
//   sqlite  one replica, SQLite on disk (WAL, synchronous=FULL, group commit)
//   pg1     one replica on PostgreSQL
//   pg2     two replicas (two `contexten run`, each its own replica_id) on one database, the load
//           split between them
// For each it measures:
// - webhook ingest: signed GitHub `star` deliveries POSTed to /webhooks/github by `concurrency`
//   keep-alive connections (split evenly over the replicas); the bot answers 2xx only once the
//   inbox row is committed. After the bots stop, the inbox must hold every delivery exactly once.
// - workflow throughput: `/ctx issue create ENG ...` slash commands through the Slack stand-in
//   (Socket Mode; the stand-in deals envelopes round-robin over every open connection, so with
//   two replicas both take commands), each one a file_issue run; "filed" is the moment its issue
//   exists at the Linear stand-in (polled every millisecond). Every command must yield exactly
//   one issue. The bot keeps to Linear's documented rate limit (a burst of 50 requests, then
//   1,500 an hour, per process) and filing one issue takes more than one Linear request, so
//   keep `--workflows` at about 20 per replica: with 40 on one replica the last half waited
//   for the limiter (p99 43 s), which measures the limiter, not the store.
// - peak RSS: each bot process's VmHWM (/proc/<pid>/status), read just before SIGTERM; the
//   PostgreSQL server's memory is not included.
//
// PostgreSQL comes from CONTEXTEN_TEST_PG_URL (or --pg-url); each configuration gets a schema
// of its own, dropped afterwards. Start the server with CONTEXTEN_PG_FSYNC=on
// (scripts/pg_test_server.sh) to compare durable commits with SQLite's.
//
//   store_engines_bench [--engines sqlite,pg1,pg2] [--deliveries 3000] [--concurrency 16]
//                       [--workflows 20] [--bot build/contexten] [--pg-url URL] [--keep]

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_support.hpp"
#include "bench/bot_process.hpp"
#include "bench/stand_in_environment.hpp"
#include "core/logging.hpp"
#include "core/net/http_client.hpp"
#include "core/net/io_runtime.hpp"
#include "core/wait_until.hpp"
#include "integrations/github/webhook_verify.hpp"
#include "sandbox/github/github_sandbox.hpp"
#include "sandbox/linear/linear_sandbox.hpp"
#include "sandbox/slack/slack_sandbox.hpp"
#include "store/postgres/pg_connection.hpp"

namespace contexten::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kRequestTimeout = seconds(30);
constexpr auto kFiledDeadline = seconds(180);

struct Options {
  std::string engines = "sqlite,pg1,pg2";
  std::size_t deliveries = 3000;
  std::size_t concurrency = 16;
  std::size_t workflows = 20;
  std::string bot = CONTEXTEN_DEFAULT_BOT;
  std::string pg_url;
  bool keep = false;
};

struct Engine {
  std::string name;
  bool postgres = false;
  int replicas = 1;
};

struct Report {
  Engine engine;
  std::vector<double> ingest_us;
  double ingest_seconds = 0;
  std::size_t ingest_errors = 0;
  std::int64_t inbox_rows = -1;
  std::int64_t inbox_distinct = -1;
  std::vector<double> filed_us;
  double filed_seconds = 0;
  std::size_t issues = 0;
  std::size_t distinct_issues = 0;
  std::vector<std::uint64_t> peak_rss_kib;  // per replica
  std::string failure;
};

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "store_engines_bench: " << what << "\n";
  std::exit(2);
}

std::string Fixed(double value, int decimals) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

core::Result<int> FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return core::MakeError(core::ErrorKind::kInternal, "socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return core::MakeError(core::ErrorKind::kInternal, "bind port 0");
  }
  ::close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

// VmHWM of another process, in KiB; 0 when unknown.
std::uint64_t PeakRssOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

// A GitHub `star` delivery of a typical size (the repository object GitHub sends, trimmed). Star
// events start no workflow, so the ingest phase measures the store's inbox and nothing behind it
// competes with the workflow phase for Linear's rate limit.
std::string StarBody() {
  std::string repository =
      R"({"id":186853002,"node_id":"MDEwOlJlcG9zaXRvcnkxODY4NTMwMDI=","name":"web",)"
      R"("full_name":"acme/web","private":false,"owner":{"login":"acme","id":21031067,)"
      R"("node_id":"MDQ6VXNlcjIxMDMxMDY3","avatar_url":"https://avatars1.githubusercontent.com/)"
      R"(u/21031067?v=4","type":"Organization","site_admin":false},"html_url":)"
      R"("https://github.com/acme/web","description":"The web app","fork":false,)"
      R"("url":"https://api.github.com/repos/acme/web","created_at":"2019-05-15T15:19:25Z",)"
      R"("updated_at":"2019-05-15T15:21:03Z","pushed_at":"2019-05-15T15:20:57Z",)"
      R"("git_url":"git://github.com/acme/web.git","ssh_url":"git@github.com:acme/web.git",)"
      R"("clone_url":"https://github.com/acme/web.git","homepage":null,"size":0,)"
      R"("stargazers_count":1,"watchers_count":1,"language":"C++","has_issues":true,)"
      R"("has_projects":true,"has_downloads":true,"has_wiki":true,"has_pages":true,)"
      R"("forks_count":0,"archived":false,"disabled":false,"open_issues_count":2,)"
      R"("license":null,"forks":0,"open_issues":2,"watchers":1,"default_branch":"main"})";
  return R"({"action":"created","starred_at":"2019-05-15T15:20:40Z","repository":)" + repository +
         R"(,"sender":{"login":"octocat","id":21031067,"node_id":"MDQ6VXNlcjIxMDMxMDY3",)"
         R"("type":"User","site_admin":false}})";
}

// One keep-alive HTTP/1.1 connection with blocking I/O: a load thread per connection is simple,
// and the threads mostly wait on the bot (the bots and PostgreSQL need the cores more).
class Connection {
 public:
  explicit Connection(int port) : port_(port) {}
  ~Connection() { Close(); }

  // The answer's status; 0 on a transport failure (the connection is closed then).
  int Post(const std::string& head, const std::string& body) {
    if (fd_ < 0 && !Open()) return 0;
    std::string request = head + body;
    std::size_t written = 0;
    while (written < request.size()) {
      const ssize_t n =
          ::send(fd_, request.data() + written, request.size() - written, MSG_NOSIGNAL);
      if (n <= 0) return Fail();
      written += static_cast<std::size_t>(n);
    }
    std::string in;
    char buffer[4096];
    std::size_t head_end = std::string::npos;
    std::size_t total = 0;
    while (true) {
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return Fail();
      in.append(buffer, static_cast<std::size_t>(n));
      if (head_end == std::string::npos) {
        head_end = in.find("\r\n\r\n");
        if (head_end == std::string::npos) continue;
        std::size_t length = 0;
        std::string lower = in.substr(0, head_end);
        std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
        if (const auto at = lower.find("content-length:"); at != std::string::npos) {
          std::size_t from = at + 15;
          while (from < lower.size() && lower[from] == ' ') ++from;
          std::from_chars(lower.data() + from, lower.data() + lower.size(), length);
        }
        total = head_end + 4 + length;
        if (lower.find("connection: close") != std::string::npos) close_after_ = true;
      }
      if (in.size() >= total) break;
    }
    int status = 0;
    if (in.size() >= 12) std::from_chars(in.data() + 9, in.data() + 12, status);
    if (close_after_) Close();
    return status;
  }

 private:
  bool Open() {
    close_after_ = false;
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return false;
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval timeout{static_cast<time_t>(kRequestTimeout.count()), 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      Close();
      return false;
    }
    return true;
  }
  int Fail() {
    Close();
    return 0;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  int port_;
  int fd_ = -1;
  bool close_after_ = false;
};

class EngineRun {
 public:
  EngineRun(const Options& options, Engine engine, std::filesystem::path dir)
      : options_(options), dir_(std::move(dir)) {
    report_.engine = std::move(engine);
    schema_ = "bench_" + report_.engine.name + "_" + std::to_string(::getpid());
  }

  ~EngineRun() {
    for (auto& bot : bots_) (void)bot->Kill();
    if (slack_) slack_->Stop();
    if (linear_) linear_->Stop();
    if (github_) github_->Stop();
    io_.Stop();
  }

  Report Run() {
    std::filesystem::create_directories(dir_);
    StartStandIns();
    StartBots();
    std::cerr << report_.engine.name << ": " << report_.engine.replicas
              << " replica(s) ready; ingest...\n";
    Ingest();
    std::cerr << report_.engine.name << ": workflows...\n";
    FileIssues();
    for (auto& bot : bots_) report_.peak_rss_kib.push_back(PeakRssOf(bot->pid()));
    for (auto& bot : bots_) {
      auto stopped = bot->Terminate(seconds(30));
      if (!stopped) std::cerr << "  stop: " << stopped.error().Describe() << "\n";
    }
    CountInbox();
    return std::move(report_);
  }

 private:
  void StartStandIns() {
    sandbox::SlackSandboxOptions slack_options;
    slack_options.redelivery_delay = milliseconds(0);  // Slack does not redeliver commands
    // The bot paces itself (production settings); the stand-in's own 429s would only add noise.
    slack_options.rate_limits.enabled = false;
    slack_ = std::make_unique<sandbox::SlackSandbox>(io_, slack_options);
    linear_ = std::make_unique<sandbox::LinearSandbox>(io_);
    github_ = std::make_unique<sandbox::GitHubSandbox>(io_);
    if (!slack_->Start() || !linear_->Start() || !github_->Start()) Die("stand-ins did not start");
    for (int i = 0; i < report_.engine.replicas; ++i) {
      auto port = FreeLoopbackPort();
      if (!port) Die(port.error().Describe());
      ports_.push_back(*port);
    }
    // One webhook URL, as Linear has; a balancer would spread it (deploy/balancer/nginx.conf).
    linear_->SetWebhookUrl("http://127.0.0.1:" + std::to_string(ports_[0]) + "/webhooks/linear");
  }

  void StartBots() {
    for (int i = 0; i < report_.engine.replicas; ++i) {
      const std::string replica_id = "bench-" + std::to_string(i + 1);
      const auto config_path = (dir_ / (replica_id + ".yaml")).string();
      std::ofstream config(config_path);
      config << "store:\n  replica_id: " << replica_id << "\n";
      if (report_.engine.postgres) config << "  schema: " << schema_ << "\n";
      config.close();
      std::map<std::string, std::string> env = StandInEnvironment(*slack_, *github_, *linear_);
      env["CONTEXTEN_HTTP_PORT"] = std::to_string(ports_[static_cast<std::size_t>(i)]);
      env["CONTEXTEN_LOG_LEVEL"] = "warn";
      env["CONTEXTEN_LOG_FORMAT"] = "text";
      if (report_.engine.postgres) {
        env["CONTEXTEN_STORE_URL"] = options_.pg_url;
      } else {
        env["CONTEXTEN_STORE_PATH"] = (dir_ / "store.db").string();
      }
      bots_.push_back(std::make_unique<BotProcess>(
          options_.bot, std::vector<std::string>{"run", "--config", config_path}, std::move(env),
          (dir_ / (replica_id + ".log")).string()));
      // One after the other: the first applies the migrations (under an advisory lock anyway).
      if (auto started = bots_.back()->Start(); !started) Die(started.error().Describe());
      WaitReady(*bots_.back(), ports_[static_cast<std::size_t>(i)]);
    }
    const bool connected =
        core::WaitUntil([&] { return slack_->open_connections() >= report_.engine.replicas; },
                        seconds(60), milliseconds(5));
    if (!connected) Die("the bots did not all open a Socket Mode connection in 60 s");
  }

  void WaitReady(BotProcess& bot, int port) {
    core::net::HttpClient client(io_);
    const bool ready = core::WaitUntil(
        [&] {
          if (bot.Exited()) return true;
          core::net::OutgoingRequest request;
          request.url = "http://127.0.0.1:" + std::to_string(port) + "/readyz";
          request.timeout = seconds(2);
          auto answer = client.Send(std::move(request));
          return answer && answer->status == 200;
        },
        seconds(60), milliseconds(20));
    if (!ready || !bot.running()) {
      Die(report_.engine.name + ": a bot did not become ready; log tail:\n" + bot.LogTail());
    }
  }

  void Ingest() {
    const std::string body = StarBody();
    const std::string signature =
        integrations::github::SignGitHubPayload(github_->options().webhook_secret, body);
    report_.ingest_us.assign(options_.deliveries, 0.0);
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> errors{0};
    const auto start = SteadyClock::now();
    std::vector<std::thread> threads;
    for (std::size_t k = 0; k < options_.concurrency; ++k) {
      threads.emplace_back([&, k] {
        const int port = ports_[k % ports_.size()];
        const std::string prefix =
            "POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
            "\r\nContent-Type: application/json\r\nX-GitHub-Event: star"
            "\r\nX-Hub-Signature-256: " +
            signature + "\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\nX-GitHub-Delivery: ";
        Connection connection(port);
        for (std::size_t i = next++; i < options_.deliveries; i = next++) {
          const std::string head =
              prefix + report_.engine.name + "-" + std::to_string(i) + "\r\n\r\n";
          const auto sent = SteadyClock::now();
          const int status = connection.Post(head, body);
          report_.ingest_us[i] =
              std::chrono::duration<double, std::micro>(SteadyClock::now() - sent).count();
          if (status < 200 || status > 299) ++errors;
        }
      });
    }
    for (auto& t : threads) t.join();
    report_.ingest_seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    report_.ingest_errors = errors;
  }

  void FileIssues() {
    const std::size_t count = options_.workflows;
    const std::string prefix = "Bench " + report_.engine.name + " ";
    std::vector<SteadyClock::time_point> sent(count);
    std::vector<SteadyClock::time_point> filed(count);
    std::vector<bool> seen(count, false);
    const auto start = SteadyClock::now();
    for (std::size_t i = 0; i < count; ++i) {
      sent[i] = SteadyClock::now();
      // A channel each: chat.postMessage is paced per channel (about one a second).
      slack_->InjectSlashCommand("/ctx", "issue create ENG " + prefix + std::to_string(i),
                                 "U0SANDBOXUSER", "C0SE" + std::to_string(i));
    }
    std::size_t found = 0;
    std::multiset<std::string> titles;
    const auto deadline = start + kFiledDeadline;
    while (found < count && SteadyClock::now() < deadline) {
      const auto now = SteadyClock::now();
      for (const auto& issue : linear_->Issues()) {
        if (issue.title.rfind(prefix, 0) != 0) continue;
        std::size_t index = 0;
        const char* digits = issue.title.data() + prefix.size();
        std::from_chars(digits, issue.title.data() + issue.title.size(), index);
        if (index >= count || seen[index]) continue;
        seen[index] = true;
        filed[index] = now;
        ++found;
      }
      std::this_thread::sleep_for(milliseconds(1));
    }
    SteadyClock::time_point last = start;
    for (std::size_t i = 0; i < count; ++i) {
      if (!seen[i]) continue;
      last = std::max(last, filed[i]);
      report_.filed_us.push_back(
          std::chrono::duration<double, std::micro>(filed[i] - sent[i]).count());
    }
    report_.filed_seconds = std::chrono::duration<double>(last - start).count();
    // Let a duplicate create, if any were coming, land before counting.
    std::this_thread::sleep_for(milliseconds(500));
    std::set<std::string> distinct;
    for (const auto& issue : linear_->Issues()) {
      if (issue.title.rfind(prefix, 0) != 0) continue;
      ++report_.issues;
      distinct.insert(issue.title);
    }
    report_.distinct_issues = distinct.size();
    if (found < count) {
      report_.failure += std::to_string(count - found) + " issue(s) not filed in time; ";
    }
  }

  void CountInbox() {
    const std::string like = report_.engine.name + "-%";
    if (report_.engine.postgres) {
      auto connection = store::postgres::PgConnection::Connect(options_.pg_url, schema_);
      if (!connection) Die("count: " + connection.error().Describe());
      auto rows = (*connection)
                      ->Exec(
                          "SELECT COUNT(*), COUNT(DISTINCT dedupe_key) FROM inbox WHERE source = "
                          "'github' AND dedupe_key LIKE $1",
                          store::postgres::PgParams().Add(like));
      if (!rows || rows->empty()) Die("count inbox rows failed");
      report_.inbox_rows = rows->Int(0, 0);
      report_.inbox_distinct = rows->Int(0, 1);
      if (!options_.keep) {
        (void)(*connection)->ExecScript("DROP SCHEMA \"" + schema_ + "\" CASCADE");
      }
    } else {
      SQLite::Database db((dir_ / "store.db").string(), SQLite::OPEN_READONLY);
      SQLite::Statement query(db,
                              "SELECT COUNT(*), COUNT(DISTINCT dedupe_key) FROM inbox WHERE "
                              "source = 'github' AND dedupe_key LIKE ?");
      query.bind(1, like);
      if (query.executeStep()) {
        report_.inbox_rows = query.getColumn(0).getInt64();
        report_.inbox_distinct = query.getColumn(1).getInt64();
      }
    }
    const auto expected = static_cast<std::int64_t>(options_.deliveries);
    if (report_.inbox_rows != expected || report_.inbox_distinct != expected) {
      report_.failure += "inbox holds " + std::to_string(report_.inbox_rows) + " rows (" +
                         std::to_string(report_.inbox_distinct) + " distinct) for " +
                         std::to_string(expected) + " deliveries; ";
    }
    if (report_.ingest_errors != 0) {
      report_.failure += std::to_string(report_.ingest_errors) + " non-2xx webhook answers; ";
    }
    if (report_.issues != report_.distinct_issues) {
      report_.failure += "duplicate Linear issues; ";
    }
  }

  const Options& options_;
  std::filesystem::path dir_;
  std::string schema_;
  Report report_;
  core::net::IoRuntime io_{1};
  std::unique_ptr<sandbox::SlackSandbox> slack_;
  std::unique_ptr<sandbox::LinearSandbox> linear_;
  std::unique_ptr<sandbox::GitHubSandbox> github_;
  std::vector<int> ports_;
  std::vector<std::unique_ptr<BotProcess>> bots_;
};

std::string RssCell(const std::vector<std::uint64_t>& per_replica) {
  std::string cell;
  for (std::uint64_t kib : per_replica) {
    if (!cell.empty()) cell += " + ";
    cell += FormatKib(kib);
  }
  return cell;
}

}  // namespace
}  // namespace contexten::bench

int main(int argc, char** argv) {
  using namespace contexten;  // NOLINT: a small program
  using namespace contexten::bench;
  core::InitLogging({.level = "error", .format = "text"});
  Options options;
  if (const char* url = std::getenv("CONTEXTEN_TEST_PG_URL")) options.pg_url = url;
  CLI::App app{"Webhook ingest and workflow throughput of the real bot on each store engine"};
  app.add_option("--engines", options.engines, "comma-separated: sqlite, pg1, pg2");
  app.add_option("--deliveries", options.deliveries, "signed webhooks per engine");
  app.add_option("--concurrency", options.concurrency, "keep-alive connections, all replicas");
  app.add_option("--workflows", options.workflows, "issues filed per engine");
  app.add_option("--bot", options.bot, "the contexten executable");
  app.add_option("--pg-url", options.pg_url, "PostgreSQL (default: CONTEXTEN_TEST_PG_URL)");
  app.add_flag("--keep", options.keep, "keep the work directory and the PostgreSQL schemas");
  CLI11_PARSE(app, argc, argv);

  std::vector<Engine> engines;
  std::stringstream list(options.engines);
  for (std::string name; std::getline(list, name, ',');) {
    if (name == "sqlite") {
      engines.push_back({name, false, 1});
    } else if (name == "pg1" || name == "pg2") {
      if (options.pg_url.empty()) Die(name + " needs CONTEXTEN_TEST_PG_URL or --pg-url");
      engines.push_back({name, true, name == "pg2" ? 2 : 1});
    } else {
      Die("unknown engine '" + name + "'");
    }
  }
  // On disk beside the executable: a tmpfs would hide SQLite's fsyncs.
  std::error_code ec;
  const auto exe_dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
  if (ec) Die("cannot tell where the executable is");
  const auto work = exe_dir / ("store-engines-" + std::to_string(::getpid()));

  std::vector<Report> reports;
  for (const Engine& engine : engines) {
    EngineRun run(options, engine, work / engine.name);
    reports.push_back(run.Run());
  }

  std::cout << "store engines: " << options.deliveries << " signed GitHub webhooks over "
            << options.concurrency << " keep-alive connections (2xx only once the inbox row is "
            << "committed), then " << options.workflows
            << " /ctx issue create commands filed end to end (Slack stand-in -> bot -> Linear "
               "stand-in); real `contexten run` processes\n\n";
  Table table({"engine", "replicas", "ingest p50", "ingest p99", "ingest/s", "filed p50",
               "filed p99", "workflows/s", "peak RSS (per replica)", "inbox rows", "issues",
               "check"});
  bool ok = true;
  for (auto& r : reports) {
    auto ingest = r.ingest_us;
    auto filed = r.filed_us;
    const std::string name = r.engine.postgres ? "PostgreSQL" : "SQLite";
    table.AddRow(
        {name, std::to_string(r.engine.replicas), FormatMicros(Percentile(ingest, 50)),
         FormatMicros(Percentile(ingest, 99)),
         Fixed(static_cast<double>(options.deliveries) / r.ingest_seconds, 0),
         FormatMicros(Percentile(filed, 50)), FormatMicros(Percentile(filed, 99)),
         Fixed(r.filed_seconds > 0 ? static_cast<double>(r.filed_us.size()) / r.filed_seconds : 0,
               1),
         RssCell(r.peak_rss_kib),
         std::to_string(r.inbox_rows) + " (" + std::to_string(r.inbox_distinct) + " distinct)",
         std::to_string(r.issues), r.failure.empty() ? "ok" : "FAIL"});
    if (!r.failure.empty()) {
      ok = false;
      std::cerr << "FAIL " << r.engine.name << ": " << r.failure << "\n";
    }
  }
  table.Print(std::cout);
  std::cout << "\ningest = webhook POST -> 2xx at the client; filed = slash command injected at "
               "the Slack stand-in -> its issue visible at the Linear stand-in (1 ms polling); "
               "workflows/s = issues filed / (first command -> last issue). Peak RSS is each "
               "bot process's high-water mark (not PostgreSQL's).\n";
  if (!options.keep) std::filesystem::remove_all(work, ec);
  return ok ? 0 : 1;
}
