#pragma once
// GitHub and Linear webhook ingress: POST /webhooks/github and POST /webhooks/linear.
// Per request: per-route size limit (413), required headers (400, or 401 for the signature),
// constant-time signature check (401), Linear webhookTimestamp window (401), JSON object (400);
// then the typed parse (which decides the row's status), and the raw body is appended to the
// inbox with that status in one write; the 2xx is sent only once the row is durable (202
// accepted, 200 duplicate; 503 + Retry-After when the store fails, so the sender retries).
// Rows are stored finished ("done", "skipped", or "failed" with the parse error) unless a typed
// event has a consumer (set_on_accepted): then it stays "pending" for that consumer.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/net/http_server.hpp"
#include "core/worker_pool.hpp"
#include "store/inbox.hpp"

namespace contexten::bot::webhooks {

struct WebhookIngressOptions {
  // Empty: that platform's webhooks are refused with 503 (never accepted unsigned).
  std::string github_secret;
  std::string linear_secret;
  std::size_t github_body_limit = 25 * 1024 * 1024;  // GitHub caps payloads at 25 MB
  std::size_t linear_body_limit = 1024 * 1024;
  std::chrono::seconds linear_timestamp_window{60};
  std::chrono::seconds store_retry_after{5};  // Retry-After on 503 when the store fails
};

struct WebhookStats {
  std::uint64_t accepted = 0;                     // new rows, durable, answered 2xx
  std::uint64_t duplicates = 0;                   // redeliveries answered 200
  std::map<std::string, std::uint64_t> rejected;  // reason -> count (4xx and not-configured)
  std::uint64_t store_failures = 0;               // answered 503 + Retry-After
  std::uint64_t typed = 0;                        // parsed into a handled typed event
  std::uint64_t skipped = 0;                      // stored, type not handled
  std::uint64_t parse_failures = 0;               // handled type, body did not parse
};

enum class ProcessOutcome { kTyped, kSkipped, kParseFailed };

struct ProcessedDelivery {
  std::string source;  // "github" | "linear"
  std::int64_t inbox_id = 0;
  std::string event;  // X-GitHub-Event / Linear-Event
  std::string kind;   // event[:action], as stored
  ProcessOutcome outcome = ProcessOutcome::kSkipped;
  std::string error;  // parse failure reason
};

// Called on a worker thread for each new delivery of a consumed source that parsed into a
// handled event, with its raw body. Those rows are stored "pending" for the hook's owner to
// finish (and crash recovery to replay); a source without a consumer stores them "done".
using WebhookAcceptedHook = std::function<void(const std::string& source, std::int64_t inbox_id,
                                               const std::string& kind, const std::string& body)>;
// Called on a worker thread, before the row is written, for a delivery of a source it was set
// for that parsed into a handled event: it may store the row itself together with what the
// delivery leads to (one transaction), returning the append's result, or return nullopt to have
// the ingress store it pending for WebhookAcceptedHook as usual. The 2xx waits for it either way.
using WebhookArrivalHook =
    std::function<std::optional<core::Result<store::AppendResult>>(const store::InboxItem& item)>;
// Called on a worker thread after each new delivery was parsed and stored (metrics, tools).
using WebhookProcessedHook = std::function<void(const ProcessedDelivery&)>;

class WebhookIngress {
 public:
  // `inbox`, `workers` and `clock` must outlive every request the server may still deliver;
  // the ingress itself may go first (callbacks hold its state, not `this`).
  WebhookIngress(store::Inbox& inbox, core::WorkerPool& workers, core::Clock& clock,
                 WebhookIngressOptions options);
  ~WebhookIngress();
  WebhookIngress(const WebhookIngress&) = delete;
  WebhookIngress& operator=(const WebhookIngress&) = delete;

  // Set hooks before Install().
  void set_on_accepted(WebhookAcceptedHook hook,
                       std::vector<std::string> sources = {"github", "linear"});
  void set_on_processed(WebhookProcessedHook hook);
  // A source with an arrival hook must also have an accepted hook (the hook may decline).
  void set_on_arrival(WebhookArrivalHook hook, std::vector<std::string> sources);

  // Registers the two routes. The server's own body_limit must be at least max_body_limit().
  void Install(core::net::HttpServer& server);
  std::size_t max_body_limit() const;

  WebhookStats stats() const;
  // Deliveries waiting for the store or for their hooks to run.
  std::size_t in_flight() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace contexten::bot::webhooks
