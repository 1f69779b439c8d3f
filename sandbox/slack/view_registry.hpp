#pragma once
// Modals as Slack keeps them: trigger_ids (valid 3 s, single use, tied to the user who acted),
// a view stack per user at most 3 deep, view hashes that change on every update so a stale
// views.update is refused. Errors are Slack's codes (the Error's message is the code).

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "sandbox/slack/sandbox_types.hpp"

namespace contexten::sandbox {

struct ViewRegistryOptions {
  std::chrono::milliseconds trigger_life{3000};
  int max_stack = 3;
  // Copied into every stored view (team_id, app_id, bot_id, app_installed_team_id).
  nlohmann::json view_defaults = nlohmann::json::object();
};

class ViewRegistry {
 public:
  ViewRegistry(const core::Clock& clock, ViewRegistryOptions options = {});

  // A fresh trigger_id for an interaction by `user`.
  std::string IssueTrigger(const std::string& user);

  // views.open: replaces the user's stack with `view`. invalid_trigger_id, expired_trigger_id,
  // exchanged_trigger_id.
  core::Result<SandboxView> Open(const std::string& trigger_id, const nlohmann::json& view);
  // views.push: the trigger's errors plus push_limit_reached on a full stack.
  core::Result<SandboxView> Push(const std::string& trigger_id, const nlohmann::json& view);
  // views.update by view_id or external_id; not_found, hash_conflict.
  core::Result<SandboxView> Update(const std::string& view_id, const std::string& external_id,
                                   const nlohmann::json& view, const std::string& hash);

  std::optional<SandboxView> Find(const std::string& view_id) const;
  // Views open for `user` (every user when empty), root first.
  std::vector<SandboxView> OpenViews(const std::string& user = "") const;
  std::optional<SandboxView> TopView(const std::string& user) const;

  // The outcomes of a view_submission ack. Each returns the views it changed.
  std::optional<SandboxView> SetErrors(const std::string& view_id, const nlohmann::json& errors);
  std::optional<SandboxView> Replace(const std::string& view_id, const nlohmann::json& view);
  std::vector<SandboxView> CloseTop(const std::string& view_id);  // the view and any above it
  std::vector<SandboxView> CloseAll(const std::string& user);

 private:
  struct Trigger {
    std::string user;
    core::SteadyTime issued;
    bool used = false;
  };
  core::Result<std::string> Exchange(const std::string& trigger_id);  // -> user
  SandboxView Store(const std::string& user, const nlohmann::json& view, int depth,
                    const std::string& root_id, const std::string& previous_id,
                    const std::string& id = "");
  std::string NewHash();
  std::vector<SandboxView>* StackOf(const std::string& view_id, std::size_t* index);

  const core::Clock& clock_;
  const ViewRegistryOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Trigger> triggers_;
  std::map<std::string, std::vector<SandboxView>> stacks_;  // user -> stack, root first
  std::uint64_t next_id_ = 0;
  std::uint64_t next_trigger_ = 0;
};

}  // namespace contexten::sandbox
