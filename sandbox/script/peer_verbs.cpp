#include "sandbox/script/peer_verbs.hpp"

#include <nlohmann/json.hpp>
#include <variant>
#include <vector>

#include "sandbox/github/github_sandbox.hpp"
#include "sandbox/linear/linear_sandbox.hpp"

namespace contexten::sandbox {
namespace {

using nlohmann::json;

core::Unexpected Fail(core::ErrorKind kind, std::string message) {
  return core::Unexpected(core::MakeError(kind, std::move(message)));
}

std::string Seconds(std::chrono::milliseconds d) {
  const auto ms = d.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

// How one delivery ended, for the printed line.
std::string Outcome(bool sent, bool done, int status, const std::string& error,
                    std::chrono::milliseconds timeout) {
  if (!sent) return "not sent: no webhook URL";
  if (!done) return "unanswered after " + Seconds(timeout);
  if (!error.empty()) return "failed: " + error;
  return std::to_string(status);
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

json Parse(const std::string& body) { return json::parse(body, nullptr, false); }

// The GitHub deliveries since `from` that `matches` accepts, each as "event.action <outcome>".
template <typename Matches>
std::string GitHubWebhooks(const GitHubSandbox& github, std::size_t from,
                           std::chrono::milliseconds timeout, Matches matches) {
  std::vector<std::string> parts;
  for (const auto& d : github.AwaitDeliveries(from, timeout)) {
    const json body = Parse(d.body);
    if (!body.is_object() || !matches(d.event, body)) continue;
    const std::string name = d.action.empty() ? d.event : d.event + "." + d.action;
    parts.push_back(name + " " + Outcome(d.sent, d.done, d.response_status, d.error, timeout));
  }
  if (parts.empty()) return "no webhook recorded";
  return (parts.size() == 1 ? "webhook " : "webhooks ") + Join(parts);
}

}  // namespace

PeerVerbs::PeerVerbs(GitHubSandbox* github, LinearSandbox* linear,
                     std::chrono::milliseconds webhook_timeout)
    : github_(github), linear_(linear), webhook_timeout_(webhook_timeout) {}

bool PeerVerbs::IsPeerVerb(std::string_view line) {
  const auto start = line.find_first_not_of(" \t");
  if (start == std::string_view::npos) return false;
  line.remove_prefix(start);
  const std::string_view first = line.substr(0, line.find_first_of(" \t"));
  return first == "linear" || first == "gh";
}

core::Result<std::string> PeerVerbs::Run(std::string_view line) {
  if (auto words = SplitPeerVerbLine(line);
      words && words->size() == 2 && (*words)[1].Plain() == "help") {
    return Help();
  }
  auto verb = ParsePeerVerb(line);
  if (!verb) return core::Unexpected(verb.error());
  return std::visit([this](const auto& v) { return Execute(v); }, *verb);
}

std::string PeerVerbs::Help() {
  return "Play the other side (the stand-in sends its signed webhook, as the platform would):\n"
         "  " +
         std::string(kLinearStateUsage) +
         "\n"
         "      e.g. linear state ENG-1 In Progress\n"
         "  " +
         std::string(kLinearCommentUsage) +
         "\n"
         "      e.g. linear comment ENG-1 Looks good, shipping it\n"
         "  " +
         std::string(kLinearOutageUsage) +
         "\n"
         "      e.g. linear outage 120 status=503\n"
         "  " +
         std::string(kLinearCommentsUsage) +
         "\n"
         "      e.g. linear comments ENG-1 (what Linear shows; sends nothing)\n"
         "  " +
         std::string(kLinearShowUsage) +
         "\n"
         "      e.g. linear show ENG-1 (title, state, assignee, labels; sends nothing)\n"
         "  " +
         std::string(kLinearEditCommentUsage) +
         "\n"
         "      e.g. linear edit-comment ENG-1 1 Reproduced on Safari 17.3 too (n as listed by "
         "linear comments)\n"
         "  " +
         std::string(kLinearDeleteCommentUsage) +
         "\n"
         "      e.g. linear delete-comment ENG-1 1\n"
         "  " +
         std::string(kGitHubPrOpenUsage) +
         "\n"
         "      e.g. gh pr open contexten/sandbox \"ENG-1 Fix login crash\" body=\"Fixes ENG-1\"\n"
         "  " +
         std::string(kGitHubPrMergeUsage) +
         "\n"
         "      e.g. gh pr merge contexten/sandbox#1\n"
         "  " +
         std::string(kGitHubPrReviewUsage) +
         "\n"
         "      e.g. gh pr review contexten/sandbox#1 approve by=octocat\n"
         "  " +
         std::string(kGitHubCiUsage) +
         "\n"
         "      e.g. gh ci fail contexten/sandbox branch=eng-1-fix-login-crash\n";
}

// --- Linear ----------------------------------------------------------------------------------

namespace {

core::Status CheckIssue(const LinearSandbox* linear, const std::string& issue) {
  if (linear == nullptr) {
    return Fail(core::ErrorKind::kUnavailable, "linear: no Linear stand-in in this session");
  }
  if (linear->GetIssue(issue)) return core::Ok();
  std::vector<std::string> known;
  for (const auto& i : linear->Issues()) known.push_back(i.identifier);
  return Fail(core::ErrorKind::kNotFound,
              "linear: no issue " + issue +
                  (known.empty() ? " (no issues yet)" : " (issues: " + Join(known) + ")"));
}

std::string LinearWebhook(const LinearSandbox& linear, std::size_t from,
                          std::chrono::milliseconds timeout, const std::string& event,
                          const std::string& entity_id) {
  for (const auto& d : linear.AwaitDeliveries(from, timeout)) {
    if (d.event == event && d.entity_id == entity_id) {
      return "webhook " + Outcome(d.sent, d.done, d.status, d.error, timeout);
    }
  }
  return "no webhook recorded";
}

// "sandbox linear: no state ..." -> "linear: no state ...".
core::Error Relabel(core::Error error) {
  constexpr std::string_view kPrefix = "sandbox ";
  if (error.message.rfind(kPrefix, 0) == 0) error.message.erase(0, kPrefix.size());
  return error;
}

}  // namespace

core::Result<std::string> PeerVerbs::Execute(const LinearStateVerb& verb) {
  if (auto ok = CheckIssue(linear_, verb.issue); !ok) return core::Unexpected(ok.error());
  const std::size_t from = linear_->DeliveryCount();
  auto issue = linear_->MoveIssue(verb.issue, verb.state);
  if (!issue) return core::Unexpected(Relabel(issue.error()));
  return "linear: " + issue->identifier + " -> " + issue->state.name + " (" +
         LinearWebhook(*linear_, from, webhook_timeout_, "Issue", issue->id) + ")";
}

core::Result<std::string> PeerVerbs::Execute(const LinearCommentVerb& verb) {
  if (auto ok = CheckIssue(linear_, verb.issue); !ok) return core::Unexpected(ok.error());
  const std::size_t from = linear_->DeliveryCount();
  auto comment = linear_->AddComment(verb.issue, verb.text);
  if (!comment) return core::Unexpected(Relabel(comment.error()));
  return "linear: " + comment->user_name + " commented on " + comment->issue_identifier + " (" +
         LinearWebhook(*linear_, from, webhook_timeout_, "Comment", comment->id) + ")";
}

core::Result<std::string> PeerVerbs::Execute(const LinearOutageVerb& verb) {
  if (linear_ == nullptr) {
    return Fail(core::ErrorKind::kUnavailable, "linear: no Linear stand-in in this session");
  }
  linear_->FailFor(std::chrono::seconds(verb.seconds), verb.status);
  return "linear: the API answers " + std::to_string(verb.status) + " for the next " +
         std::to_string(verb.seconds) + " s";
}

core::Result<std::string> PeerVerbs::Execute(const LinearCommentsVerb& verb) {
  if (auto ok = CheckIssue(linear_, verb.issue); !ok) return core::Unexpected(ok.error());
  const auto comments = linear_->Comments(verb.issue);
  std::string out = "linear: " + verb.issue + " has " + std::to_string(comments.size()) +
                    (comments.size() == 1 ? " comment" : " comments");
  for (const auto& c : comments) out += "\n  " + c.user_name + ": " + c.body;
  return out;
}

core::Result<std::string> PeerVerbs::Execute(const LinearEditCommentVerb& verb) {
  if (auto ok = CheckIssue(linear_, verb.issue); !ok) return core::Unexpected(ok.error());
  const auto comments = linear_->Comments(verb.issue);
  if (verb.number > static_cast<int>(comments.size())) {
    return Fail(core::ErrorKind::kNotFound, "linear: " + verb.issue + " has " +
                                                std::to_string(comments.size()) +
                                                (comments.size() == 1 ? " comment" : " comments") +
                                                ", no comment " + std::to_string(verb.number));
  }
  const auto& comment = comments[static_cast<std::size_t>(verb.number - 1)];
  const std::size_t from = linear_->DeliveryCount();
  if (verb.remove) {
    if (auto deleted = linear_->DeleteComment(comment.id); !deleted) {
      return core::Unexpected(Relabel(deleted.error()));
    }
    return "linear: comment " + std::to_string(verb.number) + " on " + verb.issue + " deleted (" +
           LinearWebhook(*linear_, from, webhook_timeout_, "Comment", comment.id) + ")";
  }
  auto edited = linear_->EditComment(comment.id, verb.text);
  if (!edited) return core::Unexpected(Relabel(edited.error()));
  return "linear: comment " + std::to_string(verb.number) + " on " + verb.issue + " edited (" +
         LinearWebhook(*linear_, from, webhook_timeout_, "Comment", comment.id) + ")";
}

core::Result<std::string> PeerVerbs::Execute(const LinearShowVerb& verb) {
  if (auto ok = CheckIssue(linear_, verb.issue); !ok) return core::Unexpected(ok.error());
  const auto issue = linear_->GetIssue(verb.issue);
  std::string labels;
  for (const auto& l : issue->labels) labels += (labels.empty() ? "" : ", ") + l.name;
  return "linear: " + issue->identifier + " \"" + issue->title + "\" in " + issue->team_key + ", " +
         issue->state.name + ", assignee " +
         (issue->assignee ? issue->assignee->name : std::string("none")) + ", labels " +
         (labels.empty() ? std::string("none") : labels);
}

// --- GitHub ----------------------------------------------------------------------------------

core::Status PeerVerbs::CheckRepository(const std::string& repo) const {
  if (github_ == nullptr) {
    return Fail(core::ErrorKind::kUnavailable, "gh: no GitHub stand-in in this session");
  }
  const auto known = github_->Repositories();
  for (const auto& name : known) {
    if (name == repo) return core::Ok();
  }
  return Fail(core::ErrorKind::kNotFound,
              "gh: no repository " + repo +
                  (known.empty() ? " (none yet)" : " (repositories: " + Join(known) + ")"));
}

core::Result<std::string> PeerVerbs::Execute(const GitHubPrOpenVerb& verb) {
  if (auto ok = CheckRepository(verb.repo); !ok) return core::Unexpected(ok.error());
  // As GitHub answers 422 "A pull request already exists for owner:branch".
  for (const auto& pr : github_->PullRequests(verb.repo)) {
    if (pr["state"] == "open" && pr["head"]["ref"] == verb.branch) {
      return Fail(core::ErrorKind::kConflict, "gh: a pull request already exists for " +
                                                  verb.branch + ": " + verb.repo + "#" +
                                                  std::to_string(pr.value("number", 0)));
    }
  }
  SandboxPullRequestSeed seed;
  seed.title = verb.title;
  seed.body = verb.body;
  seed.head_ref = verb.branch;
  seed.user = verb.author;
  const std::size_t from = github_->DeliveryCount();
  const int number = github_->OpenPullRequest(verb.repo, seed);
  if (number == 0) {
    return Fail(core::ErrorKind::kNotFound, "gh: no repository " + verb.repo);
  }
  const std::string base = github_->PullRequest(verb.repo, number).value()["base"]["ref"];
  return "gh: opened " + verb.repo + "#" + std::to_string(number) + " \"" + verb.title + "\" (" +
         verb.branch + " -> " + base + "; " +
         GitHubWebhooks(*github_, from, webhook_timeout_,
                        [&](const std::string& event, const json& body) {
                          return event == "pull_request" && body.value("number", 0) == number;
                        }) +
         ")";
}

core::Result<std::string> PeerVerbs::Execute(const GitHubPrMergeVerb& verb) {
  if (auto ok = CheckRepository(verb.repo); !ok) return core::Unexpected(ok.error());
  const std::string name = verb.repo + "#" + std::to_string(verb.number);
  const auto pr = github_->PullRequest(verb.repo, verb.number);
  if (!pr) return Fail(core::ErrorKind::kNotFound, "gh: no pull request " + name);
  if ((*pr)["state"] != "open") {
    return Fail(
        core::ErrorKind::kConflict,
        "gh: " + name + " is already " + ((*pr).value("merged", false) ? "merged" : "closed"));
  }
  const std::size_t from = github_->DeliveryCount();
  if (auto merged = github_->MergePullRequest(verb.repo, verb.number); !merged) {
    return core::Unexpected(merged.error());
  }
  const json after = github_->PullRequest(verb.repo, verb.number).value();
  const std::string merge_sha = after.value("merge_commit_sha", "");
  const std::string base = after["base"]["ref"];
  return "gh: merged " + name + " into " + base + " (" +
         GitHubWebhooks(*github_, from, webhook_timeout_,
                        [&](const std::string& event, const json& body) {
                          if (event == "pull_request") {
                            return body.value("number", 0) == verb.number;
                          }
                          return event == "push" && body.value("after", "") == merge_sha;
                        }) +
         ")";
}

core::Result<std::string> PeerVerbs::Execute(const GitHubPrReviewVerb& verb) {
  if (auto ok = CheckRepository(verb.repo); !ok) return core::Unexpected(ok.error());
  const std::string name = verb.repo + "#" + std::to_string(verb.number);
  const std::size_t from = github_->DeliveryCount();
  if (auto reviewed = github_->AddReview(verb.repo, verb.number, verb.reviewer, verb.state);
      !reviewed) {
    return Fail(core::ErrorKind::kNotFound, "gh: no pull request " + name);
  }
  return "gh: " + verb.reviewer + " " +
         (verb.state == "approved" ? "approved " : "requested changes on ") + name + " (" +
         GitHubWebhooks(*github_, from, webhook_timeout_,
                        [&](const std::string& event, const json&) {
                          return event == "pull_request_review";
                        }) +
         ")";
}

core::Result<std::string> PeerVerbs::Execute(const GitHubCiVerb& verb) {
  if (auto ok = CheckRepository(verb.repo); !ok) return core::Unexpected(ok.error());
  const std::string conclusion = verb.pass ? "success" : "failure";
  const std::size_t from = github_->DeliveryCount();
  auto run_id = github_->RunCi(verb.repo, verb.branch, conclusion);
  if (!run_id) {
    core::Error error = run_id.error();
    error.message = "gh: " + error.message;
    return core::Unexpected(std::move(error));
  }
  json run;
  for (const auto& r : github_->WorkflowRuns(verb.repo)) {
    if (r.value("id", std::int64_t{0}) == *run_id) run = r;
  }
  const std::int64_t suite_id = run.value("check_suite_id", std::int64_t{0});
  return "gh: CI " + run.value("name", std::string("run")) + " on " + verb.repo + "@" +
         run.value("head_branch", verb.branch) + " -> " + conclusion + " (run " +
         std::to_string(*run_id) + "; " +
         GitHubWebhooks(*github_, from, webhook_timeout_,
                        [&](const std::string& event, const json& body) {
                          if (event == "workflow_run") {
                            return body.value(json::json_pointer("/workflow_run/id"),
                                              std::int64_t{0}) == *run_id;
                          }
                          return event == "check_suite" &&
                                 body.value(json::json_pointer("/check_suite/id"),
                                            std::int64_t{0}) == suite_id;
                        }) +
         ")";
}

}  // namespace contexten::sandbox
