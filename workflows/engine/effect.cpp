#include "workflows/engine/effect.hpp"

namespace contexten::workflows::engine {
namespace {

using nlohmann::json;

// Optional arguments are left out rather than written empty: the executors treat a missing
// argument as "not given", and rows stay small.
void PutIfSet(json& args, const char* name, const std::string& value) {
  if (!value.empty()) args[name] = value;
}
void PutBlocks(json& args, const json& blocks) {
  if (blocks.is_array()) args["blocks"] = blocks;
}

struct RowOf {
  EffectRow operator()(const effects::SlackPostMessage& e) const {
    json args = {{"channel", e.channel}, {"text", e.text}};
    PutBlocks(args, e.blocks);
    PutIfSet(args, "thread_ts", e.thread_ts);
    if (e.broadcast) args["broadcast"] = true;
    return {kSlackLane, kSlackPostMessage, std::move(args)};
  }
  EffectRow operator()(const effects::SlackUpdateMessage& e) const {
    json args = {{"channel", e.channel}, {"ts", e.ts}, {"text", e.text}};
    PutBlocks(args, e.blocks);
    return {kSlackLane, kSlackUpdateMessage, std::move(args)};
  }
  EffectRow operator()(const effects::SlackPostEphemeral& e) const {
    json args = {{"channel", e.channel}, {"user", e.user}, {"text", e.text}};
    PutBlocks(args, e.blocks);
    PutIfSet(args, "thread_ts", e.thread_ts);
    return {kSlackLane, kSlackPostEphemeral, std::move(args)};
  }
  EffectRow operator()(const effects::SlackUserInfo& e) const {
    return {kSlackLane, kSlackUserInfo, {{"user", e.user}}};
  }
  EffectRow operator()(const effects::LinearCreateIssue& e) const {
    json args = {{"id", e.id}, {"team_key", e.team_key}, {"title", e.title}};
    PutIfSet(args, "description", e.description);
    if (e.priority != 0) args["priority"] = e.priority;
    PutIfSet(args, "assignee_id", e.assignee_id);
    return {kLinearLane, kLinearCreateIssue, std::move(args)};
  }
  EffectRow operator()(const effects::LinearUpdateIssue& e) const {
    json args = {{"issue_id", e.issue_id}};
    if (e.assignee_id) args["assignee_id"] = *e.assignee_id;
    if (e.state_name) args["state_name"] = *e.state_name;
    if (e.state_type) args["state_type"] = *e.state_type;
    PutIfSet(args, "team_key", e.team_key);
    if (e.priority) args["priority"] = *e.priority;
    if (e.title) args["title"] = *e.title;
    return {kLinearLane, kLinearUpdateIssue, std::move(args)};
  }
  EffectRow operator()(const effects::LinearUserByEmail& e) const {
    return {kLinearLane, kLinearUserByEmail, {{"email", e.email}}};
  }
  EffectRow operator()(const effects::LinearCreateComment& e) const {
    return {kLinearLane,
            kLinearCreateComment,
            {{"id", e.id}, {"issue_id", e.issue_id}, {"body", e.body}}};
  }
  EffectRow operator()(const effects::LinearLinkPullRequest& e) const {
    json args = {{"issue_id", e.issue_id}, {"url", e.url}};
    PutIfSet(args, "title", e.title);
    return {kLinearLane, kLinearLinkPullRequest, std::move(args)};
  }
  EffectRow operator()(const effects::GitHubRerunFailedJobs& e) const {
    return {kGitHubLane,
            kGitHubRerunFailedJobs,
            {{"repo", e.repo}, {"run_id", e.run_id}, {"attempt", e.attempt}}};
  }
  EffectRow operator()(const effects::GitHubDispatchWorkflow& e) const {
    json args = {{"repo", e.repo},
                 {"workflow", e.workflow},
                 {"ref", e.ref},
                 {"requested_at_ms", e.requested_at_ms}};
    if (!e.inputs.empty()) args["inputs"] = e.inputs;
    return {kGitHubLane, kGitHubDispatchWorkflow, std::move(args)};
  }
  EffectRow operator()(const effects::GitHubCreateComment& e) const {
    return {kGitHubLane,
            kGitHubCreateComment,
            {{"repo", e.repo}, {"number", e.number}, {"body", e.body}}};
  }
  EffectRow operator()(const effects::GitHubListCheckRuns& e) const {
    return {kGitHubLane, kGitHubListCheckRuns, {{"repo", e.repo}, {"ref", e.ref}}};
  }
  EffectRow operator()(const effects::Raw& e) const { return {e.lane, e.kind, e.args}; }
};

}  // namespace

std::string IdempotencyKey(std::string_view run_id, const Effect& effect) {
  return std::string(run_id) + "/" + effect.step;
}

EffectRow ToRow(const EffectAction& action) { return std::visit(RowOf{}, action); }

}  // namespace contexten::workflows::engine
