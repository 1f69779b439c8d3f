#pragma once
// The messages the GitHub workflows post: a CI failure alert and a deploy request. Pure: model
// in, {"text", "blocks"} out, user text escaped and cut to Slack's limits (DESIGN.md §4).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace contexten::workflows::present {

inline constexpr std::string_view kCiRerunAction = "ci_rerun";
inline constexpr std::string_view kCiCreateIssueAction = "ci_create_issue";
inline constexpr std::string_view kDeployConfirmAction = "deploy_confirm";
inline constexpr std::string_view kDeployCancelAction = "deploy_cancel";

struct CiAlertModel {
  std::string repo, workflow, branch, url;
  int failures = 1;                       // failed runs or attempts seen while open
  std::vector<std::string> failing_jobs;  // names, when known
  bool rerun_pending = false;
  bool recovered = false;
  std::string issue_identifier, issue_url;  // filed from the alert
  std::string run_id;                       // the workflow run, in each button's value
};

// Buttons [Re-run failed jobs] (unless a re-run is under way) and [Create Linear issue] (until
// one is filed) while open; none once recovered.
nlohmann::json RenderCiAlert(const CiAlertModel& model);

struct DeployRequestModel {
  std::string repo, environment, ref, workflow;
  std::string requester;  // Slack user id
  enum class Phase { kAwaiting, kConfirmed, kRunning, kSucceeded, kFailed, kExpired, kCancelled };
  Phase phase = Phase::kAwaiting;
  std::string decided_by;  // who confirmed or cancelled
  std::string run_url;
  std::string run_id;  // in each button's value
};

// [Confirm deploy] [Cancel] while awaiting confirmation.
nlohmann::json RenderDeployRequest(const DeployRequestModel& model);

// `<url|label>` when the url is safe inside Slack's link syntax, else the label.
std::string SlackLink(std::string_view url, const std::string& label_mrkdwn);

}  // namespace contexten::workflows::present
