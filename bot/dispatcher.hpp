#pragma once
// Envelope -> inbox -> ack -> handler. The invariant this class exists for: an envelope is
// acknowledged only after its inbox row is durable, and a redelivery of something already
// processed is acknowledged and dropped.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>

#include "bot/commands/command_handler.hpp"
#include "core/worker_pool.hpp"
#include "integrations/slack/envelope.hpp"
#include "integrations/slack/slack_api.hpp"
#include "integrations/slack/socket_mode_client.hpp"
#include "store/inbox.hpp"

namespace contexten::bot {

struct DispatcherStats {
  std::uint64_t received = 0;
  std::uint64_t inserted = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t store_errors = 0;  // not acked: Slack will redeliver
  std::uint64_t handled = 0;
  std::uint64_t failed = 0;
  std::uint64_t in_flight = 0;
};

struct DispatcherOptions {
  std::string command = "/ctx";
  std::string bot_user_id;  // messages from the bot itself are ignored
};

class Dispatcher {
 public:
  Dispatcher(store::Inbox& inbox, integrations::slack::SlackApi& slack, CommandHandler& commands,
             core::WorkerPool& workers, core::Clock& clock, DispatcherOptions options);

  // The Socket Mode handler.
  void OnEnvelope(integrations::slack::Envelope envelope, integrations::slack::AckFn ack);
  // Re-runs inbox rows left pending by a crash. Returns how many were replayed.
  core::Result<std::size_t> Recover();
  void set_bot_user_id(std::string id);

  DispatcherStats stats() const;
  // True when nothing is being appended or handled.
  bool idle() const;

 private:
  void OnDurable(integrations::slack::Envelope envelope, integrations::slack::AckFn ack,
                 core::Result<store::AppendResult> result, core::SteadyTime received);
  void Handle(std::int64_t inbox_id, integrations::slack::Envelope envelope,
              integrations::slack::AckFn ack, std::chrono::microseconds inbox_latency);
  core::Status HandleSlashCommand(const integrations::slack::Envelope& envelope,
                                  integrations::slack::AckFn& ack,
                                  std::chrono::microseconds inbox_latency);
  core::Status HandleEvent(const integrations::slack::Envelope& envelope,
                           std::chrono::microseconds inbox_latency);
  void Finish(std::int64_t inbox_id, const core::Status& status);

  store::Inbox& inbox_;
  integrations::slack::SlackApi& slack_;
  CommandHandler& commands_;
  core::WorkerPool& workers_;
  core::Clock& clock_;
  DispatcherOptions options_;

  mutable std::mutex mu_;
  std::set<std::int64_t> processing_;  // inbox ids being handled now
  DispatcherStats stats_;
  std::atomic<std::uint64_t> appending_{0};
};

// The envelope as stored: Slack's deprecated verification token is removed from the payload
// (secrets never reach the store).
std::string SanitizedEnvelopeJson(const integrations::slack::Envelope& envelope);

}  // namespace contexten::bot
