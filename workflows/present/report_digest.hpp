#pragma once
// The daily digest (issue 12): Linear issues by state and assignee; PRs awaiting first review
// and PRs reviewed but awaiting action, split, each with its age; stale PRs; failed CI on default
// branches; integration health. Pure: model in, Block Kit out (../shared/DESIGN.md §2).
//
// PR rules, after GitHub's scheduled reminders: drafts are left out unless include_drafts; then
// repos, ignored terms, ignored labels, minimum age and "N approvals" leave a PR out; required
// labels (when set) keep only PRs with one of them. A PR idle longer than stale_hours is listed
// only under "Stale" (with whether it has a review), not also under the two review lists. Ages
// and idle times count every hour, or Monday..Friday (UTC) only with working_days_only. Lists are
// oldest first; each section shows what fits Slack's limits (at most 15 PRs) and ends with
// "...and N more" linking full_list_url when one is given.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "workflows/present/report_model.hpp"

namespace contexten::workflows::present {

struct PullSelection {
  std::vector<ReportPull> awaiting_first_review;
  std::vector<ReportPull> awaiting_action;
  std::vector<ReportPull> stale;
};

PullSelection SelectPulls(const ReportModel& model, const ReportOptions& options,
                          std::int64_t now_ms);

// Milliseconds in [from, to) that fall on Monday..Friday, UTC.
std::int64_t WorkingMsBetween(std::int64_t from_ms, std::int64_t to_ms);

// "3d", "5h", "12m" (the largest whole unit; under a minute is "0m").
std::string FormatAge(std::int64_t ms);

// {"text": fallback, "blocks": [...]}, always within Block Kit's message limits.
nlohmann::json RenderDigest(const ReportModel& model, const ReportOptions& options,
                            std::int64_t now_ms);

}  // namespace contexten::workflows::present
