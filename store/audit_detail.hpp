#pragma once
// The audit log's `detail` column (both engines): everything beyond actor and action, as JSON.

#include <string>

#include "store/audit_log.hpp"

namespace contexten::store {

std::string AuditDetailJson(const AuditEntry& entry);
// Fills channel, source, args, decision and outcome from `text`; leaves them empty if unreadable.
void ReadAuditDetail(const std::string& text, AuditEntry& entry);

}  // namespace contexten::store
