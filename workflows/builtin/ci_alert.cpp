#include "workflows/builtin/ci_alert.hpp"

#include "core/json_fields.hpp"
#include "integrations/linear/linear_ids.hpp"
#include "workflows/builtin/file_issue_events.hpp"
#include "workflows/builtin/github_events.hpp"
#include "workflows/builtin/rooted_thread.hpp"
#include "workflows/present/github_messages.hpp"
#include "workflows/present/issue_card.hpp"

namespace contexten::workflows::builtin {
namespace {

using core::json_fields::Str;
using engine::DecideContext;
using engine::Decision;
using engine::Event;
using nlohmann::json;
namespace effects = engine::effects;

std::int64_t Int(const json& j, const char* name) {
  const auto it = j.find(name);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

std::string Mention(const std::string& user) {
  return user.empty() ? "someone" : "<@" + user + ">";
}

class Step final : public RootedThread {
 public:
  Step(const DecideContext& context, const json& state)
      : RootedThread(context, state, "alert-update") {}

  present::CiAlertModel Model() {
    present::CiAlertModel m;
    m.repo = Str(state(), "repo");
    m.workflow = Str(state(), "workflow");
    m.branch = Str(state(), "branch");
    m.url = Str(state(), "url");
    m.failures = static_cast<int>(state().value("failures", json::array()).size());
    for (const auto& job : state().value("failing_jobs", json::array())) {
      if (job.is_string()) m.failing_jobs.push_back(job.get<std::string>());
    }
    m.rerun_pending = state().value("rerun_pending", false);
    m.recovered = state().value("recovered", false);
    if (state().contains("issue") && state()["issue"].is_object()) {
      m.issue_identifier = Str(state()["issue"], "identifier");
      m.issue_url = Str(state()["issue"], "url");
    }
    m.run_id = run_id();
    return m;
  }

 protected:
  json RenderRoot() override { return present::RenderCiAlert(Model()); }
};

json Failure(const json& run) {
  return {{"run_id", Int(run, "run_id")},
          {"attempt", Int(run, "attempt")},
          {"url", Str(run, "url")},
          {"sha", Str(run, "sha")}};
}

bool Seen(Step& s, const json& run) {
  for (const auto& f : s.state().value("failures", json::array())) {
    if (Int(f, "run_id") == Int(run, "run_id") && Int(f, "attempt") == Int(run, "attempt")) {
      return true;
    }
  }
  return false;
}

std::string RunLabel(const json& run) {
  return "run " + std::to_string(Int(run, "run_id")) + " attempt " +
         std::to_string(Int(run, "attempt"));
}

void OnStart(Step& s, const Event& event) {
  const json& d = event.data;
  s.state() = {{"repo", Str(d, "repo")},
               {"workflow", Str(d, "workflow")},
               {"branch", Str(d, "branch")},
               {"url", Str(d, "url")},
               {"channel", Str(d, "channel")},
               {"linear_team", Str(d, "linear_team")},
               {"failures", json::array({Failure(d)})},
               {"seq", 0}};
  json message = present::RenderCiAlert(s.Model());
  effects::SlackPostMessage post;
  post.channel = Str(d, "channel");
  post.text = message.value("text", "");
  post.blocks = message.value("blocks", json::array());
  s.Effect("alert", s.SlackKey(), std::move(post));
  s.Effect("checks", "github:" + Str(d, "repo"),
           effects::GitHubListCheckRuns{Str(d, "repo"), Str(d, "sha")});
  const std::string repo = Str(d, "repo");
  s.decision.wait_for = {CiAlertKey(repo, Str(d, "workflow"), Str(d, "branch")),
                         GitHubRunKey(repo, Int(d, "run_id")), CiRepoKey(repo)};
  s.decision.note =
      Str(d, "workflow") + " failed on " + repo + "@" + Str(d, "branch") + " (" + RunLabel(d) + ")";
}

void OnAlertPosted(Step& s, const json& result) {
  s.RootPosted(result);
  const json run = s.state()["failures"][0];
  s.decision.links.push_back({GitHubRunKey(Str(s.state(), "repo"), Int(run, "run_id")),
                              s.ThreadKey(),
                              "posted_in",
                              {{"event", "ci_alert"}, {"field", "alert"}}});
  s.decision.links.push_back({s.ThreadKey(),
                              "contexten_run:" + s.run_id(),
                              "posted_in",
                              {{"event", s.run_id()}, {"field", "alert"}}});
}

void OnChecks(Step& s, const json& result) {
  json jobs = json::array();
  for (const auto& run : result.value("check_runs", json::array())) {
    const std::string conclusion = Str(run, "conclusion");
    if (conclusion == "failure" || conclusion == "timed_out") jobs.push_back(Str(run, "name"));
  }
  if (jobs.empty()) return;
  s.state()["failing_jobs"] = jobs;
  s.UpdateRoot();
}

void OnRerunClick(Step& s, const std::string& user) {
  if (s.state().value("recovered", false)) return s.Ephemeral(user, "This build has recovered.");
  if (s.state().value("rerun_pending", false)) {
    return s.Ephemeral(user, "A re-run is already under way.");
  }
  const json latest = s.state()["failures"].back();
  s.state()["rerun_pending"] = true;
  s.state()["rerun"] = {
      {"run_id", Int(latest, "run_id")}, {"attempt", Int(latest, "attempt")}, {"user", user}};
  s.Effect(s.NextStep("rerun"), "github:" + Str(s.state(), "repo"),
           effects::GitHubRerunFailedJobs{Str(s.state(), "repo"), Int(latest, "run_id"),
                                          Int(latest, "attempt")});
  s.decision.wait_for = {GitHubRunKey(Str(s.state(), "repo"), Int(latest, "run_id"))};
  s.UpdateRoot();
  s.Tell(Mention(user) + " asked GitHub to re-run the failed jobs of " + RunLabel(latest) + ".");
  s.decision.note = "re-run requested by " + user;
}

std::string IssueDescription(Step& s) {
  std::string text = "CI workflow **" + Str(s.state(), "workflow") + "** fails on `" +
                     Str(s.state(), "branch") + "` of " + Str(s.state(), "repo") + ".\n\n";
  text += "Failed runs:\n";
  for (const auto& f : s.state()["failures"]) {
    text += "- [" + RunLabel(f) + "](" + Str(f, "url") + ")\n";
  }
  const json jobs = s.state().value("failing_jobs", json::array());
  if (!jobs.empty()) {
    text += "\nFailing jobs:\n";
    for (const auto& j : jobs) text += "- " + j.get<std::string>() + "\n";
  }
  return text;
}

void OnCreateIssueClick(Step& s, const DecideContext& context, const std::string& user) {
  if (s.state().contains("issue") || s.state().value("issue_pending", false)) {
    return s.Ephemeral(user, "A Linear issue is already filed for this failure.");
  }
  const std::string team = Str(s.state(), "linear_team");
  if (team.empty()) {
    return s.Ephemeral(user, "No Linear team is configured for CI issues (github.linear_team).");
  }
  s.state()["issue_pending"] = true;
  s.state()["issue_requested_by"] = user;
  effects::LinearCreateIssue create;
  create.id = integrations::linear::UuidFromKey(context.run_id + "/issue");
  create.team_key = team;
  create.title = "CI failing: " + Str(s.state(), "workflow") + " on " + Str(s.state(), "branch") +
                 " (" + Str(s.state(), "repo") + ")";
  create.description = IssueDescription(s);
  s.Effect("issue", "linear:" + context.run_id, std::move(create));
  s.decision.note = "Linear issue requested by " + user;
}

void OnIssueCreated(Step& s, const DecideContext& context, const json& issue) {
  s.state()["issue"] = issue;
  s.state().erase("issue_pending");
  const std::string identifier = Str(issue, "identifier");
  const std::string user = Str(s.state(), "issue_requested_by");
  const json first = s.state()["failures"][0];
  s.decision.links.push_back({"linear_issue:" + identifier,
                              GitHubRunKey(Str(s.state(), "repo"), Int(first, "run_id")),
                              "created_from",
                              {{"event", context.run_id}, {"field", "ci_alert"}}});
  if (s.HasRoot()) {
    s.decision.links.push_back({"linear_issue:" + identifier,
                                s.ThreadKey(),
                                "posted_in",
                                {{"event", context.run_id}, {"field", "ci_alert"}}});
  }
  present::IssueCardModel card;
  card.phase = present::IssueCardModel::Phase::kFiled;
  card.title = Str(issue, "title");
  card.identifier = identifier;
  card.url = Str(issue, "url");
  card.team_key = Str(issue, "team_key");
  card.priority = issue.value("priority", 0);
  if (issue.contains("state") && issue["state"].is_object()) {
    card.state_name = Str(issue["state"], "name");
    card.state_type = Str(issue["state"], "type");
  }
  card.reporter_slack_id = user;
  card.run_id = context.run_id;  // its buttons reach this run (Assign is answered below)
  json rendered = present::RenderIssueCard(card);
  s.Tell(Mention(user) + " filed " + present::SlackLink(Str(issue, "url"), "*" + identifier + "*") +
         " for this failure.");
  s.Tell(rendered.value("text", ""), rendered.value("blocks", json()));
  s.UpdateRoot();
  s.decision.note = "filed " + identifier;
}

void OnRun(Step& s, const Event& event) {
  const json& run = event.data;
  if (Str(run, "status") != "completed" || s.state().value("recovered", false)) return;
  const std::string conclusion = Str(run, "conclusion");
  const bool rerun = s.state().value("rerun_pending", false) &&
                     Int(run, "run_id") == Int(s.state()["rerun"], "run_id") &&
                     Int(run, "attempt") > Int(s.state()["rerun"], "attempt");
  if (rerun) s.state()["rerun_pending"] = false;
  if (conclusion == "success") {
    s.state()["recovered"] = true;
    s.Tell(":white_check_mark: " + present::SlackLink(Str(run, "url"), RunLabel(run)) + " passed" +
           (rerun ? " after the re-run" : "") + ": *" + Str(s.state(), "workflow") +
           "* is green again on `" + Str(s.state(), "branch") + "`.");
    s.UpdateRoot();
    s.decision.stop_waiting = {
        CiAlertKey(Str(s.state(), "repo"), Str(s.state(), "workflow"), Str(s.state(), "branch"))};
    s.decision.outcome = Decision::Outcome::kCompleted;
    s.decision.note = "recovered (" + RunLabel(run) + ")";
    return;
  }
  if (conclusion != "failure" && conclusion != "timed_out") {
    if (rerun) s.UpdateRoot();
    return;
  }
  if (Seen(s, run)) return;
  s.state()["failures"].push_back(Failure(run));
  s.decision.wait_for = {GitHubRunKey(Str(s.state(), "repo"), Int(run, "run_id"))};
  s.Tell(":x: Failed again: " + present::SlackLink(Str(run, "url"), RunLabel(run)) + ".");
  s.UpdateRoot();
  s.decision.note = "failed again (" + RunLabel(run) + ")";
}

}  // namespace

Decision CiAlertWorkflow::Decide(const DecideContext& context, const json& state,
                                 const Event& event) const {
  Step s(context, state);
  if (event.type == "start") {
    OnStart(s, event);
  } else if (event.type == engine::kEffectDone) {
    const std::string step = Str(event.data, "step");
    const json result = event.data.value("result", json::object());
    if (step == "alert") {
      OnAlertPosted(s, result);
    } else if (step == "checks") {
      OnChecks(s, result);
    } else if (step == "issue") {
      OnIssueCreated(s, context, result);
    }
  } else if (event.type == engine::kEffectDead) {
    const std::string step = Str(event.data, "step");
    const std::string error = Str(event.data, "error");
    if (step.rfind("rerun", 0) == 0) {
      s.state()["rerun_pending"] = false;
      s.Tell(":warning: GitHub did not re-run the jobs: " + error);
      s.UpdateRoot();
    } else if (step == "issue") {
      s.state().erase("issue_pending");
      s.Tell(":warning: Linear did not take the issue: " + error);
    }
  } else if (event.type == kGitHubWorkflowRunEvent) {
    OnRun(s, event);
  } else if (event.type == kSlackAssignEvent) {
    // [Assign to me] on the issue card this run posted: the card is not kept current here.
    const std::string identifier =
        s.state().contains("issue") ? Str(s.state()["issue"], "identifier") : "";
    s.Ephemeral(Str(event.data, "user"),
                "This card shows " + identifier + " as it was filed; assign it in Linear.");
  } else if (event.type == kSlackClickEvent) {
    const std::string action = Str(event.data, "action");
    const std::string user = Str(event.data, "user");
    if (action == present::kCiRerunAction) {
      OnRerunClick(s, user);
    } else if (action == present::kCiCreateIssueAction) {
      OnCreateIssueClick(s, context, user);
    }
  }
  return std::move(s.decision);
}

}  // namespace contexten::workflows::builtin
