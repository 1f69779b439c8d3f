#include "bot/handlers/github_handlers.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "bot/handlers/command_handler.hpp"
#include "bot/handlers/deliver_to_runs.hpp"
#include "bot/handlers/tell_clicker.hpp"
#include "core/logging.hpp"
#include "integrations/slack/block_kit/text.hpp"
#include "intents/text.hpp"
#include "workflows/builtin/ci_alert.hpp"
#include "workflows/builtin/deploy.hpp"
#include "workflows/builtin/github_events.hpp"
#include "workflows/correlation/entity.hpp"
#include "workflows/present/fit_text.hpp"
#include "workflows/present/github_messages.hpp"

namespace contexten::bot::handlers {
namespace {

using integrations::slack::listeners::ListenerContext;
using nlohmann::json;
namespace correlation = workflows::correlation;

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::Logger("github_handlers");
  return log;
}

constexpr std::size_t kTraceMaxEntities = 40;
constexpr int kTraceDepth = 3;
constexpr std::size_t kTraceMaxLines = 60;

core::Status Click(ListenerContext& context, workflows::engine::Engine& engine,
                   const std::string& action) {
  (void)context.Ack();  // the button must not spin; the work is the workflow's
  const auto& interaction = context.interaction();
  const std::string run_id = interaction.action() ? interaction.action()->value : "";
  if (run_id.empty()) {
    return core::Unexpected(
        core::MakeError(core::ErrorKind::kInvalidInput, action + " carries no run id"));
  }
  workflows::engine::Event event{workflows::builtin::kSlackClickEvent,
                                 {{"action", action}, {"user", interaction.user_id}},
                                 "slack:" + interaction.envelope_id};
  auto delivered = engine.Deliver(run_id, std::move(event));
  if (!delivered) {
    TellClicker(context, delivered.error().kind == core::ErrorKind::kNotFound
                             ? "I no longer track this."
                             : "I could not take that click just now; please try again.");
    return core::Unexpected(delivered.error());
  }
  return core::Ok();
}

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

bool IsRepo(const std::string& s) {
  const auto slash = s.find('/');
  return slash != std::string::npos && slash > 0 && slash + 1 < s.size() &&
         s.find('/', slash + 1) == std::string::npos;
}

std::string Clock(std::int64_t at_ms) {
  const std::time_t seconds = static_cast<std::time_t>(at_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

// How an entity is shown: a link where one can be made from its key.
std::string Describe(const std::string& key) {
  auto ref = correlation::EntityRef::FromKey(key);
  if (!ref) return workflows::present::FitEscaped(key, 200);
  const std::string id = workflows::present::FitEscaped(ref->id, 200);
  switch (ref->kind) {
    case correlation::EntityKind::kLinearIssue:
      return "Linear issue *" + id + "*";
    case correlation::EntityKind::kGitHubPullRequest: {
      const auto hash = ref->id.rfind('#');
      return "pull request " +
             workflows::present::SlackLink("https://github.com/" + ref->id.substr(0, hash) +
                                               "/pull/" + ref->id.substr(hash + 1),
                                           id);
    }
    case correlation::EntityKind::kGitHubWorkflowRun: {
      const auto runs = ref->id.find("/runs/");
      if (runs == std::string::npos) return "workflow run " + id;
      return "workflow run " +
             workflows::present::SlackLink("https://github.com/" + ref->id.substr(0, runs) +
                                               "/actions/runs/" + ref->id.substr(runs + 6),
                                           id);
    }
    case correlation::EntityKind::kSlackThread: {
      const auto slash = ref->id.find('/');
      return "Slack thread <#" + ref->id.substr(0, slash) + "> " + ref->id.substr(slash + 1);
    }
    case correlation::EntityKind::kContextenRun:
      return "workflow run `" + id + "`";
    default:
      return id;
  }
}

}  // namespace

void RegisterGitHubListeners(integrations::slack::listeners::ListenerRegistry& registry,
                             workflows::engine::Engine& engine, const AccessControl& access) {
  namespace present = workflows::present;
  for (auto action :
       {present::kCiRerunAction, present::kCiCreateIssueAction, present::kDeployCancelAction}) {
    registry.Action(std::string(action), [&engine, action](ListenerContext& context) {
      return Click(context, engine, std::string(action));
    });
  }
  registry.Action(
      std::string(present::kDeployConfirmAction), [&engine, &access](ListenerContext& context) {
        const auto& interaction = context.interaction();
        AccessDecision decision =
            access.Check(kDeployConfirmCommand, interaction.user_id, interaction.channel_id);
        if (!access.IsRestricted(kDeployConfirmCommand) && !access.IsAdmin(interaction.user_id)) {
          decision = {false,
                      "Nobody may confirm deploys here yet: an admin names who may "
                      "in access.commands.deploy_confirm."};
        }
        if (!decision.allowed) {
          (void)context.Ack();
          TellClicker(context, "You can't confirm this deploy. " + decision.reason);
          return core::Status(core::Ok());
        }
        return Click(context, engine, std::string(present::kDeployConfirmAction));
      });
}

std::string RerunOpenAlerts(workflows::engine::Engine& engine, const std::string& args,
                            const std::string& user, const std::string& origin) {
  const auto words = Words(args);
  if (words.empty() || !IsRepo(words[0])) {
    return "Usage: `rerun owner/repo [run id|workflow]` re-runs the failed jobs of its open CI "
           "alerts.";
  }
  const std::string& repo = words[0];
  std::string which;  // a run id or a workflow's name; "" for every open alert
  for (std::size_t i = 1; i < words.size(); ++i) which += (which.empty() ? "" : " ") + words[i];
  // The alert of that workflow (by name, as GitHub shows it), or the one with that run.
  std::function<bool(const json&)> named;
  if (!which.empty())
    named = [&which](const json& state) {
      if (!state.is_object()) return false;
      if (intents::AsciiLower(state.value("workflow", "")) == intents::AsciiLower(which))
        return true;
      for (const auto& failure : state.value("failures", json::array())) {
        if (failure.is_object() &&
            std::to_string(failure.value("run_id", std::int64_t{0})) == which) {
          return true;
        }
      }
      return false;
    };
  auto delivered = DeliverToWaitingOfType(
      engine, workflows::builtin::CiRepoKey(repo), workflows::builtin::kCiAlertType,
      {workflows::builtin::kSlackClickEvent,
       {{"action", workflows::present::kCiRerunAction}, {"user", user}},
       "slack:" + origin + ":rerun"},
      named);
  if (!delivered) {
    Log()->error("open CI alerts of {} not read: {}", repo, delivered.error().Describe());
    return "I could not take that just now (my store is unavailable); nothing was re-run.";
  }
  const std::size_t told = *delivered;
  const std::string shown =
      integrations::slack::blocks::EscapeMrkdwn(repo + (which.empty() ? "" : " (" + which + ")"));
  if (told == 0) return "No CI failure is open for " + shown + ", so nothing was re-run.";
  return "Re-running the failed jobs of " + std::to_string(told) + " open CI alert" +
         (told == 1 ? "" : "s") + " of " + shown + "; " +
         (told == 1 ? "its thread says" : "their threads say") + " how it goes.";
}

std::string StartDeploy(workflows::engine::Engine& engine, const DeploySettings& settings,
                        const std::string& args, const std::string& user,
                        const std::string& channel, const std::string& origin) {
  const auto words = Words(args);
  if (words.size() < 2 || words.size() > 3 || !IsRepo(words[0])) {
    return "Usage: /ctx deploy <owner/repo> <environment> [ref] (ref: the repository's default "
           "branch when left out)";
  }
  if (!settings.github_enabled) {
    return "GitHub is not configured here (github.token or github.app_id), so I can't deploy.";
  }
  // No ref: the deploy run asks GitHub for the repository's default branch.
  const std::string ref = words.size() == 3 ? words[2] : "";
  json start = {{"repo", words[0]},
                {"environment", words[1]},
                {"ref", ref},
                {"workflow", settings.workflow},
                {"requester", user},
                {"channel", channel},
                {"expires_at_ms", engine.NowMs() + settings.expiry_seconds * 1000LL}};
  auto started = engine.Start(workflows::builtin::kDeployType,
                              std::string(workflows::builtin::kDeployType) + ":slack:" + origin,
                              {"start", std::move(start), ""});
  if (!started) {
    Log()->error("deploy for {} not started: {}", origin, started.error().Describe());
    return "I could not start that deploy just now; please try again in a minute.";
  }
  return "Asking for a confirmation to deploy " + words[0] + " to " + words[1] + " at " +
         (ref.empty() ? std::string("its default branch") : ref) + " (it expires in " +
         std::to_string(settings.expiry_seconds / 60) + " min).";
}

std::optional<std::string> TraceTarget(const std::string& raw) {
  std::string arg = raw;
  // Slack wraps links it recognises: <https://...|label> or <https://...>.
  if (arg.size() > 2 && arg.front() == '<' && arg.back() == '>') {
    arg = arg.substr(1, arg.size() - 2);
    if (auto bar = arg.find('|'); bar != std::string::npos) arg = arg.substr(0, bar);
  }
  if (auto archives = arg.find("/archives/"); archives != std::string::npos) {
    // https://team.slack.com/archives/C123/p1700000000000100[?thread_ts=1700000000.000100]
    const std::string rest = arg.substr(archives + 10);
    const auto slash = rest.find('/');
    if (slash == std::string::npos) return std::nullopt;
    const std::string channel = rest.substr(0, slash);
    std::string ts;
    if (auto t = rest.find("thread_ts="); t != std::string::npos) {
      ts = rest.substr(t + 10);
      ts = ts.substr(0, ts.find('&'));
    } else if (rest.size() > slash + 2 && rest[slash + 1] == 'p') {
      std::string digits = rest.substr(slash + 2);
      digits = digits.substr(0, digits.find('?'));
      if (digits.size() <= 6) return std::nullopt;
      ts = digits.substr(0, digits.size() - 6) + "." + digits.substr(digits.size() - 6);
    }
    if (channel.empty() || ts.empty()) return std::nullopt;
    return correlation::SlackThread(channel, ts).Key();
  }
  if (auto hash = arg.find('#'); hash != std::string::npos && IsRepo(arg.substr(0, hash))) {
    const std::string number = arg.substr(hash + 1);
    if (number.empty() || number.size() > 9 ||
        !std::all_of(number.begin(), number.end(),
                     [](unsigned char c) { return std::isdigit(c); })) {
      return std::nullopt;
    }
    return correlation::PullRequest(arg.substr(0, hash), std::stoi(number)).Key();
  }
  const auto dash = arg.find('-');
  if (dash != std::string::npos && dash > 0 && dash + 1 < arg.size() &&
      std::isalpha(static_cast<unsigned char>(arg[0])) &&
      std::all_of(arg.begin() + static_cast<long>(dash) + 1, arg.end(),
                  [](unsigned char c) { return std::isdigit(c); })) {
    return correlation::LinearIssue(arg).Key();
  }
  return std::nullopt;
}

json TraceReply(store::WorkflowStore& store, const std::string& raw) {
  const auto words = Words(raw);
  const auto start = words.size() == 1 ? TraceTarget(words[0]) : std::nullopt;
  if (!start) {
    return EphemeralReply("Usage: /ctx trace <ENG-123 | owner/repo#12 | a Slack message link>");
  }
  // Breadth first over the correlation links, a few hops out.
  std::vector<std::string> entities = {*start};
  std::set<std::string> seen = {*start};
  std::deque<std::pair<std::string, int>> queue = {{*start, 0}};
  std::vector<store::LinkRecord> links;
  std::set<std::string> link_ids;
  while (!queue.empty() && entities.size() < kTraceMaxEntities) {
    auto [key, depth] = queue.front();
    queue.pop_front();
    auto found = store.LinksOf(key);
    if (!found) {
      return EphemeralReply("I could not read the links just now: " + found.error().message);
    }
    for (const auto& link : *found) {
      if (link_ids.insert(link.from_key + "|" + link.to_key + "|" + link.kind).second) {
        links.push_back(link);
      }
      const std::string& other = link.from_key == key ? link.to_key : link.from_key;
      if (seen.insert(other).second && entities.size() < kTraceMaxEntities) {
        entities.push_back(other);
        if (depth + 1 < kTraceDepth) queue.emplace_back(other, depth + 1);
      }
    }
  }
  if (links.empty()) {
    return EphemeralReply("I know nothing linked to " + Describe(*start) + " yet.");
  }
  // The timeline: what the runs among those entities decided, with the links as they were made.
  std::vector<std::pair<std::int64_t, std::string>> timeline;
  for (const auto& key : entities) {
    auto ref = correlation::EntityRef::FromKey(key);
    if (!ref || ref->kind != correlation::EntityKind::kContextenRun) continue;
    auto history = store.History(ref->id);
    if (!history) continue;
    for (const auto& entry : *history) {
      if (entry.kind != "decision") continue;
      const json detail = json::parse(entry.detail_json, nullptr, false);
      if (!detail.is_object() || !detail.contains("note") || !detail["note"].is_string()) continue;
      timeline.emplace_back(entry.at_ms,
                            workflows::present::FitEscaped(detail["note"].get<std::string>(), 300));
    }
  }
  std::stable_sort(timeline.begin(), timeline.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string text = "*Trace of " + Describe(*start) + "*\n*Linked*";
  for (const auto& key : entities) {
    if (key == *start) continue;
    auto ref = correlation::EntityRef::FromKey(key);
    if (ref && ref->kind == correlation::EntityKind::kContextenRun) continue;
    text += "\n\u2022 " + Describe(key);
    for (const auto& link : links) {
      if ((link.from_key == key && link.to_key == *start) ||
          (link.to_key == key && link.from_key == *start)) {
        text += " (" + link.kind + ")";
        break;
      }
    }
  }
  text += "\n*Timeline*";
  std::size_t lines = 0;
  for (const auto& [at, note] : timeline) {
    if (++lines > kTraceMaxLines) {
      text += "\n\u2026";
      break;
    }
    text += "\n" + Clock(at) + "  " + note;
  }
  json blocks = json::array(
      {{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", text.substr(0, 2900)}}}}});
  return EphemeralReply(text, blocks);
}

}  // namespace contexten::bot::handlers
