#include "bot/webhooks/webhook_ingress.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
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

struct WebhookIngress::State {
  State(store::Inbox& i, core::WorkerPool& w, core::Clock& c, WebhookIngressOptions o,
        std::unique_ptr<DeliveryMarks> m)
      : inbox(i), workers(w), clock(c), options(std::move(o)), marks(std::move(m)) {
    if (!marks) marks = std::make_unique<InboxPortMarks>(inbox);
  }

  store::Inbox& inbox;
  core::WorkerPool& workers;
  core::Clock& clock;
  const WebhookIngressOptions options;
  std::unique_ptr<DeliveryMarks> marks;
  WebhookAcceptedHook on_accepted;
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
  // deliveries then skip the full JSON parse and the body copy: most of GitHub's event types
  // are ones we only record.
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

  void Store(const std::shared_ptr<State>& self, const PlatformSpec& platform, std::string event,
             std::string delivery, std::string kind, std::string body, HttpResponder respond,
             std::optional<std::string> ping_zen, bool parse) {
    store::InboxItem item;
    item.source = platform.source;
    item.dedupe_key = std::move(delivery);
    item.kind = kind;
    // The row takes the body; processing needs its own copy only when there is a parser to run.
    // Without one the row is stored already skipped: one write instead of an insert plus a mark.
    std::string body_copy = parse ? body : std::string();
    if (!parse) item.status = "skipped";
    item.body = std::move(body);
    ++in_flight;
    inbox.AppendAsync(std::move(item), [self, source = std::string(platform.source),
                                        event = std::move(event), kind = std::move(kind),
                                        body = std::move(body_copy), respond = std::move(respond),
                                        ping_zen = std::move(ping_zen),
                                        parse](core::Result<store::AppendResult> appended) mutable {
      self->OnDurable(self, std::move(source), std::move(event), std::move(kind), std::move(body),
                      std::move(respond), std::move(ping_zen), parse, std::move(appended));
    });
  }

  // On the store's writer thread: answer, then hand the parsing to a worker.
  void OnDurable(const std::shared_ptr<State>& self, std::string source, std::string event,
                 std::string kind, std::string body, HttpResponder respond,
                 std::optional<std::string> ping_zen, bool parse,
                 core::Result<store::AppendResult> appended) {
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
    }
    if (ping_zen) {
      respond(
          HttpResponse::Json(200, nlohmann::json{{"status", "pong"}, {"zen", *ping_zen}}.dump()));
    } else {
      respond(StatusJson(202, "accepted"));
    }
    const std::int64_t id = appended->id;
    if (!parse && !on_processed) {
      // Stored finished; nothing to parse, mark or tell.
      {
        std::lock_guard lock(mu);
        ++stats.skipped;
      }
      --in_flight;
      return;
    }
    const bool posted = workers.Post([self, source = std::move(source), event = std::move(event),
                                      kind = std::move(kind), body = std::move(body), id,
                                      parse]() mutable {
      self->Process(self, std::move(source), std::move(event), std::move(kind), body, id, parse);
    });
    if (!posted) {
      // Shutting down: the row stays pending and is looked at after the restart.
      Log()->info("{} inbox row {} left pending: workers are shutting down", source, id);
      --in_flight;
    }
  }

  // On a worker: typed parse, then record the outcome on the row. The delivery stops counting
  // as in flight once its mark is durable (or it is handed to the accepted hook).
  void Process(const std::shared_ptr<State>& self, std::string source, std::string event,
               std::string kind, const std::string& body, std::int64_t id, bool parse) {
    // Two parties finish a delivery: this call (hooks included) and the mark's commit.
    auto parties = std::make_shared<std::atomic<int>>(2);
    auto finished = [self, parties] {
      if (--*parties == 0) --self->in_flight;
    };
    ProcessedDelivery processed;
    processed.inbox_id = id;
    bool typed_needs_handler = false;
    if (!parse) {
      processed.outcome = ProcessOutcome::kSkipped;
    } else if (source == kGitHub.source) {
      auto parsed = integrations::github::ParseGitHubEvent(event, body);
      if (!parsed) {
        processed.outcome = ProcessOutcome::kParseFailed;
        processed.error = parsed.error().message;
      } else if (std::holds_alternative<integrations::github::UnhandledGitHubEvent>(*parsed)) {
        processed.outcome = ProcessOutcome::kSkipped;
      } else {
        processed.outcome = ProcessOutcome::kTyped;
        // A ping is answered and audited; there is nothing further to do with it.
        typed_needs_handler = !std::holds_alternative<integrations::github::PingEvent>(*parsed);
      }
    } else {
      auto parsed = integrations::linear::ParseLinearWebhook(body);
      if (!parsed) {
        processed.outcome = ProcessOutcome::kParseFailed;
        processed.error = parsed.error().message;
      } else if (std::holds_alternative<integrations::linear::UnhandledLinearEvent>(parsed->data)) {
        processed.outcome = ProcessOutcome::kSkipped;
      } else {
        processed.outcome = ProcessOutcome::kTyped;
        typed_needs_handler = true;
      }
    }
    {
      std::lock_guard lock(mu);
      switch (processed.outcome) {
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
    bool marking = parse;  // without a parser the row was stored finished
    if (marking) {
      switch (processed.outcome) {
        case ProcessOutcome::kParseFailed:
          Log()->warn("{} inbox row {} ({}) did not parse: {}", source, id, kind, processed.error);
          marks->Mark(id, "failed", "parse: " + processed.error, finished);
          break;
        case ProcessOutcome::kSkipped:
          marks->Mark(id, "skipped", "", finished);
          break;
        case ProcessOutcome::kTyped:
          if (typed_needs_handler && on_accepted) {
            on_accepted(source, id, kind);  // the hook's owner finishes the row
            marking = false;
          } else {
            marks->Mark(id, "done", "", finished);
          }
          break;
      }
    }
    if (on_processed) {
      processed.source = std::move(source);
      processed.event = std::move(event);
      processed.kind = std::move(kind);
      on_processed(processed);
    }
    if (!marking) finished();
    finished();
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
    const bool parse = GitHubHandles(event);
    Store(self, kGitHub, std::move(event), std::move(delivery), std::move(kind),
          std::move(request.body), std::move(respond), std::move(zen), parse);
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
    Store(self, kLinear, std::move(event), std::move(delivery), std::move(kind),
          std::move(request.body), std::move(respond), std::nullopt, /*parse=*/true);
  }
};

WebhookIngress::WebhookIngress(store::Inbox& inbox, core::WorkerPool& workers, core::Clock& clock,
                               WebhookIngressOptions options, std::unique_ptr<DeliveryMarks> marks)
    : state_(std::make_shared<State>(inbox, workers, clock, std::move(options), std::move(marks))) {
}

WebhookIngress::~WebhookIngress() = default;

void WebhookIngress::set_on_accepted(WebhookAcceptedHook hook) {
  state_->on_accepted = std::move(hook);
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
