#include "bot/handlers/command_words.hpp"

namespace contexten::bot::handlers {
namespace {

using nlohmann::json;

std::string Str(const json& entities, const char* key) {
  const auto it = entities.find(key);
  return it != entities.end() && it->is_string() ? it->get<std::string>() : "";
}

// A list entity ("features": ["pulls", "ci"]) as the commands write it: "pulls,ci".
std::string Listed(const json& entities, const char* key) {
  const auto it = entities.find(key);
  if (it == entities.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  std::string out;
  if (!it->is_array()) return out;
  for (const auto& item : *it) {
    if (item.is_string()) out += (out.empty() ? "" : ",") + item.get<std::string>();
  }
  return out;
}

// A word that holds nothing the command's tokenizer would split or quote.
bool Plain(const std::string& word) {
  return !word.empty() && word.find_first_of(" \t\r\n\"'") == std::string::npos;
}

std::string Subscription(const std::string& verb, const json& entities) {
  if (const std::string repo = Str(entities, "repo"); Plain(repo)) {
    const std::string features = Listed(entities, "features");
    return verb + " " + repo + (Plain(features) ? " " + features : "");
  }
  if (const std::string team = Str(entities, "team"); Plain(team)) {
    return verb + " linear " + team;
  }
  return "";
}

std::string Report(const json& entities) {
  const std::string action = Str(entities, "action");
  const std::string kind = Str(entities, "kind");
  if (action == "list") return "report list";
  if (action == "run") return Plain(kind) ? "report run " + kind : "";
  if (action != "schedule" || !Plain(kind)) return "";
  const std::string cron = Str(entities, "schedule");
  if (cron.empty() || cron.find('"') != std::string::npos) return "";
  std::string words = "report schedule " + kind + " \"" + cron + "\"";
  if (const std::string tz = Str(entities, "tz"); Plain(tz)) words += " tz:" + tz;
  if (const std::string channel = Str(entities, "channel"); Plain(channel)) {
    words += " in " + channel;
  }
  return words;
}

}  // namespace

std::string CommandWords(const std::string& intent, const json& entities) {
  if (!entities.is_object()) return "";
  if (intent == "subscribe" || intent == "unsubscribe") return Subscription(intent, entities);
  if (intent == "report") return Report(entities);
  if (intent == "rerun") {
    const std::string repo = Str(entities, "repo");
    if (!Plain(repo)) return "";
    // A run id, or a workflow's name (which may have spaces: the rest of the words).
    std::string which = Str(entities, "run");
    if (which.empty()) which = Str(entities, "workflow");
    if (which.find_first_of("\r\n\"'") != std::string::npos) return "";
    return "rerun " + repo + (which.empty() ? "" : " " + which);
  }
  if (intent == "deploy") {
    const std::string repo = Str(entities, "repo");
    const std::string environment = Str(entities, "environment");
    if (!Plain(repo) || !Plain(environment)) return "";
    const std::string ref = Str(entities, "ref");
    return "deploy " + repo + " " + environment + (Plain(ref) ? " " + ref : "");
  }
  return "";
}

}  // namespace contexten::bot::handlers
