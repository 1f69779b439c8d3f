// The Linear stand-in's webhook payloads carry what Linear's schema says they must: every
// non-null field of EntityWebhookPayload (the envelope), of UserActorWebhookPayload (the actor),
// of IssueWebhookPayload / CommentWebhookPayload (data), and of the child payloads inside them
// (state, team, labels, assignee, issue, user), read from
// ../shared/contracts/linear/schema.graphql.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "core/net/http_client.hpp"
#include "core/net/io_runtime.hpp"
#include "integrations/linear/linear_graphql_client.hpp"
#include "sandbox/linear/linear_sandbox.hpp"

namespace contexten::sandbox {
namespace {

using Json = nlohmann::json;

std::string ReadSchema() {
  std::ifstream in(std::string(CONTEXTEN_SHARED_DIR) + "/contracts/linear/schema.graphql");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Field name -> type text ("String!", "[IssueLabelChildWebhookPayload!]!") of `type <name>`.
std::map<std::string, std::string> Fields(const std::string& schema, const std::string& type) {
  std::map<std::string, std::string> fields;
  const auto at = schema.find("\ntype " + type + " ");
  if (at == std::string::npos) return fields;
  const auto open = schema.find('{', at);
  const auto close = schema.find("\n}", open);
  std::istringstream lines(schema.substr(open + 1, close - open - 1));
  static const std::regex kField(R"(^  (\w+): (\S+)$)");
  bool in_description = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("\"\"\"") != std::string::npos) {
      // A one-line """text""" opens and closes; otherwise it toggles.
      if (line.find("\"\"\"") == line.rfind("\"\"\"")) in_description = !in_description;
      continue;
    }
    std::smatch m;
    if (!in_description && std::regex_match(line, m, kField)) fields[m[1]] = m[2];
  }
  return fields;
}

// Paths of the non-null fields of `type` that `ours` lacks (or has as null), following child
// *WebhookPayload types into objects and arrays of objects.
void Missing(const std::string& schema, const Json& ours, const std::string& type,
             const std::string& path, int depth, std::vector<std::string>& missing) {
  const auto fields = Fields(schema, type);
  ASSERT_FALSE(fields.empty()) << "no type " << type << " in the schema";
  for (const auto& [name, type_text] : fields) {
    const bool required = type_text.back() == '!';
    const bool present = ours.contains(name) && !ours[name].is_null();
    if (!present) {
      if (required) missing.push_back(path + name);
      continue;
    }
    std::string base = type_text;
    std::erase_if(base, [](char c) { return c == '[' || c == ']' || c == '!'; });
    const bool child =
        base.size() > 14 && base.ends_with("WebhookPayload") && !Fields(schema, base).empty();
    if (!child || depth >= 3) continue;
    if (ours[name].is_object()) {
      Missing(schema, ours[name], base, path + name + ".", depth + 1, missing);
    } else if (ours[name].is_array()) {
      for (const auto& item : ours[name]) {
        if (item.is_object()) Missing(schema, item, base, path + name + "[].", depth + 1, missing);
      }
    }
  }
}

std::string MissingFields(const std::string& schema, const Json& ours, const std::string& type) {
  std::vector<std::string> missing;
  Missing(schema, ours, type, "", 0, missing);
  std::string out;
  for (const auto& m : missing) out += (out.empty() ? "" : ", ") + m;
  return out;
}

TEST(LinearSandboxWebhookShapesTest, PayloadsHaveEveryNonNullFieldOfTheSchema) {
  const std::string schema = ReadSchema();
  ASSERT_FALSE(schema.empty());
  // The parser itself: a type we know.
  EXPECT_EQ(Fields(schema, "UserActorWebhookPayload").size(), 6u);
  EXPECT_EQ(MissingFields(schema, Json::object(), "CommentWebhookPayload"),
            "body, createdAt, id, reactionData, updatedAt");
  // Child payloads are followed: an empty state lacks the state's own fields.
  EXPECT_THAT(MissingFields(schema, {{"state", Json::object()}}, "IssueWebhookPayload"),
              ::testing::HasSubstr("state.color, state.id, state.name, state.type"));

  core::net::IoRuntime io(1);
  core::net::HttpClient http(io);
  LinearSandbox linear(io);
  ASSERT_TRUE(linear.Start().has_value());
  const auto users = linear.Users();
  const auto labels = linear.Labels();
  integrations::linear::LinearClientOptions options;
  options.api_url = linear.base_url();
  options.credential = linear.options().api_key;
  integrations::linear::LinearGraphqlClient client(http, options);
  // Through the API, with an assignee and labels; then as the console user would.
  ASSERT_TRUE(client
                  .CreateIssue({.team_id = linear.Teams().at(0).id,
                                .title = "Login crash",
                                .assignee_id = users.at(1).id,
                                .label_ids = {labels.at(0).id}})
                  .has_value());
  ASSERT_TRUE(linear.MoveIssue("ENG-1", "In Progress").has_value());
  ASSERT_TRUE(linear.AddComment("ENG-1", "On it").has_value());

  const auto deliveries = linear.Deliveries();
  ASSERT_EQ(deliveries.size(), 3u);
  for (const auto& delivery : deliveries) {
    const Json body = Json::parse(delivery.body);
    const std::string name = delivery.event + "." + delivery.action;
    EXPECT_EQ(MissingFields(schema, body, "EntityWebhookPayload"), "") << name;
    ASSERT_TRUE(body.contains("actor")) << name;
    EXPECT_EQ(MissingFields(schema, body["actor"], "UserActorWebhookPayload"), "") << name;
    EXPECT_EQ(MissingFields(schema, body["data"], delivery.event + "WebhookPayload"), "") << name;
  }
  EXPECT_TRUE(Json::parse(deliveries[0].body)["data"]["assignee"].is_object());
  EXPECT_EQ(Json::parse(deliveries[0].body)["data"]["labels"].size(), 1u);
  linear.Stop();
}

}  // namespace
}  // namespace contexten::sandbox
