#pragma once
// Who may run which command (core::AccessConfig from the YAML configuration): per-command
// allow-lists of users and channels, and admins who pass every list and alone may read the
// audit log. A refusal carries a reason for the person, shown to them alone.

#include <string>
#include <vector>

#include "core/config.hpp"

namespace contexten::bot::handlers {

// Commands only admins may run, whatever the configuration says.
inline constexpr char kAuditCommand[] = "audit";

struct AccessDecision {
  bool allowed = true;
  std::string reason;  // for the person when refused: why, and whom to ask
};

class AccessControl {
 public:
  explicit AccessControl(core::AccessConfig config = {}) : config_(std::move(config)) {}

  // `command` is an intent or command name (close, create_issue, status, audit, ...).
  AccessDecision Check(const std::string& command, const std::string& user,
                       const std::string& channel) const;
  bool IsAdmin(const std::string& user) const;
  // Whether anyone is restricted at all for `command` (help marks such commands).
  bool IsRestricted(const std::string& command) const;

 private:
  core::AccessConfig config_;
};

}  // namespace contexten::bot::handlers
