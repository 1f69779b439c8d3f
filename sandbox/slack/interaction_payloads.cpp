#include "sandbox/slack/interaction_payloads.hpp"

#include <set>

namespace contexten::sandbox {
namespace {

using nlohmann::json;

std::string TextOf(const json& object) {
  if (!object.is_object()) return "";
  auto text = object.find("text");
  if (text == object.end()) return "";
  if (text->is_string()) return text->get<std::string>();
  if (text->is_object()) return text->value("text", "");
  return "";
}

// Options of a select or overflow, flattening option_groups.
std::vector<json> OptionsOf(const json& element) {
  std::vector<json> out;
  if (auto it = element.find("options"); it != element.end() && it->is_array()) {
    out.insert(out.end(), it->begin(), it->end());
  }
  if (auto it = element.find("option_groups"); it != element.end() && it->is_array()) {
    for (const auto& group : *it) {
      if (auto opts = group.find("options"); opts != group.end() && opts->is_array()) {
        out.insert(out.end(), opts->begin(), opts->end());
      }
    }
  }
  return out;
}

std::optional<json> MatchElement(const json& element, const std::string& block_id,
                                 const std::string& wanted, const std::string& action_ts) {
  if (!element.is_object()) return std::nullopt;
  const std::string type = element.value("type", "");
  const std::string action_id = element.value("action_id", "");
  if (type == "button") {
    if (TextOf(element) != wanted && action_id != wanted) return std::nullopt;
    json action = {{"action_id", action_id},
                   {"block_id", block_id},
                   {"type", "button"},
                   {"text", element.value("text", json())},
                   {"action_ts", action_ts}};
    if (element.contains("value")) action["value"] = element["value"];
    if (element.contains("style")) action["style"] = element["style"];
    return action;
  }
  if (type == "overflow" || type == "static_select") {
    for (const auto& option : OptionsOf(element)) {
      if (TextOf(option) != wanted && option.value("value", "") != wanted) continue;
      json action = {{"action_id", action_id},
                     {"block_id", block_id},
                     {"type", type},
                     {"selected_option", option},
                     {"action_ts", action_ts}};
      if (element.contains("placeholder")) action["placeholder"] = element["placeholder"];
      return action;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<ClickTarget> FindClickTarget(const json& blocks, const std::string& wanted,
                                           const std::string& action_ts) {
  if (!blocks.is_array()) return std::nullopt;
  for (const auto& block : blocks) {
    if (!block.is_object()) continue;
    const std::string block_id = block.value("block_id", "");
    std::vector<json> candidates;
    if (auto it = block.find("elements");
        block.value("type", "") == "actions" && it != block.end() && it->is_array()) {
      candidates.insert(candidates.end(), it->begin(), it->end());
    }
    if (auto it = block.find("accessory"); it != block.end()) candidates.push_back(*it);
    for (const auto& element : candidates) {
      if (auto action = MatchElement(element, block_id, wanted, action_ts)) {
        return ClickTarget{std::move(*action), block_id};
      }
    }
  }
  return std::nullopt;
}

core::Result<json> BuildStateValues(const json& view,
                                    const std::map<std::string, std::string>& values) {
  json state = json::object();
  std::set<std::string> used;
  const json blocks = view.value("blocks", json::array());
  for (const auto& block : blocks) {
    if (!block.is_object() || block.value("type", "") != "input") continue;
    const json element = block.value("element", json::object());
    const std::string block_id = block.value("block_id", "");
    const std::string action_id = element.value("action_id", "");
    const std::string type = element.value("type", "");
    const std::string* given = nullptr;
    for (const auto& key : {action_id, block_id}) {
      if (auto it = values.find(key); !key.empty() && it != values.end()) {
        given = &it->second;
        used.insert(key);
        break;
      }
    }
    // A text input shown with an initial_value submits it unless the user changed it, as
    // Slack's client does.
    std::string initial;
    if (!given && element.contains("initial_value") && element["initial_value"].is_string()) {
      initial = element["initial_value"].get<std::string>();
      given = &initial;
    }
    // A select shown with an initial option submits it unless changed, likewise.
    const bool preselected =
        (element.contains("initial_option") && element["initial_option"].is_object()) ||
        (element.contains("initial_options") && element["initial_options"].is_array() &&
         !element["initial_options"].empty());
    if (!given && !preselected && !block.value("optional", false)) {
      return core::Unexpected(
          core::MakeError(core::ErrorKind::kInvalidInput,
                          "input '" + block_id + "' (" + TextOf(block.value("label", json())) +
                              ") is required; Slack would not submit the view without it"));
    }
    json entry = {{"type", type}};
    if (type == "static_select" || type == "radio_buttons" || type == "external_select") {
      entry["selected_option"] = nullptr;
      if (!given && preselected) entry["selected_option"] = element["initial_option"];
      if (given) {
        for (const auto& option : OptionsOf(element)) {
          if (option.value("value", "") == *given || TextOf(option) == *given) {
            entry["selected_option"] = option;
          }
        }
        if (entry["selected_option"].is_null()) {
          return core::Unexpected(
              core::MakeError(core::ErrorKind::kInvalidInput,
                              "'" + *given + "' is not an option of select '" + action_id + "'"));
        }
      }
    } else if (type == "multi_static_select") {
      // `given` names the picks, comma-separated, each by its value or its text.
      entry["selected_options"] = json::array();
      if (!given && preselected) entry["selected_options"] = element["initial_options"];
      std::string rest = given ? *given : "";
      while (given && !rest.empty()) {
        const auto comma = rest.find(',');
        const std::string pick = rest.substr(0, comma);
        rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
        if (pick.empty()) continue;
        json found;
        for (const auto& option : OptionsOf(element)) {
          if (option.value("value", "") == pick || TextOf(option) == pick) found = option;
        }
        if (found.is_null()) {
          return core::Unexpected(
              core::MakeError(core::ErrorKind::kInvalidInput,
                              "'" + pick + "' is not an option of select '" + action_id + "'"));
        }
        entry["selected_options"].push_back(found);
      }
    } else if (type == "datepicker") {
      entry["selected_date"] = given ? json(*given) : json();
    } else if (type == "timepicker") {
      entry["selected_time"] = given ? json(*given) : json();
    } else if (type == "users_select") {
      entry["selected_user"] = given ? json(*given) : json();
    } else if (type == "conversations_select") {
      entry["selected_conversation"] = given ? json(*given) : json();
    } else if (type == "channels_select") {
      entry["selected_channel"] = given ? json(*given) : json();
    } else {  // plain_text_input, number_input, email_text_input, url_text_input
      entry["value"] = given ? json(*given) : json();
    }
    state[block_id][action_id] = entry;
  }
  for (const auto& [key, value] : values) {
    if (!used.contains(key)) {
      return core::Unexpected(core::MakeError(
          core::ErrorKind::kNotFound,
          "no input block or element with id '" + key + "' in view " + view.value("id", "")));
    }
  }
  return state;
}

json PayloadUser(const std::string& user_id, const std::string& team_id) {
  const std::string name = user_id == "U0SANDBOXUSER" ? "you" : user_id;
  return {{"id", user_id}, {"username", name}, {"name", name}, {"team_id", team_id}};
}

json PayloadTeam(const std::string& team_id) {
  return {{"id", team_id}, {"domain", "contexten-sandbox"}};
}

}  // namespace contexten::sandbox
