#include "workflows/builtin/identity.hpp"

#include <cctype>

#include "core/json_fields.hpp"

namespace contexten::workflows::builtin {

using core::json_fields::Str;

bool IsGitHubLogin(const std::string& login) {
  if (login.empty() || login.size() > 39 || login.front() == '-' || login.back() == '-') {
    return false;
  }
  for (std::size_t i = 0; i < login.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(login[i]);
    if (c == '-') {
      if (login[i - 1] == '-') return false;
    } else if (!std::isalnum(c)) {
      return false;
    }
  }
  return true;
}

engine::Decision IdentityWorkflow::Decide(const engine::DecideContext& context,
                                          const nlohmann::json& state,
                                          const engine::Event& event) const {
  (void)context;
  engine::Decision d;
  d.state = state.is_object() ? state : nlohmann::json::object();
  if (event.type == "start") {
    d.state["slack_user"] = Str(event.data, "slack_user");
    const std::string login = Str(event.data, "github");
    if (IsGitHubLogin(login)) d.state["github"] = login;
    d.note = "identity of " + Str(event.data, "slack_user");
  } else if (event.type == kIdentityGitHubEvent) {
    const std::string login = Str(event.data, "login");
    if (login.empty()) {
      d.state.erase("github");
    } else if (IsGitHubLogin(login)) {
      d.state["github"] = login;
    }
    d.note = "github login set";
  }
  return d;
}

}  // namespace contexten::workflows::builtin
