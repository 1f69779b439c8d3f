#pragma once
// The slash-command words an intent said in prose stands for: "follow acme/web's pulls and CI
// here" is `subscribe acme/web pulls,ci`, "deploy acme/web to staging" is `deploy acme/web
// staging`. Subscriptions, reports and deploys have their own command handlers
// (subscription_handler, report_handler, github_handlers); a mention, a DM or a confirmed question
// runs the very same path as the slash command, with the same checks and answers.

#include <nlohmann/json.hpp>
#include <string>

namespace contexten::bot::handlers {

// subscribe, unsubscribe, report, deploy and rerun (the open CI alerts of a repository) with
// what they need: the command's words without
// the slash command ("subscribe linear ENG"); "" for any other intent or one missing an entity.
std::string CommandWords(const std::string& intent, const nlohmann::json& entities);

}  // namespace contexten::bot::handlers
