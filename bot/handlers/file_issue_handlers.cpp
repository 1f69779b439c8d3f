#include "bot/handlers/file_issue_handlers.hpp"

#include <spdlog/spdlog.h>

#include "bot/handlers/tell_clicker.hpp"
#include "core/logging.hpp"
#include "workflows/builtin/file_issue.hpp"
#include "workflows/present/issue_card.hpp"

namespace contexten::bot::handlers {
namespace {

using listeners::ListenerContext;
using nlohmann::json;

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::Logger("file_issue");
  return log;
}

core::Status AssignFromCard(ListenerContext& context, workflows::engine::Engine& engine) {
  (void)context.Ack();  // the button must not spin; the work is the workflow's
  const auto& interaction = context.interaction();
  const std::string run_id = interaction.action() ? interaction.action()->value : "";
  if (run_id.empty()) {
    return core::Unexpected(
        core::MakeError(core::ErrorKind::kInvalidInput, "Assign to me carries no run id"));
  }
  workflows::engine::Event event{workflows::builtin::kSlackAssignEvent,
                                 {{"user", interaction.user_id}},
                                 "slack:" + interaction.envelope_id};
  auto delivered = engine.Deliver(run_id, std::move(event));
  if (!delivered) {
    TellClicker(context, delivered.error().kind == core::ErrorKind::kNotFound
                             ? "I no longer track this issue."
                             : "I could not take that click just now; please try again.");
    return core::Unexpected(delivered.error());
  }
  return core::Ok();
}

}  // namespace

core::Status StartFileIssue(workflows::engine::Engine& engine, const FileIssueSettings& settings,
                            const std::string& origin, const FileIssueRequest& request) {
  if (!settings.linear_enabled) {
    return core::Unexpected(core::MakeError(
        core::ErrorKind::kUnavailable,
        "Linear is not configured here (linear.api_key), so I can't file issues yet."));
  }
  json start = {{"team_key", request.team_key},       {"title", request.title},
                {"description", request.description}, {"priority", request.priority},
                {"channel", request.channel},         {"reporter", request.reporter}};
  if (!request.assignee_id.empty()) start["assignee_id"] = request.assignee_id;
  if (!request.label_ids.empty()) start["label_ids"] = request.label_ids;
  auto started = engine.Start(workflows::builtin::kFileIssueType,
                              std::string(workflows::builtin::kFileIssueType) + ":slack:" + origin,
                              {"start", std::move(start), ""});
  if (!started) {
    Log()->error("file_issue for {} not started: {}", origin, started.error().Describe());
    return core::Unexpected(
        core::MakeError(started.error().kind,
                        "I could not file that just now (my store is unavailable). "
                        "Please try again in a minute."));
  }
  return core::Ok();
}

void RegisterIssueCardListeners(listeners::ListenerRegistry& registry,
                                workflows::engine::Engine& engine) {
  registry.Action(std::string(workflows::present::kIssueCardAssignAction),
                  [&engine](ListenerContext& context) { return AssignFromCard(context, engine); });
  // "Open in Linear" is a link button: Slack still sends the click; nothing to do but ack.
  registry.Action(std::string(workflows::present::kIssueCardOpenAction),
                  [](ListenerContext& context) { return context.Ack(); });
}

}  // namespace contexten::bot::handlers
