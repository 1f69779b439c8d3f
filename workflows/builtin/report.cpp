#include "workflows/builtin/report.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <functional>

#include "core/json_fields.hpp"
#include "workflows/present/report_digest.hpp"
#include "workflows/present/report_weekly.hpp"
#include "workflows/schedule/scheduler.hpp"

namespace contexten::workflows::builtin {
namespace {

using core::json_fields::Arr;
using core::json_fields::Bool;
using core::json_fields::Int;
using core::json_fields::Obj;
using core::json_fields::Str;
using nlohmann::json;

constexpr char kPostStep[] = "post";
constexpr char kIssuesStep[] = "read:issues";  // + ":<team key>" per team
constexpr char kPullsStep[] = "read:pulls:";   // + repo
constexpr char kRunsStep[] = "read:runs:";     // + repo
// The open state types a digest lists (Linear's WorkflowState.type).
const std::vector<std::string> kOpenStateTypes = {"triage", "backlog", "unstarted", "started"};
// Conclusions that mean a run failed (GitHub's check conclusions).
bool FailedConclusion(const std::string& c) {
  return c == "failure" || c == "timed_out" || c == "startup_failure";
}

std::vector<std::string> Strings(const json& j) {
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const auto& item : j) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

std::string UrlEncode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// "https://linear.app/acme/issue/ENG-1/slug" -> "https://linear.app/acme/team/ENG/active": the
// team's open issues, linked when the state list is cut.
std::string IssuesViewUrl(const present::ReportModel& model) {
  for (const auto& issue : model.issues) {
    const auto at = issue.url.find("/issue/");
    if (at == std::string::npos || issue.team.empty()) continue;
    return issue.url.substr(0, at) + "/team/" + issue.team + "/active";
  }
  return "";
}

json RenderMessage(const json& state, std::int64_t now_ms) {
  const std::string kind = Str(state, "kind");
  present::ReportModel model = present::ReportModelFromJson(Obj(state, "model"));
  if (model.issues_url.empty()) model.issues_url = IssuesViewUrl(model);
  return RenderReport(kind, model, present::ReportOptionsFromJson(Obj(state, "options")), now_ms);
}

engine::Effect PostEffect(const json& state, const std::string& run_id, std::int64_t now_ms) {
  const json message = RenderMessage(state, now_ms);
  const std::string channel = Str(state, "channel");
  const std::string user = Str(state, "ephemeral_user");
  if (!user.empty()) {
    engine::effects::SlackPostEphemeral post;
    post.channel = channel;
    post.user = user;
    post.text = message.value("text", "");
    if (message.contains("blocks")) post.blocks = message["blocks"];
    return {kPostStep, "slack:" + channel + "/" + run_id, std::move(post)};
  }
  engine::effects::SlackPostMessage post;
  post.channel = channel;
  post.text = message.value("text", "");
  if (message.contains("blocks")) post.blocks = message["blocks"];
  return {kPostStep, "slack:" + channel + "/" + run_id, std::move(post)};
}

// The reads a digest needs for its scope and options; each a step of its own.
std::vector<engine::Effect> ReadEffects(const ReportScope& scope,
                                        const present::ReportOptions& options) {
  std::vector<engine::Effect> reads;
  if (scope.linear) {
    const auto& teams = options.teams.empty() ? scope.teams : options.teams;
    if (teams.empty()) {
      reads.push_back({kIssuesStep, "",
                       engine::effects::Raw{engine::kLinearLane,
                                            engine::kLinearSearchIssues,
                                            {{"state_types", kOpenStateTypes}}}});
    }
    for (const auto& team : teams) {
      reads.push_back(
          {std::string(kIssuesStep) + ":" + team, "",
           engine::effects::Raw{engine::kLinearLane,
                                engine::kLinearSearchIssues,
                                {{"team_key", team}, {"state_types", kOpenStateTypes}}}});
    }
  }
  if (scope.github) {
    const auto& repos = options.repos.empty() ? scope.repos : options.repos;
    for (const auto& repo : repos) {
      reads.push_back(
          {kPullsStep + repo, "",
           engine::effects::Raw{
               engine::kGitHubLane,
               engine::kGitHubListPullRequests,
               {{"repo", repo}, {"reviews", true}, {"drafts", options.include_drafts}}}});
      reads.push_back({kRunsStep + repo, "",
                       engine::effects::Raw{engine::kGitHubLane,
                                            engine::kGitHubListWorkflowRuns,
                                            {{"repo", repo}, {"branch", scope.default_branch}}}});
    }
  }
  return reads;
}

void AddNote(std::string& notes, const std::string& note) {
  notes += (notes.empty() ? "" : "; ") + note;
}

// Folds one read's outcome into the state's model; true when it was a pending read.
bool ApplyRead(json& state, const engine::Event& event) {
  const std::string step = Str(event.data, "step");
  json& pending = state["pending"];
  const auto it = std::find(pending.begin(), pending.end(), step);
  if (it == pending.end()) return false;
  pending.erase(it);
  present::ReportModel model = present::ReportModelFromJson(Obj(state, "model"));
  const bool dead = event.type == engine::kEffectDead;
  const std::string error = Str(event.data, "error");
  const json& result = Obj(event.data, "result");
  if (step.starts_with(kIssuesStep)) {
    if (dead) {
      state["issues_failed"] = true;
      AddNote(model.issues_unavailable, "could not read Linear (" + error + ")");
    } else {
      state["issues_read"] = true;
      ApplyIssues(model, result);
    }
    model.has_issues = Bool(state, "issues_read");
  } else {
    const bool pulls = step.starts_with(kPullsStep);
    const std::string repo = step.substr(pulls ? std::strlen(kPullsStep) : std::strlen(kRunsStep));
    if (dead) {
      AddNote(model.pulls_unavailable, "could not read " + repo + " (" + error + ")");
    } else {
      state["github_read"] = true;
      if (pulls) {
        ApplyPulls(model, result);
      } else {
        ApplyRuns(model, repo, Str(Obj(state, "scope"), "default_branch"), result);
      }
    }
    model.has_pulls = Bool(state, "github_read");
  }
  state["model"] = present::ToJson(model);
  return true;
}

}  // namespace

json ToJson(const ReportScope& scope) {
  return {{"linear", scope.linear},
          {"github", scope.github},
          {"repos", scope.repos},
          {"teams", scope.teams},
          {"default_branch", scope.default_branch}};
}

ReportScope ReportScopeFromJson(const json& j) {
  ReportScope scope;
  scope.linear = Bool(j, "linear");
  scope.github = Bool(j, "github");
  scope.repos = Strings(core::json_fields::At(j, "repos"));
  scope.teams = Strings(core::json_fields::At(j, "teams"));
  if (auto branch = Str(j, "default_branch"); !branch.empty()) scope.default_branch = branch;
  return scope;
}

void ApplyIssues(present::ReportModel& model, const json& result) {
  for (const auto& i : Arr(result, "issues")) {
    model.issues.push_back({Str(i, "identifier"), Str(i, "title"), Str(i, "url"), Str(i, "team"),
                            Str(i, "state"), Str(i, "state_type"), Str(i, "assignee")});
  }
}

void ApplyPulls(present::ReportModel& model, const json& result) {
  const present::ReportModel read = present::ReportModelFromJson({{"pulls", Arr(result, "pulls")}});
  model.pulls.insert(model.pulls.end(), read.pulls.begin(), read.pulls.end());
}

void ApplyRuns(present::ReportModel& model, const std::string& repo, const std::string& branch,
               const json& result) {
  // The newest run of each workflow decides whether that workflow is failing now: a failure
  // fixed by a later green run is not listed. GitHub lists runs newest first.
  std::vector<std::int64_t> seen;
  std::vector<present::ReportCiFailure> failures;
  for (const auto& run : Arr(result, "runs")) {
    if (!branch.empty() && Str(run, "branch") != branch) continue;
    const std::int64_t workflow = Int(run, "workflow_id");
    const std::string key_name = Str(run, "name");
    const std::int64_t key =
        workflow != 0 ? workflow : static_cast<std::int64_t>(std::hash<std::string>{}(key_name));
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    if (Str(run, "status") != "completed") continue;  // the newest finished run decides
    seen.push_back(key);
    if (!FailedConclusion(Str(run, "conclusion"))) continue;
    failures.push_back(
        {repo, Str(run, "branch"), key_name, Str(run, "url"), Int(run, "created_at_ms")});
  }
  model.ci_failures.insert(model.ci_failures.end(), failures.begin(), failures.end());
}

std::string PullSearchUrl(const std::vector<std::string>& repos) {
  std::string query = "is:open is:pr";
  for (const auto& repo : repos) query += " repo:" + repo;
  return "https://github.com/pulls?q=" + UrlEncode(query);
}

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
               {"ephemeral_user", Str(event.data, "ephemeral_user")},
               {"status", "posting"}};
    if (!IsReportKind(kind) || channel.empty()) {
      d.state["status"] = "failed";
      d.outcome = engine::Decision::Outcome::kFailed;
      d.note = "unknown report kind '" + kind + "' or no channel";
      return d;
    }
    const ReportScope scope = ReportScopeFromJson(Obj(event.data, "scope"));
    const present::ReportOptions options =
        present::ReportOptionsFromJson(Obj(event.data, "options"));
    present::ReportModel model = present::ReportModelFromJson(Obj(event.data, "model"));
    // The weekly summary's counts come with the model; the reads are the digest's.
    std::vector<engine::Effect> reads;
    if (kind == kDigestReport) reads = ReadEffects(scope, options);
    if (kind == kDigestReport && scope.github) {
      const auto& repos = options.repos.empty() ? scope.repos : options.repos;
      if (repos.empty()) {
        model.has_pulls = false;
        model.pulls_unavailable =
            "no repositories chosen (subscribe this channel to one, or add repos:owner/name)";
      } else if (model.full_list_url.empty()) {
        model.full_list_url = PullSearchUrl(repos);
      }
    }
    d.state["model"] = present::ToJson(model);
    d.state["options"] = present::ToJson(options);
    d.state["scope"] = ToJson(scope);
    if (!reads.empty()) {
      json pending = json::array();
      for (const auto& r : reads) pending.push_back(r.step);
      d.state["pending"] = std::move(pending);
      d.state["status"] = "gathering";
      d.effects = std::move(reads);
      d.note = "reading Linear and GitHub for the " + kind + " report";
      return d;
    }
    d.effects.push_back(PostEffect(d.state, context.run_id, context.now_ms));
    d.state.erase("model");
    d.note = "posting the " + kind + " report to " + channel;
    return d;
  }
  if ((event.type == engine::kEffectDone || event.type == engine::kEffectDead) &&
      d.state.value("status", "") == "gathering") {
    if (!ApplyRead(d.state, event)) return d;
    if (!d.state["pending"].empty()) {
      d.note = "read " + Str(event.data, "step");
      return d;
    }
    d.state.erase("pending");
    d.state["status"] = "posting";
    d.effects.push_back(PostEffect(d.state, context.run_id, context.now_ms));
    // The post carries the rendering; the run's state need not keep the data.
    d.state.erase("model");
    d.note = "posting the " + Str(d.state, "kind") + " report to " + Str(d.state, "channel");
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
                       {"options", present::ToJson(request.options)},
                       {"scope", ToJson(request.scope)},
                       {"ephemeral_user", request.ephemeral_user}},
                      "start"};
  return engine.Start(kReportType, run_id, std::move(start));
}

core::Status StartScheduledReport(engine::Engine& engine, const store::ScheduleRecord& schedule,
                                  core::WallTime slot, const ReportGather& gather,
                                  const ReportScopeFor& scope_for) {
  ReportRequest request;
  request.kind = schedule.kind;
  request.channel = schedule.channel;
  request.schedule_id = schedule.id;
  request.slot_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(slot.time_since_epoch()).count();
  request.options = present::ReportOptionsFromJson(
      json::parse(schedule.options, nullptr, /*allow_exceptions=*/false));
  if (gather) request.model = gather(request.options);
  if (scope_for) request.scope = scope_for(schedule.channel);
  auto started = StartReport(engine, schedule::SlotRunId(schedule.id, slot), request);
  if (!started) return started.error();
  return core::Ok();
}

}  // namespace contexten::workflows::builtin
