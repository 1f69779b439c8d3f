#include "workflows/present/report_model.hpp"

#include "core/json_fields.hpp"

namespace contexten::workflows::present {
namespace {

using core::json_fields::Arr;
using core::json_fields::Bool;
using core::json_fields::Int;
using core::json_fields::Obj;
using core::json_fields::Str;
using nlohmann::json;

std::vector<std::string> Strings(const json& j, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& item : Arr(j, key)) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

int IntOr(const json& j, std::string_view key, int fallback) {
  const auto v = core::json_fields::OptInt(j, key);
  return v ? static_cast<int>(*v) : fallback;
}

}  // namespace

json ToJson(const ReportModel& m) {
  json issues = json::array();
  for (const auto& i : m.issues) {
    issues.push_back({{"identifier", i.identifier},
                      {"title", i.title},
                      {"url", i.url},
                      {"team", i.team},
                      {"state", i.state},
                      {"state_type", i.state_type},
                      {"assignee", i.assignee}});
  }
  json pulls = json::array();
  for (const auto& p : m.pulls) {
    pulls.push_back({{"repo", p.repo},
                     {"number", p.number},
                     {"title", p.title},
                     {"url", p.url},
                     {"author", p.author},
                     {"created_at_ms", p.created_at_ms},
                     {"updated_at_ms", p.updated_at_ms},
                     {"draft", p.draft},
                     {"reviews", p.reviews},
                     {"approvals", p.approvals},
                     {"labels", p.labels}});
  }
  json ci = json::array();
  for (const auto& c : m.ci_failures) {
    ci.push_back({{"repo", c.repo},
                  {"branch", c.branch},
                  {"workflow", c.workflow},
                  {"url", c.url},
                  {"at_ms", c.at_ms}});
  }
  json health = json::array();
  for (const auto& h : m.health) {
    health.push_back({{"name", h.name}, {"healthy", h.healthy}, {"detail", h.detail}});
  }
  return {{"has_issues", m.has_issues},
          {"has_pulls", m.has_pulls},
          {"issues", issues},
          {"pulls", pulls},
          {"ci_failures", ci},
          {"health", health},
          {"week",
           {{"issues_created", m.week.issues_created},
            {"issues_completed", m.week.issues_completed},
            {"median_cycle_hours", m.week.median_cycle_hours},
            {"pulls_merged", m.week.pulls_merged},
            {"ci_runs", m.week.ci_runs},
            {"ci_failed", m.week.ci_failed},
            {"incidents", m.week.incidents}}},
          {"full_list_url", m.full_list_url},
          {"issues_url", m.issues_url},
          {"issues_unavailable", m.issues_unavailable},
          {"pulls_unavailable", m.pulls_unavailable}};
}

ReportModel ReportModelFromJson(const json& j) {
  ReportModel m;
  m.has_issues = Bool(j, "has_issues");
  m.has_pulls = Bool(j, "has_pulls");
  for (const auto& i : Arr(j, "issues")) {
    m.issues.push_back({Str(i, "identifier"), Str(i, "title"), Str(i, "url"), Str(i, "team"),
                        Str(i, "state"), Str(i, "state_type"), Str(i, "assignee")});
  }
  for (const auto& p : Arr(j, "pulls")) {
    ReportPull pull;
    pull.repo = Str(p, "repo");
    pull.number = Int(p, "number");
    pull.title = Str(p, "title");
    pull.url = Str(p, "url");
    pull.author = Str(p, "author");
    pull.created_at_ms = Int(p, "created_at_ms");
    pull.updated_at_ms = Int(p, "updated_at_ms");
    pull.draft = Bool(p, "draft");
    pull.reviews = IntOr(p, "reviews", 0);
    pull.approvals = IntOr(p, "approvals", 0);
    pull.labels = Strings(p, "labels");
    m.pulls.push_back(std::move(pull));
  }
  for (const auto& c : Arr(j, "ci_failures")) {
    m.ci_failures.push_back(
        {Str(c, "repo"), Str(c, "branch"), Str(c, "workflow"), Str(c, "url"), Int(c, "at_ms")});
  }
  for (const auto& h : Arr(j, "health")) {
    m.health.push_back({Str(h, "name"), Bool(h, "healthy"), Str(h, "detail")});
  }
  const json& w = Obj(j, "week");
  m.week.issues_created = IntOr(w, "issues_created", 0);
  m.week.issues_completed = IntOr(w, "issues_completed", 0);
  const json& cycle = core::json_fields::At(w, "median_cycle_hours");
  m.week.median_cycle_hours = cycle.is_number() ? cycle.get<double>() : 0;
  m.week.pulls_merged = IntOr(w, "pulls_merged", 0);
  m.week.ci_runs = IntOr(w, "ci_runs", 0);
  m.week.ci_failed = IntOr(w, "ci_failed", 0);
  m.week.incidents = IntOr(w, "incidents", 0);
  m.full_list_url = Str(j, "full_list_url");
  m.issues_url = Str(j, "issues_url");
  m.issues_unavailable = Str(j, "issues_unavailable");
  m.pulls_unavailable = Str(j, "pulls_unavailable");
  return m;
}

json ToJson(const ReportOptions& o) {
  return {{"stale_hours", o.stale_hours},
          {"working_days_only", o.working_days_only},
          {"include_drafts", o.include_drafts},
          {"min_age_hours", o.min_age_hours},
          {"ignore_approved_at", o.ignore_approved_at},
          {"ignore_labels", o.ignore_labels},
          {"require_labels", o.require_labels},
          {"ignore_terms", o.ignore_terms},
          {"repos", o.repos},
          {"teams", o.teams}};
}

ReportOptions ReportOptionsFromJson(const json& j) {
  ReportOptions o;
  o.stale_hours = IntOr(j, "stale_hours", o.stale_hours);
  o.working_days_only = Bool(j, "working_days_only");
  o.include_drafts = Bool(j, "include_drafts");
  o.min_age_hours = IntOr(j, "min_age_hours", 0);
  o.ignore_approved_at = IntOr(j, "ignore_approved_at", 0);
  o.ignore_labels = Strings(j, "ignore_labels");
  o.require_labels = Strings(j, "require_labels");
  o.ignore_terms = Strings(j, "ignore_terms");
  o.repos = Strings(j, "repos");
  o.teams = Strings(j, "teams");
  return o;
}

}  // namespace contexten::workflows::present
