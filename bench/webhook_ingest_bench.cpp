// Webhook ingest: concurrent signed POSTs of real GitHub example payloads to /webhooks/github,
// each answered only once its inbox row is durable. Prints deliveries/s, latency percentiles and
// peak RSS, then checks every delivery is in the inbox exactly once.
//
//   webhook_ingest_bench [deliveries=50000] [concurrency=32,64,256] [server_io_threads=1]
//                        [examples.json]
//
// The client is a raw-socket load generator (one thread, epoll, keep-alive connections, requests
// pre-serialised but for the delivery id), as cheap as wrk: real GitHub sends from elsewhere, so
// CPU the client spends here is CPU taken from the server on a small machine.
//
// "CPU/delivery" is the process's user+system CPU time over the run divided by the deliveries:
// on a shared machine it moves much less with the neighbours' load than deliveries/s does.
// "server CPU/delivery" leaves out the client thread's own CPU time.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/bench_support.hpp"
#include "bot/webhooks/webhook_ingress.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"
#include "core/net/http_server.hpp"
#include "core/net/io_runtime.hpp"
#include "core/worker_pool.hpp"
#include "integrations/github/webhook_verify.hpp"
#include "store/database.hpp"
#include "store/sqlite_inbox.hpp"

namespace {

using namespace contexten;  // NOLINT: a small program
using Clock = std::chrono::steady_clock;

constexpr const char* kSecret = "bench-webhook-secret";
// A delivery with no answer for this long counts as a transport error.
constexpr auto kRequestTimeout = std::chrono::seconds(60);

struct Payload {
  std::string event;
  std::string body;
  std::string signature;
};

std::filesystem::path DefaultExamples() {
  return std::filesystem::path(__FILE__).parent_path().parent_path() /
         "tests/contract/node_modules/@octokit/webhooks-examples/api.github.com/index.json";
}

// Real payloads from @octokit/webhooks-examples when installed, else a few typical ones.
std::vector<Payload> LoadPayloads(const std::filesystem::path& path, std::string& origin) {
  std::vector<Payload> payloads;
  std::ifstream in(path);
  if (in) {
    auto index = nlohmann::json::parse(in, nullptr, false);
    if (index.is_array()) {
      for (const auto& event : index) {
        for (const auto& example : event.value("examples", nlohmann::json::array())) {
          payloads.push_back({event.value("name", ""), example.dump(), ""});
        }
      }
    }
  }
  if (!payloads.empty()) {
    origin = std::to_string(payloads.size()) + " @octokit/webhooks-examples payloads";
  } else {
    origin = "embedded payloads (webhooks-examples not installed)";
    payloads = {
        {"push",
         R"({"ref":"refs/heads/main","before":"a1","after":"b2","created":false,"deleted":false,)"
         R"("forced":false,"commits":[{"id":"b2","message":"ENG-12 fix login"}],)"
         R"("repository":{"full_name":"acme/web"},"sender":{"login":"octocat"}})",
         ""},
        {"pull_request",
         R"({"action":"opened","number":7,"pull_request":{"number":7,"title":"ENG-12 fix",)"
         R"("state":"open","head":{"ref":"eng-12","sha":"b2"},"base":{"ref":"main"},)"
         R"("user":{"login":"octocat"}},"repository":{"full_name":"acme/web"}})",
         ""},
        {"star", R"({"action":"created","starred_at":null,"repository":{"full_name":"acme/web"}})",
         ""},
    };
  }
  for (auto& p : payloads) p.signature = integrations::github::SignGitHubPayload(kSecret, p.body);
  return payloads;
}

// Everything of a request but its delivery id, serialised once per payload: the request line and
// headers up to "X-GitHub-Delivery: ", then (after the id and the blank line) the body.
struct PreparedRequest {
  std::string head;
  std::string_view body;
};

std::vector<PreparedRequest> PrepareRequests(const std::vector<Payload>& payloads,
                                             std::uint16_t port) {
  std::vector<PreparedRequest> requests;
  requests.reserve(payloads.size());
  for (const Payload& p : payloads) {
    std::string head = "POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                       "\r\nContent-Type: application/json\r\nX-GitHub-Event: " + p.event +
                       "\r\nX-Hub-Signature-256: " + p.signature +
                       "\r\nContent-Length: " + std::to_string(p.body.size()) +
                       "\r\nX-GitHub-Delivery: ";
    requests.push_back({std::move(head), p.body});
  }
  return requests;
}

struct LoadResult {
  std::vector<double> latencies_us;  // by delivery number
  std::size_t non_2xx = 0;
  std::size_t transport_errors = 0;
  std::size_t connects = 0;
  double seconds = 0;
  double process_cpu_seconds = 0;
  double client_cpu_seconds = 0;
};

// A minimal HTTP/1.1 client for one purpose: one thread, epoll (edge-triggered), `concurrency`
// keep-alive connections, each sending its next delivery as soon as the previous answer is read.
// Per delivery it costs one sendmsg, about one read and a share of an epoll_wait.
class LoadGenerator {
 public:
  LoadGenerator(std::uint16_t port, const std::vector<PreparedRequest>& requests,
                std::size_t deliveries, std::size_t concurrency)
      : requests_(requests), deliveries_(deliveries), connections_(concurrency) {
    address_.sin_family = AF_INET;
    address_.sin_port = htons(port);
    address_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    result_.latencies_us.assign(deliveries, 0.0);
  }
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;
  ~LoadGenerator() {
    for (Connection& c : connections_) Close(c);
    if (epoll_ >= 0) ::close(epoll_);
  }

  // Runs every delivery on the calling thread; its CPU time is the client's.
  LoadResult Run() {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) {
      std::cerr << "epoll_create1: " << std::strerror(errno) << "\n";
      std::exit(1);
    }
    const auto start = Clock::now();
    const double process_cpu_start = bench::ProcessCpuSeconds();
    const double client_cpu_start = bench::ThreadCpuSeconds();
    for (std::size_t k = 0; k < connections_.size(); ++k) {
      connections_[k].index = static_cast<std::uint32_t>(k);
      Begin(connections_[k]);
    }
    DrainRestarts();
    std::vector<epoll_event> events(connections_.size() + 1);
    auto last_sweep = Clock::now();
    while (finished_ < deliveries_) {
      const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 1000);
      if (n < 0 && errno != EINTR) {
        std::cerr << "epoll_wait: " << std::strerror(errno) << "\n";
        std::exit(1);
      }
      for (int e = 0; e < n; ++e) {
        const std::uint64_t tag = events[e].data.u64;
        Connection& c = connections_[tag & 0xffffffffu];
        if (c.generation != (tag >> 32)) continue;  // an event for a socket since replaced
        OnEvent(c, events[e].events);
      }
      DrainRestarts();
      if (const auto now = Clock::now(); now - last_sweep > std::chrono::seconds(1)) {
        last_sweep = now;
        for (Connection& c : connections_) {
          if (c.phase != Phase::kIdle && now - c.begun > kRequestTimeout) Fail(c);
        }
        DrainRestarts();
      }
    }
    result_.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    result_.process_cpu_seconds = bench::ProcessCpuSeconds() - process_cpu_start;
    result_.client_cpu_seconds = bench::ThreadCpuSeconds() - client_cpu_start;
    return std::move(result_);
  }

 private:
  enum class Phase { kIdle, kConnecting, kWriting, kReading };

  struct Connection {
    std::uint32_t index = 0;
    std::uint32_t generation = 0;  // bumped per socket, so stale events are recognised
    int fd = -1;
    Phase phase = Phase::kIdle;
    std::size_t delivery = 0;
    const PreparedRequest* request = nullptr;
    char id[48];  // "bench-<i>\r\n\r\n"
    std::size_t id_size = 0;
    std::size_t written = 0;
    Clock::time_point begun;  // for the timeout
    Clock::time_point sent;   // first byte written
    std::vector<char> in = std::vector<char>(4096);
    std::size_t in_size = 0;
  };

  void Begin(Connection& c) {
    if (next_ >= deliveries_) {
      Close(c);
      c.phase = Phase::kIdle;
      return;
    }
    c.delivery = next_++;
    c.request = &requests_[c.delivery % requests_.size()];
    char* end = std::to_chars(c.id + 6, c.id + sizeof c.id - 4, c.delivery).ptr;
    std::memcpy(c.id, "bench-", 6);
    std::memcpy(end, "\r\n\r\n", 4);
    c.id_size = static_cast<std::size_t>(end + 4 - c.id);
    c.written = 0;
    c.in_size = 0;
    c.begun = Clock::now();
    if (c.fd < 0) {
      Connect(c);
    } else {
      Write(c);
    }
  }

  void Connect(Connection& c) {
    c.phase = Phase::kConnecting;
    ++result_.connects;
    ++c.generation;
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) return Fail(c);
    const int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    epoll_event event{};
    event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    event.data.u64 = (static_cast<std::uint64_t>(c.generation) << 32) | c.index;
    if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &event) != 0) return Fail(c);
    if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&address_), sizeof address_) == 0) {
      return Write(c);
    }
    if (errno != EINPROGRESS) return Fail(c);
  }

  void OnEvent(Connection& c, std::uint32_t events) {
    if (c.phase == Phase::kConnecting) {
      if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) return;
      int error = 0;
      socklen_t size = sizeof error;
      if (::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0 || error != 0) {
        return Fail(c);
      }
      Write(c);
    } else if (c.phase == Phase::kWriting) {
      Write(c);
    }
    if (c.phase == Phase::kReading && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
      Read(c, (events & EPOLLRDHUP) != 0);
    }
  }

  // Sends what is left of head + id + body; a full socket buffer waits for EPOLLOUT.
  void Write(Connection& c) {
    c.phase = Phase::kWriting;
    const std::string_view parts[3] = {c.request->head, {c.id, c.id_size}, c.request->body};
    const std::size_t total = parts[0].size() + parts[1].size() + parts[2].size();
    while (c.written < total) {
      iovec iov[3];
      int count = 0;
      std::size_t skip = c.written;
      for (std::string_view part : parts) {
        if (skip >= part.size()) {
          skip -= part.size();
          continue;
        }
        iov[count].iov_base = const_cast<char*>(part.data() + skip);
        iov[count].iov_len = part.size() - skip;
        ++count;
        skip = 0;
      }
      msghdr message{};
      message.msg_iov = iov;
      message.msg_iovlen = static_cast<std::size_t>(count);
      if (c.written == 0) c.sent = Clock::now();
      const ssize_t n = ::sendmsg(c.fd, &message, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        return Fail(c);
      }
      c.written += static_cast<std::size_t>(n);
    }
    c.phase = Phase::kReading;
  }

  // Reads until the answer is complete (then starts the next delivery) or the socket is drained.
  // `peer_closed`: the server has shut its side, so even a complete answer ends the connection.
  void Read(Connection& c, bool peer_closed) {
    for (;;) {
      if (c.in_size == c.in.size()) c.in.resize(c.in.size() * 2);
      const ssize_t n = ::read(c.fd, c.in.data() + c.in_size, c.in.size() - c.in_size);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        return Fail(c);
      }
      if (n == 0) return Fail(c);  // closed before the answer was complete
      c.in_size += static_cast<std::size_t>(n);
      const Answer answer = Parse({c.in.data(), c.in_size});
      if (answer.state == Answer::kIncomplete) continue;
      if (answer.state == Answer::kInvalid) return Fail(c);
      if (answer.status < 200 || answer.status > 299) ++result_.non_2xx;
      Finish(c);
      if (answer.close || peer_closed) Close(c);
      return Begin(c);
    }
  }

  struct Answer {
    enum State { kIncomplete, kComplete, kInvalid } state = kIncomplete;
    int status = 0;
    bool close = false;
  };

  // The status line, Content-Length and Connection: close of the bytes read so far. No
  // pipelining, so anything past the answer's end is a protocol error.
  static Answer Parse(std::string_view bytes) {
    Answer answer;
    const std::size_t head_end = bytes.find("\r\n\r\n");
    if (head_end == std::string_view::npos) return answer;
    answer.state = Answer::kInvalid;
    const std::string_view head = bytes.substr(0, head_end + 2);
    if (head.size() < 12 || head.substr(0, 7) != "HTTP/1." || head[8] != ' ') return answer;
    if (std::from_chars(head.data() + 9, head.data() + 12, answer.status).ec != std::errc()) {
      return answer;
    }
    std::size_t content_length = 0;
    std::size_t line = head.find("\r\n") + 2;
    while (line < head.size()) {
      const std::size_t line_end = head.find("\r\n", line);
      const std::string_view field = head.substr(line, line_end - line);
      line = line_end + 2;
      const std::size_t colon = field.find(':');
      if (colon == std::string_view::npos) return answer;
      const std::string_view name = field.substr(0, colon);
      std::string_view value = field.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
      }
      auto is = [](std::string_view a, std::string_view b) {
        return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
      };
      if (is(name, "Content-Length")) {
        if (std::from_chars(value.data(), value.data() + value.size(), content_length).ec !=
            std::errc()) {
          return answer;
        }
      } else if (is(name, "Transfer-Encoding")) {
        return answer;  // the server sends Content-Length; chunked is not expected here
      } else if (is(name, "Connection") && value.size() >= 5 && is(value.substr(0, 5), "close")) {
        answer.close = true;
      }
    }
    const std::size_t total = head_end + 4 + content_length;
    if (bytes.size() > total) return answer;
    answer.state = bytes.size() == total ? Answer::kComplete : Answer::kIncomplete;
    return answer;
  }

  void Finish(Connection& c) {
    result_.latencies_us[c.delivery] =
        std::chrono::duration<double, std::micro>(Clock::now() - c.sent).count();
    ++finished_;
    c.phase = Phase::kIdle;
  }

  // A transport error ends the delivery in flight; the connection starts over on a new socket
  // from the main loop (not recursively, since a refused connect fails again at once).
  void Fail(Connection& c) {
    if (c.phase != Phase::kIdle) {
      if (c.written == 0) c.sent = c.begun;  // its latency runs until the failure was seen
      ++result_.transport_errors;
      Finish(c);
    }
    Close(c);
    restarts_.push_back(&c);
  }

  void Close(Connection& c) {
    if (c.fd >= 0) ::close(c.fd);  // also leaves the epoll set
    c.fd = -1;
    ++c.generation;
  }

  void DrainRestarts() {
    while (!restarts_.empty()) {
      Connection* c = restarts_.front();
      restarts_.pop_front();
      Begin(*c);
    }
  }

  const std::vector<PreparedRequest>& requests_;
  const std::size_t deliveries_;
  std::vector<Connection> connections_;
  sockaddr_in address_{};
  int epoll_ = -1;
  std::size_t next_ = 0;
  std::size_t finished_ = 0;
  std::deque<Connection*> restarts_;
  LoadResult result_;
};

struct RunResult {
  std::size_t deliveries = 0;
  std::size_t concurrency = 0;
  LoadResult load;
  std::int64_t stored = 0;
  std::int64_t distinct = 0;
  std::uint64_t transactions = 0;
  std::size_t bytes = 0;
};

RunResult Run(const std::vector<Payload>& payloads, std::size_t deliveries, std::size_t concurrency,
              int server_threads, const std::filesystem::path& dir) {
  RunResult result;
  result.deliveries = deliveries;
  result.concurrency = concurrency;
  core::Clock& clock = core::DefaultClock();
  store::StoreOptions store_options;
  store_options.path = (dir / ("inbox-" + std::to_string(concurrency) + ".db")).string();
  auto db = store::Database::Open(store_options);
  if (!db) {
    std::cerr << "store: " << db.error().Describe() << "\n";
    std::exit(1);
  }
  store::SqliteInbox inbox(**db, clock);
  core::WorkerPool workers(1);
  core::net::IoRuntime server_io(server_threads);
  bot::webhooks::WebhookIngressOptions options;
  options.github_secret = kSecret;
  options.linear_secret = kSecret;
  bot::webhooks::WebhookIngress ingress(inbox, workers, clock, options);
  core::net::HttpServerOptions server_options;
  server_options.body_limit = ingress.max_body_limit();
  core::net::HttpServer server(server_io, server_options);
  ingress.Install(server);
  if (auto started = server.Start(); !started) {
    std::cerr << "server: " << started.error().Describe() << "\n";
    std::exit(1);
  }

  {
    const auto requests = PrepareRequests(payloads, server.port());
    LoadGenerator load(server.port(), requests, deliveries, concurrency);
    result.load = load.Run();
  }
  for (std::size_t i = 0; i < deliveries; ++i)
    result.bytes += payloads[i % payloads.size()].body.size();

  // Let processing (parse + mark) finish before checking, so the writer is idle.
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (ingress.in_flight() > 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (ingress.in_flight() > 0) std::cerr << "  still in flight after 60 s; checking anyway\n";
  server.Stop();
  workers.Shutdown();
  result.transactions = (*db)->transactions_committed();
  auto stored = inbox.Count("github");
  result.stored = stored ? *stored : -1;
  (void)(*db)->ReadOnly([&](SQLite::Database& sqlite) -> core::Status {
    SQLite::Statement query(sqlite,
                            "SELECT COUNT(DISTINCT dedupe_key) FROM inbox WHERE source = 'github'");
    if (query.executeStep()) result.distinct = query.getColumn(0).getInt64();
    return core::Ok();
  });
  const auto stats = ingress.stats();
  std::cerr << "  c=" << concurrency << ": accepted " << stats.accepted << ", typed " << stats.typed
            << ", skipped " << stats.skipped << ", parse failures " << stats.parse_failures
            << ", duplicates " << stats.duplicates << "; client connects " << result.load.connects
            << "\n";
  return result;
}

std::vector<std::size_t> ParseList(const std::string& text) {
  std::vector<std::size_t> values;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) values.push_back(std::stoul(item));
  return values;
}

}  // namespace

int main(int argc, char** argv) {
  core::InitLogging({.level = "warn", .format = "text"});
  const std::size_t deliveries = argc > 1 ? std::stoul(argv[1]) : 50000;
  const std::vector<std::size_t> levels = ParseList(argc > 2 ? argv[2] : "32,64,256");
  const int server_threads = argc > 3 ? std::stoi(argv[3]) : 1;
  const std::filesystem::path examples = argc > 4 ? argv[4] : DefaultExamples();

  std::string origin;
  const auto payloads = LoadPayloads(examples, origin);
  char dir_template[] = "/tmp/contexten-webhook-bench-XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) return 1;
  const std::filesystem::path dir = dir_template;

  std::cout << "webhook ingest: " << deliveries << " signed POSTs per run of " << origin
            << ", 2xx only after the inbox commit (SQLite WAL, synchronous=FULL, group commit); "
            << server_threads
            << " server I/O thread(s), 1 worker; client: a raw-socket load generator "
               "(1 thread, epoll, keep-alive)\n\n";
  bench::Table table({"deliveries", "concurrency", "deliveries/s", "MB/s", "p50", "p99", "p99.9",
                      "max", "CPU/delivery", "server CPU/delivery", "commits", "peak RSS",
                      "inbox rows", "distinct", "errors"});
  bool ok = true;
  for (std::size_t concurrency : levels) {
    RunResult r = Run(payloads, deliveries, concurrency, server_threads, dir);
    const LoadResult& load = r.load;
    auto lat = load.latencies_us;
    const double p50 = bench::Percentile(lat, 50);
    const double p99 = bench::Percentile(lat, 99);
    const double p999 = bench::Percentile(lat, 99.9);
    const double max = bench::Percentile(lat, 100);
    char rate[32];
    char mbs[32];
    std::snprintf(rate, sizeof rate, "%.0f", static_cast<double>(r.deliveries) / load.seconds);
    std::snprintf(mbs, sizeof mbs, "%.1f", static_cast<double>(r.bytes) / load.seconds / 1e6);
    const std::size_t errors = load.non_2xx + load.transport_errors;
    const auto per_delivery = [&](double seconds) {
      return bench::FormatMicros(seconds * 1e6 / static_cast<double>(r.deliveries));
    };
    table.AddRow({std::to_string(r.deliveries), std::to_string(r.concurrency), rate, mbs,
                  bench::FormatMicros(p50), bench::FormatMicros(p99), bench::FormatMicros(p999),
                  bench::FormatMicros(max), per_delivery(load.process_cpu_seconds),
                  per_delivery(load.process_cpu_seconds - load.client_cpu_seconds),
                  std::to_string(r.transactions), bench::FormatKib(bench::PeakRssKib()),
                  std::to_string(r.stored), std::to_string(r.distinct), std::to_string(errors)});
    const bool exactly_once = r.stored == static_cast<std::int64_t>(r.deliveries) &&
                              r.distinct == static_cast<std::int64_t>(r.deliveries);
    if (!exactly_once || errors != 0) {
      ok = false;
      std::cerr << "FAIL c=" << concurrency << ": " << r.stored << " rows, " << r.distinct
                << " distinct for " << r.deliveries << " deliveries; " << load.non_2xx
                << " non-2xx, " << load.transport_errors << " transport errors\n";
    }
  }
  table.Print(std::cout);
  std::cout << "\npeak RSS is the process high-water mark (server, client and store together); "
               "commits = SQLite transactions (group commits of appends); server "
               "CPU/delivery = (process CPU - client thread CPU) / deliveries\n";
  std::cout << (ok ? "every delivery is in the inbox exactly once\n" : "CHECK FAILED: see above\n");
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return ok ? 0 : 1;
}
