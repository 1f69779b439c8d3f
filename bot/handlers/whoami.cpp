#include "bot/handlers/whoami.hpp"

#include <sstream>

#include "workflows/builtin/identity.hpp"

namespace contexten::bot::handlers {

namespace builtin = workflows::builtin;
using nlohmann::json;

core::Result<std::optional<std::string>> GitHubLoginFor(
    workflows::engine::Engine& engine, const std::map<std::string, std::string>& configured,
    const std::string& user) {
  auto run = engine.store().LoadRun(builtin::IdentityRunId(user));
  if (!run) return core::Unexpected(run.error());
  if (*run) {
    const json state = json::parse((*run)->state_json, nullptr, false);
    if (state.is_object() && state.contains("github") && state["github"].is_string()) {
      return std::optional<std::string>(state["github"].get<std::string>());
    }
  }
  auto it = configured.find(user);
  if (it != configured.end()) return std::optional<std::string>(it->second);
  return std::optional<std::string>();
}

std::string WhoAmI(workflows::engine::Engine& engine,
                   const std::map<std::string, std::string>& configured, const std::string& user,
                   const std::string& args, const std::string& origin) {
  std::istringstream words(args);
  std::string platform, login, extra;
  words >> platform >> login >> extra;
  if (platform.empty()) {
    auto known = GitHubLoginFor(engine, configured, user);
    if (!known) return "I could not read my store just now; try again in a minute.";
    // Appends, not "literal" + string: GCC 12 at -O3 reports a false-positive -Wrestrict for
    // that (GCC bug 105329) and -Werror fails the Release build.
    std::string text = "You are <@";
    text.append(user).append("> in Slack. GitHub: ");
    if (*known) {
      text.append("`").append(**known).append("`.");
    } else {
      text.append("not known yet; set it with `whoami github &lt;login&gt;`.");
    }
    return text.append(" Linear: matched by your Slack email when you act on an issue.");
  }
  if (platform != "github" || login.empty() || !extra.empty()) {
    return "Usage: `whoami` or `whoami github &lt;login&gt;`.";
  }
  if (login.front() == '@') login.erase(0, 1);
  if (!builtin::IsGitHubLogin(login)) {
    std::string text = "`";
    return text.append(login.substr(0, 60))
        .append("` is not a GitHub login (letters, digits and single hyphens, at most 39).");
  }
  const std::string run_id = builtin::IdentityRunId(user);
  auto started = engine.Start(builtin::kIdentityType, run_id,
                              {"start", {{"slack_user", user}, {"github", login}}, ""});
  if (started && !started->applied) {
    auto set = engine.Deliver(
        run_id,
        {builtin::kIdentityGitHubEvent, {{"login", login}}, std::string("slack:").append(origin)});
    if (!set) return "I could not save that just now; try again in a minute.";
  } else if (!started) {
    return "I could not save that just now; try again in a minute.";
  }
  std::string noted = "Noted: you are `";
  return noted.append(login).append("` on GitHub.");
}

}  // namespace contexten::bot::handlers
