#include "workflows/correlation/entity.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace contexten::workflows::correlation {
namespace {

constexpr std::array<std::pair<EntityKind, std::string_view>, 7> kEntityKinds = {{
    {EntityKind::kSlackThread, "slack_thread"},
    {EntityKind::kLinearIssue, "linear_issue"},
    {EntityKind::kGitHubPullRequest, "github_pr"},
    {EntityKind::kGitHubIssue, "github_issue"},
    {EntityKind::kGitHubWorkflowRun, "github_workflow_run"},
    {EntityKind::kGitHubDeployment, "github_deployment"},
    {EntityKind::kContextenRun, "contexten_run"},
}};

constexpr std::array<std::pair<LinkKind, std::string_view>, 5> kLinkKinds = {{
    {LinkKind::kCreatedFrom, "created_from"},
    {LinkKind::kCloses, "closes"},
    {LinkKind::kReferences, "references"},
    {LinkKind::kMentions, "mentions"},
    {LinkKind::kPostedIn, "posted_in"},
}};

template <typename Kind, std::size_t N>
std::string_view Name(const std::array<std::pair<Kind, std::string_view>, N>& table, Kind kind) {
  for (const auto& [k, name] : table) {
    if (k == kind) return name;
  }
  return "unknown";
}

template <typename Kind, std::size_t N>
std::optional<Kind> Parse(const std::array<std::pair<Kind, std::string_view>, N>& table,
                          std::string_view text) {
  for (const auto& [k, name] : table) {
    if (name == text) return k;
  }
  return std::nullopt;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; });
  return out;
}

std::string Upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; });
  return out;
}

}  // namespace

std::string_view ToString(EntityKind kind) { return Name(kEntityKinds, kind); }

std::optional<EntityKind> EntityKindFromString(std::string_view text) {
  return Parse(kEntityKinds, text);
}

std::string_view ToString(LinkKind kind) { return Name(kLinkKinds, kind); }

std::optional<LinkKind> LinkKindFromString(std::string_view text) {
  return Parse(kLinkKinds, text);
}

std::string EntityRef::Key() const {
  std::string key(ToString(kind));
  key += ':';
  key += id;
  return key;
}

std::optional<EntityRef> EntityRef::FromKey(std::string_view key) {
  const auto colon = key.find(':');
  if (colon == std::string_view::npos || colon + 1 == key.size()) return std::nullopt;
  const auto kind = EntityKindFromString(key.substr(0, colon));
  if (!kind) return std::nullopt;
  return EntityRef{*kind, std::string(key.substr(colon + 1))};
}

EntityRef SlackThread(std::string_view channel, std::string_view thread_ts) {
  std::string id(channel);
  id += '/';
  id += thread_ts;
  return {EntityKind::kSlackThread, std::move(id)};
}

EntityRef LinearIssue(std::string_view identifier) {
  return {EntityKind::kLinearIssue, Upper(identifier)};
}

EntityRef PullRequest(std::string_view repo, int number) {
  return {EntityKind::kGitHubPullRequest, Lower(repo) + "#" + std::to_string(number)};
}

EntityRef GitHubIssue(std::string_view repo, int number) {
  return {EntityKind::kGitHubIssue, Lower(repo) + "#" + std::to_string(number)};
}

EntityRef WorkflowRun(std::string_view repo, std::int64_t run_id) {
  return {EntityKind::kGitHubWorkflowRun, Lower(repo) + "/runs/" + std::to_string(run_id)};
}

EntityRef Deployment(std::string_view repo, std::int64_t deployment_id) {
  return {EntityKind::kGitHubDeployment,
          Lower(repo) + "/deployments/" + std::to_string(deployment_id)};
}

EntityRef ContextenRun(std::string_view run_id) {
  return {EntityKind::kContextenRun, std::string(run_id)};
}

}  // namespace contexten::workflows::correlation
