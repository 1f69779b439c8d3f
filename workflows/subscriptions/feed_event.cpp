#include "workflows/subscriptions/feed_event.hpp"

namespace contexten::workflows::subscriptions {

using nlohmann::json;

json ToJson(const FeedEvent& e) {
  json j = {{"platform", e.platform},
            {"target", e.target},
            {"feature", e.feature},
            {"entity", e.entity_key},
            {"action", e.action},
            {"author", e.author},
            {"author_is_bot", e.author_is_bot},
            {"labels", e.labels},
            {"branch", e.branch},
            {"draft", e.draft},
            {"conclusion", e.conclusion},
            {"priority", e.priority},
            {"opens", e.opens},
            {"state_change", e.state_change},
            {"title", e.title},
            {"url", e.url},
            {"line", e.line}};
  if (!e.comment_id.empty()) j["comment_id"] = e.comment_id;
  return j;
}

FeedEvent FeedEventFromJson(const json& j) {
  FeedEvent e;
  if (!j.is_object()) return e;
  auto str = [&](const char* key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
  };
  auto boolean = [&](const char* key) {
    return j.contains(key) && j[key].is_boolean() && j[key].get<bool>();
  };
  e.platform = str("platform");
  e.target = str("target");
  e.feature = str("feature");
  e.entity_key = str("entity");
  e.action = str("action");
  e.author = str("author");
  e.author_is_bot = boolean("author_is_bot");
  if (j.contains("labels") && j["labels"].is_array()) {
    for (const auto& l : j["labels"]) {
      if (l.is_string()) e.labels.push_back(l.get<std::string>());
    }
  }
  e.branch = str("branch");
  e.draft = boolean("draft");
  e.conclusion = str("conclusion");
  e.priority =
      j.contains("priority") && j["priority"].is_number_integer() ? j["priority"].get<int>() : 0;
  e.opens = boolean("opens");
  e.state_change = boolean("state_change");
  e.title = str("title");
  e.comment_id = str("comment_id");
  e.url = str("url");
  e.line = str("line");
  return e;
}

bool IsFailure(const std::string& conclusion) {
  return conclusion == "failure" || conclusion == "timed_out" || conclusion == "startup_failure";
}

}  // namespace contexten::workflows::subscriptions
