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
