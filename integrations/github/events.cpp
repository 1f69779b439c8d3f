#include "integrations/github/events.hpp"

#include "integrations/json/simd_json.hpp"

namespace contexten::integrations::github {
namespace {

using json::At;
using json::Bool;
using json::Int;
using json::IsObject;
using json::OptInt;
using json::Str;

// A member that may be absent; the getters treat absent like null.
using Json = std::optional<simdjson::dom::element>;

// Calls `each` for every element of an array member (none when absent or not an array).
template <typename Each>
void ForEach(const Json& owner, std::string_view key, Each each) {
  simdjson::dom::array array;
  if (auto v = At(owner, key); !v || v->get_array().get(array) != simdjson::SUCCESS) return;
  for (simdjson::dom::element item : array) each(item);
}

std::vector<int64_t> PullRequestNumbers(const Json& owner) {
  std::vector<int64_t> numbers;
  ForEach(owner, "pull_requests", [&](simdjson::dom::element pr) {
    if (auto n = OptInt(pr, "number")) numbers.push_back(*n);
  });
  return numbers;
}

// The names of an issue's or pull request's labels (subscription label filters read them).
std::vector<std::string> LabelNames(const Json& owner) {
  std::vector<std::string> names;
  ForEach(owner, "labels", [&](simdjson::dom::element label) {
    std::string name = Str(Json(label), "name");
    if (!name.empty()) names.push_back(std::move(name));
  });
  return names;
}

void FillCommon(const Json& body, GitHubEventCommon& common) {
  common.action = Str(body, "action");
  common.repository = Str(At(body, "repository"), "full_name");
  common.sender = Str(At(body, "sender"), "login");
  common.default_branch = Str(At(body, "repository"), "default_branch");
  common.installation_id = OptInt(At(body, "installation"), "id");
}

core::Error Invalid(std::string_view event_name, std::string_view what) {
  return core::MakeError(core::ErrorKind::kInvalidInput,
                         "github " + std::string(event_name) + " event: " + std::string(what));
}

// The object a typed event is about ("pull_request", "workflow_run", ...); required.
core::Result<Json> Subject(const Json& body, std::string_view event_name, std::string_view key) {
  Json v = At(body, key);
  if (!IsObject(v)) return Invalid(event_name, "missing object \"" + std::string(key) + "\"");
  return v;
}

template <typename Event>
Event WithCommon(const Json& body) {
  Event event;
  FillCommon(body, event);
  return event;
}

core::Result<GitHubEvent> ParsePullRequest(const Json& body, std::string_view name) {
  auto pr = Subject(body, name, "pull_request");
  if (!pr) return pr.error();
  const Json& p = *pr;
  auto event = WithCommon<PullRequestEvent>(body);
  event.number = OptInt(body, "number").value_or(Int(p, "number"));
  event.title = Str(p, "title");
  event.body = Str(p, "body");
  event.state = Str(p, "state");
  event.merged = Bool(p, "merged");
  event.draft = Bool(p, "draft");
  event.head_ref = Str(At(p, "head"), "ref");
  event.head_sha = Str(At(p, "head"), "sha");
  event.base_ref = Str(At(p, "base"), "ref");
  event.html_url = Str(p, "html_url");
  event.author = Str(At(p, "user"), "login");
  event.author_type = Str(At(p, "user"), "type");
  event.labels = LabelNames(p);
  event.label = Str(At(body, "label"), "name");
  return GitHubEvent(std::move(event));
}

core::Result<GitHubEvent> ParseReview(const Json& body, std::string_view name) {
  auto review = Subject(body, name, "review");
  if (!review) return review.error();
  const Json& r = *review;
  const Json pr = At(body, "pull_request");
  auto event = WithCommon<PullRequestReviewEvent>(body);
  event.state = Str(r, "state");
  event.reviewer = Str(At(r, "user"), "login");
  event.body = Str(r, "body");
  event.html_url = Str(r, "html_url");
  event.pr_number = Int(pr, "number");
  event.pr_title = Str(pr, "title");
  event.pr_html_url = Str(pr, "html_url");
  return GitHubEvent(std::move(event));
}

core::Result<GitHubEvent> ParseIssues(const Json& body, std::string_view name) {
  auto issue = Subject(body, name, "issue");
  if (!issue) return issue.error();
  const Json& i = *issue;
  auto event = WithCommon<IssuesEvent>(body);
  event.number = Int(i, "number");
  event.title = Str(i, "title");
  event.body = Str(i, "body");
  event.state = Str(i, "state");
  event.html_url = Str(i, "html_url");
  event.author = Str(At(i, "user"), "login");
  event.is_pull_request = IsObject(At(i, "pull_request"));
  event.author_type = Str(At(i, "user"), "type");
  event.labels = LabelNames(i);
  event.label = Str(At(body, "label"), "name");
  return GitHubEvent(std::move(event));
}

core::Result<GitHubEvent> ParseIssueComment(const Json& body, std::string_view name) {
  auto comment = Subject(body, name, "comment");
  if (!comment) return comment.error();
  const Json& c = *comment;
  const Json issue = At(body, "issue");
  auto event = WithCommon<IssueCommentEvent>(body);
  event.comment_id = Int(c, "id");
  event.body = Str(c, "body");
  event.author = Str(At(c, "user"), "login");
  event.html_url = Str(c, "html_url");
  event.issue_number = Int(issue, "number");
  event.issue_title = Str(issue, "title");
  event.is_pull_request = IsObject(At(issue, "pull_request"));
  return GitHubEvent(std::move(event));
}

std::optional<PushCommit> ParseCommit(const Json& c) {
  if (!IsObject(c)) return std::nullopt;
  return PushCommit{Str(c, "id"), Str(c, "message")};
}

core::Result<GitHubEvent> ParsePush(const Json& body, std::string_view /*name*/) {
  auto event = WithCommon<PushEvent>(body);
  event.ref = Str(body, "ref");
  event.before = Str(body, "before");
  event.after = Str(body, "after");
  event.created = Bool(body, "created");
  event.deleted = Bool(body, "deleted");
  event.forced = Bool(body, "forced");
  ForEach(body, "commits", [&](simdjson::dom::element c) {
    if (auto commit = ParseCommit(c)) event.commits.push_back(std::move(*commit));
  });
  event.head_commit = ParseCommit(At(body, "head_commit"));
  return GitHubEvent(std::move(event));
}

core::Result<GitHubEvent> ParseWorkflowRun(const Json& body, std::string_view name) {
  auto run = Subject(body, name, "workflow_run");
  if (!run) return run.error();
  const Json& r = *run;
  auto event = WithCommon<WorkflowRunEvent>(body);
  event.id = Int(r, "id");
  event.name = Str(r, "name");
  event.workflow_id = Int(r, "workflow_id");
  event.head_branch = Str(r, "head_branch");
  event.head_sha = Str(r, "head_sha");
  event.status = Str(r, "status");
  event.conclusion = Str(r, "conclusion");
  event.run_attempt = Int(r, "run_attempt");
  event.html_url = Str(r, "html_url");
  event.pull_requests = PullRequestNumbers(r);
  event.event = Str(r, "event");
  event.path = Str(r, "path");
  return GitHubEvent(std::move(event));
}

core::Result<GitHubEvent> ParseWorkflowJob(const Json& body, std::string_view name) {
  auto job = Subject(body, name, "workflow_job");
  if (!job) return job.error();
  const Json& j = *job;
  auto event = WithCommon<WorkflowJobEvent>(body);
  event.id = Int(j, "id");
  event.run_id = Int(j, "run_id");
  event.name = Str(j, "name");
  event.status = Str(j, "status");
  event.conclusion = Str(j, "conclusion");
  event.head_sha = Str(j, "head_sha");
  event.html_url = Str(j, "html_url");
  ForEach(j, "steps", [&](simdjson::dom::element step) {
    if (step.is_object()) {
      event.steps.push_back({Str(step, "name"), Str(step, "status"), Str(step, "conclusion")});
    }
  });
  return GitHubEvent(std::move(event));
}

core::Result<GitHubEvent> ParseCheckRun(const Json& body, std::string_view name) {
  auto run = Subject(body, name, "check_run");
  if (!run) return run.error();
  const Json& r = *run;
  auto event = WithCommon<CheckRunEvent>(body);
  event.id = Int(r, "id");
  event.name = Str(r, "name");
  event.status = Str(r, "status");
  event.conclusion = Str(r, "conclusion");
  event.head_sha = Str(r, "head_sha");
  event.html_url = Str(r, "html_url");
  event.pull_requests = PullRequestNumbers(r);
  return GitHubEvent(std::move(event));
}

core::Result<GitHubEvent> ParseCheckSuite(const Json& body, std::string_view name) {
  auto suite = Subject(body, name, "check_suite");
  if (!suite) return suite.error();
  const Json& s = *suite;
  auto event = WithCommon<CheckSuiteEvent>(body);
  event.id = Int(s, "id");
  event.status = Str(s, "status");
  event.conclusion = Str(s, "conclusion");
  event.head_branch = Str(s, "head_branch");
  event.head_sha = Str(s, "head_sha");
  event.pull_requests = PullRequestNumbers(s);
  return GitHubEvent(std::move(event));
}

core::Result<GitHubEvent> ParseStatus(const Json& body, std::string_view /*name*/) {
  auto event = WithCommon<StatusEvent>(body);
  event.sha = Str(body, "sha");
  event.state = Str(body, "state");
  event.context = Str(body, "context");
  event.description = Str(body, "description");
  event.target_url = Str(body, "target_url");
  return GitHubEvent(std::move(event));
}

core::Result<GitHubEvent> ParseDeploymentStatus(const Json& body, std::string_view name) {
  auto status = Subject(body, name, "deployment_status");
  if (!status) return status.error();
  const Json& s = *status;
  const Json deployment = At(body, "deployment");
  auto event = WithCommon<DeploymentStatusEvent>(body);
  event.state = Str(s, "state");
  event.environment = Str(s, "environment");
  if (event.environment.empty()) event.environment = Str(deployment, "environment");
  event.deployment_id = Int(deployment, "id");
  event.ref = Str(deployment, "ref");
  // Newer payloads put the link in environment_url/log_url; target_url is the legacy field.
  event.target_url = Str(s, "target_url");
  if (event.target_url.empty()) event.target_url = Str(s, "environment_url");
  if (event.target_url.empty()) event.target_url = Str(s, "log_url");
  event.description = Str(s, "description");
  return GitHubEvent(std::move(event));
}

core::Result<GitHubEvent> ParseRelease(const Json& body, std::string_view name) {
  auto release = Subject(body, name, "release");
  if (!release) return release.error();
  const Json& r = *release;
  auto event = WithCommon<ReleaseEvent>(body);
  event.tag_name = Str(r, "tag_name");
  event.name = Str(r, "name");
  event.draft = Bool(r, "draft");
  event.prerelease = Bool(r, "prerelease");
  event.html_url = Str(r, "html_url");
  return GitHubEvent(std::move(event));
}

core::Result<GitHubEvent> ParsePing(const Json& body, std::string_view /*name*/) {
  auto event = WithCommon<PingEvent>(body);
  event.zen = Str(body, "zen");
  event.hook_id = OptInt(body, "hook_id");
  if (!event.hook_id) event.hook_id = OptInt(At(body, "hook"), "id");
  return GitHubEvent(std::move(event));
}

using Parser = core::Result<GitHubEvent> (*)(const Json&, std::string_view);

struct Route {
  std::string_view name;
  Parser parse;
};

constexpr Route kRoutes[] = {
    {"ping", &ParsePing},
    {"pull_request", &ParsePullRequest},
    {"pull_request_review", &ParseReview},
    {"issues", &ParseIssues},
    {"issue_comment", &ParseIssueComment},
    {"push", &ParsePush},
    {"workflow_run", &ParseWorkflowRun},
    {"workflow_job", &ParseWorkflowJob},
    {"check_run", &ParseCheckRun},
    {"check_suite", &ParseCheckSuite},
    {"status", &ParseStatus},
    {"deployment_status", &ParseDeploymentStatus},
    {"release", &ParseRelease},
};

}  // namespace

core::Result<GitHubEvent> ParseGitHubEvent(std::string_view event_name, std::string_view body) {
  const json::ParsedJson parsed = json::ParseJson(body);
  if (!parsed.ok()) {
    return Invalid(event_name,
                   "body is not valid JSON (" + std::string(parsed.error_message()) + ")");
  }
  if (!parsed.is_object()) return Invalid(event_name, "body is not a JSON object");
  const Json json = parsed.root;
  // Accessors above never throw, but a bug must still not escape as an exception.
  try {
    for (const Route& route : kRoutes) {
      if (route.name == event_name) return route.parse(json, event_name);
    }
    auto event = WithCommon<UnhandledGitHubEvent>(json);
    event.name = std::string(event_name);
    return GitHubEvent(std::move(event));
  } catch (const std::exception& e) {
    return Invalid(event_name, std::string("unexpected payload shape: ") + e.what());
  }
}

const GitHubEventCommon& Common(const GitHubEvent& event) {
  return std::visit([](const auto& e) -> const GitHubEventCommon& { return e; }, event);
}

}  // namespace contexten::integrations::github
