#pragma once
// What a scheduled channel report shows (issue 12, "Scheduled channel reports"): the data, as
// gathered from Linear, GitHub and the bot's own health, and the options that filter it, modelled
// on GitHub's scheduled reminders (ignore drafts, ignored/required labels, ignored terms,
// minimum age, ignore PRs with N approvals, repos and teams). Both travel as JSON in a report
// run's start event, so the renderers stay pure (../shared/DESIGN.md §2, present/).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace contexten::workflows::present {

struct ReportIssue {
  std::string identifier, title, url;
  std::string team;        // team key
  std::string state;       // workflow state name ("In Progress")
  std::string state_type;  // backlog | unstarted | started | completed | canceled | triage
  std::string assignee;    // display name; empty = unassigned
};

struct ReportPull {
  std::string repo;  // owner/name
  std::int64_t number = 0;
  std::string title, url, author;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;  // last activity
  bool draft = false;
  int reviews = 0;    // submitted reviews (0: awaiting first review)
  int approvals = 0;  // current approvals
  std::vector<std::string> labels;
};

struct ReportCiFailure {
  std::string repo, branch, workflow, url;
  std::int64_t at_ms = 0;
};

struct ReportHealth {
  std::string name;
  bool healthy = true;
  std::string detail;
};

// The weekly summary's counts for the week before the report.
struct ReportWeek {
  int issues_created = 0;
  int issues_completed = 0;
  double median_cycle_hours = 0;  // created -> completed, of the completed ones
  int pulls_merged = 0;
  int ci_runs = 0;
  int ci_failed = 0;
  int incidents = 0;
};

struct ReportModel {
  bool has_issues = false;  // whether Linear could be asked (else the section says so)
  bool has_pulls = false;   // whether GitHub could be asked
  std::vector<ReportIssue> issues;
  std::vector<ReportPull> pulls;
  std::vector<ReportCiFailure> ci_failures;
  std::vector<ReportHealth> health;
  ReportWeek week;
  std::string full_list_url;  // the untruncated list (e.g. a GitHub search), linked when cut
  std::string issues_url;     // the Linear view of the open issues, linked when cut
  // Why a section has no data although its platform is configured ("could not read Linear:
  // ..."); empty: the default "not configured" note when has_issues / has_pulls is false.
  std::string issues_unavailable;
  std::string pulls_unavailable;
};

struct ReportOptions {
  int stale_hours = 48;            // a PR idle longer is stale
  bool working_days_only = false;  // count idle/age hours Monday..Friday (UTC) only
  bool include_drafts = false;     // drafts are ignored by default
  int min_age_hours = 0;           // PRs younger are left out
  int ignore_approved_at = 0;      // PRs with at least this many approvals are left out (0: off)
  std::vector<std::string> ignore_labels;   // any of them: left out
  std::vector<std::string> require_labels;  // when set, at least one (after the ignores)
  std::vector<std::string> ignore_terms;    // title substrings (case-insensitive)
  std::vector<std::string> repos;           // owner/name; empty: all
  std::vector<std::string> teams;           // Linear team keys; empty: all
};

nlohmann::json ToJson(const ReportModel& model);
ReportModel ReportModelFromJson(const nlohmann::json& j);  // total: missing members are defaults
nlohmann::json ToJson(const ReportOptions& options);
ReportOptions ReportOptionsFromJson(const nlohmann::json& j);

}  // namespace contexten::workflows::present
