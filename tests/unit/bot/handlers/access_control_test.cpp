// Allow-lists: a command without a rule is open; with users and channels both must admit the
// person; admins pass every rule and alone read the audit log; refusals say why and whom to ask.

#include "bot/handlers/access_control.hpp"

#include <gtest/gtest.h>

namespace contexten::bot::handlers {
namespace {

AccessControl Make() {
  core::AccessConfig config;
  config.admins = {"U0ADMIN"};
  config.commands["deploy"].users = {"U1"};
  config.commands["deploy"].channels = {"C1"};
  config.commands["close"].users = {"U1", "U2"};
  return AccessControl(config);
}

TEST(AccessControlTest, ACommandWithoutARuleIsOpenToEveryone) {
  EXPECT_TRUE(Make().Check("create_issue", "U9", "C9").allowed);
  EXPECT_FALSE(Make().IsRestricted("create_issue"));
}

TEST(AccessControlTest, UsersAndChannelsMustBothAdmit) {
  const AccessControl access = Make();
  EXPECT_TRUE(access.Check("deploy", "U1", "C1").allowed);
  const auto wrong_user = access.Check("deploy", "U2", "C1");
  EXPECT_FALSE(wrong_user.allowed);
  EXPECT_NE(wrong_user.reason.find("only <@U1> may run it"), std::string::npos);
  EXPECT_NE(wrong_user.reason.find("access.commands.deploy.users"), std::string::npos);
  const auto wrong_channel = access.Check("deploy", "U1", "C2");
  EXPECT_FALSE(wrong_channel.allowed);
  EXPECT_NE(wrong_channel.reason.find("<#C1>"), std::string::npos);
}

TEST(AccessControlTest, AdminsPassEveryRuleAndAloneReadTheAuditLog) {
  const AccessControl access = Make();
  EXPECT_TRUE(access.Check("deploy", "U0ADMIN", "C7").allowed);
  EXPECT_TRUE(access.Check(kAuditCommand, "U0ADMIN", "C7").allowed);
  EXPECT_FALSE(access.Check(kAuditCommand, "U1", "C1").allowed);
  EXPECT_FALSE(AccessControl().Check(kAuditCommand, "U1", "C1").allowed);  // no admins: nobody
}

}  // namespace
}  // namespace contexten::bot::handlers

namespace contexten::bot::handlers {
namespace {

TEST(AccessControlTest, AUserGroupAdmitsItsMembersAsSlackListsThem) {
  core::AccessConfig config;
  config.commands["close"].users = {"U1"};
  config.commands["close"].usergroups = {"S0ONCALL"};
  int asked = 0;
  AccessControl access(config,
                       [&](const std::string& group) -> core::Result<std::vector<std::string>> {
                         ++asked;
                         if (group != "S0ONCALL") return std::vector<std::string>{};
                         return std::vector<std::string>{"U7", "U8"};
                       });
  EXPECT_TRUE(access.IsRestricted("close"));
  EXPECT_TRUE(access.Check("close", "U1", "C1").allowed);  // listed by name: no group lookup
  EXPECT_EQ(asked, 0);
  EXPECT_TRUE(access.Check("close", "U8", "C1").allowed);
  const auto outsider = access.Check("close", "U9", "C1");
  EXPECT_FALSE(outsider.allowed);
  EXPECT_NE(outsider.reason.find("only <@U1> and members of <!subteam^S0ONCALL>"),
            std::string::npos)
      << outsider.reason;
}

TEST(AccessControlTest, AGroupSlackCannotListAdmitsNobodyAndTheRefusalSaysSo) {
  core::AccessConfig config;
  config.commands["deploy"].usergroups = {"S0GONE"};
  AccessControl access(config, [](const std::string&) -> core::Result<std::vector<std::string>> {
    return core::Unexpected(core::MakeError(core::ErrorKind::kUnavailable, "breaker open"));
  });
  const auto refused = access.Check("deploy", "U1", "C1");
  EXPECT_FALSE(refused.allowed);
  EXPECT_NE(refused.reason.find("could not read the members of <!subteam^S0GONE>"),
            std::string::npos)
      << refused.reason;
  // Without a way to ask Slack at all, the same.
  EXPECT_FALSE(AccessControl(config).Check("deploy", "U1", "C1").allowed);
}

}  // namespace
}  // namespace contexten::bot::handlers
