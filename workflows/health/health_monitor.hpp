#pragma once
// The health monitor (../shared/DESIGN.md §2 health/, §5): on each Tick it gathers one snapshot
// (store counts, the relay's per-lane stats), asks every check for its signals, and delivers each
// signal whose status changed to that key's incident run (workflows/health/incident.hpp), which
// decides what the ops channel sees. The monitor decides nothing about alerting and holds no
// timers: grouping delay, reminders and escalation are the incident run's durable timers. It
// never sleeps; HealthLoop (health_loop.hpp) or a test calls Tick.
//
// Replicas (../shared/DESIGN.md §2, store/): with a Leadership, every replica samples (for its
// own /ctx status and /metrics) but only the one leading the role tells the incident runs, so an
// incident is posted and edited by one replica. The term is confirmed before each delivery; a
// replica that gains a new term (a greater epoch: it took over) tells every run the current
// status, as after a restart, so an incident that healed during the failover still closes.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/database.hpp"
#include "store/leadership.hpp"
#include "store/store_stats.hpp"
#include "workflows/engine/engine.hpp"
#include "workflows/health/incident.hpp"
#include "workflows/outbox/outbox_relay.hpp"

namespace contexten::workflows::health {

struct HealthSignal {
  std::string integration;  // slack_api, socket_mode, github, linear, store
  std::string check;  // breaker, calls, connection, outbox, inbox, dead_letters, wal, webhooks
  std::string status = kStatusOk;  // kStatusOk / kStatusDegraded / kStatusHalfOpen / kStatusOpen
  std::string detail;              // one line an operator reads
  std::int64_t errors = 0;
  std::string last_error;   // redacted
  std::int64_t queued = 0;  // effects waiting on this integration
};

// One sample's inputs, read once and shared by every check.
struct HealthInputs {
  std::int64_t now_ms = 0;
  std::int64_t started_ms = 0;  // when the monitor was built (a silence is counted from there)
  std::optional<store::StoreStats> store;  // empty when the store could not be read
  std::string store_error;
  std::map<std::string, outbox::LaneStats> lanes;
};

using HealthCheck = std::function<std::vector<HealthSignal>(const HealthInputs&)>;

class HealthMonitor {
 public:
  // `database` and `relay` may be null (their inputs stay empty).
  HealthMonitor(engine::Engine& engine, core::Clock& clock, store::Database* database,
                const outbox::OutboxRelay* relay);

  void AddCheck(HealthCheck check);
  // Where the store's statistics come from when `database` is null (the PostgreSQL store).
  // Set before the first Tick.
  void set_store_stats(std::function<core::Result<store::StoreStats>()> read) {
    read_stats_ = std::move(read);
  }

  // Tells the incident runs only while `leadership` leads `role` (null: always). Set before the
  // first Tick.
  void set_leadership(store::Leadership* leadership, std::string role = "health") {
    leadership_ = leadership;
    role_ = std::move(role);
  }
  // Whether the last Tick was this replica's to act on.
  bool leading() const;

  // Samples every check and tells the incident runs what changed: a status change (or a change
  // of the queue behind a problem) is delivered; a first problem starts the key's run. The first
  // Tick after construction tells every existing run the current status, so a recovery that
  // happened while the process was down still closes its incident.
  core::Result<std::vector<HealthSignal>> Tick();

  // The signals of the last Tick (for /ctx status and /metrics).
  std::vector<HealthSignal> last() const;
  std::uint64_t ticks() const;

 private:
  core::Status Tell(const HealthSignal& signal);
  // The term held now; nullopt when another replica leads (or the store cannot tell).
  std::optional<std::int64_t> Term();

  engine::Engine& engine_;
  core::Clock& clock_;
  store::Database* database_;
  std::function<core::Result<store::StoreStats>()> read_stats_;
  const outbox::OutboxRelay* relay_;
  std::int64_t started_ms_;
  mutable std::mutex mu_;
  std::vector<HealthCheck> checks_;
  std::vector<HealthSignal> last_;
  // (integration, check) -> (status, queued) last delivered
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::int64_t>> told_;
  bool first_tick_ = true;
  std::uint64_t ticks_ = 0;
  store::Leadership* leadership_ = nullptr;
  std::string role_ = "health";
  std::optional<std::int64_t> term_;  // the term the last Tick acted in
  bool leading_ = true;
};

}  // namespace contexten::workflows::health
