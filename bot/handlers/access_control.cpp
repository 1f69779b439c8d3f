#include "bot/handlers/access_control.hpp"

#include <algorithm>

namespace contexten::bot::handlers {
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string Mentions(const std::vector<std::string>& users) {
  std::string out;
  for (std::size_t i = 0; i < users.size() && i < 5; ++i) {
    if (!out.empty()) out += ", ";
    out += "<@" + users[i] + ">";
  }
  if (users.size() > 5) out += " and " + std::to_string(users.size() - 5) + " more";
  return out;
}

std::string Channels(const std::vector<std::string>& channels) {
  std::string out;
  for (std::size_t i = 0; i < channels.size() && i < 5; ++i) {
    if (!out.empty()) out += ", ";
    out += "<#" + channels[i] + ">";
  }
  return out;
}

}  // namespace

bool AccessControl::IsAdmin(const std::string& user) const {
  return !user.empty() && Contains(config_.admins, user);
}

bool AccessControl::IsRestricted(const std::string& command) const {
  if (command == kAuditCommand) return true;
  auto it = config_.commands.find(command);
  return it != config_.commands.end() &&
         (!it->second.users.empty() || !it->second.channels.empty());
}

AccessDecision AccessControl::Check(const std::string& command, const std::string& user,
                                    const std::string& channel) const {
  if (IsAdmin(user)) return {};
  if (command == kAuditCommand) {
    return {false, "Only Contexten admins can read the audit log (access.admins)."};
  }
  auto it = config_.commands.find(command);
  if (it == config_.commands.end()) return {};
  const core::AccessRule& rule = it->second;
  if (!rule.users.empty() && !Contains(rule.users, user)) {
    return {false, "You are not on the allow-list for `" + command + "`: only " +
                       Mentions(rule.users) +
                       " may run it here. Ask a Contexten admin to add you (access.commands." +
                       command + ".users)."};
  }
  if (!rule.channels.empty() && !Contains(rule.channels, channel)) {
    return {false, "`" + command + "` can only be run in " + Channels(rule.channels) + "."};
  }
  return {};
}

}  // namespace contexten::bot::handlers
