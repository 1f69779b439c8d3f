#include "bot/webhooks/webhook_ingress.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <utility>
#include <variant>

#include "bot/webhooks/top_level_scan.hpp"
#include "core/logging.hpp"
#include "integrations/github/events.hpp"
#include "integrations/github/webhook_verify.hpp"
#include "integrations/linear/events.hpp"
#include "integrations/linear/webhook_verify.hpp"

namespace contexten::bot::webhooks {
namespace {

using core::net::HttpRequest;
using core::net::HttpResponder;
using core::net::HttpResponse;

// Delivery ids are GUIDs and event names short words; anything longer is not from the platform
// and would otherwise end up as a dedupe key or a metrics label.
constexpr std::size_t kMaxHeaderValue = 200;

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::Logger("webhooks");
  return log;
}

HttpResponse StatusJson(int status, std::string_view value) {
  return HttpResponse::Json(status, nlohmann::json{{"status", value}}.dump());
}

HttpResponse ErrorJson(int status, std::string_view message) {
  return HttpResponse::Json(status, nlohmann::json{{"error", message}}.dump());
}

// One platform's view of a request, so both routes share the checks.
struct PlatformSpec {
  const char* source;  // "github" | "linear"
  const char* event_header;
  const char* delivery_header;
  const char* signature_header;
};

constexpr PlatformSpec kGitHub{"github", "X-GitHub-Event", "X-GitHub-Delivery",
                               "X-Hub-Signature-256"};
constexpr PlatformSpec kLinear{"linear", "Linear-Event", "Linear-Delivery", "Linear-Signature"};

}  // namespace

// What the typed parse made of a delivery, before it is stored.
struct Classified {
  ProcessOutcome outcome = ProcessOutcome::kSkipped;
  std::string error;           // parse failure reason
  bool needs_handler = false;  // typed, and something to act on (a ping is not)
  bool hand_over = false;      // ... and its source has a consumer (set_on_accepted)
  std::string body;            // the raw body, kept only for a hand-over
};

struct WebhookIngress::State {
  State(store::Inbox& i, core::WorkerPool& w, core::Clock& c, WebhookIngressOptions o)
      : inbox(i), workers(w), clock(c), options(std::move(o)) {}

  store::Inbox& inbox;
  core::WorkerPool& workers;
  core::Clock& clock;
  const WebhookIngressOptions options;
  WebhookAcceptedHook on_accepted;
  WebhookArrivalHook on_arrival;
  std::set<std::string, std::less<>> arrival_sources;   // whose typed events on_arrival sees first
  std::set<std::string, std::less<>> accepted_sources;  // whose typed events on_accepted takes
  WebhookProcessedHook on_processed;

  mutable std::mutex mu;
  WebhookStats stats;
  std::map<std::string, bool, std::less<>> github_handled;  // event name -> has a typed parser
  std::atomic<std::size_t> in_flight{0};

  void Reject(const PlatformSpec& platform, const HttpRequest& request, HttpResponder& respond,
              int status, const std::string& reason, std::string_view message) {
    {
      std::lock_guard lock(mu);
      ++stats.rejected[reason];
    }
    const auto delivery = request.headers.Get(platform.delivery_header);
    Log()->warn("{} webhook rejected {} ({}): {}; delivery '{}', {} bytes from {}", platform.source,
                status, reason, message,
                delivery ? delivery->substr(0, kMaxHeaderValue) : std::string_view("-"),
                request.body.size(), request.remote_address);
    respond(ErrorJson(status, message));
  }

  // The checks both platforms share, in the order the ingress contract gives. On success fills
  // event and delivery; on failure has answered.
  bool CheckCommon(const PlatformSpec& platform, const std::string& secret, std::size_t limit,
                   const HttpRequest& request, HttpResponder& respond, std::string& event,
                   std::string& delivery) {
    if (secret.empty()) {
      Reject(platform, request, respond, 503, "not_configured",
             std::string(platform.source) + " webhooks are not configured");
      return false;
    }
    if (request.body.size() > limit) {
      Reject(platform, request, respond, 413, "too_large",
             "body of " + std::to_string(request.body.size()) + " bytes is over the limit of " +
                 std::to_string(limit));
      return false;
    }
    const auto event_value = request.headers.Get(platform.event_header);
    if (!event_value || event_value->empty()) {
      Reject(platform, request, respond, 400, "missing_event",
             std::string("missing ") + platform.event_header + " header");
      return false;
    }
    const auto delivery_value = request.headers.Get(platform.delivery_header);
    if (!delivery_value || delivery_value->empty()) {
      Reject(platform, request, respond, 400, "missing_delivery",
             std::string("missing ") + platform.delivery_header + " header");
      return false;
    }
    if (event_value->size() > kMaxHeaderValue || delivery_value->size() > kMaxHeaderValue) {
      Reject(
          platform, request, respond, 400, "bad_header",
          std::string(platform.event_header) + " or " + platform.delivery_header + " is too long");
      return false;
    }
    const auto signature = request.headers.Get(platform.signature_header);
    if (!signature || signature->empty()) {
      Reject(platform, request, respond, 401, "missing_signature",
             std::string("missing ") + platform.signature_header + " header");
      return false;
    }
    const core::Status verified =
        std::string_view(platform.source) == kGitHub.source
            ? integrations::github::VerifyGitHubSignature(secret, request.body, *signature)
            : integrations::linear::VerifyLinearSignature(secret, request.body, *signature);
    if (!verified) {
      Reject(platform, request, respond, 401, "bad_signature", verified.error().message);
      return false;
    }
    event.assign(*event_value);
    delivery.assign(*delivery_value);
    return true;
  }

  // Whether ParseGitHubEvent has a typed parser for `event`, asked once per name with an empty
  // object (an unhandled name comes back as UnhandledGitHubEvent whatever the body). Unhandled
  // deliveries then skip the typed parse: most of GitHub's event types are ones we only record.
  bool GitHubHandles(const std::string& event) {
    constexpr std::size_t kMaxCachedNames = 256;
    {
      std::lock_guard lock(mu);
      if (auto it = github_handled.find(event); it != github_handled.end()) return it->second;
    }
    auto probe = integrations::github::ParseGitHubEvent(event, "{}");
    const bool handled =
        !probe || !std::holds_alternative<integrations::github::UnhandledGitHubEvent>(*probe);
    std::lock_guard lock(mu);
    if (github_handled.size() < kMaxCachedNames) github_handled.emplace(event, handled);
    return handled;
  }

  static Classified ClassifyGitHub(const std::string& event, std::string_view body) {
    Classified c;
    auto parsed = integrations::github::ParseGitHubEvent(event, body);
    if (!parsed) {
      c.outcome = ProcessOutcome::kParseFailed;
      c.error = parsed.error().message;
    } else if (!std::holds_alternative<integrations::github::UnhandledGitHubEvent>(*parsed)) {
      c.outcome = ProcessOutcome::kTyped;
      // A ping is answered and audited; there is nothing further to do with it.
      c.needs_handler = !std::holds_alternative<integrations::github::PingEvent>(*parsed);
    }
    return c;
  }

  static Classified ClassifyLinear(std::string_view body) {
    Classified c;
    auto parsed = integrations::linear::ParseLinearWebhook(body);
    if (!parsed) {
      c.outcome = ProcessOutcome::kParseFailed;
      c.error = parsed.error().message;
    } else if (!std::holds_alternative<integrations::linear::UnhandledLinearEvent>(parsed->data)) {
      c.outcome = ProcessOutcome::kTyped;
      c.needs_handler = true;
    }
    return c;
  }

  // The row's status on arrival. Only a typed event with a consumer stays pending (the hook's
  // owner finishes it, crash recovery replays it); everything else is stored finished, so a
  // delivery costs exactly one write.
  store::InboxStatus StatusOnArrival(const Classified& c) const {
    if (c.hand_over) return store::InboxStatus::kPending;
    switch (c.outcome) {
      case ProcessOutcome::kParseFailed:
        return store::InboxStatus::kFailed;
      case ProcessOutcome::kSkipped:
        return store::InboxStatus::kSkipped;
      case ProcessOutcome::kTyped:
        break;
    }
    return store::InboxStatus::kDone;
  }

  void Store(const std::shared_ptr<State>& self, const PlatformSpec& platform, std::string event,
             std::string delivery, std::string kind, std::string body, HttpResponder respond,
             std::optional<std::string> ping_zen, Classified classified) {
    store::InboxItem item;
    item.source = platform.source;
    item.dedupe_key = std::move(delivery);
    item.kind = kind;
    classified.hand_over =
        classified.needs_handler && on_accepted && accepted_sources.count(platform.source) > 0;
    if (classified.hand_over) classified.body = body;  // the consumer's copy (Linear: 1-3 KB)
    item.status = StatusOnArrival(classified);
    if (classified.outcome == ProcessOutcome::kParseFailed) {
      item.last_error = "parse: " + classified.error;
    }
    item.body = std::move(body);
    ++in_flight;
    auto stored = [self, source = std::string(platform.source), event = std::move(event),
                   kind = std::move(kind), respond = std::move(respond),
                   ping_zen = std::move(ping_zen), classified = std::move(classified)](
                      core::Result<store::AppendResult> appended, bool consumed) mutable {
      if (consumed) classified.hand_over = false;  // the arrival hook consumed it
      self->OnDurable(self, std::move(source), std::move(event), std::move(kind),
                      std::move(respond), std::move(ping_zen), std::move(classified),
                      std::move(appended));
    };
    if (classified.hand_over && on_arrival && arrival_sources.count(platform.source) > 0) {
      // The hook blocks on its own write: a worker's job, not the HTTP thread's.
      auto shared_item = std::make_shared<store::InboxItem>(std::move(item));
      auto shared_stored = std::make_shared<decltype(stored)>(std::move(stored));
      const bool posted = workers.Post([self, shared_item, shared_stored] {
        if (auto taken = self->on_arrival(*shared_item)) {
          (*shared_stored)(std::move(*taken), true);
          return;
        }
        self->AppendPending(std::move(*shared_item), std::move(*shared_stored));
      });
      if (!posted) AppendPending(std::move(*shared_item), std::move(*shared_stored));
      return;
    }
    AppendPending(std::move(item), std::move(stored));
  }

  template <typename Stored>
  void AppendPending(store::InboxItem item, Stored stored) {
    inbox.AppendAsync(std::move(item), [stored = std::move(stored)](
                                           core::Result<store::AppendResult> appended) mutable {
      stored(std::move(appended), false);
    });
  }

  // On the store's writer thread: answer, count, and hand any hooks to a worker.
  void OnDurable(const std::shared_ptr<State>& self, std::string source, std::string event,
                 std::string kind, HttpResponder respond, std::optional<std::string> ping_zen,
                 Classified classified, core::Result<store::AppendResult> appended) {
    if (!appended) {
      {
        std::lock_guard lock(mu);
        ++stats.store_failures;
      }
      Log()->error("{} webhook {} not stored, answering 503: {}", source, kind,
                   appended.error().Describe());
      HttpResponse busy = ErrorJson(503, "store unavailable, retry later");
      busy.headers.Set("Retry-After", std::to_string(options.store_retry_after.count()));
      respond(std::move(busy));
      --in_flight;
      return;
    }
    if (appended->outcome == store::AppendOutcome::kDuplicate) {
      {
        std::lock_guard lock(mu);
        ++stats.duplicates;
      }
      Log()->debug("{} redelivery of inbox row {} acknowledged", source, appended->id);
      respond(StatusJson(200, "duplicate"));
      --in_flight;
      return;
    }
    {
      std::lock_guard lock(mu);
      ++stats.accepted;
      switch (classified.outcome) {
        case ProcessOutcome::kTyped:
          ++stats.typed;
          break;
        case ProcessOutcome::kSkipped:
          ++stats.skipped;
          break;
        case ProcessOutcome::kParseFailed:
          ++stats.parse_failures;
          break;
      }
    }
    if (ping_zen) {
      respond(
          HttpResponse::Json(200, nlohmann::json{{"status", "pong"}, {"zen", *ping_zen}}.dump()));
    } else {
      respond(StatusJson(202, "accepted"));
    }
    const std::int64_t id = appended->id;
    if (classified.outcome == ProcessOutcome::kParseFailed) {
      Log()->warn("{} inbox row {} ({}) did not parse: {}", source, id, kind, classified.error);
    }
    const bool hand_over = classified.hand_over;
    if (!hand_over && !on_processed) {
      --in_flight;
      return;
    }
    const bool posted = workers.Post([self, source = std::move(source), event = std::move(event),
                                      kind = std::move(kind), classified = std::move(classified),
                                      id, hand_over]() mutable {
      if (hand_over) self->on_accepted(source, id, kind, classified.body);
      if (self->on_processed) {
        ProcessedDelivery processed;
        processed.source = std::move(source);
        processed.inbox_id = id;
        processed.event = std::move(event);
        processed.kind = std::move(kind);
        processed.outcome = classified.outcome;
        processed.error = std::move(classified.error);
        self->on_processed(processed);
      }
      --self->in_flight;
    });
    if (!posted) {
      // Shutting down: a pending row is looked at again after the restart.
      Log()->info("{} inbox row {} not handed over: workers are shutting down", source, id);
      --in_flight;
    }
  }

  void HandleGitHub(const std::shared_ptr<State>& self, HttpRequest&& request,
                    HttpResponder respond) {
    std::string event;
    std::string delivery;
    if (!CheckCommon(kGitHub, options.github_secret, options.github_body_limit, request, respond,
                     event, delivery)) {
      return;
    }
    auto fields = ScanTopLevel(request.body);
    if (!fields) {
      Reject(kGitHub, request, respond, 400, "not_json", "body is not a JSON object");
      return;
    }
    std::string kind = event;
    if (!fields->action.empty()) kind += ":" + fields->action;
    std::optional<std::string> zen;
    if (event == "ping") zen = std::move(fields->zen);
    // Typed parsing happens here, before the row is written, so the row is written once with
    // its final status (simdjson: a few microseconds for a typical 10 KB payload).
    Classified classified;
    if (GitHubHandles(event)) classified = ClassifyGitHub(event, request.body);
    Store(self, kGitHub, std::move(event), std::move(delivery), std::move(kind),
          std::move(request.body), std::move(respond), std::move(zen), std::move(classified));
  }

  void HandleLinear(const std::shared_ptr<State>& self, HttpRequest&& request,
                    HttpResponder respond) {
    std::string event;
    std::string delivery;
    if (!CheckCommon(kLinear, options.linear_secret, options.linear_body_limit, request, respond,
                     event, delivery)) {
      return;
    }
    auto fields = ScanTopLevel(request.body);
    if (!fields) {
      Reject(kLinear, request, respond, 400, "not_json", "body is not a JSON object");
      return;
    }
    if (!fields->webhook_timestamp_ms) {
      Reject(kLinear, request, respond, 400, "bad_timestamp",
             fields->has_webhook_timestamp ? "webhookTimestamp is not an integer"
                                           : "body has no webhookTimestamp");
      return;
    }
    if (auto fresh = integrations::linear::CheckLinearTimestampMs(
            *fields->webhook_timestamp_ms, clock, options.linear_timestamp_window);
        !fresh) {
      Reject(kLinear, request, respond, 401, "stale_timestamp", fresh.error().message);
      return;
    }
    std::string kind = event;
    if (!fields->action.empty()) kind += ":" + fields->action;
    Classified classified = ClassifyLinear(request.body);
    Store(self, kLinear, std::move(event), std::move(delivery), std::move(kind),
          std::move(request.body), std::move(respond), std::nullopt, std::move(classified));
  }
};

WebhookIngress::WebhookIngress(store::Inbox& inbox, core::WorkerPool& workers, core::Clock& clock,
                               WebhookIngressOptions options)
    : state_(std::make_shared<State>(inbox, workers, clock, std::move(options))) {}

WebhookIngress::~WebhookIngress() = default;

void WebhookIngress::set_on_accepted(WebhookAcceptedHook hook, std::vector<std::string> sources) {
  state_->on_accepted = std::move(hook);
  state_->accepted_sources = {sources.begin(), sources.end()};
}

void WebhookIngress::set_on_arrival(WebhookArrivalHook hook, std::vector<std::string> sources) {
  state_->on_arrival = std::move(hook);
  state_->arrival_sources = {sources.begin(), sources.end()};
}

void WebhookIngress::set_on_processed(WebhookProcessedHook hook) {
  state_->on_processed = std::move(hook);
}

void WebhookIngress::Install(core::net::HttpServer& server) {
  auto state = state_;
  server.Route("POST", "/webhooks/github", [state](HttpRequest&& request, HttpResponder respond) {
    state->HandleGitHub(state, std::move(request), std::move(respond));
  });
  server.Route("POST", "/webhooks/linear", [state](HttpRequest&& request, HttpResponder respond) {
    state->HandleLinear(state, std::move(request), std::move(respond));
  });
}

std::size_t WebhookIngress::max_body_limit() const {
  return std::max(state_->options.github_body_limit, state_->options.linear_body_limit);
}

WebhookStats WebhookIngress::stats() const {
  std::lock_guard lock(state_->mu);
  return state_->stats;
}

std::size_t WebhookIngress::in_flight() const { return state_->in_flight.load(); }

}  // namespace contexten::bot::webhooks
