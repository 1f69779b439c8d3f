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

std::string Groups(const std::vector<std::string>& groups) {
  std::string out;
  for (std::size_t i = 0; i < groups.size() && i < 5; ++i) {
    if (!out.empty()) out += ", ";
    out += "<!subteam^" + groups[i] + ">";
  }
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
         (!it->second.users.empty() || !it->second.usergroups.empty() ||
          !it->second.channels.empty());
}

bool AccessControl::InAnyGroup(const std::vector<std::string>& groups, const std::string& user,
                               std::string& unknown) const {
  for (const auto& group : groups) {
    if (!members_) {
      unknown = group;
      continue;
    }
    auto members = members_(group);
    if (!members) {
      unknown = group;
      continue;
    }
    if (Contains(*members, user)) return true;
  }
  return false;
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
  const bool listed = !rule.users.empty() || !rule.usergroups.empty();
  std::string unknown_group;
  if (listed && !Contains(rule.users, user) && !InAnyGroup(rule.usergroups, user, unknown_group)) {
    std::string who = Mentions(rule.users);
    if (!rule.usergroups.empty()) {
      who += (who.empty() ? "" : " and ") + std::string("members of ") + Groups(rule.usergroups);
    }
    std::string reason = "You are not on the allow-list for `" + command + "`: only " + who +
                         " may run it here. Ask a Contexten admin to add you (access.commands." +
                         command + (rule.usergroups.empty() ? ".users" : ".users or .usergroups") +
                         ").";
    if (!unknown_group.empty()) {
      reason += " (I could not read the members of <!subteam^" + unknown_group +
                "> from Slack just now, so it admitted nobody.)";
    }
    return {false, std::move(reason)};
  }
  if (!rule.channels.empty() && !Contains(rule.channels, channel)) {
    return {false, "`" + command + "` can only be run in " + Channels(rule.channels) + "."};
  }
  return {};
}

}  // namespace contexten::bot::handlers
