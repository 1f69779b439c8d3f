#include "bot/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "core/logging.hpp"
#include "integrations/slack/interaction.hpp"

namespace contexten::bot {
namespace {

using integrations::slack::AckFn;
using integrations::slack::Envelope;
using integrations::slack::listeners::DispatchOutcome;
using integrations::slack::listeners::ListenerContext;
using nlohmann::json;

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::Logger("dispatcher");
  return log;
}

std::string EventType(const Envelope& envelope) {
  if (!envelope.payload.is_object()) return "";
  auto event = envelope.payload.find("event");
  if (event == envelope.payload.end() || !event->is_object()) return "";
  return event->value("type", "");
}

// Deliveries whose ack someone is waiting on (a trigger_id, a modal, a slash command reply).
bool NeedsFastLane(const Envelope& envelope) {
  return envelope.type == "slash_commands" || envelope.type == "interactive";
}

constexpr auto kAckBudget = std::chrono::seconds(2);

}  // namespace

std::string SanitizedEnvelopeJson(const Envelope& envelope) {
  json payload = envelope.payload;
  if (payload.is_object()) payload.erase("token");
  json stored = {{"envelope_id", envelope.envelope_id},
                 {"type", envelope.type},
                 {"payload", std::move(payload)},
                 {"accepts_response_payload", envelope.accepts_response_payload},
                 {"retry_attempt", envelope.retry_attempt},
                 {"retry_reason", envelope.retry_reason}};
  return stored.dump();
}

Dispatcher::Dispatcher(store::Inbox& inbox, integrations::slack::SlackApi& slack,
                       core::WorkerPool& workers, core::Clock& clock, DispatcherOptions options)
    : inbox_(inbox),
      slack_(slack),
      workers_(workers),
      clock_(clock),
      options_(std::move(options)),
      fast_lane_(std::make_unique<core::WorkerPool>(std::max(1, options_.fast_lane_threads))) {}

Dispatcher::~Dispatcher() { Shutdown(); }

void Dispatcher::Shutdown() { fast_lane_->Shutdown(); }

void Dispatcher::set_bot_user_id(std::string id) {
  std::lock_guard lock(mu_);
  options_.bot_user_id = std::move(id);
}

void Dispatcher::OnEnvelope(Envelope envelope, AckFn ack) {
  const auto received = clock_.Now();
  store::InboxItem item;
  item.source = "slack";
  item.dedupe_key = envelope.DedupeKey();
  item.kind = envelope.type;
  if (auto type = EventType(envelope); !type.empty()) item.kind += ":" + type;
  item.body = SanitizedEnvelopeJson(envelope);
  {
    std::lock_guard lock(mu_);
    ++stats_.received;
  }
  ++appending_;
  inbox_.AppendAsync(std::move(item), [this, envelope = std::move(envelope), ack = std::move(ack),
                                       received](core::Result<store::AppendResult> r) mutable {
    OnDurable(std::move(envelope), std::move(ack), std::move(r), received);
    --appending_;
  });
}

void Dispatcher::OnDurable(Envelope envelope, AckFn ack, core::Result<store::AppendResult> result,
                           core::SteadyTime received) {
  if (!result) {
    // No ack: Slack redelivers, and by then the store may be back.
    {
      std::lock_guard lock(mu_);
      ++stats_.store_errors;
    }
    Log()->error("inbox append for envelope {} failed, not acking: {}", envelope.envelope_id,
                 result.error().Describe());
    return;
  }
  const auto latency =
      std::chrono::duration_cast<std::chrono::microseconds>(clock_.Now() - received);
  if (result->outcome == store::AppendOutcome::kDuplicate) {
    // A redelivery. If the first delivery was handled (or is being handled), ack and drop.
    // If it is still pending and nobody is on it, the first attempt died before finishing:
    // this redelivery is our chance to finish it.
    bool take_over = false;
    {
      std::lock_guard lock(mu_);
      ++stats_.duplicates;
      if (!processing_.count(result->id)) {
        auto existing = inbox_.Find("slack", envelope.DedupeKey());
        take_over = existing && existing->has_value() &&
                    (*existing)->status == store::InboxStatus::kPending;
      }
      if (take_over) {
        processing_.insert(result->id);
        ++stats_.in_flight;
      }
    }
    if (!take_over) {
      Log()->debug("duplicate delivery {} (retry {}), acked and dropped", envelope.envelope_id,
                   envelope.retry_attempt);
      ack(nullptr);
      return;
    }
    Log()->info("redelivery {} resumes unfinished inbox row {}", envelope.envelope_id, result->id);
  } else {
    std::lock_guard lock(mu_);
    ++stats_.inserted;
    processing_.insert(result->id);
    ++stats_.in_flight;
  }
  const auto id = result->id;
  const bool fast = NeedsFastLane(envelope);
  if (!fast && ack) {
    // An event wants nothing back, so it is acked the moment it is durable rather than after
    // a place in the worker queue: a busy queue must not turn into Slack redeliveries.
    ack(nullptr);
    ack = nullptr;
  }
  auto& pool = fast ? *fast_lane_ : workers_;
  if (!pool.Post([this, id, envelope = std::move(envelope), ack = std::move(ack), latency,
                  received]() mutable {
        Handle(id, std::move(envelope), std::move(ack), latency, received);
      })) {
    // Shutting down: the row stays pending and is replayed at the next start.
    std::lock_guard lock(mu_);
    processing_.erase(id);
  }
}

void Dispatcher::Handle(std::int64_t inbox_id, Envelope envelope, AckFn ack,
                        std::chrono::microseconds inbox_latency, core::SteadyTime received) {
  if (ack) ack = TimedAck(std::move(ack), received, envelope.envelope_id);
  Finish(inbox_id, Route(envelope, std::move(ack), inbox_latency));
}

AckFn Dispatcher::TimedAck(AckFn ack, core::SteadyTime received, std::string envelope_id) {
  return [this, ack = std::move(ack), received,
          envelope_id = std::move(envelope_id)](const json* payload) {
    const auto age = clock_.Now() - received;
    {
      std::lock_guard lock(mu_);
      const double seconds = std::chrono::duration<double>(age).count();
      std::size_t bucket = 0;
      while (bucket < DispatcherStats::kAckBounds.size() &&
             seconds > DispatcherStats::kAckBounds[bucket]) {
        ++bucket;
      }
      ++stats_.acks;
      ++stats_.ack_latency_buckets[bucket];
      stats_.ack_latency_sum_seconds += seconds;
    }
    if (age > kAckBudget) {
      // Slow acks come in floods when the bot is overloaded; one line a second says so without
      // the logging adding to the overload.
      std::uint64_t suppressed = 0;
      bool log = false;
      {
        std::lock_guard lock(mu_);
        ++stats_.slow_acks;
        const auto now = clock_.Now();
        if (now - last_slow_ack_log_ >= std::chrono::seconds(1)) {
          log = true;
          last_slow_ack_log_ = now;
          suppressed = std::exchange(slow_acks_not_logged_, 0);
        } else {
          ++slow_acks_not_logged_;
        }
      }
      if (log) {
        Log()->warn(
            "envelope {} acked {} ms after receipt; Slack allows 3000 ({} more slow acks "
            "since the last warning)",
            envelope_id, std::chrono::duration_cast<std::chrono::milliseconds>(age).count(),
            suppressed);
      }
    }
    return ack(payload);
  };
}

core::Status Dispatcher::Route(const Envelope& envelope, AckFn ack,
                               std::chrono::microseconds inbox_latency) {
  auto interaction = integrations::slack::ParseInteraction(envelope);
  if (!interaction) {
    // Acked all the same: a redelivery would not parse any better.
    if (ack) ack(nullptr);
    Log()->warn("envelope {} ({}) not routable: {}", envelope.envelope_id, envelope.type,
                interaction.error().message);
    return core::Unexpected(interaction.error());
  }
  std::string bot_user_id;
  {
    std::lock_guard lock(mu_);
    bot_user_id = options_.bot_user_id;
  }
  ListenerContext context(*interaction, slack_, std::move(ack), std::move(bot_user_id),
                          inbox_latency);
  using integrations::slack::InteractionKind;
  // Events want nothing back; acking first means a slow listener never causes a redelivery.
  if (interaction->kind == InteractionKind::kEvent) (void)context.Ack();
  auto result = listeners_.Dispatch(context);
  if (result.outcome == DispatchOutcome::kUnmatched) {
    {
      std::lock_guard lock(mu_);
      ++stats_.unmatched;
    }
    const auto what = interaction->kind == InteractionKind::kSlashCommand ? interaction->command
                      : interaction->action() ? interaction->action()->action_id
                      : interaction->event    ? interaction->event->type
                                              : interaction->callback_id;
    const auto level =
        interaction->kind == InteractionKind::kEvent ? spdlog::level::debug : spdlog::level::info;
    Log()->log(level, "no listener for {} '{}' (envelope {}); acked",
               integrations::slack::ToString(interaction->kind), what, envelope.envelope_id);
    if (interaction->kind == InteractionKind::kSlashCommand && !context.acked()) {
      // The user typed something and waits for an answer; say why nothing happens.
      return context.Ack(json{{"response_type", "ephemeral"},
                              {"text", "Contexten does not handle `" + interaction->command +
                                           "` (it listens to `" + options_.command + "`)."}});
    }
  } else if (result.outcome == DispatchOutcome::kIgnored) {
    std::lock_guard lock(mu_);
    ++stats_.ignored;
  }
  if (!context.acked()) (void)context.Ack();
  return result.status;
}

void Dispatcher::Finish(std::int64_t inbox_id, const core::Status& status) {
  const auto settle = [this, inbox_id, handled = status.has_value()](const core::Status& marked) {
    if (!marked) {
      Log()->error("cannot record outcome of inbox row {}: {}", inbox_id,
                   marked.error().Describe());
    }
    std::lock_guard lock(mu_);
    processing_.erase(inbox_id);
    if (stats_.in_flight > 0) --stats_.in_flight;
    if (handled) {
      ++stats_.handled;
    } else {
      ++stats_.failed;
    }
  };
  if (status) {
    // Not waiting for the commit keeps a worker from idling a commit's length per delivery.
    // The row stays in processing_ until "done" is durable, so a redelivery arriving meanwhile
    // is dropped rather than taken over.
    inbox_.MarkDoneAsync(inbox_id, store::InboxStatus::kDone, "", settle);
    return;
  }
  Log()->warn("inbox row {} failed: {}", inbox_id, status.error().Describe());
  // A failure stays pending (attempts counted) for the replay at the next start.
  settle(inbox_.MarkFailed(inbox_id, status.error().Describe()));
}

core::Result<std::size_t> Dispatcher::Recover() {
  auto pending = inbox_.Pending(1000, "slack");
  if (!pending) return core::Unexpected(pending.error());
  std::size_t replayed = 0;
  for (auto& item : *pending) {
    auto parsed = integrations::slack::ParseSocketMessage(item.body);
    if (!parsed || !std::holds_alternative<Envelope>(*parsed)) {
      (void)inbox_.MarkFailed(item.id, "stored envelope is unreadable");
      continue;
    }
    {
      std::lock_guard lock(mu_);
      if (processing_.count(item.id)) continue;
      processing_.insert(item.id);
      ++stats_.in_flight;
    }
    auto envelope = std::get<Envelope>(std::move(*parsed));
    const auto now = clock_.Now();
    workers_.Post([this, id = item.id, envelope = std::move(envelope), now]() mutable {
      Handle(id, std::move(envelope), nullptr, std::chrono::microseconds(0), now);
    });
    ++replayed;
  }
  if (replayed > 0) Log()->info("replaying {} unfinished inbox rows", replayed);
  return replayed;
}

DispatcherStats Dispatcher::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

bool Dispatcher::idle() const {
  std::lock_guard lock(mu_);
  return appending_.load() == 0 && processing_.empty() && workers_.queued() == 0 &&
         fast_lane_->queued() == 0;
}

}  // namespace contexten::bot
