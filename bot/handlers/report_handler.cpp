#include "bot/handlers/report_handler.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <vector>

#include "bot/handlers/command_handler.hpp"
#include "integrations/slack/block_kit/text.hpp"
#include "integrations/slack/block_kit/truncate.hpp"
#include "intents/slash_command.hpp"
#include "workflows/builtin/report.hpp"
#include "workflows/schedule/cron.hpp"

namespace contexten::bot::handlers {
namespace {

namespace bk = integrations::slack::blocks;
namespace schedule = workflows::schedule;
using nlohmann::json;

constexpr char kUsage[] =
    "Usage: `report schedule &lt;digest|weekly&gt; &lt;cron&gt; [tz:&lt;Area/City&gt;] [in "
    "#channel]`, "
    "`report list`, `report unschedule &lt;id&gt;`, `report run &lt;digest|weekly&gt;`. "
    "Example: `report schedule digest 0 9 * * 1-5 tz:Europe/Berlin`.";

core::Error Invalid(std::string message) {
  return core::MakeError(core::ErrorKind::kInvalidInput, std::move(message));
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? comma : comma - start);
    if (!item.empty()) out.push_back(std::move(item));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

core::Result<int> Count(const std::string& key, const std::string& value) {
  if (value.empty() || value.size() > 6 || !std::all_of(value.begin(), value.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {
    return Invalid("`" + key + ":` takes a whole number, not `" + value + "`");
  }
  return std::stoi(value);
}

// key:value words (besides tz:).
core::Status ApplyOption(const std::string& key, const std::string& value,
                         workflows::present::ReportOptions& o) {
  const std::string k = Lower(key);
  if (k == "stale" || k == "min-age" || k == "ignore-approved") {
    std::string number = value;
    if (!number.empty() && (number.back() == 'h' || number.back() == 'H')) number.pop_back();
    auto n = Count(k, number);
    if (!n) return n.error();
    (k == "stale" ? o.stale_hours : k == "min-age" ? o.min_age_hours : o.ignore_approved_at) = *n;
    return core::Ok();
  }
  if (k == "working-days") {
    o.working_days_only = Lower(value) == "yes" || Lower(value) == "true";
    return core::Ok();
  }
  if (k == "drafts") {
    o.include_drafts = Lower(value) == "include" || Lower(value) == "yes";
    return core::Ok();
  }
  if (k == "ignore-labels") return (o.ignore_labels = SplitList(value)), core::Ok();
  if (k == "require-labels") return (o.require_labels = SplitList(value)), core::Ok();
  if (k == "ignore-terms") return (o.ignore_terms = SplitList(value)), core::Ok();
  if (k == "repos") return (o.repos = SplitList(value)), core::Ok();
  if (k == "teams") return (o.teams = SplitList(value)), core::Ok();
  return Invalid("I don't know the option `" + key +
                 ":` (known: tz, stale, working-days, drafts, min-age, ignore-approved, "
                 "ignore-labels, require-labels, ignore-terms, repos, teams)");
}

// "<#C123|general>", "<#C123>", "C123" or "#general" (chat.postMessage takes a channel name).
core::Result<std::string> ParseChannel(const std::string& word) {
  if (word.starts_with("<#") && word.ends_with(">")) {
    const std::string inner = word.substr(2, word.size() - 3);
    const std::string id = inner.substr(0, inner.find('|'));
    if (!id.empty()) return id;
  }
  if (word.size() > 1 && word[0] == '#') return word;
  if (!word.empty() && (word[0] == 'C' || word[0] == 'G') &&
      std::all_of(word.begin(), word.end(), [](char c) {
        return std::isupper(static_cast<unsigned char>(c)) ||
               std::isdigit(static_cast<unsigned char>(c));
      })) {
    return word;
  }
  return Invalid("`in` takes a channel, like `in #team-eng`, not `" + word + "`");
}

core::Status NeedKind(const std::string& kind) {
  if (kind.empty()) return Invalid("Which report? `digest` or `weekly`.");
  if (!workflows::builtin::IsReportKind(kind)) {
    return Invalid("I don't know the report `" + kind + "`; the kinds are `digest` and `weekly`.");
  }
  return core::Ok();
}

std::string ChannelRef(const std::string& channel) {
  if (channel.starts_with("#")) return bk::EscapeMrkdwn(channel);
  return "<#" + channel + ">";
}

core::WallTime FromMs(std::int64_t ms) {
  return core::WallTime{
      std::chrono::duration_cast<core::WallTime::duration>(std::chrono::milliseconds(ms))};
}

std::int64_t ToMs(core::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

json Schedule(const ReportCommand& command, const ReportAsker& asker, ReportDeps& deps) {
  // Parsed once already; both are known to be valid here.
  auto spec = schedule::ParseCron(command.cron);
  auto zone = schedule::TimeZone::Find(command.tz);
  if (!spec || !zone) return EphemeralReply(kUsage);
  const auto next = schedule::NextFires(*spec, FromMs(asker.now_ms), *zone, 3);
  if (next.empty()) {
    return EphemeralReply("`" + bk::EscapeMrkdwn(command.cron) +
                          "` never fires (no such day in the next eight years); nothing was "
                          "scheduled.");
  }
  store::ScheduleRecord record;
  record.channel = command.channel.empty() ? asker.channel_id : command.channel;
  record.kind = command.kind;
  record.cron = command.cron;
  record.tz = zone->name();
  record.options = workflows::present::ToJson(command.options).dump();
  record.created_by = asker.user_id;
  record.created_at_ms = asker.now_ms;
  record.next_due_ms = ToMs(next.front());
  auto id = deps.schedules.Add(record);
  if (!id) return EphemeralReply("I could not save the schedule just now; try again in a minute.");
  if (deps.wake_scheduler) deps.wake_scheduler();
  std::string text = "Scheduled the *" + command.kind + "* report `#" + std::to_string(*id) +
                     "` in " + ChannelRef(record.channel) + ": `" + bk::EscapeMrkdwn(command.cron) +
                     "` (" + zone->name() + "). Next:";
  for (const auto& at : next) text += "\n• " + schedule::FormatLocal(at, *zone);
  return EphemeralReply(text);
}

json List(ReportDeps& deps, std::int64_t now_ms) {
  auto rows = deps.schedules.List(/*enabled_only=*/false);
  if (!rows) return EphemeralReply("I could not read my store just now; try again in a minute.");
  if (rows->empty()) {
    return EphemeralReply("No reports are scheduled. " + std::string(kUsage));
  }
  std::string text = "*Scheduled reports*";
  for (const auto& r : *rows) {
    text += "\n• `#" + std::to_string(r.id) + "` *" + bk::EscapeMrkdwn(r.kind) + "* in " +
            ChannelRef(r.channel) + ": `" + bk::EscapeMrkdwn(r.cron) + "` (" +
            bk::EscapeMrkdwn(r.tz) + ")";
    auto spec = schedule::ParseCron(r.cron);
    auto zone = schedule::TimeZone::Find(r.tz);
    if (spec && zone) {
      if (auto next = schedule::NextAfter(*spec, FromMs(now_ms), *zone)) {
        text += ", next " + schedule::FormatLocal(*next, *zone);
      }
    }
    if (!r.created_by.empty()) text += ", by <@" + r.created_by + ">";
  }
  return EphemeralReply(bk::TruncateForSlack(text, 3000));
}

json Unschedule(std::int64_t id, ReportDeps& deps) {
  auto removed = deps.schedules.Remove(id);
  if (!removed) return EphemeralReply("I could not change my store just now; try again later.");
  if (!*removed) return EphemeralReply("No scheduled report `#" + std::to_string(id) + "`.");
  if (deps.wake_scheduler) deps.wake_scheduler();
  return EphemeralReply("Unscheduled report `#" + std::to_string(id) + "`.");
}

json Run(const ReportCommand& command, const ReportAsker& asker, ReportDeps& deps) {
  const workflows::present::ReportModel model =
      deps.source ? deps.source(command.options) : workflows::present::ReportModel{};
  if (deps.start_run && deps.scope && command.kind == workflows::builtin::kDigestReport) {
    workflows::builtin::ReportRequest request;
    request.kind = command.kind;
    request.channel = asker.channel_id;
    request.model = model;
    request.options = command.options;
    request.scope = deps.scope(asker.channel_id);
    request.ephemeral_user = asker.user_id;
    if (request.scope.linear || request.scope.github) {
      if (auto started = deps.start_run(request); !started) {
        return EphemeralReply("I could not start the report just now; try again in a minute.");
      }
      return EphemeralReply("Gathering the " + command.kind +
                            " from Linear and GitHub; it appears here in a moment, for you only.");
    }
  }
  json message =
      workflows::builtin::RenderReport(command.kind, model, command.options, asker.now_ms);
  json blocks = message.contains("blocks") ? message["blocks"] : json();
  return EphemeralReply(message.value("text", "Report"), std::move(blocks));
}

}  // namespace

core::Result<ReportCommand> ParseReportCommand(std::string_view text) {
  auto words = intents::Tokenize(text);
  if (!words) return words.error();
  ReportCommand command;
  if (words->empty() || Lower((*words)[0]) == "help") return command;
  const std::string verb = Lower((*words)[0]);
  if (verb == "list") {
    command.verb = ReportCommand::Verb::kList;
    return command;
  }
  if (verb == "unschedule" || verb == "remove" || verb == "delete") {
    command.verb = ReportCommand::Verb::kUnschedule;
    std::string id = words->size() > 1 ? (*words)[1] : "";
    if (id.starts_with("#")) id.erase(0, 1);
    auto n = Count("unschedule", id);
    if (!n || words->size() > 2)
      return Invalid("Which one? `report unschedule &lt;id&gt;` (see `report list`).");
    command.id = *n;
    return command;
  }
  if (verb != "schedule" && verb != "run") {
    return Invalid("I don't know `report " + (*words)[0] + "`. " + kUsage);
  }
  command.verb = verb == "run" ? ReportCommand::Verb::kRun : ReportCommand::Verb::kSchedule;
  command.kind = words->size() > 1 ? Lower((*words)[1]) : "";
  if (command.kind == "daily") command.kind = workflows::builtin::kDigestReport;
  if (auto known = NeedKind(command.kind); !known) return known.error();
  std::vector<std::string> cron_words;
  for (std::size_t i = 2; i < words->size(); ++i) {
    const std::string& word = (*words)[i];
    if (Lower(word) == "in") {
      if (i + 1 >= words->size()) return Invalid("`in` takes a channel, like `in #team-eng`.");
      auto channel = ParseChannel((*words)[++i]);
      if (!channel) return channel.error();
      command.channel = *channel;
      continue;
    }
    const auto colon = word.find(':');
    if (colon != std::string::npos && colon > 0 && !word.starts_with("<")) {
      const std::string key = word.substr(0, colon);
      const std::string value = word.substr(colon + 1);
      if (Lower(key) == "tz") {
        auto zone = schedule::TimeZone::Find(value);
        if (!zone) return zone.error();
        command.tz = zone->name();
      } else if (auto applied = ApplyOption(key, value, command.options); !applied) {
        return applied.error();
      }
      continue;
    }
    if (command.verb == ReportCommand::Verb::kRun) {
      return Invalid("`report run " + command.kind + "` takes options only, not `" + word + "`.");
    }
    cron_words.push_back(word);
  }
  if (command.verb == ReportCommand::Verb::kSchedule) {
    if (cron_words.empty()) {
      return Invalid("When? Give a cron, e.g. `report schedule " + command.kind +
                     " 0 9 * * 1-5 tz:Europe/Berlin`.");
    }
    std::string cron;
    for (const auto& w : cron_words) cron += (cron.empty() ? "" : " ") + w;
    auto spec = schedule::ParseCron(cron);
    if (!spec) return spec.error();
    command.cron = cron;
  }
  return command;
}

workflows::present::ReportModel LocalReportModel(const workflows::HealthRegistry* health,
                                                 store::WorkflowStore& workflows) {
  workflows::present::ReportModel model;
  if (health) {
    for (const auto& c : health->Check()) model.health.push_back({c.name, c.ready, c.detail});
  }
  if (auto counts = workflows.CountEffects()) {
    model.health.push_back({"Outbox", counts->dead == 0,
                            std::to_string(counts->pending) + " queued, " +
                                std::to_string(counts->dead) + " dead letters"});
  }
  return model;
}

std::optional<std::string_view> ReportWords(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\n");
  if (first == std::string_view::npos) return std::nullopt;
  text.remove_prefix(first);
  const auto end = std::min(text.find_first_of(" \t\n"), text.size());
  if (Lower(std::string(text.substr(0, end))) != "report") return std::nullopt;
  return text.substr(end);
}

json ReportReply(std::string_view text, const ReportAsker& asker, ReportDeps& deps) {
  auto command = ParseReportCommand(text);
  if (!command) return EphemeralReply(command.error().message);
  switch (command->verb) {
    case ReportCommand::Verb::kSchedule:
      return Schedule(*command, asker, deps);
    case ReportCommand::Verb::kList:
      return List(deps, asker.now_ms);
    case ReportCommand::Verb::kUnschedule:
      return Unschedule(command->id, deps);
    case ReportCommand::Verb::kRun:
      return Run(*command, asker, deps);
    case ReportCommand::Verb::kHelp:
      break;
  }
  return EphemeralReply(kUsage);
}

}  // namespace contexten::bot::handlers
