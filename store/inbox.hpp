#pragma once
// The inbox: every inbound delivery (Slack envelope, GitHub/Linear webhook) is appended here,
// durably, before it is acknowledged. The dedupe key makes redeliveries no-ops.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace contexten::store {

// Where an inbox row is. kPending rows are replayed after a crash; the others are terminal:
// kDone (processed), kSkipped (recorded, nothing to process), kFailed (given up, `last_error`
// says why). Stored as the text ToString gives ("pending", "done", "skipped", "failed").
enum class InboxStatus { kPending, kDone, kSkipped, kFailed };

std::string_view ToString(InboxStatus status);
// The inverse of ToString; nullopt for any other text.
std::optional<InboxStatus> InboxStatusFromString(std::string_view text);
inline bool IsTerminal(InboxStatus status) { return status != InboxStatus::kPending; }

struct InboxItem {
  std::int64_t id = 0;
  std::string source;      // "slack", "github", "linear"
  std::string dedupe_key;  // envelope_id / event_id / X-GitHub-Delivery / Linear-Delivery
  std::string kind;        // envelope type or event name, for routing and metrics
  std::string body;        // raw payload (secrets already stripped by the caller)
  core::WallTime received_at{};
  // Appending with kDone or kSkipped stores a row that is finished on arrival (recorded,
  // nothing to process), in the same single write; kFailed stores one that could not be
  // processed (one attempt, `last_error` the reason).
  InboxStatus status = InboxStatus::kPending;
  int attempts = 0;
  std::string last_error;
};

enum class AppendOutcome { kInserted, kDuplicate };

struct AppendResult {
  AppendOutcome outcome = AppendOutcome::kInserted;
  std::int64_t id = 0;  // the existing row's id for a duplicate
};

// Port. Implemented by SqliteInbox; workflows and the dispatcher depend on this only.
class Inbox {
 public:
  virtual ~Inbox() = default;
  // `done` runs once the row is durable (or the append failed). Never on the caller's stack
  // for the SQLite implementation: it runs on the writer thread.
  virtual void AppendAsync(InboxItem item,
                           std::function<void(core::Result<AppendResult>)> done) = 0;
  virtual core::Result<AppendResult> Append(InboxItem item) = 0;
  // `status` is terminal (kDone, kSkipped, kFailed); kPending is kInvalidInput.
  virtual core::Status MarkDone(std::int64_t id, InboxStatus status = InboxStatus::kDone) = 0;
  virtual core::Status MarkFailed(std::int64_t id, std::string reason) = 0;
  // Records a terminal `status` (kDone, kSkipped, or kFailed with `reason` as last_error and
  // one more attempt) without waiting for the commit; `done`, if set, runs once it is durable or
  // has failed. For callers that must not block per row (webhook processing at thousands of rows
  // per second). This default is the blocking pair above, for inboxes without a writer queue.
  virtual void MarkDoneAsync(std::int64_t id, InboxStatus status, std::string reason,
                             std::function<void(core::Status)> done) {
    core::Status marked = core::Ok();
    if (status == InboxStatus::kFailed && !reason.empty()) {
      marked = MarkFailed(id, std::move(reason));
    }
    if (marked) marked = MarkDone(id, status);
    if (done) done(std::move(marked));
  }
  // Oldest first; rows still pending (crash recovery replays these).
  // With `source` set, only that source's rows (so one platform's backlog cannot crowd out
  // another's replay).
  virtual core::Result<std::vector<InboxItem>> Pending(std::size_t limit,
                                                       const std::string& source = {}) = 0;
  virtual core::Result<std::optional<InboxItem>> Find(const std::string& source,
                                                      const std::string& dedupe_key) = 0;
  virtual core::Result<std::int64_t> Count(const std::string& source) = 0;
};

}  // namespace contexten::store
