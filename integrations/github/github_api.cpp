#include "integrations/github/github_api.hpp"

namespace contexten::integrations::github {

std::string IdempotencyMarker(const std::string& key) {
  if (key.empty()) return {};
  return "<!-- contexten:idempotency-key=" + key + " -->";
}

bool SurelyNotApplied(const core::Error& error) {
  using core::ErrorKind;
  if (error.outcome_unknown) return false;
  switch (error.kind) {
    case ErrorKind::kRateLimited:
    case ErrorKind::kUnavailable:
      return true;
    case ErrorKind::kTransient:
      // GitHubRestClient names the status as "HTTP <code>"; HttpClient names refusals.
      return error.message.find("HTTP 502") != std::string::npos ||
             error.message.find("HTTP 503") != std::string::npos ||
             error.message.find("connection refused") != std::string::npos;
    default:
      return false;
  }
}

core::Result<std::optional<Comment>> FindCommentContaining(GitHubApi& api, const RepoRef& repo,
                                                           int number, const std::string& marker) {
  if (marker.empty()) {
    return core::Unexpected(
        core::MakeError(core::ErrorKind::kInvalidInput, "an empty marker matches every comment"));
  }
  auto comments = api.ListComments(repo, number);
  if (!comments) return core::Unexpected(comments.error());
  // GitHub lists comments oldest first; the newest match is the one a retry would have made.
  for (auto it = comments->rbegin(); it != comments->rend(); ++it) {
    if (it->body.find(marker) != std::string::npos) return std::optional<Comment>(std::move(*it));
  }
  return std::optional<Comment>();
}

core::Result<Repository> GitHubApi::GetRepository(const RepoRef& repo) {
  return core::Unexpected(core::MakeError(core::ErrorKind::kInternal,
                                          "this GitHub client cannot read " + repo.FullName()));
}

}  // namespace contexten::integrations::github
