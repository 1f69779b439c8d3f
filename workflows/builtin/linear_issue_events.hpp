#pragma once
// Linear webhooks as workflow events: an Issue or Comment delivery becomes the event the runs
// tracking that issue wait for (FileIssueWorkflow and its successors), keyed by the issue.

#include <optional>
#include <string>

#include "integrations/linear/events.hpp"
#include "workflows/engine/workflow.hpp"

namespace contexten::workflows::builtin {

struct RoutedEvent {
  std::string wait_key;  // "linear_issue:<uuid>"
  engine::Event event;
};

// nullopt for deliveries no run waits for (labels, projects, issue removals...). A Comment
// create, update or remove is routed with data.action saying which. `event_key` is the
// per-run dedupe key of the delivery (e.g. "inbox:<id>").
std::optional<RoutedEvent> RouteLinearEvent(const integrations::linear::LinearEvent& event,
                                            const std::string& event_key);

}  // namespace contexten::workflows::builtin
