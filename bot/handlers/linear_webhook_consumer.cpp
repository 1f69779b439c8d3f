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

std::optional<core::Result<store::AppendResult>> LinearWebhookConsumer::OnArrival(
    const store::InboxItem& item) {
  auto event = integrations::linear::ParseLinearWebhook(item.body);
  if (!event) return std::nullopt;  // the ingress stores and reports it
  // Subscriptions and rules route by the row's id (RouteLinear); a delivery they want takes the
  // usual path, where they and the runs see it from the same pending row.
  if (router_ && router_->WantsLinear(*event)) return std::nullopt;
  store::InboxItem arrival = item;
  arrival.status = store::InboxStatus::kDone;
  if (arrival.received_at == core::WallTime{}) arrival.received_at = engine_.clock().WallNow();
  // Keyed by the delivery: the row has no id before this step writes it. A delivery is
  // consumed either here or by OnAccepted ("inbox:<id>"), never both: a redelivery of a
  // pending row is a duplicate here and writes nothing.
  auto routed = workflows::builtin::RouteLinearEvent(*event, "delivery:" + item.dedupe_key);
  std::vector<std::string> runs;
  if (routed) {
    auto waiting = engine_.store().RunsWaitingFor(routed->wait_key);
    if (!waiting) return std::nullopt;
    runs = std::move(*waiting);
  }
  if (runs.empty()) return inbox_.Append(std::move(arrival));
  if (runs.size() > 1) return std::nullopt;
  store::AppendResult appended;
  auto step = engine_.DeliverArrival(runs.front(), routed->event, arrival, appended);
  if (!step) {
    // The run may have gone, or the store failed: the usual path (a pending row) decides.
    Log()->debug("Linear delivery {} takes the usual path: {}", item.dedupe_key,
                 step.error().Describe());
    return std::nullopt;
  }
  if (step->applied) {
    Log()->debug("Linear {} {} reached run {}", event->type, event->action, runs.front());
  }
  return appended;
}

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
