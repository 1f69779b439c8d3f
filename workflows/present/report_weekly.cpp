#include "workflows/present/report_weekly.hpp"

#include <cmath>
#include <string>

#include "integrations/slack/block_kit/blocks.hpp"
#include "integrations/slack/block_kit/message.hpp"
#include "integrations/slack/block_kit/text.hpp"
#include "integrations/slack/block_kit/truncate.hpp"
#include "workflows/present/fit_text.hpp"

namespace contexten::workflows::present {
namespace {

namespace bk = integrations::slack::blocks;

std::string Hours(double hours) {
  if (hours <= 0) return "n/a";
  if (hours >= 48) return std::to_string(static_cast<long>(std::lround(hours / 24))) + "d";
  return std::to_string(static_cast<long>(std::lround(hours))) + "h";
}

std::string Field(const std::string& name, const std::string& value) {
  return "*" + name + "*\n" + value;
}

}  // namespace

nlohmann::json RenderWeekly(const ReportModel& model) {
  const ReportWeek& w = model.week;
  std::string failure_rate = "n/a";
  if (w.ci_runs > 0) {
    failure_rate = std::to_string(static_cast<long>(std::lround(100.0 * w.ci_failed / w.ci_runs))) +
                   "% (" + std::to_string(w.ci_failed) + " of " + std::to_string(w.ci_runs) +
                   " runs)";
  }
  bk::Message message;
  message.Text("Weekly summary: " + std::to_string(w.issues_completed) + " issues completed, " +
               std::to_string(w.pulls_merged) + " PRs merged");
  message.Add(bk::Header("Weekly summary"));
  bk::Section counts;
  counts.AddField(bk::Mrkdwn(
      Field("Issues created", model.has_issues ? std::to_string(w.issues_created) : "n/a")));
  counts.AddField(bk::Mrkdwn(
      Field("Issues completed", model.has_issues ? std::to_string(w.issues_completed) : "n/a")));
  counts.AddField(bk::Mrkdwn(Field("Median cycle time", Hours(w.median_cycle_hours))));
  counts.AddField(
      bk::Mrkdwn(Field("PRs merged", model.has_pulls ? std::to_string(w.pulls_merged) : "n/a")));
  counts.AddField(bk::Mrkdwn(Field("CI failure rate", failure_rate)));
  counts.AddField(bk::Mrkdwn(Field("Incidents", std::to_string(w.incidents))));
  message.Add(counts);
  std::string health;
  for (const auto& h : model.health) {
    health += std::string(h.healthy ? ":large_green_circle: " : ":red_circle: ") +
              FitEscaped(h.name, 60) + "\n";
  }
  if (!health.empty()) {
    health.pop_back();
    message.Add(bk::Context().AddText(bk::Mrkdwn(bk::TruncateForSlack(health, 1900))));
  }
  auto built = message.Build();
  if (!built) return {{"text", "Weekly summary"}};
  return *built;
}

}  // namespace contexten::workflows::present
