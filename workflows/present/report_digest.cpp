#include "workflows/present/report_digest.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "integrations/slack/block_kit/blocks.hpp"
#include "integrations/slack/block_kit/limits.hpp"
#include "integrations/slack/block_kit/message.hpp"
#include "integrations/slack/block_kit/text.hpp"
#include "integrations/slack/block_kit/truncate.hpp"
#include "workflows/present/fit_text.hpp"

namespace contexten::workflows::present {
namespace {

namespace bk = integrations::slack::blocks;
using nlohmann::json;

constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::int64_t kHourMs = 60 * kMinuteMs;
constexpr std::int64_t kDayMs = 24 * kHourMs;
constexpr std::size_t kMaxPullsPerSection = 15;
constexpr std::size_t kTitleChars = 80;
// Room left in a section for the "...and N more" line.
constexpr std::size_t kSectionBudget = bk::limits::kSectionText - 200;

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool HasAny(const std::vector<std::string>& have, const std::vector<std::string>& wanted) {
  for (const auto& w : wanted) {
    for (const auto& h : have) {
      if (Lower(h) == Lower(w)) return true;
    }
  }
  return false;
}

std::int64_t Span(std::int64_t from, std::int64_t to, bool working_days_only) {
  if (to <= from) return 0;
  return working_days_only ? WorkingMsBetween(from, to) : to - from;
}

std::string Link(const std::string& url, const std::string& text) {
  if (url.empty()) return text;
  return "<" + bk::EscapeMrkdwn(url) + "|" + text + ">";
}

std::string PullRef(const ReportPull& p) {
  return Link(p.url, bk::EscapeMrkdwn(p.repo) + "#" + std::to_string(p.number));
}

// A titled list that stops at the section's limits; the rest is counted, with the full list
// linked.
std::string ListSection(const std::string& title, const std::vector<std::string>& lines,
                        std::size_t max_lines, const std::string& full_list_url,
                        const std::string& empty) {
  std::string text = title + "\n";
  if (lines.empty()) return text + empty;
  std::size_t shown = 0;
  for (const auto& line : lines) {
    if (shown == max_lines || bk::CountChars(text) + bk::CountChars(line) + 1 > kSectionBudget) {
      break;
    }
    text += line + "\n";
    ++shown;
  }
  if (shown < lines.size()) {
    text += "…and " + std::to_string(lines.size() - shown) + " more";
    if (!full_list_url.empty()) text += ": " + Link(full_list_url, "full list");
    text += "\n";
  }
  text.pop_back();
  return text;
}

int StateRank(const std::string& type) {
  if (type == "started") return 0;
  if (type == "unstarted") return 1;
  if (type == "triage") return 2;
  if (type == "backlog") return 3;
  return 4;
}

std::string IssuesSection(const ReportModel& model, const ReportOptions& options) {
  if (!model.has_issues && !model.issues_unavailable.empty()) {
    return "*Linear issues*\n_Not available: " + FitEscaped(model.issues_unavailable, 300) + "_";
  }
  if (!model.has_issues) return "*Linear issues*\n_Not available: Linear is not configured._";
  // state -> assignee -> count, for open issues of the chosen teams.
  std::map<std::pair<int, std::string>, std::map<std::string, int>> by_state;
  std::size_t open = 0;
  for (const auto& issue : model.issues) {
    if (issue.state_type == "completed" || issue.state_type == "canceled") continue;
    if (!options.teams.empty() &&
        std::find(options.teams.begin(), options.teams.end(), issue.team) == options.teams.end()) {
      continue;
    }
    ++open;
    ++by_state[{StateRank(issue.state_type), issue.state}]
              [issue.assignee.empty() ? "unassigned" : issue.assignee];
  }
  std::vector<std::string> lines;
  for (const auto& [state, assignees] : by_state) {
    std::vector<std::pair<std::string, int>> sorted(assignees.begin(), assignees.end());
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    int total = 0;
    std::string who;
    for (const auto& [name, count] : sorted) {
      total += count;
      if (!who.empty()) who += ", ";
      who += FitEscaped(name, 40) + " " + std::to_string(count);
    }
    lines.push_back("• *" + FitEscaped(state.second, 60) + "* (" + std::to_string(total) +
                    "): " + who);
  }
  return ListSection("*Linear issues* (" + std::to_string(open) + " open)", lines, 30,
                     model.issues_url, "No open issues.");
}

std::vector<std::string> PullLines(const std::vector<ReportPull>& pulls,
                                   const ReportOptions& options, std::int64_t now_ms, bool stale) {
  std::vector<std::string> lines;
  for (const auto& p : pulls) {
    std::string line = "• " + PullRef(p) + " " + FitEscaped(p.title, kTitleChars) + " — " +
                       FitEscaped(p.author, 40) + ", " +
                       FormatAge(Span(p.created_at_ms, now_ms, options.working_days_only)) + " old";
    if (stale) {
      line += ", idle " + FormatAge(Span(p.updated_at_ms, now_ms, options.working_days_only)) +
              (p.reviews == 0 ? ", no review yet" : ", reviewed");
    } else if (p.reviews > 0) {
      line += ", " + std::to_string(p.approvals) + " approval" + (p.approvals == 1 ? "" : "s");
    }
    if (p.draft) line += " (draft)";
    lines.push_back(std::move(line));
  }
  return lines;
}

std::string CiSection(const ReportModel& model, const ReportOptions& options, std::int64_t now_ms) {
  std::vector<std::string> lines;
  for (const auto& c : model.ci_failures) {
    if (!options.repos.empty() &&
        std::find(options.repos.begin(), options.repos.end(), c.repo) == options.repos.end()) {
      continue;
    }
    lines.push_back("• " + Link(c.url, FitEscaped(c.workflow, 60)) + " on " +
                    bk::EscapeMrkdwn(c.repo) + "@" + FitEscaped(c.branch, 60) + ", " +
                    FormatAge(std::max<std::int64_t>(0, now_ms - c.at_ms)) + " ago");
  }
  return ListSection("*Failed CI on default branches* (" + std::to_string(lines.size()) + ")",
                     lines, kMaxPullsPerSection, model.full_list_url, "None.");
}

std::string HealthSection(const ReportModel& model) {
  std::vector<std::string> lines;
  for (const auto& h : model.health) {
    lines.push_back(std::string(h.healthy ? ":large_green_circle: *" : ":red_circle: *") +
                    FitEscaped(h.name, 60) + "*" +
                    (h.detail.empty() ? "" : " " + FitEscaped(h.detail, 200)));
  }
  return ListSection("*Integration health*", lines, 20, "", "No integration reported.");
}

}  // namespace

std::int64_t WorkingMsBetween(std::int64_t from_ms, std::int64_t to_ms) {
  if (to_ms <= from_ms) return 0;
  // 1970-01-01 was a Thursday: day index d is a weekend day when (d + 4) % 7 is 0 or 6.
  auto floor_div = [](std::int64_t a, std::int64_t b) { return a / b - ((a % b) < 0 ? 1 : 0); };
  std::int64_t total = 0;
  for (std::int64_t day = floor_div(from_ms, kDayMs); day * kDayMs < to_ms; ++day) {
    const std::int64_t weekday = ((day + 4) % 7 + 7) % 7;
    if (weekday == 0 || weekday == 6) continue;
    const std::int64_t start = std::max(from_ms, day * kDayMs);
    const std::int64_t end = std::min(to_ms, (day + 1) * kDayMs);
    if (end > start) total += end - start;
  }
  return total;
}

std::string FormatAge(std::int64_t ms) {
  if (ms >= kDayMs) return std::to_string(ms / kDayMs) + "d";
  if (ms >= kHourMs) return std::to_string(ms / kHourMs) + "h";
  return std::to_string(std::max<std::int64_t>(0, ms) / kMinuteMs) + "m";
}

PullSelection SelectPulls(const ReportModel& model, const ReportOptions& options,
                          std::int64_t now_ms) {
  PullSelection out;
  std::vector<ReportPull> pulls = model.pulls;
  std::stable_sort(pulls.begin(), pulls.end(), [](const ReportPull& a, const ReportPull& b) {
    return a.created_at_ms < b.created_at_ms;
  });
  for (const auto& p : pulls) {
    if (p.draft && !options.include_drafts) continue;
    if (!options.repos.empty() &&
        std::find(options.repos.begin(), options.repos.end(), p.repo) == options.repos.end()) {
      continue;
    }
    const std::string title = Lower(p.title);
    if (std::any_of(options.ignore_terms.begin(), options.ignore_terms.end(),
                    [&](const std::string& term) {
                      return !term.empty() && title.find(Lower(term)) != std::string::npos;
                    })) {
      continue;
    }
    if (HasAny(p.labels, options.ignore_labels)) continue;
    if (!options.require_labels.empty() && !HasAny(p.labels, options.require_labels)) continue;
    if (options.min_age_hours > 0 && Span(p.created_at_ms, now_ms, options.working_days_only) <
                                         options.min_age_hours * kHourMs) {
      continue;
    }
    if (options.ignore_approved_at > 0 && p.approvals >= options.ignore_approved_at) continue;
    if (Span(p.updated_at_ms, now_ms, options.working_days_only) > options.stale_hours * kHourMs) {
      out.stale.push_back(p);
    } else if (p.reviews == 0) {
      out.awaiting_first_review.push_back(p);
    } else {
      out.awaiting_action.push_back(p);
    }
  }
  return out;
}

json RenderDigest(const ReportModel& model, const ReportOptions& options, std::int64_t now_ms) {
  const PullSelection pulls = SelectPulls(model, options, now_ms);
  bk::Message message;
  std::string summary = "Daily digest";
  if (model.has_pulls) {
    summary += ": " + std::to_string(pulls.awaiting_first_review.size()) +
               " PRs awaiting first review, " + std::to_string(pulls.awaiting_action.size()) +
               " awaiting action, " + std::to_string(pulls.stale.size()) + " stale, " +
               std::to_string(model.ci_failures.size()) + " failed CI runs";
  }
  message.Text(summary);
  message.Add(bk::Header("Daily digest"));
  message.Add(bk::Section::Markdown(IssuesSection(model, options)));
  message.Add(bk::Divider());
  if (!model.has_pulls && !model.pulls_unavailable.empty()) {
    message.Add(bk::Section::Markdown(
        "*Pull requests*\n_Not available: " + FitEscaped(model.pulls_unavailable, 300) + "_"));
  } else if (!model.has_pulls) {
    message.Add(
        bk::Section::Markdown("*Pull requests*\n_Not available: GitHub is not configured._"));
  } else {
    message.Add(bk::Section::Markdown(ListSection(
        "*Awaiting first review* (" + std::to_string(pulls.awaiting_first_review.size()) + ")",
        PullLines(pulls.awaiting_first_review, options, now_ms, false), kMaxPullsPerSection,
        model.full_list_url, "None.")));
    message.Add(bk::Section::Markdown(ListSection(
        "*Reviewed, awaiting action* (" + std::to_string(pulls.awaiting_action.size()) + ")",
        PullLines(pulls.awaiting_action, options, now_ms, false), kMaxPullsPerSection,
        model.full_list_url, "None.")));
    message.Add(bk::Section::Markdown(
        ListSection("*Stale* (idle over " + std::to_string(options.stale_hours) +
                        (options.working_days_only ? " working" : "") + " hours, " +
                        std::to_string(pulls.stale.size()) + ")",
                    PullLines(pulls.stale, options, now_ms, true), kMaxPullsPerSection,
                    model.full_list_url, "None.")));
    message.Add(bk::Section::Markdown(CiSection(model, options, now_ms)));
  }
  message.Add(bk::Divider());
  message.Add(bk::Section::Markdown(HealthSection(model)));
  if (model.has_pulls && !model.pulls_unavailable.empty()) {
    // Some repositories were read, others not: the lists above are partial.
    message.Add(
        bk::Context().AddText(bk::Mrkdwn("Partial: " + FitEscaped(model.pulls_unavailable, 300))));
  }
  if (!options.include_drafts && model.has_pulls) {
    message.Add(bk::Context().AddText(bk::Mrkdwn("Drafts are not listed.")));
  }
  auto built = message.Build();
  if (!built) return {{"text", bk::TruncateForSlack(summary, bk::limits::kMessageText)}};
  return *built;
}

}  // namespace contexten::workflows::present
