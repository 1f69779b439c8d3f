#include "integrations/github/github_rest_client.hpp"

#include <stdexcept>

#include "core/json_fields.hpp"
#include "integrations/github/github_errors.hpp"

namespace contexten::integrations::github {
namespace {

using core::json_fields::Int;
using core::json_fields::Str;

using core::ErrorKind;
using core::MakeError;
using core::Unexpected;
using nlohmann::json;

std::string Login(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return {};
  return Str(*it, "login");
}

std::string RepoPath(const RepoRef& repo) {
  return "/repos/" + core::net::UrlEncode(repo.owner) + "/" + core::net::UrlEncode(repo.name);
}

// Adds "k=v" pairs with non-empty values.
class Query {
 public:
  Query& Add(const std::string& key, const std::string& value) {
    if (value.empty()) return *this;
    text_ += (text_.empty() ? "?" : "&") + key + "=" + core::net::UrlEncode(value);
    return *this;
  }
  Query& Add(const std::string& key, int value) { return Add(key, std::to_string(value)); }
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

Issue ParseIssue(const json& j) {
  Issue issue;
  issue.id = Int(j, "id");
  issue.number = static_cast<int>(Int(j, "number"));
  issue.html_url = Str(j, "html_url");
  issue.title = Str(j, "title");
  issue.body = Str(j, "body");
  issue.state = Str(j, "state");
  issue.user = Login(j, "user");
  issue.is_pull_request = j.contains("pull_request");
  if (auto it = j.find("labels"); it != j.end() && it->is_array()) {
    for (const auto& label : *it) {
      if (label.is_object()) issue.labels.push_back(Str(label, "name"));
      if (label.is_string()) issue.labels.push_back(label.get<std::string>());
    }
  }
  return issue;
}

Comment ParseComment(const json& j) {
  return Comment{Int(j, "id"), Str(j, "html_url"), Str(j, "body"), Login(j, "user"),
                 Str(j, "created_at")};
}

PullRequest ParsePull(const json& j) {
  PullRequest pr;
  pr.id = Int(j, "id");
  pr.number = static_cast<int>(Int(j, "number"));
  pr.html_url = Str(j, "html_url");
  pr.title = Str(j, "title");
  pr.body = Str(j, "body");
  pr.state = Str(j, "state");
  pr.user = Login(j, "user");
  pr.draft = j.value("draft", false);
  pr.merged_at = Str(j, "merged_at");
  pr.merged = j.value("merged", !pr.merged_at.empty());
  if (auto it = j.find("head"); it != j.end() && it->is_object()) {
    pr.head_ref = Str(*it, "ref");
    pr.head_sha = Str(*it, "sha");
  }
  if (auto it = j.find("base"); it != j.end() && it->is_object()) pr.base_ref = Str(*it, "ref");
  if (auto it = j.find("requested_reviewers"); it != j.end() && it->is_array()) {
    for (const auto& user : *it) pr.requested_reviewers.push_back(Str(user, "login"));
  }
  pr.created_at = Str(j, "created_at");
  pr.updated_at = Str(j, "updated_at");
  if (auto it = j.find("labels"); it != j.end() && it->is_array()) {
    for (const auto& label : *it) {
      if (label.is_object()) pr.labels.push_back(Str(label, "name"));
    }
  }
  return pr;
}

WorkflowRun ParseRun(const json& j) {
  WorkflowRun run;
  run.id = Int(j, "id");
  run.workflow_id = Int(j, "workflow_id");
  run.name = Str(j, "name");
  run.head_branch = Str(j, "head_branch");
  run.head_sha = Str(j, "head_sha");
  run.event = Str(j, "event");
  run.status = Str(j, "status");
  run.conclusion = Str(j, "conclusion");
  run.html_url = Str(j, "html_url");
  run.run_number = static_cast<int>(Int(j, "run_number"));
  run.run_attempt = static_cast<int>(j.contains("run_attempt") ? Int(j, "run_attempt") : 1);
  run.created_at = Str(j, "created_at");
  return run;
}

CommitStatus ParseStatus(const json& j) {
  return CommitStatus{Int(j, "id"), Str(j, "state"), Str(j, "context"), Str(j, "description"),
                      Str(j, "target_url")};
}

template <class T, class F>
core::Result<std::vector<T>> MapArray(core::Result<json> items, F parse) {
  if (!items) return Unexpected(items.error());
  std::vector<T> out;
  for (const auto& item : *items) out.push_back(parse(item));
  return out;
}

std::string WithMarker(const std::string& body, const std::string& key) {
  const std::string marker = IdempotencyMarker(key);
  if (marker.empty() || body.find(marker) != std::string::npos) return body;
  return body.empty() ? marker : body + "\n\n" + marker;
}

}  // namespace

std::string NextLink(std::string_view header) {
  // <https://api.github.com/...?page=2>; rel="next", <...>; rel="last"
  std::size_t pos = 0;
  while (pos < header.size()) {
    const auto open = header.find('<', pos);
    if (open == std::string_view::npos) break;
    const auto close = header.find('>', open);
    if (close == std::string_view::npos) break;
    const auto end = header.find(',', close);
    const std::string_view params = header.substr(
        close + 1, end == std::string_view::npos ? std::string_view::npos : end - close - 1);
    if (params.find("rel=\"next\"") != std::string_view::npos) {
      return std::string(header.substr(open + 1, close - open - 1));
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return {};
}

GitHubRestClient::GitHubRestClient(core::net::HttpClient& http, GitHubClientConfig config,
                                   core::Clock& clock)
    : http_(http), config_(std::move(config)), clock_(clock) {
  while (!config_.base_url.empty() && config_.base_url.back() == '/') {
    config_.base_url.pop_back();
  }
  if (config_.app) {
    app_auth_ = std::make_unique<GitHubAppAuth>(http_, config_.base_url, config_.user_agent,
                                                *config_.app, clock_);
  } else if (config_.token.empty()) {
    throw std::invalid_argument("github: set either github.token or github.app credentials");
  }
}

std::optional<RateLimitInfo> GitHubRestClient::last_rate_limit() const {
  std::lock_guard lock(mu_);
  return rate_limit_;
}

core::Result<std::string> GitHubRestClient::Authorization() {
  if (!app_auth_) return "Bearer " + config_.token;
  auto token = app_auth_->InstallationToken();
  if (!token) return Unexpected(token.error());
  return "Bearer " + *token;
}

core::Result<GitHubRestClient::Answer> GitHubRestClient::Request(const std::string& method,
                                                                 const std::string& target,
                                                                 const json& body) {
  const bool absolute = target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0;
  std::string path = absolute ? target.substr(target.find('/', target.find("//") + 2)) : target;
  const std::string what = method + " " + path.substr(0, path.find('?'));

  core::Result<core::net::HttpResponse> response = core::net::HttpResponse{};
  // An installation token can be revoked before its expiry: a 401 (which GitHub answers
  // before doing anything) gets one more try with a fresh token.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto authorization = Authorization();
    if (!authorization) {
      auto error = authorization.error();
      error.message = what + ": authentication failed: " + error.message;
      return Unexpected(std::move(error));
    }
    core::net::OutgoingRequest request;
    request.method = method;
    request.url = absolute ? target : config_.base_url + target;
    request.headers.Set("Accept", "application/vnd.github+json");
    request.headers.Set("X-GitHub-Api-Version", "2022-11-28");
    request.headers.Set("User-Agent", config_.user_agent);
    request.headers.Set("Authorization", *authorization);
    if (!body.is_null()) {
      request.headers.Set("Content-Type", "application/json");
      request.body = body.dump();
    }
    response = http_.Send(std::move(request));
    if (!response) {
      // Keep the transport's error whole (kind, retry_after, outcome_unknown), named.
      core::Error error = response.error();
      error.message = what + ": " + error.message;
      return Unexpected(std::move(error));
    }
    if (auto limits = ReadRateLimit(response->headers)) {
      std::lock_guard lock(mu_);
      rate_limit_ = *limits;
    }
    if (response->status != 401 || !app_auth_) break;
    app_auth_->Invalidate();
  }
  if (response->status < 200 || response->status >= 300) {
    return Unexpected(ErrorFromResponse(what, *response, clock_.WallNow()));
  }
  Answer answer;
  answer.status = response->status;
  if (!response->body.empty()) {
    answer.body = json::parse(response->body, nullptr, false);
    if (answer.body.is_discarded()) {
      return Unexpected(MakeError(ErrorKind::kInternal, what + ": answer is not JSON"));
    }
  }
  if (auto link = response->headers.Get("Link")) answer.next_url = NextLink(*link);
  return answer;
}

core::Result<json> GitHubRestClient::GetPages(const std::string& first, int max_pages,
                                              const std::string& field) {
  json items = json::array();
  std::string next = first;
  for (int page = 0; page < std::max(1, max_pages) && !next.empty(); ++page) {
    auto answer = Request("GET", next);
    if (!answer) return Unexpected(answer.error());
    const json& list = field.empty() ? answer->body : answer->body[field];
    if (!list.is_array()) {
      return Unexpected(MakeError(ErrorKind::kInternal, "GET " + first + ": expected an array"));
    }
    for (const auto& item : list) items.push_back(item);
    next = answer->next_url;
  }
  return items;
}

core::Result<Issue> GitHubRestClient::CreateIssue(const RepoRef& repo, const NewIssue& issue) {
  json body = {{"title", issue.title}, {"body", WithMarker(issue.body, issue.idempotency_key)}};
  if (!issue.labels.empty()) body["labels"] = issue.labels;
  if (!issue.assignees.empty()) body["assignees"] = issue.assignees;
  auto answer = Request("POST", RepoPath(repo) + "/issues", body);
  if (!answer) return Unexpected(answer.error());
  return ParseIssue(answer->body);
}

core::Result<std::vector<Issue>> GitHubRestClient::ListIssues(const RepoRef& repo,
                                                              const IssueQuery& query) {
  Query q;
  q.Add("state", query.state)
      .Add("sort", query.sort)
      .Add("direction", query.direction)
      .Add("per_page", query.per_page);
  return MapArray<Issue>(GetPages(RepoPath(repo) + "/issues" + q.str(), query.max_pages),
                         ParseIssue);
}

core::Result<Comment> GitHubRestClient::CreateComment(const RepoRef& repo, int number,
                                                      const NewComment& comment) {
  const json body = {{"body", WithMarker(comment.body, comment.idempotency_key)}};
  auto answer =
      Request("POST", RepoPath(repo) + "/issues/" + std::to_string(number) + "/comments", body);
  if (!answer) return Unexpected(answer.error());
  return ParseComment(answer->body);
}

core::Result<std::vector<Comment>> GitHubRestClient::ListComments(const RepoRef& repo, int number) {
  return MapArray<Comment>(
      GetPages(RepoPath(repo) + "/issues/" + std::to_string(number) + "/comments?per_page=100", 10),
      ParseComment);
}

core::Result<Repository> GitHubRestClient::GetRepository(const RepoRef& repo) {
  auto answer = Request("GET", RepoPath(repo));
  if (!answer) return Unexpected(answer.error());
  const json& j = answer->body;
  return Repository{Str(j, "full_name"), Str(j, "default_branch"), Str(j, "html_url")};
}

core::Result<PullRequest> GitHubRestClient::GetPullRequest(const RepoRef& repo, int number) {
  auto answer = Request("GET", RepoPath(repo) + "/pulls/" + std::to_string(number));
  if (!answer) return Unexpected(answer.error());
  return ParsePull(answer->body);
}

core::Result<std::vector<PullRequest>> GitHubRestClient::ListPullRequests(
    const RepoRef& repo, const PullRequestQuery& query) {
  Query q;
  q.Add("state", query.state)
      .Add("head", query.head)
      .Add("base", query.base)
      .Add("per_page", query.per_page);
  return MapArray<PullRequest>(GetPages(RepoPath(repo) + "/pulls" + q.str(), query.max_pages),
                               ParsePull);
}

core::Result<std::vector<PullRequestFile>> GitHubRestClient::ListPullRequestFiles(
    const RepoRef& repo, int number) {
  return MapArray<PullRequestFile>(
      GetPages(RepoPath(repo) + "/pulls/" + std::to_string(number) + "/files?per_page=100", 30),
      [](const json& j) {
        return PullRequestFile{
            Str(j, "filename"), Str(j, "status"), static_cast<int>(Int(j, "additions")),
            static_cast<int>(Int(j, "deletions")), static_cast<int>(Int(j, "changes"))};
      });
}

core::Result<std::vector<Review>> GitHubRestClient::ListReviews(const RepoRef& repo, int number) {
  return MapArray<Review>(
      GetPages(RepoPath(repo) + "/pulls/" + std::to_string(number) + "/reviews?per_page=100", 10),
      [](const json& j) {
        return Review{Int(j, "id"),   Login(j, "user"),    Str(j, "state"),
                      Str(j, "body"), Str(j, "commit_id"), Str(j, "html_url")};
      });
}

core::Result<PullRequest> GitHubRestClient::RequestReviewers(const RepoRef& repo, int number,
                                                             const ReviewerRequest& request) {
  json body = json::object();
  body["reviewers"] = request.reviewers;
  if (!request.team_reviewers.empty()) body["team_reviewers"] = request.team_reviewers;
  auto answer = Request(
      "POST", RepoPath(repo) + "/pulls/" + std::to_string(number) + "/requested_reviewers", body);
  if (!answer) return Unexpected(answer.error());
  return ParsePull(answer->body);
}

core::Status GitHubRestClient::DispatchWorkflow(const RepoRef& repo,
                                                const WorkflowDispatch& dispatch) {
  json body = {{"ref", dispatch.ref}};
  if (!dispatch.inputs.empty()) body["inputs"] = dispatch.inputs;
  auto answer = Request("POST",
                        RepoPath(repo) + "/actions/workflows/" +
                            core::net::UrlEncode(dispatch.workflow) + "/dispatches",
                        body);
  if (!answer) return Unexpected(answer.error());
  return core::Ok();
}

core::Status GitHubRestClient::RerunFailedJobs(const RepoRef& repo, std::int64_t run_id) {
  auto answer = Request(
      "POST", RepoPath(repo) + "/actions/runs/" + std::to_string(run_id) + "/rerun-failed-jobs",
      json::object());
  if (!answer) return Unexpected(answer.error());
  return core::Ok();
}

core::Result<WorkflowRunList> GitHubRestClient::ListWorkflowRuns(const RepoRef& repo,
                                                                 const WorkflowRunQuery& query) {
  Query q;
  q.Add("branch", query.branch)
      .Add("status", query.status)
      .Add("event", query.event)
      .Add("per_page", query.per_page);
  const std::string scope =
      query.workflow.empty()
          ? "/actions/runs"
          : "/actions/workflows/" + core::net::UrlEncode(query.workflow) + "/runs";
  auto answer = Request("GET", RepoPath(repo) + scope + q.str());
  if (!answer) return Unexpected(answer.error());
  WorkflowRunList list;
  list.total_count = static_cast<int>(Int(answer->body, "total_count"));
  for (const auto& run : answer->body.value("workflow_runs", json::array())) {
    list.runs.push_back(ParseRun(run));
  }
  return list;
}

core::Result<std::vector<CheckRun>> GitHubRestClient::ListCheckRuns(const RepoRef& repo,
                                                                    const std::string& ref) {
  return MapArray<CheckRun>(GetPages(RepoPath(repo) + "/commits/" + core::net::UrlEncode(ref) +
                                         "/check-runs?per_page=100",
                                     10, "check_runs"),
                            [](const json& j) {
                              return CheckRun{Int(j, "id"),         Str(j, "name"),
                                              Str(j, "head_sha"),   Str(j, "status"),
                                              Str(j, "conclusion"), Str(j, "html_url")};
                            });
}

core::Result<CommitStatus> GitHubRestClient::CreateCommitStatus(const RepoRef& repo,
                                                                const NewCommitStatus& status) {
  json body = {{"state", status.state}, {"context", status.context}};
  if (!status.target_url.empty()) body["target_url"] = status.target_url;
  if (!status.description.empty()) body["description"] = status.description;
  auto answer =
      Request("POST", RepoPath(repo) + "/statuses/" + core::net::UrlEncode(status.sha), body);
  if (!answer) return Unexpected(answer.error());
  return ParseStatus(answer->body);
}

core::Result<CombinedStatus> GitHubRestClient::GetCombinedStatus(const RepoRef& repo,
                                                                 const std::string& ref) {
  auto answer = Request(
      "GET", RepoPath(repo) + "/commits/" + core::net::UrlEncode(ref) + "/status?per_page=100");
  if (!answer) return Unexpected(answer.error());
  CombinedStatus combined;
  combined.state = Str(answer->body, "state");
  combined.sha = Str(answer->body, "sha");
  combined.total_count = static_cast<int>(Int(answer->body, "total_count"));
  for (const auto& s : answer->body.value("statuses", json::array())) {
    combined.statuses.push_back(ParseStatus(s));
  }
  return combined;
}

core::Status GitHubRestClient::DispatchRepository(const RepoRef& repo,
                                                  const RepositoryDispatch& dispatch) {
  const json body = {{"event_type", dispatch.event_type},
                     {"client_payload", dispatch.client_payload}};
  auto answer = Request("POST", RepoPath(repo) + "/dispatches", body);
  if (!answer) return Unexpected(answer.error());
  return core::Ok();
}

}  // namespace contexten::integrations::github
