#include "bot/handlers/github_webhook_consumer.hpp"

#include <spdlog/spdlog.h>

#include "core/logging.hpp"

namespace contexten::bot::handlers {
namespace {

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::Logger("github_hooks");
  return log;
}

constexpr std::size_t kRecoverBatch = 500;

}  // namespace

std::string GitHubWebhookConsumer::DeliveryKey(std::int64_t inbox_id) {
  return "github:" + std::to_string(inbox_id);
}

void GitHubWebhookConsumer::AddRouter(Router router) { routers_.push_back(std::move(router)); }

void GitHubWebhookConsumer::OnAccepted(std::int64_t inbox_id, const std::string& kind,
                                       const std::string& body) {
  if (auto handled = Handle(inbox_id, kind, body); !handled) {
    Log()->warn("GitHub inbox row {} left pending for the next start: {}", inbox_id,
                handled.error().Describe());
  }
}

core::Status GitHubWebhookConsumer::Handle(std::int64_t inbox_id, const std::string& kind,
                                           const std::string& body) {
  const std::string name = kind.substr(0, kind.find(':'));
  auto event = integrations::github::ParseGitHubEvent(name, body);
  if (!event) {
    // The ingress parsed it before storing it pending, so this is a bug, not bad input.
    if (auto failed = inbox_.MarkFailed(inbox_id, "parse: " + event.error().message); !failed) {
      return failed;
    }
    return inbox_.MarkDone(inbox_id, store::InboxStatus::kFailed);
  }
  const std::string key = DeliveryKey(inbox_id);
  auto routes = workflows::builtin::RouteGitHubEvent(*event, key, settings_);
  std::size_t reached = 0;
  for (const auto& route : routes.deliveries) {
    auto delivered = engine_.DeliverToWaiting(route.wait_key, route.event);
    if (!delivered) return core::Unexpected(delivered.error());
    reached += *delivered;
  }
  if (routes.start) {
    const auto& start = *routes.start;
    // Whether a run waits, not whether it took the event: on a replay the open alert has
    // consumed this delivery already and must not make way for a second alert.
    auto waiting = engine_.store().RunsWaitingFor(start.wait_key);
    if (!waiting) return core::Unexpected(waiting.error());
    bool start_run = waiting->empty();
    if (!waiting->empty()) {
      workflows::engine::Event event_for_waiting{start.event_type, start.start.data,
                                                 start.start.key};
      auto delivered = engine_.DeliverToWaiting(start.wait_key, event_for_waiting);
      if (!delivered) return core::Unexpected(delivered.error());
      reached += *delivered;
      if (*delivered == 0) {
        // Nobody took it: either the waiting run had consumed it already (a replay: it still
        // waits) or it finished between the look and the delivery (the alert recovered on
        // another thread or replica), and then this failure needs an alert of its own.
        auto still = engine_.store().RunsWaitingFor(start.wait_key);
        if (!still) return core::Unexpected(still.error());
        start_run = still->empty();
      }
    }
    if (start_run) {
      auto started = engine_.Start(start.workflow_type, start.run_id, start.start);
      if (!started) return core::Unexpected(started.error());
      if (started->applied) ++reached;
    }
  }
  for (const auto& router : routers_) {
    if (auto routed = router(inbox_id, key, *event); !routed) return routed;
  }
  if (reached > 0) Log()->debug("GitHub {} reached {} run(s)", kind, reached);
  return inbox_.MarkDone(inbox_id);
}

core::Result<std::size_t> GitHubWebhookConsumer::Recover() {
  std::size_t handled = 0;
  while (true) {
    auto pending = inbox_.Pending(kRecoverBatch, "github");
    if (!pending) return core::Unexpected(pending.error());
    if (pending->empty()) break;
    std::size_t progressed = 0;
    for (const auto& row : *pending) {
      if (auto done = Handle(row.id, row.kind, row.body); done) {
        ++progressed;
      } else {
        Log()->warn("GitHub inbox row {} not replayed: {}", row.id, done.error().Describe());
      }
    }
    handled += progressed;
    if (progressed < pending->size()) break;  // the rest waits for the next start
  }
  if (handled > 0) Log()->info("replayed {} GitHub webhook(s) left pending", handled);
  return handled;
}

}  // namespace contexten::bot::handlers
