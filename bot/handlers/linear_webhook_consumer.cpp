#include "bot/handlers/linear_webhook_consumer.hpp"

#include <spdlog/spdlog.h>

#include "core/logging.hpp"
#include "integrations/linear/events.hpp"
#include "workflows/builtin/linear_issue_events.hpp"

namespace contexten::bot::handlers {
namespace {

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::Logger("linear_hooks");
  return log;
}

constexpr std::size_t kRecoverBatch = 500;

}  // namespace

void LinearWebhookConsumer::OnAccepted(std::int64_t inbox_id, const std::string& body) {
  if (auto handled = Handle(inbox_id, body); !handled) {
    Log()->warn("Linear inbox row {} left pending for the next start: {}", inbox_id,
                handled.error().Describe());
  }
}

core::Status LinearWebhookConsumer::Handle(std::int64_t inbox_id, const std::string& body) {
  auto event = integrations::linear::ParseLinearWebhook(body);
  if (!event) {
    // The ingress parsed it before storing it pending, so this is a bug, not bad input.
    if (auto failed = inbox_.MarkFailed(inbox_id, "parse: " + event.error().message); !failed) {
      return failed;
    }
    return inbox_.MarkDone(inbox_id, store::InboxStatus::kFailed);
  }
  // Channel subscriptions and rules (issue 10): idempotent per delivery, never finish the row.
  if (router_) {
    auto fed = router_->RouteLinear(inbox_id, "linear-inbox:" + std::to_string(inbox_id), *event);
    if (!fed) return fed;
  }
  auto routed = workflows::builtin::RouteLinearEvent(*event, "inbox:" + std::to_string(inbox_id));
  if (!routed) return inbox_.MarkDone(inbox_id);
  auto delivered = engine_.DeliverToWaiting(routed->wait_key, routed->event, inbox_id);
  if (!delivered) return core::Unexpected(delivered.error());
  if (*delivered > 0) {
    Log()->debug("Linear {} {} reached {} run(s)", event->type, event->action, *delivered);
  }
  return core::Ok();
}

core::Result<std::size_t> LinearWebhookConsumer::Recover() {
  std::size_t handled = 0;
  while (true) {
    auto pending = inbox_.Pending(kRecoverBatch, "linear");
    if (!pending) return core::Unexpected(pending.error());
    if (pending->empty()) break;
    std::size_t progressed = 0;
    for (const auto& row : *pending) {
      if (auto done = Handle(row.id, row.body); done) {
        ++progressed;
      } else {
        Log()->warn("Linear inbox row {} not replayed: {}", row.id, done.error().Describe());
      }
    }
    handled += progressed;
    if (progressed < pending->size()) break;  // the rest waits for the next start
  }
  if (handled > 0) Log()->info("replayed {} Linear webhook(s) left pending", handled);
  return handled;
}

}  // namespace contexten::bot::handlers
