#pragma once
// The audit log port: who asked for what, where, what was decided and how it ended
// (../shared/DESIGN.md §2, store/: audit log). Rows live in the `audit_log` table of migration 2;
// everything beyond actor and action is kept as JSON in its `detail` column. Callers redact
// secrets before appending (DESIGN.md §3: secrets never reach the store).

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace contexten::store {

struct AuditEntry {
  std::int64_t id = 0;
  std::int64_t at_ms = 0;
  std::string actor;     // Slack user id
  std::string action;    // intent or command name: create_issue, close, help, audit, ...
  std::string channel;   // where it was asked ("" where Slack gives none)
  std::string source;    // slash_command | mention | direct_message | thread_reply | button | ...
  std::string args;      // the arguments as JSON text, secrets redacted
  std::string decision;  // allowed | refused | confirmed | cancelled | asked
  std::string outcome;   // what happened: "started run ...", the refusal's reason, ...
};

class AuditLog {
 public:
  virtual ~AuditLog() = default;
  // Durable when it returns; the new row's id.
  virtual core::Result<std::int64_t> Append(const AuditEntry& entry) = 0;
  // The newest `limit` entries, newest first.
  virtual core::Result<std::vector<AuditEntry>> Recent(std::size_t limit) = 0;
};

}  // namespace contexten::store
