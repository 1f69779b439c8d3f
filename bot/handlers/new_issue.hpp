#pragma once
// `/ctx new`: a "New issue" modal (title, description, priority), checked on submission
// (errors shown on the field), then a confirmation in the channel with an "Assign to me" button
// that updates the message in place and replies in its thread.

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.hpp"
#include "integrations/slack/interaction.hpp"
#include "integrations/slack/listeners/listener_context.hpp"
#include "integrations/slack/listeners/listener_registry.hpp"

namespace contexten::bot::handlers {

namespace listeners = integrations::slack::listeners;

inline constexpr char kNewIssueCallbackId[] = "new_issue";
inline constexpr char kNewIssueTitleBlock[] = "new_issue_title";
inline constexpr char kNewIssueTitleAction[] = "title";
inline constexpr char kNewIssueDescriptionBlock[] = "new_issue_description";
inline constexpr char kNewIssueDescriptionAction[] = "description";
inline constexpr char kNewIssuePriorityBlock[] = "new_issue_priority";
inline constexpr char kNewIssuePriorityAction[] = "priority";
inline constexpr char kNewIssueAssignAction[] = "new_issue_assign";
inline constexpr std::size_t kNewIssueMaxTitleChars = 255;

struct NewIssue {
  std::string title;
  std::string description;
  std::string priority;  // option value: "1" urgent .. "4" low (Linear's numbers); "" none
  std::string channel;   // where the confirmation goes (from private_metadata)
  std::string reporter;  // user id
};

// The modal view; `channel_id` travels in private_metadata so the submission knows where to
// post.
core::Result<nlohmann::json> BuildNewIssueModal(const std::string& channel_id);
// Reads a submission. Field errors keyed by block_id; empty when the issue is good.
std::map<std::string, std::string> ValidateNewIssue(const integrations::slack::ViewPayload& view);
NewIssue ReadNewIssue(const integrations::slack::Interaction& submission);
// The confirmation message ({text, blocks}) with the "Assign to me" button.
core::Result<nlohmann::json> BuildNewIssueConfirmation(const NewIssue& issue);
// The same message once `assignee` took it: no button, says who.
core::Result<nlohmann::json> BuildNewIssueAssigned(const std::string& title,
                                                   const std::string& priority,
                                                   const std::string& assignee);
std::string PriorityLabel(const std::string& value);

// Opens the modal with the interaction's trigger_id, then acks; if the modal cannot be opened
// the ack carries an explanation for the user instead.
core::Status OpenNewIssueModal(listeners::ListenerContext& context);
// The view_submission and "Assign to me" listeners.
void RegisterNewIssueListeners(listeners::ListenerRegistry& registry);

}  // namespace contexten::bot::handlers
