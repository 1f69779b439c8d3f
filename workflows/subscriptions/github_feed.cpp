#include "workflows/subscriptions/github_feed.hpp"

#include <algorithm>
#include <cctype>

#include "workflows/subscriptions/subscription.hpp"

namespace contexten::workflows::subscriptions {
namespace {

namespace gh = integrations::github;

std::string Lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

FeedEvent Base(const gh::GitHubEventCommon& common, std::string feature) {
  FeedEvent e;
  e.platform = kGitHub;
  e.target = Lower(common.repository);
  e.feature = std::move(feature);
  e.action = common.action;
  return e;
}

std::string Link(const std::string& url, const std::string& text) {
  return url.empty() ? text : "<" + url + "|" + text + ">";
}

std::optional<FeedEvent> FromPull(const gh::PullRequestEvent& pr) {
  static const std::vector<std::string> kActions = {
      "opened",           "reopened",          "closed", "labeled", "unlabeled",
      "ready_for_review", "converted_to_draft"};
  if (std::find(kActions.begin(), kActions.end(), pr.action) == kActions.end()) {
    return std::nullopt;
  }
  FeedEvent e = Base(pr, "pulls");
  const std::string name = e.target + "#" + std::to_string(pr.number);
  e.entity_key = "github_pr:" + name;
  e.author = pr.author;
  e.author_is_bot = IsBotLogin(pr.author, pr.author_type);
  e.labels = pr.labels;
  e.branch = pr.base_ref;
  e.draft = pr.draft;
  e.title = name + " " + pr.title;
  e.url = pr.html_url;
  const std::string by = pr.sender.empty() ? "" : " by " + pr.sender;
  if (pr.action == "closed" && pr.merged) {
    e.action = "merged";
    e.line = "merged" + by;
  } else if (pr.action == "labeled" || pr.action == "unlabeled") {
    e.line = (pr.action == "labeled" ? "labeled " : "unlabeled ") + pr.label + by;
  } else if (pr.action == "ready_for_review") {
    e.line = "ready for review" + by;
  } else if (pr.action == "converted_to_draft") {
    e.line = "back to draft" + by;
  } else {
    e.line = pr.action + by;
  }
  e.opens = pr.action == "opened";
  e.state_change = pr.action == "closed" || pr.action == "reopened";
  return e;
}

std::optional<FeedEvent> FromIssue(const gh::IssuesEvent& issue) {
  if (issue.is_pull_request) return std::nullopt;
  if (issue.action != "opened" && issue.action != "closed" && issue.action != "reopened" &&
      issue.action != "labeled") {
    return std::nullopt;
  }
  FeedEvent e = Base(issue, "issues");
  const std::string name = e.target + "#" + std::to_string(issue.number);
  e.entity_key = "github_issue:" + name;
  e.author = issue.author;
  e.author_is_bot = IsBotLogin(issue.author, issue.author_type);
  e.labels = issue.labels;
  e.title = name + " " + issue.title;
  e.url = issue.html_url;
  e.line = (issue.action == "labeled" ? "labeled " + issue.label : issue.action) +
           (issue.sender.empty() ? "" : " by " + issue.sender);
  e.opens = issue.action == "opened";
  e.state_change = issue.action == "closed" || issue.action == "reopened";
  return e;
}

std::optional<FeedEvent> FromReview(const gh::PullRequestReviewEvent& review) {
  if (review.action != "submitted" || review.state == "commented") return std::nullopt;
  FeedEvent e = Base(review, "reviews");
  const std::string name = e.target + "#" + std::to_string(review.pr_number);
  e.entity_key = "github_pr:" + name;
  e.author = review.reviewer;
  e.author_is_bot = IsBotLogin(review.reviewer);
  e.title = name + " " + review.pr_title;
  e.url = review.pr_html_url;
  e.action = review.state;
  e.line = (review.state == "approved"            ? "approved by "
            : review.state == "changes_requested" ? "changes requested by "
                                                  : review.state + " by ") +
           review.reviewer;
  return e;
}

std::optional<FeedEvent> FromComment(const gh::IssueCommentEvent& comment) {
  if (comment.action != "created") return std::nullopt;
  FeedEvent e = Base(comment, "comments");
  const std::string name = e.target + "#" + std::to_string(comment.issue_number);
  e.entity_key = (comment.is_pull_request ? "github_pr:" : "github_issue:") + name;
  e.author = comment.author;
  e.author_is_bot = IsBotLogin(comment.author);
  e.title = name + " " + comment.issue_title;
  e.url = comment.html_url;
  std::string body = comment.body.substr(0, 300);
  if (body.size() < comment.body.size()) body += "…";
  e.line = Link(comment.html_url, "comment") + " by " + comment.author + ": " + body;
  return e;
}

std::optional<FeedEvent> FromRun(const gh::WorkflowRunEvent& run) {
  if (run.action != "completed" || run.conclusion.empty()) return std::nullopt;
  if (run.conclusion == "skipped" || run.conclusion == "neutral") return std::nullopt;
  FeedEvent e = Base(run, "ci");
  const std::string workflow = run.name.empty() ? "CI" : run.name;
  e.entity_key = "github_ci:" + e.target + "/" + workflow + "@" + run.head_branch;
  e.author = run.sender;
  e.author_is_bot = IsBotLogin(run.sender);
  e.branch = run.head_branch;
  e.conclusion = run.conclusion;
  e.title = workflow + " on " + e.target + "@" + run.head_branch;
  e.url = run.html_url;
  e.action = run.conclusion;
  const std::string attempt =
      run.run_attempt > 1 ? " (attempt " + std::to_string(run.run_attempt) + ")" : "";
  e.line = std::string(run.conclusion == "success" ? "passed"
                       : IsFailure(run.conclusion) ? "failed"
                                                   : run.conclusion.c_str()) +
           attempt + " (" + Link(run.html_url, "run " + std::to_string(run.id)) + ")";
  return e;
}

std::optional<FeedEvent> FromDeployment(const gh::DeploymentStatusEvent& status) {
  FeedEvent e = Base(status, "deploys");
  e.entity_key = "github_deploy:" + e.target + "/" + status.environment + "#" +
                 std::to_string(status.deployment_id);
  e.author = status.sender;
  e.author_is_bot = false;  // deploys are posted whoever (or whatever app) ran them
  e.title = "Deploy to " + status.environment + " (" + e.target + ")";
  e.url = status.target_url;
  e.action = status.state;
  e.line =
      "deployment " + status.state + (status.description.empty() ? "" : ": ") + status.description;
  e.opens = true;
  e.state_change =
      status.state == "success" || status.state == "failure" || status.state == "error";
  return e;
}

std::optional<FeedEvent> FromRelease(const gh::ReleaseEvent& release) {
  if (release.action != "published") return std::nullopt;
  FeedEvent e = Base(release, "releases");
  e.entity_key = "github_release:" + e.target + "@" + release.tag_name;
  e.author = release.sender;
  e.title = e.target + " " + (release.name.empty() ? release.tag_name : release.name);
  e.url = release.html_url;
  e.line = std::string(release.prerelease ? "pre-release " : "release ") + release.tag_name +
           " published";
  e.opens = true;
  return e;
}

}  // namespace

bool IsBotLogin(const std::string& login, const std::string& user_type) {
  if (user_type == "Bot") return true;
  return login.size() > 5 && login.compare(login.size() - 5, 5, "[bot]") == 0;
}

std::optional<FeedEvent> FromGitHub(const gh::GitHubEvent& event) {
  return std::visit(
      [](const auto& e) -> std::optional<FeedEvent> {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, gh::PullRequestEvent>) return FromPull(e);
        if constexpr (std::is_same_v<T, gh::IssuesEvent>) return FromIssue(e);
        if constexpr (std::is_same_v<T, gh::PullRequestReviewEvent>) return FromReview(e);
        if constexpr (std::is_same_v<T, gh::IssueCommentEvent>) return FromComment(e);
        if constexpr (std::is_same_v<T, gh::WorkflowRunEvent>) return FromRun(e);
        if constexpr (std::is_same_v<T, gh::DeploymentStatusEvent>) return FromDeployment(e);
        if constexpr (std::is_same_v<T, gh::ReleaseEvent>) return FromRelease(e);
        return std::nullopt;
      },
      event);
}

}  // namespace contexten::workflows::subscriptions
