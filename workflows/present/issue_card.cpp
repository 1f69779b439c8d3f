#include "workflows/present/issue_card.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <string_view>

#include "integrations/slack/block_kit/limits.hpp"
#include "integrations/slack/block_kit/message.hpp"
#include "integrations/slack/block_kit/truncate.hpp"
#include "workflows/present/fit_text.hpp"

namespace contexten::workflows::present {
namespace {

namespace blocks = integrations::slack::blocks;
namespace limits = integrations::slack::blocks::limits;
using Phase = IssueCardModel::Phase;

// Titles are one line on the card; Linear itself allows 255 characters.
constexpr std::size_t kTitleChars = 255;
// A description longer than a screenful is better read in Linear.
constexpr std::size_t kDescriptionChars = 1500;
constexpr std::size_t kPullRequestTitleChars = 120;
constexpr std::size_t kMaxPullRequestLines = 10;

// The parts joined. Used instead of `"literal" + std::string(...)`: GCC 12 at -O3 reports a
// false-positive -Wrestrict for that operator+ (GCC bug 105329), which fails Release builds.
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (const auto part : parts) size += part.size();
  std::string out;
  out.reserve(size);
  for (const auto part : parts) out.append(part);
  return out;
}

// Slack user ids are upper-case letters and digits ("U024BE7LH", "W012A3CDE"); anything else
// is not put inside <@...>, where it could form some other control sequence.
bool IsSlackUserId(std::string_view id) {
  return !id.empty() && id.size() <= 32 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

// A URL that can go inside <url|label> without breaking out of it.
bool IsSafeUrl(std::string_view url) {
  return (url.starts_with("https://") || url.starts_with("http://")) &&
         url.size() <= limits::kButtonUrl && std::none_of(url.begin(), url.end(), [](char c) {
           return c == '<' || c == '>' || c == '|' || std::isspace(static_cast<unsigned char>(c));
         });
}

std::string Linked(std::string_view url, const std::string& label_mrkdwn) {
  if (!IsSafeUrl(url)) return label_mrkdwn;
  return Cat({"<", url, "|", label_mrkdwn, ">"});
}

bool Filed(const IssueCardModel& model) {
  return model.phase == Phase::kFiled && !model.identifier.empty();
}

bool Unassigned(const IssueCardModel& model) {
  return model.assignee_name.empty() && model.assignee_slack_id.empty();
}

std::string Team(const IssueCardModel& model) {
  return model.team_key.empty() ? "Linear" : FitEscaped(model.team_key, 20);
}

std::string Headline(const IssueCardModel& model) {
  const std::string title = Cat({"*", FitEscaped(model.title, kTitleChars), "*"});
  switch (model.phase) {
    case Phase::kFiling:
      return ":hourglass_flowing_sand: Filing " + title + " in " + Team(model) + "\u2026";
    case Phase::kFiled:
      if (model.identifier.empty()) return title;
      return Linked(model.url, Cat({"*", FitEscaped(model.identifier, 30), "*"})) + "  " + title;
    case Phase::kQueued:
      return ":inbox_tray: " + title + " is queued for " + Team(model);
    case Phase::kFailed:
      return ":warning: Could not file " + title + " in " + Team(model);
  }
  return title;
}

std::string Assignee(const IssueCardModel& model) {
  if (IsSlackUserId(model.assignee_slack_id)) return "<@" + model.assignee_slack_id + ">";
  if (!model.assignee_name.empty()) return FitEscaped(model.assignee_name, 80);
  return "_Unassigned_";
}

std::string StatusText(const IssueCardModel& model) {
  if (model.state_name.empty()) return "\u2014";
  return FitEscaped(model.state_name, 80);
}

std::string PullRequestLine(const LinkedPullRequest& pr) {
  const std::string name = FitEscaped(pr.repo, 100) + "#" + std::to_string(pr.number);
  std::string line = ":twisted_rightwards_arrows: " + Linked(pr.url, name);
  if (!pr.title.empty()) line.append(" ").append(FitEscaped(pr.title, kPullRequestTitleChars));
  std::vector<std::string> facts;
  if (!pr.state.empty()) facts.push_back(Cat({"*", FitEscaped(pr.state, 20), "*"}));
  if (pr.review == "approved") {
    facts.push_back("approved");
  } else if (pr.review == "changes_requested") {
    facts.push_back("changes requested");
  } else if (pr.review == "review_required") {
    facts.push_back("review required");
  }
  if (pr.checks == "passing") {
    facts.push_back(":white_check_mark: checks passing");
  } else if (pr.checks == "failing") {
    facts.push_back(":x: checks failing");
  } else if (pr.checks == "pending") {
    facts.push_back(":hourglass_flowing_sand: checks running");
  }
  for (std::size_t i = 0; i < facts.size(); ++i)
    line += (i == 0 ? " \u2014 " : " \u00b7 ") + facts[i];
  return line;
}

std::string PullRequestLines(const std::vector<LinkedPullRequest>& prs) {
  std::string text;
  std::size_t shown = 0;
  for (const auto& pr : prs) {
    std::string line = PullRequestLine(pr);
    // Keep room for the "and N more" line within the section limit.
    if (shown == kMaxPullRequestLines ||
        blocks::CountChars(text) + blocks::CountChars(line) + 40 > limits::kSectionText) {
      break;
    }
    if (!text.empty()) text += "\n";
    text += line;
    ++shown;
  }
  if (shown < prs.size()) {
    text += "\n_and " + std::to_string(prs.size() - shown) + " more_";
  }
  return text;
}

std::string FallbackText(const IssueCardModel& model) {
  const std::string title = FitEscaped(model.title, kTitleChars);
  switch (model.phase) {
    case Phase::kFiling:
      return "Filing: " + title;
    case Phase::kFiled:
      return model.identifier.empty() ? title : FitEscaped(model.identifier, 30) + ": " + title;
    case Phase::kQueued:
      return "Queued: " + title;
    case Phase::kFailed:
      return "Could not file: " + title;
  }
  return title;
}

}  // namespace

std::string PriorityName(int priority) {
  switch (priority) {
    case 1:
      return "Urgent";
    case 2:
      return "High";
    case 3:
      return "Medium";
    case 4:
      return "Low";
    default:
      return "No priority";
  }
}

nlohmann::json RenderIssueCard(const IssueCardModel& model) {
  blocks::Message message;
  message.Text(FallbackText(model));
  message.Add(blocks::Section::Markdown(Headline(model)));
  if (!model.description.empty()) {
    message.Add(blocks::Section::Markdown(FitEscaped(model.description, kDescriptionChars)));
  }

  blocks::Section facts;
  if (Filed(model)) {
    facts.AddField(blocks::Mrkdwn("*Status*\n" + StatusText(model)));
    facts.AddField(blocks::Mrkdwn("*Assignee*\n" + Assignee(model)));
  }
  facts.AddField(blocks::Mrkdwn("*Priority*\n" + PriorityName(model.priority)));
  if (IsSlackUserId(model.reporter_slack_id)) {
    facts.AddField(blocks::Mrkdwn("*Reporter*\n<@" + model.reporter_slack_id + ">"));
  }
  message.Add(std::move(facts));

  if (!model.note.empty() && (model.phase == Phase::kQueued || model.phase == Phase::kFailed)) {
    message.Add(blocks::Context().AddText(blocks::Mrkdwn(FitEscaped(model.note, 1000))));
  }
  if (!model.pull_requests.empty()) {
    message.Add(blocks::Section::Markdown(PullRequestLines(model.pull_requests)));
  }

  if (Filed(model)) {
    blocks::Actions actions;
    actions.BlockId("issue_card_actions");
    const std::string value = model.run_id.substr(0, limits::kButtonValue);
    bool any = false;
    if (Unassigned(model)) {
      blocks::Button assign("Assign to me", std::string(kIssueCardAssignAction));
      assign.Style(blocks::ButtonStyle::kPrimary);
      if (!value.empty()) assign.Value(value);
      actions.Add(std::move(assign));
      any = true;
    }
    // Close asks to confirm before it acts (an intent_action run); Reopen acts at once.
    const bool closed = model.state_type == "completed" || model.state_type == "canceled";
    blocks::Button state_button(
        closed ? "Reopen" : "Close",
        std::string(closed ? kIssueCardReopenAction : kIssueCardCloseAction));
    state_button.Value(model.identifier.substr(0, limits::kButtonValue));
    if (!closed) state_button.Style(blocks::ButtonStyle::kDanger);
    actions.Add(std::move(state_button));
    any = true;
    if (IsSafeUrl(model.url)) {
      blocks::Button open("Open in Linear", std::string(kIssueCardOpenAction));
      open.Url(model.url);
      if (!value.empty()) open.Value(value);
      actions.Add(std::move(open));
      any = true;
    }
    // Slack allows 100 options; a state name longer than an option's value could not be sent
    // back, so it is not offered (Linear's names are short).
    blocks::StaticSelect states("Move to…", std::string(kIssueCardStateAction));
    std::size_t offered = 0;
    for (const auto& name : model.team_states) {
      if (name.empty() || name.size() > limits::kOptionValue || offered == 100) continue;
      blocks::Option option(blocks::TruncateForSlack(name, limits::kOptionText), name);
      states.AddOption(option);
      if (name == model.state_name) states.InitialOption(option);
      ++offered;
    }
    if (offered > 0) actions.Add(std::move(states));
    if (any) message.Add(std::move(actions));
  }

  auto built = message.Build();
  // Every field above is cut to its limit, so this only fails on a bug; a card without blocks
  // still tells the thread what happened.
  if (!built) return nlohmann::json{{"text", FallbackText(model)}};
  return std::move(*built);
}

}  // namespace contexten::workflows::present
