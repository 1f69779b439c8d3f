#include "workflows/builtin/report.hpp"

#include "core/json_fields.hpp"
#include "workflows/present/report_digest.hpp"
#include "workflows/present/report_weekly.hpp"
#include "workflows/schedule/scheduler.hpp"

namespace contexten::workflows::builtin {
namespace {

using core::json_fields::Int;
using core::json_fields::Obj;
using core::json_fields::Str;
using nlohmann::json;

constexpr char kPostStep[] = "post";

}  // namespace

bool IsReportKind(std::string_view kind) { return kind == kDigestReport || kind == kWeeklyReport; }

json RenderReport(std::string_view kind, const present::ReportModel& model,
                  const present::ReportOptions& options, std::int64_t now_ms) {
  if (kind == kWeeklyReport) return present::RenderWeekly(model);
  return present::RenderDigest(model, options, now_ms);
}

engine::Decision ReportWorkflow::Decide(const engine::DecideContext& context, const json& state,
                                        const engine::Event& event) const {
  engine::Decision d;
  d.state = state.is_object() ? state : json::object();
  if (event.type == "start" && !state.is_object()) {
    const std::string kind = Str(event.data, "kind");
    const std::string channel = Str(event.data, "channel");
    d.state = {{"kind", kind},
               {"channel", channel},
               {"schedule_id", Int(event.data, "schedule_id")},
               {"slot_ms", Int(event.data, "slot_ms")},
               {"status", "posting"}};
    if (!IsReportKind(kind) || channel.empty()) {
      d.state["status"] = "failed";
      d.outcome = engine::Decision::Outcome::kFailed;
      d.note = "unknown report kind '" + kind + "' or no channel";
      return d;
    }
    const json message =
        RenderReport(kind, present::ReportModelFromJson(Obj(event.data, "model")),
                     present::ReportOptionsFromJson(Obj(event.data, "options")), context.now_ms);
    engine::effects::SlackPostMessage post;
    post.channel = channel;
    post.text = message.value("text", "");
    if (message.contains("blocks")) post.blocks = message["blocks"];
    d.effects.push_back({kPostStep, "slack:" + channel + "/" + context.run_id, std::move(post)});
    d.note = "posting the " + kind + " report to " + channel;
    return d;
  }
  if ((event.type == engine::kEffectDone || event.type == engine::kEffectDead) &&
      Str(event.data, "step") == kPostStep && d.state.value("status", "") == "posting") {
    if (event.type == engine::kEffectDone) {
      d.state["status"] = "posted";
      d.state["ts"] = Str(Obj(event.data, "result"), "ts");
      d.outcome = engine::Decision::Outcome::kCompleted;
      d.note = "posted";
    } else {
      d.state["status"] = "failed";
      d.state["error"] = Str(event.data, "error");
      d.outcome = engine::Decision::Outcome::kFailed;
      d.note = "the post was dead-lettered";
    }
  }
  return d;
}

core::Result<engine::StepResult> StartReport(engine::Engine& engine, const std::string& run_id,
                                             const ReportRequest& request) {
  if (!IsReportKind(request.kind)) {
    return core::MakeError(core::ErrorKind::kInvalidInput,
                           "unknown report kind '" + request.kind + "' (digest or weekly)");
  }
  if (request.channel.empty()) {
    return core::MakeError(core::ErrorKind::kInvalidInput, "a report needs a channel");
  }
  engine::Event start{"start",
                      {{"kind", request.kind},
                       {"channel", request.channel},
                       {"schedule_id", request.schedule_id},
                       {"slot_ms", request.slot_ms},
                       {"model", present::ToJson(request.model)},
                       {"options", present::ToJson(request.options)}},
                      "start"};
  return engine.Start(kReportType, run_id, std::move(start));
}

core::Status StartScheduledReport(engine::Engine& engine, const store::ScheduleRecord& schedule,
                                  core::WallTime slot, const ReportGather& gather) {
  ReportRequest request;
  request.kind = schedule.kind;
  request.channel = schedule.channel;
  request.schedule_id = schedule.id;
  request.slot_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(slot.time_since_epoch()).count();
  request.options = present::ReportOptionsFromJson(
      json::parse(schedule.options, nullptr, /*allow_exceptions=*/false));
  if (gather) request.model = gather(request.options);
  auto started = StartReport(engine, schedule::SlotRunId(schedule.id, slot), request);
  if (!started) return started.error();
  return core::Ok();
}

}  // namespace contexten::workflows::builtin
