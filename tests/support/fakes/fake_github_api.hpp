#pragma once
// An in-memory GitHubApi for unit tests of code above the port: issues, pull requests (seeded
// with AddPullRequest; they share numbers with issues, as on GitHub), conversation comments,
// workflow runs and check runs (seeded), commit statuses, recorded dispatches and re-runs;
// scripted failures, including ones whose outcome is unknown although the request was applied;
// and call counts per method. Created issues and comments carry IdempotencyMarker(key) in
// their body, as GitHubRestClient sends them.

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "integrations/github/github_api.hpp"
#include "tests/support/fakes/scripted_failures.hpp"

namespace contexten::testing {

class FakeGitHubApi final : public integrations::github::GitHubApi {
 public:
  struct Dispatch {
    std::string repo;  // owner/name
    integrations::github::WorkflowDispatch workflow;
  };
  struct RepoDispatch {
    std::string repo;
    integrations::github::RepositoryDispatch dispatch;
  };

  // Seeding. A pull request gets the repo's next number; the returned copy has it.
  integrations::github::PullRequest AddPullRequest(
      const integrations::github::RepoRef& repo, integrations::github::PullRequest pr,
      std::vector<integrations::github::PullRequestFile> files = {},
      std::vector<integrations::github::Review> reviews = {}) {
    std::lock_guard lock(mu_);
    auto& r = repos_[repo.FullName()];
    pr.number = ++r.next_number;
    pr.id = ++next_id_;
    if (pr.state.empty()) pr.state = "open";
    if (pr.html_url.empty()) pr.html_url = Url(repo, "pull", pr.number);
    r.pulls[pr.number] = {pr, std::move(files), std::move(reviews)};
    return pr;
  }
  void AddWorkflowRun(const integrations::github::RepoRef& repo,
                      integrations::github::WorkflowRun run) {
    std::lock_guard lock(mu_);
    repos_[repo.FullName()].runs.push_back(std::move(run));
  }
  void SetDefaultBranch(const integrations::github::RepoRef& repo, std::string branch) {
    std::lock_guard lock(mu_);
    repos_[repo.FullName()].default_branch = std::move(branch);
  }
  void AddCheckRun(const integrations::github::RepoRef& repo,
                   integrations::github::CheckRun check) {
    std::lock_guard lock(mu_);
    repos_[repo.FullName()].checks.push_back(std::move(check));
  }

  // The next `n` calls (of `method`, e.g. "CreateIssue"; of any method when empty) fail with
  // `error`. `applied`: whether a failing mutation still took effect on "GitHub"; by default,
  // exactly when error.outcome_unknown.
  void FailNext(int n, core::Error error, std::string method = {},
                std::optional<bool> applied = std::nullopt) {
    std::lock_guard lock(mu_);
    script_.Add(n, error, method, applied);
  }

  int Calls(const std::string& method) const {
    std::lock_guard lock(mu_);
    return script_.Calls(method);
  }
  std::vector<integrations::github::Issue> issues(const integrations::github::RepoRef& repo) const {
    std::lock_guard lock(mu_);
    std::vector<integrations::github::Issue> out;
    if (auto it = repos_.find(repo.FullName()); it != repos_.end()) {
      for (const auto& [number, issue] : it->second.issues) out.push_back(issue);
    }
    return out;
  }
  std::vector<Dispatch> workflow_dispatches() const {
    std::lock_guard lock(mu_);
    return dispatches_;
  }
  std::vector<RepoDispatch> repository_dispatches() const {
    std::lock_guard lock(mu_);
    return repo_dispatches_;
  }
  std::vector<std::int64_t> reruns() const {
    std::lock_guard lock(mu_);
    return reruns_;
  }

  core::Result<integrations::github::Issue> CreateIssue(
      const integrations::github::RepoRef& repo,
      const integrations::github::NewIssue& issue) override {
    std::lock_guard lock(mu_);
    return script_.Mutate("CreateIssue", [&]() -> core::Result<integrations::github::Issue> {
      if (issue.title.empty()) return Err(core::ErrorKind::kInvalidInput, "title is required");
      auto& r = repos_[repo.FullName()];
      integrations::github::Issue created;
      created.id = ++next_id_;
      created.number = ++r.next_number;
      created.html_url = Url(repo, "issues", created.number);
      created.title = issue.title;
      created.body = WithMarker(issue.body, issue.idempotency_key);
      created.state = "open";
      created.user = "contexten[bot]";
      created.labels = issue.labels;
      r.issues[created.number] = created;
      return created;
    });
  }

  // Newest first (sort=created, direction=desc), pull requests included as on GitHub.
  core::Result<std::vector<integrations::github::Issue>> ListIssues(
      const integrations::github::RepoRef& repo,
      const integrations::github::IssueQuery& query) override {
    std::lock_guard lock(mu_);
    if (auto failure = script_.Begin("ListIssues")) return core::Unexpected(failure->error);
    std::vector<integrations::github::Issue> out;
    auto it = repos_.find(repo.FullName());
    if (it == repos_.end()) return out;
    for (int number = it->second.next_number; number > 0; --number) {
      integrations::github::Issue issue;
      if (auto i = it->second.issues.find(number); i != it->second.issues.end()) {
        issue = i->second;
      } else if (auto p = it->second.pulls.find(number); p != it->second.pulls.end()) {
        const auto& pr = p->second.pr;
        issue = {pr.id, pr.number, pr.html_url, pr.title, pr.body, pr.state, pr.user, {}, true};
      } else {
        continue;
      }
      if (query.state != "all" && issue.state != query.state) continue;
      if (static_cast<int>(out.size()) >= query.per_page * query.max_pages) break;
      out.push_back(issue);
    }
    return out;
  }

  core::Result<integrations::github::Comment> CreateComment(
      const integrations::github::RepoRef& repo, int number,
      const integrations::github::NewComment& comment) override {
    std::lock_guard lock(mu_);
    return script_.Mutate("CreateComment", [&]() -> core::Result<integrations::github::Comment> {
      if (comment.body.empty()) return Err(core::ErrorKind::kInvalidInput, "body is required");
      auto* r = Exists(repo, number);
      if (r == nullptr) return Err(core::ErrorKind::kNotFound, "Not Found");
      integrations::github::Comment created;
      created.id = ++next_id_;
      created.html_url =
          Url(repo, "issues", number) + "#issuecomment-" + std::to_string(created.id);
      created.body = WithMarker(comment.body, comment.idempotency_key);
      created.user = "contexten[bot]";
      r->comments[number].push_back(created);
      return created;
    });
  }
  core::Result<std::vector<integrations::github::Comment>> ListComments(
      const integrations::github::RepoRef& repo, int number) override {
    std::lock_guard lock(mu_);
    if (auto failure = script_.Begin("ListComments")) return core::Unexpected(failure->error);
    auto* r = Exists(repo, number);
    if (r == nullptr) return Err(core::ErrorKind::kNotFound, "Not Found");
    return r->comments[number];
  }

  core::Result<integrations::github::PullRequest> GetPullRequest(
      const integrations::github::RepoRef& repo, int number) override {
    std::lock_guard lock(mu_);
    if (auto failure = script_.Begin("GetPullRequest")) return core::Unexpected(failure->error);
    auto* pull = Pull(repo, number);
    if (pull == nullptr) return Err(core::ErrorKind::kNotFound, "Not Found");
    return pull->pr;
  }
  core::Result<std::vector<integrations::github::PullRequest>> ListPullRequests(
      const integrations::github::RepoRef& repo,
      const integrations::github::PullRequestQuery& query) override {
    std::lock_guard lock(mu_);
    if (auto failure = script_.Begin("ListPullRequests")) return core::Unexpected(failure->error);
    std::vector<integrations::github::PullRequest> out;
    auto it = repos_.find(repo.FullName());
    if (it == repos_.end()) return out;
    for (auto p = it->second.pulls.rbegin(); p != it->second.pulls.rend(); ++p) {
      const auto& pr = p->second.pr;
      if (query.state != "all" && pr.state != query.state) continue;
      // head is "user:ref-name"; the fake's pull requests all come from the repo's owner.
      if (!query.head.empty() && query.head != repo.owner + ":" + pr.head_ref) continue;
      if (!query.base.empty() && query.base != pr.base_ref) continue;
      if (static_cast<int>(out.size()) >= query.per_page * query.max_pages) break;
      out.push_back(pr);
    }
    return out;
  }
  core::Result<std::vector<integrations::github::PullRequestFile>> ListPullRequestFiles(
      const integrations::github::RepoRef& repo, int number) override {
    std::lock_guard lock(mu_);
    if (auto failure = script_.Begin("ListPullRequestFiles"))
      return core::Unexpected(failure->error);
    auto* pull = Pull(repo, number);
    if (pull == nullptr) return Err(core::ErrorKind::kNotFound, "Not Found");
    return pull->files;
  }
  core::Result<std::vector<integrations::github::Review>> ListReviews(
      const integrations::github::RepoRef& repo, int number) override {
    std::lock_guard lock(mu_);
    if (auto failure = script_.Begin("ListReviews")) return core::Unexpected(failure->error);
    auto* pull = Pull(repo, number);
    if (pull == nullptr) return Err(core::ErrorKind::kNotFound, "Not Found");
    return pull->reviews;
  }
  core::Result<integrations::github::PullRequest> RequestReviewers(
      const integrations::github::RepoRef& repo, int number,
      const integrations::github::ReviewerRequest& request) override {
    std::lock_guard lock(mu_);
    return script_.Mutate(
        "RequestReviewers", [&]() -> core::Result<integrations::github::PullRequest> {
          auto* pull = Pull(repo, number);
          if (pull == nullptr) return Err(core::ErrorKind::kNotFound, "Not Found");
          auto& requested = pull->pr.requested_reviewers;
          for (const auto& reviewer : request.reviewers) {
            if (std::find(requested.begin(), requested.end(), reviewer) == requested.end()) {
              requested.push_back(reviewer);
            }
          }
          return pull->pr;
        });
  }

  core::Status DispatchWorkflow(const integrations::github::RepoRef& repo,
                                const integrations::github::WorkflowDispatch& dispatch) override {
    std::lock_guard lock(mu_);
    return script_.Mutate("DispatchWorkflow", [&]() -> core::Status {
      if (dispatch.ref.empty()) return Err(core::ErrorKind::kInvalidInput, "ref is required");
      dispatches_.push_back({repo.FullName(), dispatch});
      return core::Ok();
    });
  }
  core::Status RerunFailedJobs(const integrations::github::RepoRef& repo,
                               std::int64_t run_id) override {
    std::lock_guard lock(mu_);
    return script_.Mutate("RerunFailedJobs", [&]() -> core::Status {
      auto& runs = repos_[repo.FullName()].runs;
      auto run = std::find_if(runs.begin(), runs.end(), [&](auto& r) { return r.id == run_id; });
      if (run == runs.end()) return Err(core::ErrorKind::kNotFound, "Not Found");
      reruns_.push_back(run_id);
      ++run->run_attempt;
      run->status = "queued";
      run->conclusion.clear();
      return core::Ok();
    });
  }
  core::Result<integrations::github::WorkflowRunList> ListWorkflowRuns(
      const integrations::github::RepoRef& repo,
      const integrations::github::WorkflowRunQuery& query) override {
    std::lock_guard lock(mu_);
    if (auto failure = script_.Begin("ListWorkflowRuns")) return core::Unexpected(failure->error);
    integrations::github::WorkflowRunList list;
    for (const auto& run : repos_[repo.FullName()].runs) {
      if (!query.workflow.empty() && query.workflow != std::to_string(run.workflow_id) &&
          query.workflow != run.name) {
        continue;
      }
      if (!query.branch.empty() && run.head_branch != query.branch) continue;
      if (!query.status.empty() && run.status != query.status && run.conclusion != query.status) {
        continue;
      }
      if (!query.event.empty() && run.event != query.event) continue;
      ++list.total_count;
      if (static_cast<int>(list.runs.size()) < query.per_page) list.runs.push_back(run);
    }
    return list;
  }
  core::Result<std::vector<integrations::github::CheckRun>> ListCheckRuns(
      const integrations::github::RepoRef& repo, const std::string& ref) override {
    std::lock_guard lock(mu_);
    if (auto failure = script_.Begin("ListCheckRuns")) return core::Unexpected(failure->error);
    std::vector<integrations::github::CheckRun> out;
    for (const auto& check : repos_[repo.FullName()].checks) {
      if (check.head_sha == ref) out.push_back(check);
    }
    return out;
  }

  core::Result<integrations::github::CommitStatus> CreateCommitStatus(
      const integrations::github::RepoRef& repo,
      const integrations::github::NewCommitStatus& status) override {
    std::lock_guard lock(mu_);
    return script_.Mutate(
        "CreateCommitStatus", [&]() -> core::Result<integrations::github::CommitStatus> {
          static const char* const kStates[] = {"error", "failure", "pending", "success"};
          if (status.sha.empty() || std::find(std::begin(kStates), std::end(kStates),
                                              status.state) == std::end(kStates)) {
            return Err(core::ErrorKind::kInvalidInput, "Validation Failed");
          }
          integrations::github::CommitStatus created{++next_id_, status.state, status.context,
                                                     status.description, status.target_url};
          repos_[repo.FullName()].statuses[status.sha].push_back(created);
          return created;
        });
  }
  // GitHub's combined state: failure if any latest status is error or failure, pending if any
  // is pending (or there are none), else success.
  core::Result<integrations::github::CombinedStatus> GetCombinedStatus(
      const integrations::github::RepoRef& repo, const std::string& ref) override {
    std::lock_guard lock(mu_);
    if (auto failure = script_.Begin("GetCombinedStatus")) return core::Unexpected(failure->error);
    integrations::github::CombinedStatus combined;
    combined.sha = ref;
    std::map<std::string, integrations::github::CommitStatus> latest;
    for (const auto& s : repos_[repo.FullName()].statuses[ref]) latest[s.context] = s;
    bool failed = false;
    bool pending = latest.empty();
    for (const auto& [context, s] : latest) {
      combined.statuses.push_back(s);
      failed = failed || s.state == "error" || s.state == "failure";
      pending = pending || s.state == "pending";
    }
    combined.total_count = static_cast<int>(combined.statuses.size());
    combined.state = failed ? "failure" : pending ? "pending" : "success";
    return combined;
  }
  // A repository the fake has seen (seeded or written to); kNotFound otherwise.
  core::Result<integrations::github::Repository> GetRepository(
      const integrations::github::RepoRef& repo) override {
    std::lock_guard lock(mu_);
    auto it = repos_.find(repo.FullName());
    if (it == repos_.end()) return Err(core::ErrorKind::kNotFound, "Not Found");
    return integrations::github::Repository{repo.FullName(), it->second.default_branch,
                                            "https://github.com/" + repo.FullName()};
  }
  core::Status DispatchRepository(const integrations::github::RepoRef& repo,
                                  const integrations::github::RepositoryDispatch& d) override {
    std::lock_guard lock(mu_);
    return script_.Mutate("DispatchRepository", [&]() -> core::Status {
      if (d.event_type.empty()) return Err(core::ErrorKind::kInvalidInput, "event_type");
      repo_dispatches_.push_back({repo.FullName(), d});
      return core::Ok();
    });
  }

 private:
  struct StoredPull {
    integrations::github::PullRequest pr;
    std::vector<integrations::github::PullRequestFile> files;
    std::vector<integrations::github::Review> reviews;
  };
  struct Repo {
    int next_number = 0;  // issues and pull requests share numbers
    std::map<int, integrations::github::Issue> issues;
    std::map<int, StoredPull> pulls;
    std::map<int, std::vector<integrations::github::Comment>> comments;
    std::vector<integrations::github::WorkflowRun> runs;
    std::vector<integrations::github::CheckRun> checks;
    std::map<std::string, std::vector<integrations::github::CommitStatus>> statuses;
    std::string default_branch = "main";
  };

  static core::Unexpected Err(core::ErrorKind kind, std::string message) {
    return core::Unexpected(core::MakeError(kind, std::move(message)));
  }
  static std::string Url(const integrations::github::RepoRef& repo, const char* kind, int number) {
    return "https://github.com/" + repo.FullName() + "/" + kind + "/" + std::to_string(number);
  }
  static std::string WithMarker(const std::string& body, const std::string& key) {
    const std::string marker = integrations::github::IdempotencyMarker(key);
    if (marker.empty() || body.find(marker) != std::string::npos) return body;
    return body.empty() ? marker : body + "\n\n" + marker;
  }

  // The repo, when `number` is one of its issues or pull requests.
  Repo* Exists(const integrations::github::RepoRef& repo, int number) {
    auto it = repos_.find(repo.FullName());
    if (it == repos_.end()) return nullptr;
    Repo& r = it->second;
    return r.issues.count(number) || r.pulls.count(number) ? &r : nullptr;
  }
  StoredPull* Pull(const integrations::github::RepoRef& repo, int number) {
    auto it = repos_.find(repo.FullName());
    if (it == repos_.end()) return nullptr;
    auto p = it->second.pulls.find(number);
    return p == it->second.pulls.end() ? nullptr : &p->second;
  }

  mutable std::mutex mu_;
  std::map<std::string, Repo> repos_;
  std::vector<Dispatch> dispatches_;
  std::vector<RepoDispatch> repo_dispatches_;
  std::vector<std::int64_t> reruns_;
  ScriptedFailures script_;
  std::int64_t next_id_ = 0;
};

}  // namespace contexten::testing
