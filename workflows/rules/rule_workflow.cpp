#include "workflows/rules/rule_workflow.hpp"

#include "core/json_fields.hpp"
#include "integrations/linear/linear_ids.hpp"

namespace contexten::workflows::rules {
namespace {

using core::json_fields::Str;
using engine::Decision;
using nlohmann::json;
namespace effects = engine::effects;
namespace subs = workflows::subscriptions;

constexpr std::string_view kLinearIssuePrefix = "linear_issue:";

// The step as an effect; nullopt (with `why`) when it is not performed here.
std::optional<engine::EffectAction> Action(const std::string& run_id, std::size_t index,
                                           const json& step, const subs::FeedEvent& event,
                                           std::string& why) {
  const std::string action = Str(step, "action");
  const json args = step.value("args", json::object());
  auto arg = [&](const char* key) { return Fill(Str(args, key), event); };
  const std::string issue = event.entity_key.rfind(kLinearIssuePrefix, 0) == 0
                                ? event.entity_key.substr(kLinearIssuePrefix.size())
                                : "";
  const std::string key = run_id + "/step-" + std::to_string(index);
  if (action == "post") {
    effects::SlackPostMessage post;
    post.channel = Str(args, "channel");
    post.text = arg("text");
    return post;
  }
  if (action == "create_issue") {
    effects::LinearCreateIssue create;
    create.id = integrations::linear::UuidFromKey(key);
    create.team_key = Str(args, "team");
    create.title = arg("title");
    create.description = arg("description");
    return create;
  }
  if (action == "comment" || action == "move_state") {
    if (issue.empty()) {
      why = action + " skipped: the event is not about a Linear issue";
      return std::nullopt;
    }
    if (action == "comment") {
      // Linear takes an issue's identifier wherever it takes its id.
      return effects::LinearCreateComment{integrations::linear::UuidFromKey(key), issue,
                                          arg("text")};
    }
    effects::LinearUpdateIssue update;
    update.issue_id = issue;
    update.state_name = Str(args, "state");
    update.team_key = issue.substr(0, issue.find('-'));
    return update;
  }
  why = action + " not yet performed (needs the GitHub executor)";
  return std::nullopt;
}

}  // namespace

std::string RuleRunId(const Rule& rule, const std::string& delivery_key,
                      const std::string& entity_key) {
  return "rule:" + rule.name + ":" + delivery_key + ":" + entity_key;
}

engine::Event MakeRuleStart(const Rule& rule, const subs::FeedEvent& event) {
  json then = json::array();
  for (const auto& step : rule.then) then.push_back({{"action", step.action}, {"args", step.args}});
  return {"start",
          {{"rule", {{"name", rule.name}, {"then", then}}}, {"event", ToJson(event)}},
          "start"};
}

Decision RuleWorkflow::Decide(const engine::DecideContext& context, const json& state,
                              const engine::Event& event) const {
  Decision d;
  d.state = state.is_object() ? state : json::object();
  if (event.type == "start") {
    const json rule = event.data.value("rule", json::object());
    const subs::FeedEvent fe = subs::FeedEventFromJson(event.data.value("event", json::object()));
    const json then = rule.value("then", json::array());
    json skipped = json::array();
    for (std::size_t i = 0; i < then.size(); ++i) {
      std::string why;
      auto action = Action(context.run_id, i, then[i], fe, why);
      if (!action) {
        skipped.push_back(why);
        continue;
      }
      // One order key per run: the steps happen in the order written.
      d.effects.push_back({"step-" + std::to_string(i), context.run_id, std::move(*action)});
    }
    d.state = {{"rule", Str(rule, "name")}, {"pending", d.effects.size()}, {"skipped", skipped}};
    d.note = "rule " + Str(rule, "name") + " on " + fe.entity_key +
             (skipped.empty() ? "" : "; " + skipped.dump());
    if (d.effects.empty()) d.outcome = Decision::Outcome::kCompleted;
    return d;
  }
  if (event.type == engine::kEffectDone || event.type == engine::kEffectDead) {
    const int pending = d.state.value("pending", 1) - 1;
    d.state["pending"] = pending;
    if (event.type == engine::kEffectDead) {
      d.state["failed"].push_back(Str(event.data, "step") + ": " + Str(event.data, "error"));
    }
    if (pending <= 0) {
      d.outcome =
          d.state.contains("failed") ? Decision::Outcome::kFailed : Decision::Outcome::kCompleted;
    }
  }
  return d;
}

}  // namespace contexten::workflows::rules
