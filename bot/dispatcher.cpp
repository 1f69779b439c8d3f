#include "bot/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include "core/logging.hpp"

namespace contexten::bot {
namespace {

using integrations::slack::AckFn;
using integrations::slack::Envelope;
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

// The text of an app_mention without the leading "<@U123>" mention.
std::string StripMention(const std::string& text, const std::string& bot_user_id) {
  std::string out = text;
  const std::string mention = "<@" + bot_user_id + ">";
  if (auto pos = out.find(mention); pos != std::string::npos) out.erase(pos, mention.size());
  const auto first = out.find_first_not_of(" \t");
  return first == std::string::npos ? "" : out.substr(first);
}

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
                       CommandHandler& commands, core::WorkerPool& workers, core::Clock& clock,
                       DispatcherOptions options)
    : inbox_(inbox),
      slack_(slack),
      commands_(commands),
      workers_(workers),
      clock_(clock),
      options_(std::move(options)) {}

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
        take_over = existing && existing->has_value() && (*existing)->status == "pending";
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
    Log()->info("redelivery {} resumes unfinished inbox row {}", envelope.envelope_id,
                result->id);
  } else {
    std::lock_guard lock(mu_);
    ++stats_.inserted;
    processing_.insert(result->id);
    ++stats_.in_flight;
  }
  const auto id = result->id;
  if (!workers_.Post([this, id, envelope = std::move(envelope), ack = std::move(ack),
                      latency]() mutable { Handle(id, std::move(envelope), std::move(ack), latency); })) {
    // Shutting down: the row stays pending and is replayed at the next start.
    std::lock_guard lock(mu_);
    processing_.erase(id);
  }
}

void Dispatcher::Handle(std::int64_t inbox_id, Envelope envelope, AckFn ack,
                        std::chrono::microseconds inbox_latency) {
  core::Status status;
  if (envelope.type == "slash_commands") {
    status = HandleSlashCommand(envelope, ack, inbox_latency);
  } else {
    // Events and interactions are acked at once; the work happens after.
    if (ack) ack(nullptr);
    if (envelope.type == "events_api") {
      status = HandleEvent(envelope, inbox_latency);
    } else {
      Log()->info("envelope type '{}' has no handler yet; acked", envelope.type);
    }
  }
  Finish(inbox_id, status);
}

core::Status Dispatcher::HandleSlashCommand(const Envelope& envelope, AckFn& ack,
                                            std::chrono::microseconds inbox_latency) {
  const auto& p = envelope.payload;
  CommandContext context;
  context.command = p.value("command", options_.command);
  context.text = p.value("text", "");
  context.user_id = p.value("user_id", "");
  context.channel_id = p.value("channel_id", "");
  context.inbox_latency = inbox_latency;
  json reply = commands_.Handle(context);
  if (ack && ack(&reply)) return core::Ok();
  // No socket to ack on (replay after a restart, or the connection dropped): the
  // response_url still reaches the user for 30 minutes.
  const std::string response_url = p.value("response_url", "");
  if (response_url.empty()) {
    return core::Unexpected(core::MakeError(core::ErrorKind::kUnavailable,
                                            "no connection to ack on and no response_url"));
  }
  return slack_.Respond(response_url, reply);
}

core::Status Dispatcher::HandleEvent(const Envelope& envelope,
                                     std::chrono::microseconds inbox_latency) {
  const auto& event = envelope.payload.value("event", json::object());
  const std::string type = event.value("type", "");
  std::string bot_user_id;
  {
    std::lock_guard lock(mu_);
    bot_user_id = options_.bot_user_id;
  }
  // Our own messages come back to us as events; answering them would loop.
  if (event.contains("bot_id") || (!bot_user_id.empty() && event.value("user", "") == bot_user_id)) {
    return core::Ok();
  }
  if (type != "app_mention") return core::Ok();  // plain messages: nothing to do yet
  CommandContext context;
  context.command = "@contexten";
  context.text = StripMention(event.value("text", ""), bot_user_id);
  context.user_id = event.value("user", "");
  context.channel_id = event.value("channel", "");
  context.inbox_latency = inbox_latency;
  json reply = commands_.Handle(context);
  integrations::slack::OutgoingMessage message;
  message.channel = context.channel_id;
  message.text = reply.value("text", "");
  if (reply.contains("blocks")) message.blocks = reply["blocks"];
  // Answer in the thread of the mention so channels stay readable.
  message.thread_ts = event.value("thread_ts", event.value("ts", ""));
  auto posted = slack_.PostMessage(message);
  if (!posted) return core::Unexpected(posted.error());
  return core::Ok();
}

void Dispatcher::Finish(std::int64_t inbox_id, const core::Status& status) {
  core::Status marked = status ? inbox_.MarkDone(inbox_id)
                               : inbox_.MarkFailed(inbox_id, status.error().Describe());
  if (!status) Log()->warn("inbox row {} failed: {}", inbox_id, status.error().Describe());
  if (!marked) Log()->error("cannot record outcome of inbox row {}: {}", inbox_id,
                            marked.error().Describe());
  std::lock_guard lock(mu_);
  processing_.erase(inbox_id);
  if (stats_.in_flight > 0) --stats_.in_flight;
  if (status) {
    ++stats_.handled;
  } else {
    ++stats_.failed;
  }
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
    workers_.Post([this, id = item.id, envelope = std::move(envelope)]() mutable {
      Handle(id, std::move(envelope), nullptr, std::chrono::microseconds(0));
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
  return appending_.load() == 0 && processing_.empty() && workers_.queued() == 0;
}

}  // namespace contexten::bot
