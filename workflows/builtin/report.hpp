#pragma once
// The report workflow (issue 12, scheduled channel reports): renders a report from the model it
// is started with and posts it to the channel through the outbox (../shared/DESIGN.md §3: a
// workflow only decides; the relay posts, once, with the run's idempotency key).
//
// Events it takes (besides the engine's effect results):
//   start {kind, channel, schedule_id?, slot_ms?, model, options}
//         (workflows/present/report_model.hpp gives model and options as JSON)
// It completes when the post is done, and fails when the outbox gives up on it.

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/schedule_store.hpp"
#include "workflows/engine/engine.hpp"
#include "workflows/engine/workflow.hpp"
#include "workflows/present/report_model.hpp"

namespace contexten::workflows::builtin {

inline constexpr char kReportType[] = "report";
inline constexpr char kDigestReport[] = "digest";
inline constexpr char kWeeklyReport[] = "weekly";

bool IsReportKind(std::string_view kind);

// The report of `kind` as a message ({text, blocks}); pure.
nlohmann::json RenderReport(std::string_view kind, const present::ReportModel& model,
                            const present::ReportOptions& options, std::int64_t now_ms);

class ReportWorkflow final : public engine::Workflow {
 public:
  std::string_view type() const override { return kReportType; }
  engine::Decision Decide(const engine::DecideContext& context, const nlohmann::json& state,
                          const engine::Event& event) const override;
};

struct ReportRequest {
  std::string kind;
  std::string channel;
  std::int64_t schedule_id = 0;  // 0: asked for now, not scheduled
  std::int64_t slot_ms = 0;
  present::ReportModel model;
  present::ReportOptions options;
};

// Starts run `run_id` (for a schedule: workflows/schedule/scheduler.hpp SlotRunId, so a slot
// started twice is one run). kInvalidInput for an unknown kind or no channel.
core::Result<engine::StepResult> StartReport(engine::Engine& engine, const std::string& run_id,
                                             const ReportRequest& request);

// What a report shows, gathered for its options when it runs.
using ReportGather = std::function<present::ReportModel(const present::ReportOptions&)>;

// Starts the report run for `slot` of `schedule` (run id workflows/schedule SlotRunId(id, slot):
// a slot started again after a crash is the same run), with the model `gather` gives for the
// schedule's options (an empty model without one). For Scheduler's fire callback.
core::Status StartScheduledReport(engine::Engine& engine, const store::ScheduleRecord& schedule,
                                  core::WallTime slot, const ReportGather& gather);

}  // namespace contexten::workflows::builtin
