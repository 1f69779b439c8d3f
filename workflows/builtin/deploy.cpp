#include "workflows/builtin/deploy.hpp"

#include "core/json_fields.hpp"
#include "workflows/builtin/github_events.hpp"
#include "workflows/builtin/rooted_thread.hpp"
#include "workflows/outbox/effect_kinds.hpp"
#include "workflows/present/github_messages.hpp"

namespace contexten::workflows::builtin {
namespace {

using core::json_fields::Str;
using engine::DecideContext;
using engine::Decision;
using engine::Event;
using nlohmann::json;
using Phase = present::DeployRequestModel::Phase;
namespace effects = engine::effects;

constexpr char kExpireTimer[] = "expire";
// GitHub does not order webhook deliveries: a deployment_status can arrive after the workflow_run
// that created it has completed. The run keeps listening this long after its workflow ended,
// unless a final deployment status has already come.
constexpr char kSettleTimer[] = "settle";
constexpr std::int64_t kSettleMs = 5 * 60 * 1000;
constexpr char kDefaultBranchStep[] = "default-branch";

std::string FileName(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

const char* PhaseName(Phase phase) {
  switch (phase) {
    case Phase::kAwaiting:
      return "awaiting";
    case Phase::kConfirmed:
      return "confirmed";
    case Phase::kRunning:
      return "running";
    case Phase::kSucceeded:
      return "succeeded";
    case Phase::kFailed:
      return "failed";
    case Phase::kExpired:
      return "expired";
    case Phase::kCancelled:
      return "cancelled";
  }
  return "awaiting";
}

Phase PhaseFrom(const std::string& name) {
  for (Phase p : {Phase::kAwaiting, Phase::kConfirmed, Phase::kRunning, Phase::kSucceeded,
                  Phase::kFailed, Phase::kExpired, Phase::kCancelled}) {
    if (name == PhaseName(p)) return p;
  }
  return Phase::kAwaiting;
}

class Step final : public RootedThread {
 public:
  Step(const DecideContext& context, const json& state)
      : RootedThread(context, state, "request-update") {}
  Phase phase() { return PhaseFrom(Str(state(), "phase")); }
  void set_phase(Phase p) { state()["phase"] = PhaseName(p); }

  present::DeployRequestModel Model() {
    present::DeployRequestModel m;
    m.repo = Str(state(), "repo");
    m.environment = Str(state(), "environment");
    m.ref = Str(state(), "ref");
    if (m.ref.empty()) m.ref = "(default branch)";  // only when GitHub never named it
    m.workflow = Str(state(), "workflow");
    m.requester = Str(state(), "requester");
    m.phase = phase();
    m.decided_by = Str(state(), "decided_by");
    m.run_url = Str(state(), "run_url");
    m.run_id = run_id();
    return m;
  }

  // The request card, once: at the start, or when GitHub has named the default branch.
  void PostRequest() {
    if (state().value("request_posted", false)) return;
    state()["request_posted"] = true;
    json message = present::RenderDeployRequest(Model());
    effects::SlackPostMessage post;
    post.channel = Str(state(), "channel");
    post.text = message.value("text", "");
    post.blocks = message.value("blocks", json::array());
    Effect("request", SlackKey(), std::move(post));
  }

  void Finish(Phase p) {
    set_phase(p);
    PostRequest();  // a request that ends before its card went out still shows how it ended
    decision.stop_waiting = {
        GitHubDispatchKey(Str(state(), "repo"), Str(state(), "workflow"), Str(state(), "ref")),
        GitHubDeployKey(Str(state(), "repo"), Str(state(), "environment"))};
    decision.cancel_timers = {kExpireTimer, kSettleTimer};
    decision.outcome = Decision::Outcome::kCompleted;
    UpdateRoot();
  }

 protected:
  json RenderRoot() override { return present::RenderDeployRequest(Model()); }
};

std::string What(Step& s) {
  return Str(s.state(), "repo") + " to " + Str(s.state(), "environment") + " at " +
         Str(s.state(), "ref");
}

void OnStart(Step& s, const Event& event) {
  const json& d = event.data;
  s.state() = {{"repo", Str(d, "repo")},
               {"environment", Str(d, "environment")},
               {"ref", Str(d, "ref")},
               {"workflow", FileName(Str(d, "workflow"))},
               {"requester", Str(d, "requester")},
               {"channel", Str(d, "channel")},
               {"phase", PhaseName(Phase::kAwaiting)},
               {"seq", 0}};
  if (Str(d, "ref").empty()) {
    // No ref given: the repository's default branch, as GitHub names it; the card (and so its
    // [Confirm deploy]) goes out once it is known.
    s.Effect(kDefaultBranchStep, "github:" + Str(d, "repo"),
             effects::Raw{
                 engine::kGitHubLane, outbox::kGitHubGetRepository, {{"repo", Str(d, "repo")}}});
  } else {
    s.PostRequest();
  }
  const std::int64_t expires = d.value("expires_at_ms", std::int64_t{0});
  if (expires > 0) s.decision.timers.push_back({kExpireTimer, expires});
  s.decision.note = "deploy " + What(s) + " requested by " + Str(d, "requester");
}

void OnPosted(Step& s, const json& result) {
  s.RootPosted(result);
  s.decision.links.push_back({s.ThreadKey(),
                              "contexten_run:" + s.run_id(),
                              "posted_in",
                              {{"event", s.run_id()}, {"field", "request"}}});
  // It failed before its card went out (no default branch): the card is out, so it ends.
  if (s.phase() == Phase::kFailed) s.Finish(Phase::kFailed);
}

void Dispatch(Step& s) {
  effects::GitHubDispatchWorkflow dispatch;
  dispatch.repo = Str(s.state(), "repo");
  dispatch.workflow = Str(s.state(), "workflow");
  dispatch.ref = Str(s.state(), "ref");
  dispatch.inputs = {{"environment", Str(s.state(), "environment")},
                     {"ref", Str(s.state(), "ref")}};
  dispatch.requested_at_ms = s.now_ms();
  s.Effect("dispatch", "github:" + dispatch.repo, std::move(dispatch));
  s.decision.wait_for = {
      GitHubDispatchKey(Str(s.state(), "repo"), Str(s.state(), "workflow"), Str(s.state(), "ref")),
      GitHubDeployKey(Str(s.state(), "repo"), Str(s.state(), "environment"))};
}

void OnConfirm(Step& s, const std::string& user) {
  if (s.phase() != Phase::kAwaiting) {
    return s.Ephemeral(user, "This deploy request is no longer waiting for a confirmation.");
  }
  s.set_phase(Phase::kConfirmed);
  s.state()["decided_by"] = user;
  s.decision.cancel_timers = {kExpireTimer};
  Dispatch(s);
  s.Tell("Confirmed by <@" + user + ">: dispatching " + Str(s.state(), "workflow") + ".");
  s.UpdateRoot();
  s.decision.note = "deploy confirmed by " + user;
}

// No default branch: the card goes out showing the failure, the reason in its thread (queued
// until the card exists), and the run ends once the card is posted (OnPosted).
void FailWithoutRef(Step& s, const std::string& why) {
  s.set_phase(Phase::kFailed);
  s.PostRequest();
  s.Tell(":warning: " + why);
  s.decision.note = why;
}

void OnDefaultBranch(Step& s, const json& result) {
  if (s.phase() != Phase::kAwaiting) return;  // expired meanwhile
  const std::string branch = Str(result, "default_branch");
  if (branch.empty()) {
    return FailWithoutRef(s, "GitHub named no default branch for " + Str(s.state(), "repo") + ".");
  }
  s.state()["ref"] = branch;
  s.PostRequest();
  s.decision.note = "default branch of " + Str(s.state(), "repo") + ": " + branch;
}

void OnCancel(Step& s, const std::string& user) {
  if (s.phase() != Phase::kAwaiting) {
    return s.Ephemeral(user, "This deploy request is no longer waiting for a confirmation.");
  }
  s.state()["decided_by"] = user;
  s.Tell("Cancelled by <@" + user + ">.");
  s.Finish(Phase::kCancelled);
  s.decision.note = "deploy cancelled by " + user;
}

void OnRun(Step& s, const Event& event) {
  const json& run = event.data;
  const Phase p = s.phase();
  if (p != Phase::kConfirmed && p != Phase::kRunning) return;
  const std::int64_t run_id = run.value("run_id", std::int64_t{0});
  const std::int64_t followed = s.state().value("gh_run_id", std::int64_t{0});
  if (followed != 0 && followed != run_id) return;  // another dispatch of the same workflow
  if (followed == 0) {
    s.state()["gh_run_id"] = run_id;
    s.state()["run_url"] = Str(run, "url");
    s.decision.wait_for = {GitHubRunKey(Str(s.state(), "repo"), run_id)};
    s.decision.links.push_back({GitHubRunKey(Str(s.state(), "repo"), run_id),
                                "contexten_run:" + s.run_id(),
                                "posted_in",
                                {{"event", s.run_id()}, {"field", "dispatch"}}});
    s.Tell(":hourglass_flowing_sand: " +
           present::SlackLink(Str(run, "url"),
                              Str(run, "workflow") + " run " + std::to_string(run_id)) +
           " started.");
    s.set_phase(Phase::kRunning);
    s.UpdateRoot();
  }
  if (Str(run, "status") != "completed" || s.state().value("run_done", false)) return;
  s.state()["run_done"] = true;
  const std::string conclusion = Str(run, "conclusion");
  const Phase ended = conclusion == "success" ? Phase::kSucceeded : Phase::kFailed;
  if (ended == Phase::kSucceeded) {
    s.Tell(":white_check_mark: Deployed " + What(s) + ".");
  } else {
    s.Tell(":x: The deploy run ended: " + conclusion + ".");
  }
  s.decision.note = "deploy run " + conclusion;
  if (s.state().value("deployment_final", false)) {
    s.Finish(ended);
    return;
  }
  // The card shows how the run ended; the run stays to hear a late deployment status.
  s.set_phase(ended);
  s.UpdateRoot();
  s.decision.timers.push_back({kSettleTimer, s.now_ms() + kSettleMs});
}

// A deployment's state after which it does not change (GitHub's deployment statuses).
bool IsFinalDeploymentState(const std::string& state) {
  return state == "success" || state == "failure" || state == "error" || state == "inactive";
}

void OnDeploymentStatus(Step& s, const Event& event) {
  const Phase p = s.phase();
  if (p == Phase::kAwaiting || p == Phase::kCancelled || p == Phase::kExpired) return;
  const std::string state = Str(event.data, "state");
  const std::string url = Str(event.data, "url");
  s.Tell("Deployment to *" + Str(event.data, "environment") +
         "*: " + (url.empty() ? state : present::SlackLink(url, state)));
  s.decision.note = "deployment " + state;
  if (!IsFinalDeploymentState(state)) return;
  s.state()["deployment_final"] = true;
  if (s.state().value("run_done", false)) s.Finish(p);
}

}  // namespace

Decision DeployWorkflow::Decide(const DecideContext& context, const json& state,
                                const Event& event) const {
  Step s(context, state);
  if (event.type == "start") {
    OnStart(s, event);
  } else if (event.type == engine::kEffectDone) {
    const std::string step = Str(event.data, "step");
    if (step == "request") OnPosted(s, event.data.value("result", json()));
    if (step == kDefaultBranchStep) OnDefaultBranch(s, event.data.value("result", json()));
  } else if (event.type == engine::kEffectDead) {
    if (Str(event.data, "step") == kDefaultBranchStep && s.phase() == Phase::kAwaiting) {
      FailWithoutRef(s,
                     "GitHub did not say which branch is the default: " + Str(event.data, "error"));
    }
    if (Str(event.data, "step") == "dispatch") {
      s.Tell(":warning: GitHub did not start the workflow: " + Str(event.data, "error"));
      s.Finish(Phase::kFailed);
    }
  } else if (event.type == kSlackClickEvent) {
    const std::string action = Str(event.data, "action");
    if (action == present::kDeployConfirmAction) OnConfirm(s, Str(event.data, "user"));
    if (action == present::kDeployCancelAction) OnCancel(s, Str(event.data, "user"));
  } else if (event.type == kGitHubWorkflowRunEvent) {
    OnRun(s, event);
  } else if (event.type == kGitHubDeploymentStatusEvent) {
    OnDeploymentStatus(s, event);
  } else if (event.type == engine::kTimerFired) {
    if (Str(event.data, "name") == kExpireTimer && s.phase() == Phase::kAwaiting) {
      s.Tell("Nobody confirmed in time; the request expired.");
      s.Finish(Phase::kExpired);
      s.decision.note = "deploy request expired";
    }
    if (Str(event.data, "name") == kSettleTimer && s.state().value("run_done", false)) {
      s.Finish(s.phase());
    }
  }
  return std::move(s.decision);
}

}  // namespace contexten::workflows::builtin
