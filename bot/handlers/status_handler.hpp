#pragma once
// `/ctx status` and `/ctx retry`: what an on-call engineer needs without shell access, shown to
// the asker alone. Each integration's state (breakers, connection, store), the outbox (queued,
// in flight, waiting for a retry, dead letters with their reason) and the workflow runs; dead
// letters are retried with `/ctx retry all|<id>` (DESIGN.md §3: visible and retryable).

#include <functional>
#include <nlohmann/json.hpp>

#include "intents/intent.hpp"
#include "store/workflow_store.hpp"
#include "workflows/health/health_registry.hpp"

namespace contexten::bot::handlers {

// An ephemeral reply ({response_type, text, blocks}).
nlohmann::json StatusReply(store::WorkflowStore& workflows, const workflows::HealthRegistry* health,
                           std::int64_t now_ms);
// Retries what `intent` names and wakes the outbox (`wake`); the reply says how many.
nlohmann::json RetryReply(store::WorkflowStore& workflows, const intents::RetryIntent& intent,
                          const std::function<void()>& wake);

}  // namespace contexten::bot::handlers
