#pragma once
// `/ctx report ...` (issue 12, scheduled channel reports):
//   report schedule <kind> <cron> [tz:<Area/City>] [in #channel] [option:value ...]
//   report list | report unschedule <id> | report run <kind> [option:value ...]
// Kinds: digest (or daily), weekly. The cron is five fields in a row or quoted, or a macro
// (@daily); it is validated, and the reply shows the next three fire times in the schedule's zone.
// Options (GitHub scheduled reminders' names): stale:<hours>, working-days:yes, drafts:include,
// min-age:<hours>, ignore-approved:<n>, ignore-labels:a,b, require-labels:a,b,
// ignore-terms:a,b, repos:owner/name,..., teams:ENG,...
// `run` answers with the report, to the asker alone (a preview): at once when there is nothing
// to read, else through a report run that posts it ephemerally once Linear and GitHub answered.

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "store/schedule_store.hpp"
#include "store/workflow_store.hpp"
#include "workflows/builtin/report.hpp"
#include "workflows/health/health_registry.hpp"
#include "workflows/present/report_model.hpp"

namespace contexten::bot::handlers {

struct ReportCommand {
  enum class Verb { kHelp, kSchedule, kList, kUnschedule, kRun } verb = Verb::kHelp;
  std::string kind;
  std::string cron;
  std::string tz = "UTC";
  std::string channel;  // empty: the channel the command was typed in
  std::int64_t id = 0;  // unschedule
  workflows::present::ReportOptions options;
};

// Parses the words after `report`; kInvalidInput saying what is wrong (unknown kind, a cron
// error naming the field, an unknown zone, an option it does not know).
core::Result<ReportCommand> ParseReportCommand(std::string_view text);

// What a report shows now, for `run` and for scheduled slots.
using ReportSource =
    std::function<workflows::present::ReportModel(const workflows::present::ReportOptions&)>;

// The model the bot can fill from what it has itself: integration health (the registry's
// probes and the outbox's dead letters). Linear and GitHub sections say they are not available.
workflows::present::ReportModel LocalReportModel(const workflows::HealthRegistry* health,
                                                 store::WorkflowStore& workflows);

// Starts a report run (workflows/builtin/report.hpp: it reads Linear and GitHub through the
// outbox, then posts).
using ReportRunStarter = std::function<core::Status(const workflows::builtin::ReportRequest&)>;

struct ReportDeps {
  store::ScheduleStore& schedules;
  ReportSource source;
  std::function<void()> wake_scheduler;  // after a schedule is added or removed
  // `run` with a platform to read: a preview run posted to the asker alone, answered "on its
  // way" at once (no platform call inside the command's ack). Null, or nothing to read: `run`
  // renders what `source` gives, in the ack.
  ReportRunStarter start_run = nullptr;
  workflows::builtin::ReportScopeFor scope = nullptr;  // by the asker's channel
};

struct ReportAsker {
  std::string user_id;
  std::string channel_id;
  std::int64_t now_ms = 0;
};

// The words after a leading `report` (any case), or nullopt when `text` is another command.
std::optional<std::string_view> ReportWords(std::string_view text);

// An ephemeral reply for `text` (the words after `report`).
nlohmann::json ReportReply(std::string_view text, const ReportAsker& asker, ReportDeps& deps);

}  // namespace contexten::bot::handlers
