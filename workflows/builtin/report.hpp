#pragma once
// The report workflow (issue 12, scheduled channel reports): gathers what the digest shows from
// Linear and GitHub, renders it, and posts it to the channel (or, for a preview, to one user)
// through the outbox. ../shared/DESIGN.md §3: a workflow only decides; the reads are effects the
// relay performs (linear.search_issues, github.list_pull_requests, github.list_workflow_runs:
// workflows/engine/effect.hpp), their results come back as effect.done events, and the report
// is rendered once every read has answered (or been given up on), with the engine's clock for
// every age.
//
// Events it takes (besides the engine's effect results):
//   start {kind, channel, schedule_id?, slot_ms?, model, options, scope?, ephemeral_user?}
//         (workflows/present/report_model.hpp gives model and options as JSON; `model` carries
//         what the bot knows itself, such as integration health; `scope` says what to read)
// It completes when the post is done, and fails when the outbox gives up on it. A read that is
// dead-lettered leaves its section saying it could not be read; the report still posts.

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

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

// What a digest reads from the platforms when it runs. The options' repos and teams, when set,
// take the place of these.
struct ReportScope {
  bool linear = false;                  // Linear is configured: read its open issues
  bool github = false;                  // GitHub is configured: read PRs and default-branch runs
  std::vector<std::string> repos;       // owner/name
  std::vector<std::string> teams;       // Linear team keys; empty: every team
  std::string default_branch = "main";  // where failed CI counts
};
nlohmann::json ToJson(const ReportScope& scope);
ReportScope ReportScopeFromJson(const nlohmann::json& j);

struct ReportRequest {
  std::string kind;
  std::string channel;
  std::int64_t schedule_id = 0;  // 0: asked for now, not scheduled
  std::int64_t slot_ms = 0;
  present::ReportModel model;
  present::ReportOptions options;
  ReportScope scope;           // nothing to read: the model is rendered as given
  std::string ephemeral_user;  // set: a preview only this user sees (chat.postEphemeral)
};

// The read effects' results folded into `model` (pure; for the workflow and for tests):
// issues, open PRs, and, per repository, the newest run of each workflow on `branch` when it
// failed. The workflow applies each read's result once (only while its step is pending).
void ApplyIssues(present::ReportModel& model, const nlohmann::json& result);
void ApplyPulls(present::ReportModel& model, const nlohmann::json& result);
void ApplyRuns(present::ReportModel& model, const std::string& repo, const std::string& branch,
               const nlohmann::json& result);
// https://github.com/pulls?q=is:open is:pr repo:a/b ... (URL-encoded): the untruncated list.
std::string PullSearchUrl(const std::vector<std::string>& repos);

// Starts run `run_id` (for a schedule: workflows/schedule/scheduler.hpp SlotRunId, so a slot
// started twice is one run). kInvalidInput for an unknown kind or no channel.
core::Result<engine::StepResult> StartReport(engine::Engine& engine, const std::string& run_id,
                                             const ReportRequest& request);

// What a report shows, gathered for its options when it runs.
using ReportGather = std::function<present::ReportModel(const present::ReportOptions&)>;

// Starts the report run for `slot` of `schedule` (run id workflows/schedule SlotRunId(id, slot):
// a slot started again after a crash is the same run), with the model `gather` gives for the
// schedule's options (an empty model without one). For Scheduler's fire callback.
// What a schedule's run reads (by its channel: e.g. the repositories the channel subscribes to).
using ReportScopeFor = std::function<ReportScope(const std::string& channel)>;

core::Status StartScheduledReport(engine::Engine& engine, const store::ScheduleRecord& schedule,
                                  core::WallTime slot, const ReportGather& gather,
                                  const ReportScopeFor& scope_for = nullptr);

}  // namespace contexten::workflows::builtin
