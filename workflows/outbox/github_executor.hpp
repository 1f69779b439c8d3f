#pragma once
// Performs the github.* effects (effect_kinds.hpp) through the GitHubApi port. GitHub has no
// idempotency keys, so each kind that creates something says how it is looked up after an
// unknown outcome (DESIGN.md §3, "look before re-creating"): a comment by the marker in its
// body, a re-run by the run's attempt number, a dispatch by a workflow_dispatch run created since
// the request.

#include "integrations/github/github_api.hpp"
#include "workflows/outbox/effect_executor.hpp"

namespace contexten::workflows::outbox {

class GitHubExecutor final : public EffectExecutor {
 public:
  explicit GitHubExecutor(integrations::github::GitHubApi& github) : github_(github) {}
  core::Result<nlohmann::json> Execute(const store::EffectRecord& effect) override;
  core::Result<std::optional<nlohmann::json>> Lookup(const store::EffectRecord& effect) override;

 private:
  integrations::github::GitHubApi& github_;
};

// "owner/name" -> RepoRef; kInvalidInput for anything else.
core::Result<integrations::github::RepoRef> ParseRepo(const std::string& full_name);

}  // namespace contexten::workflows::outbox
