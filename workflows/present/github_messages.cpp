#include "workflows/present/github_messages.hpp"

#include <algorithm>
#include <cctype>

#include "workflows/present/button.hpp"
#include "workflows/present/fit_text.hpp"

namespace contexten::workflows::present {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxJobs = 10;

json Section(const std::string& mrkdwn) {
  return {{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", mrkdwn}}}};
}

bool IsSlackUserId(std::string_view id) {
  return !id.empty() && id.size() <= 32 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

std::string Person(const std::string& id) {
  return IsSlackUserId(id) ? "<@" + id + ">" : FitEscaped(id, 80);
}

}  // namespace

std::string SlackLink(std::string_view url, const std::string& label_mrkdwn) {
  const bool safe =
      (url.starts_with("https://") || url.starts_with("http://")) && url.size() <= 3000 &&
      std::none_of(url.begin(), url.end(), [](char c) {
        return c == '<' || c == '>' || c == '|' || std::isspace(static_cast<unsigned char>(c));
      });
  if (!safe) return label_mrkdwn;
  std::string out = "<";
  out.append(url).append("|").append(label_mrkdwn).append(">");
  return out;
}

json RenderCiAlert(const CiAlertModel& model) {
  const std::string where = "*" + FitEscaped(model.workflow, 100) + "* on `" +
                            FitEscaped(model.branch, 100) + "` of " + FitEscaped(model.repo, 140);
  std::string headline =
      model.recovered ? ":white_check_mark: Recovered: " + where : ":x: CI failed: " + where;
  std::string text = headline;
  if (!model.recovered && model.failures > 1) {
    text += " (" + std::to_string(model.failures) + " failures)";
  }
  text += "\n" + SlackLink(model.url, "View run");
  if (!model.failing_jobs.empty()) {
    text += "\nFailing jobs:";
    for (std::size_t i = 0; i < model.failing_jobs.size() && i < kMaxJobs; ++i) {
      text += "\n\u2022 " + FitEscaped(model.failing_jobs[i], 200);
    }
  }
  if (!model.issue_identifier.empty()) {
    text += "\nTracked in " +
            SlackLink(model.issue_url, "*" + FitEscaped(model.issue_identifier, 30) + "*");
  }
  if (model.rerun_pending && !model.recovered)
    text += "\n:repeat: Re-running the failed jobs\u2026";
  json blocks = json::array({Section(text)});
  if (!model.recovered) {
    json elements = json::array();
    if (!model.rerun_pending) {
      elements.push_back(
          ButtonJson("Re-run failed jobs", kCiRerunAction, model.run_id, ButtonStyle::kPrimary));
    }
    if (model.issue_identifier.empty()) {
      elements.push_back(ButtonJson("Create Linear issue", kCiCreateIssueAction, model.run_id));
    }
    if (!elements.empty()) {
      blocks.push_back(
          {{"type", "actions"}, {"block_id", "ci_alert_actions"}, {"elements", elements}});
    }
  }
  return {{"text", headline}, {"blocks", blocks}};
}

json RenderDeployRequest(const DeployRequestModel& model) {
  using Phase = DeployRequestModel::Phase;
  const std::string what = "*" + FitEscaped(model.repo, 140) + "* to *" +
                           FitEscaped(model.environment, 100) + "* at `" +
                           FitEscaped(model.ref, 100) + "`";
  std::string headline;
  switch (model.phase) {
    case Phase::kAwaiting:
      headline = ":rocket: Deploy " + what + " requested by " + Person(model.requester);
      break;
    case Phase::kConfirmed:
      headline = ":rocket: Deploying " + what + ": confirmed by " + Person(model.decided_by);
      break;
    case Phase::kRunning:
      headline = ":hourglass_flowing_sand: Deploying " + what + ": running";
      break;
    case Phase::kSucceeded:
      headline = ":white_check_mark: Deployed " + what;
      break;
    case Phase::kFailed:
      headline = ":x: Deploy of " + what + " failed";
      break;
    case Phase::kExpired:
      headline = ":hourglass: Deploy request for " + what + " expired unconfirmed";
      break;
    case Phase::kCancelled:
      headline = ":no_entry_sign: Deploy of " + what + " cancelled by " + Person(model.decided_by);
      break;
  }
  std::string text = headline;
  if (!model.run_url.empty()) text += "\n" + SlackLink(model.run_url, "View run");
  json blocks = json::array({Section(text)});
  if (model.phase == Phase::kAwaiting) {
    blocks.push_back(
        {{"type", "actions"},
         {"block_id", "deploy_actions"},
         {"elements", json::array({ButtonJson("Confirm deploy", kDeployConfirmAction, model.run_id,
                                              ButtonStyle::kPrimary),
                                   ButtonJson("Cancel", kDeployCancelAction, model.run_id)})}});
  }
  return {{"text", headline}, {"blocks", blocks}};
}

}  // namespace contexten::workflows::present
