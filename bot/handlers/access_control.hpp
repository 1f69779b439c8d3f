#pragma once
// Who may run which command (core::AccessConfig from the YAML configuration): per-command
// allow-lists of users and channels, and admins who pass every list and alone may read the
// audit log. A refusal carries a reason for the person, shown to them alone.

#include <functional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/result.hpp"

namespace contexten::bot::handlers {

// Commands only admins may run, whatever the configuration says.
inline constexpr char kAuditCommand[] = "audit";

struct AccessDecision {
  bool allowed = true;
  std::string reason;  // for the person when refused: why, and whom to ask
};

// The members of a Slack user group (usergroups.users.list; the Slack port caches them).
using UsergroupMembersFn =
    std::function<core::Result<std::vector<std::string>>(const std::string& usergroup_id)>;

class AccessControl {
 public:
  // Without `members`, a rule's user groups admit nobody (and a refusal says why).
  explicit AccessControl(core::AccessConfig config = {}, UsergroupMembersFn members = {})
      : config_(std::move(config)), members_(std::move(members)) {}

  // `command` is an intent or command name (close, create_issue, status, audit, ...).
  AccessDecision Check(const std::string& command, const std::string& user,
                       const std::string& channel) const;
  bool IsAdmin(const std::string& user) const;
  // Whether anyone is restricted at all for `command` (help marks such commands).
  bool IsRestricted(const std::string& command) const;

 private:
  // Whether `user` is in one of `groups`; a group Slack cannot list right now admits nobody and
  // is named in `unknown`.
  bool InAnyGroup(const std::vector<std::string>& groups, const std::string& user,
                  std::string& unknown) const;

  core::AccessConfig config_;
  UsergroupMembersFn members_;
};

}  // namespace contexten::bot::handlers
