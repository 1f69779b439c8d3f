#include "bot/handlers/subscription_handler.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "bot/handlers/command_handler.hpp"
#include "intents/slash_command.hpp"
#include "workflows/subscriptions/subscription.hpp"

namespace contexten::bot::handlers {
namespace {

namespace subs = workflows::subscriptions;
using nlohmann::json;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

constexpr char kUsage[] =
    "Usage: `subscribe &lt;owner/repo&gt; [pulls,issues,reviews,comments,ci,deploys,releases] "
    "[filters]` or `subscribe linear &lt;TEAM&gt; [created,states,comments] [priority&gt;=high]`. "
    "Filters: `+label:x` (each required), `-label:x`, `-author:x`, `+bots` (bots are left out "
    "unless you say so), `branch:&lt;glob&gt;`, `drafts:off`, `ci:failures` (failures and "
    "recoveries "
    "only), `threads:off` (one message per event instead of a thread per PR or issue), "
    "`broadcast:states` (also show merges, closes and recoveries in the channel).";

// Words as typed, with "quoted labels" kept whole (the quotes stay for the parser to strip).
core::Result<std::vector<std::string>> Words(std::string_view text) {
  auto split = intents::SplitWords(text);
  if (!split) return core::Unexpected(split.error());
  std::vector<std::string> out;
  for (const auto& w : *split) {
    if (w.quoted && !out.empty() && out.back().ends_with(":")) {
      out.back() += w.text;  // +label: "good first issue" -> +label:good first issue
    } else {
      out.push_back(w.text);
    }
  }
  return out;
}

std::string ListText(const std::vector<store::SubscriptionRecord>& rows) {
  if (rows.empty()) {
    return "This channel has no subscriptions. Try `subscribe acme/web pulls,ci -author:"
           "dependabot[bot] ci:failures`.";
  }
  std::string out = "This channel's subscriptions:";
  for (const auto& row : rows) {
    auto spec = json::parse(row.spec, nullptr, false);
    out += "\n• " + subs::Describe(subs::FromJson(spec.is_discarded() ? json() : spec));
  }
  return out;
}

json Subscribe(std::string_view text, const SubscriptionAsker& asker,
               store::SubscriptionStore& store) {
  auto words = Words(text);
  if (!words) return EphemeralReply(words.error().message + "\n" + kUsage);
  if (words->empty()) return EphemeralReply(kUsage);
  auto parsed = subs::ParseSubscribe(*words, asker.channel_id);
  if (!parsed) return EphemeralReply(parsed.error().message + "\n" + kUsage);
  store::SubscriptionRecord record;
  record.channel = asker.channel_id;
  record.platform = parsed->platform;
  record.target = parsed->target;
  record.created_by = asker.user_id;
  record.created_at_ms = asker.now_ms;
  record.spec = subs::ToJson(*parsed).dump();
  auto id = store.Upsert(record);
  if (!id) return EphemeralReply("Could not save the subscription: " + id.error().message);
  return EphemeralReply("Subscribed this channel to " + subs::Describe(*parsed) + ".");
}

json Unsubscribe(std::string_view text, const SubscriptionAsker& asker,
                 store::SubscriptionStore& store) {
  auto words = Words(text);
  if (!words) return EphemeralReply(words.error().message);
  auto parsed = subs::ParseUnsubscribe(*words);
  if (!parsed) {
    return EphemeralReply(
        parsed.error().message +
        " Usage: `unsubscribe &lt;owner/repo&gt; [features]` or `unsubscribe linear "
        "&lt;TEAM&gt;`.");
  }
  auto found = store.Find(asker.channel_id, parsed->platform, parsed->target);
  if (!found) return EphemeralReply("Could not read the subscriptions: " + found.error().message);
  if (!*found) return EphemeralReply("This channel is not subscribed to " + parsed->target + ".");
  auto spec = json::parse((*found)->spec, nullptr, false);
  subs::Subscription current = subs::FromJson(spec.is_discarded() ? json() : spec);
  std::erase_if(current.features, [&](const std::string& f) {
    return std::find(parsed->features.begin(), parsed->features.end(), f) != parsed->features.end();
  });
  if (parsed->features.empty() || current.features.empty()) {
    auto removed = store.Remove(asker.channel_id, parsed->platform, parsed->target);
    if (!removed) return EphemeralReply("Could not unsubscribe: " + removed.error().message);
    return EphemeralReply("Unsubscribed this channel from " + parsed->target + ".");
  }
  store::SubscriptionRecord record = **found;
  record.spec = subs::ToJson(current).dump();
  record.created_at_ms = asker.now_ms;
  if (auto saved = store.Upsert(record); !saved) {
    return EphemeralReply("Could not unsubscribe: " + saved.error().message);
  }
  return EphemeralReply("Now: " + subs::Describe(current) + ".");
}

}  // namespace

std::optional<SubscriptionCommand> SubscriptionWords(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\n");
  if (first == std::string_view::npos) return std::nullopt;
  text.remove_prefix(first);
  const auto end = std::min(text.find_first_of(" \t\n"), text.size());
  const std::string word = Lower(text.substr(0, end));
  SubscriptionCommand command;
  if (word == "subscribe") {
    command.verb = SubscriptionVerb::kSubscribe;
  } else if (word == "unsubscribe") {
    command.verb = SubscriptionVerb::kUnsubscribe;
  } else if (word == "subscriptions") {
    command.verb = SubscriptionVerb::kList;
  } else {
    return std::nullopt;
  }
  command.words = text.substr(end);
  return command;
}

json SubscriptionReply(const SubscriptionCommand& command, const SubscriptionAsker& asker,
                       store::SubscriptionStore& store) {
  switch (command.verb) {
    case SubscriptionVerb::kSubscribe:
      return Subscribe(command.words, asker, store);
    case SubscriptionVerb::kUnsubscribe:
      return Unsubscribe(command.words, asker, store);
    case SubscriptionVerb::kList:
      break;
  }
  auto rows = store.ForChannel(asker.channel_id);
  if (!rows) return EphemeralReply("Could not read the subscriptions: " + rows.error().message);
  return EphemeralReply(ListText(*rows));
}

}  // namespace contexten::bot::handlers
