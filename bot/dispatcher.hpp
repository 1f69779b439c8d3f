#pragma once
// Envelope -> inbox -> ack -> listener. The invariant this class exists for: an envelope is
// acknowledged only after its inbox row is durable, and a redelivery of something already
// processed is acknowledged and dropped.
//
// Routing: each envelope is parsed into an integrations::slack::Interaction and handed to the
// ListenerRegistry (listeners()). Events are acked before their listeners run (Slack wants
// nothing back); commands and interactions give the ack to the listener, which may send a
// payload (a reply, view_submission errors); whatever a listener leaves unacked is acked when
// it returns. Unparseable or unmatched deliveries are logged and acked, never dropped unacked.
//
// Fast path: slash commands and interactive payloads (clicks, submissions, shortcuts) carry a
// trigger_id that dies 3 s after the user acted and need their ack within 3 s. They run on a
// pool of their own (the fast lane) that events and replays never enter, so a `views.open`
// never waits behind a queue of event work or a rate-limited chat.postMessage. A listener that
// opens a modal calls views.open first and acks right after (see OpenNewIssueModal). Fast-lane
// listeners should ack before slow follow-up work; acks later than 2 s after receipt are logged.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "core/worker_pool.hpp"
#include "integrations/slack/envelope.hpp"
#include "integrations/slack/listeners/listener_registry.hpp"
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
  std::uint64_t unmatched = 0;  // acked, no listener wanted it
  std::uint64_t ignored = 0;    // our own or another bot's message, an edit, ...
  std::uint64_t slow_acks = 0;  // acked more than 2 s after receipt
  // Receipt-to-ack latency of every ack sent (for /metrics); buckets are not cumulative, the
  // last is +Inf. Slack allows 3 s.
  static constexpr std::array<double, 8> kAckBounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0, 3.0};
  std::uint64_t acks = 0;
  std::array<std::uint64_t, kAckBounds.size() + 1> ack_latency_buckets{};
  double ack_latency_sum_seconds = 0;
};

struct DispatcherOptions {
  std::string command = "/ctx";
  std::string bot_user_id;    // messages from the bot itself are ignored
  int fast_lane_threads = 2;  // workers for slash commands and interactivity only
};

class Dispatcher {
 public:
  // Routes to listeners(), which the composition root fills (handlers::RegisterHandlers).
  Dispatcher(store::Inbox& inbox, integrations::slack::SlackApi& slack, core::WorkerPool& workers,
             core::Clock& clock, DispatcherOptions options);
  ~Dispatcher();

  // The Socket Mode handler.
  void OnEnvelope(integrations::slack::Envelope envelope, integrations::slack::AckFn ack);
  // Re-runs inbox rows left pending by a crash. Returns how many were replayed.
  core::Result<std::size_t> Recover();
  void set_bot_user_id(std::string id);
  // Add listeners before the first envelope arrives (the registry is not locked).
  integrations::slack::listeners::ListenerRegistry& listeners() { return listeners_; }

  // Runs the fast-lane handlers already queued and joins its threads; call it where the shared
  // worker pool is shut down, before the Slack client and the I/O runtime go away. Deliveries
  // arriving later stay pending in the inbox and are replayed at the next start.
  void Shutdown();

  DispatcherStats stats() const;
  // True when nothing is being appended or handled.
  bool idle() const;

 private:
  void OnDurable(integrations::slack::Envelope envelope, integrations::slack::AckFn ack,
                 core::Result<store::AppendResult> result, core::SteadyTime received);
  void Handle(std::int64_t inbox_id, integrations::slack::Envelope envelope,
              integrations::slack::AckFn ack, std::chrono::microseconds inbox_latency,
              core::SteadyTime received);
  core::Status Route(const integrations::slack::Envelope& envelope, integrations::slack::AckFn ack,
                     std::chrono::microseconds inbox_latency);
  integrations::slack::AckFn TimedAck(integrations::slack::AckFn ack, core::SteadyTime received,
                                      std::string envelope_id);
  void Finish(std::int64_t inbox_id, const core::Status& status);

  store::Inbox& inbox_;
  integrations::slack::SlackApi& slack_;
  core::WorkerPool& workers_;
  core::Clock& clock_;
  DispatcherOptions options_;

  mutable std::mutex mu_;
  std::set<std::int64_t> processing_;  // inbox ids being handled now
  core::SteadyTime last_slow_ack_log_{};
  std::uint64_t slow_acks_not_logged_ = 0;
  DispatcherStats stats_;
  std::atomic<std::uint64_t> appending_{0};
  integrations::slack::listeners::ListenerRegistry listeners_;
  // Last: destroyed (joined) first, while everything its tasks use still exists.
  std::unique_ptr<core::WorkerPool> fast_lane_;
};

// The envelope as stored: Slack's deprecated verification token is removed from the payload
// (secrets never reach the store).
std::string SanitizedEnvelopeJson(const integrations::slack::Envelope& envelope);

}  // namespace contexten::bot
