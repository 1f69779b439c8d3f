#pragma once
// Incidents (../shared/DESIGN.md §5): one durable run per integration + check that turns the
// health monitor's samples into an ops thread, with the semantics operators know from
// Alertmanager (group_wait, repeat_interval, resolved notifications) and PagerDuty (acknowledge,
// escalate when nobody does):
// - a problem waits a grouping delay before anything is posted; one that heals within it posts
//   nothing;
// - then one root message in the ops channel, edited in place as the state moves
//   (degraded -> open -> half-open -> recovered), with the evidence as thread replies;
// - while it lasts, a reminder at most every reminder interval, in the thread only;
// - unacknowledged after `oncall_after`, the on-call user group is mentioned in the thread;
// - on recovery the root turns green and a reply says how long it lasted and what was replayed.
// Every post is an effect on the Slack lane, so alerts about Slack itself wait in the outbox
// until Slack is back. The run never finishes: after a recovery it waits for the next episode.

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "workflows/engine/workflow.hpp"
#include "workflows/present/human_duration.hpp"

namespace contexten::workflows::health {

inline constexpr char kIncidentType[] = "incident";

// Events the run takes.
// {integration, check, status: ok|degraded|open|half_open, detail, errors?, last_error?, queued?}
inline constexpr char kHealthSampleEvent[] = "health.sample";
// {user}
inline constexpr char kIncidentAckEvent[] = "incident.ack";
// {user, until: "1h" | "recovered"}
inline constexpr char kIncidentSilenceEvent[] = "incident.silence";

// The root message's buttons; each button's value is the run id.
inline constexpr char kIncidentAckAction[] = "incident_ack";
inline constexpr char kIncidentSilenceHourAction[] = "incident_silence_1h";
inline constexpr char kIncidentSilenceRecoveredAction[] = "incident_silence_recovered";

// Statuses, worst last.
inline constexpr char kStatusOk[] = "ok";
inline constexpr char kStatusDegraded[] = "degraded";
inline constexpr char kStatusHalfOpen[] = "half_open";
inline constexpr char kStatusOpen[] = "open";

struct IncidentOptions {
  std::string ops_channel;  // slack.ops_channel; empty: incidents are tracked, never posted
  std::chrono::milliseconds grouping_delay = std::chrono::seconds(30);
  std::chrono::milliseconds reminder_interval = std::chrono::hours(4);
  std::chrono::milliseconds oncall_after = std::chrono::minutes(30);  // 0: never
  std::string oncall_group;  // Slack user group id (S0...); empty: nobody is mentioned
  std::chrono::milliseconds silence_for = std::chrono::hours(1);
};

// "incident:<integration>:<check>"
std::string IncidentRunId(std::string_view integration, std::string_view check);

// "2h 5m", "1m 30s", "12s" (workflows/present/human_duration.hpp, shared with other messages)
using present::HumanDuration;

class IncidentWorkflow final : public engine::Workflow {
 public:
  explicit IncidentWorkflow(IncidentOptions options) : options_(std::move(options)) {}
  std::string_view type() const override { return kIncidentType; }
  engine::Decision Decide(const engine::DecideContext& context, const nlohmann::json& state,
                          const engine::Event& event) const override;

 private:
  IncidentOptions options_;
};

// The root message (text + blocks) for a state, as the workflow posts and edits it.
nlohmann::json RenderIncidentRoot(const nlohmann::json& state, const std::string& run_id,
                                  std::int64_t now_ms);

}  // namespace contexten::workflows::health
