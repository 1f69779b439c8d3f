#include "core/config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "tests/support/temp_dir.hpp"

namespace contexten::core {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string ErrorOf(const std::string& yaml, std::map<std::string, std::string> env = {}) {
  try {
    LoadConfigFromString(yaml, Env(std::move(env)));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ConfigTest, DefaultsPointAtTheRealPlatforms) {
  const Config c = LoadConfigFromString("", Env({}));
  EXPECT_EQ(c.slack.api_url, "https://slack.com/api");
  EXPECT_EQ(c.github.api_url, "https://api.github.com");
  EXPECT_EQ(c.linear.api_url, "https://api.linear.app");
  EXPECT_FALSE(c.has_slack_tokens());
}

TEST(ConfigTest, YamlThenEnvironmentOverrides) {
  const Config c = LoadConfigFromString(
      "slack:\n  api_url: http://127.0.0.1:9/api\n  connections: 3\nhttp:\n  port: 9090\n",
      Env({{"SLACK_API_URL", "https://slack.example/api"}, {"GITHUB_API_URL", "http://gh:1"}}));
  EXPECT_EQ(c.slack.api_url, "https://slack.example/api");
  EXPECT_EQ(c.github.api_url, "http://gh:1");
  EXPECT_EQ(c.slack.connections, 3);
  EXPECT_EQ(c.http.port, 9090);
}

TEST(ConfigTest, HealthThresholdsHaveDefaultsAndAreChecked) {
  const Config defaults = LoadConfigFromString("", Env({}));
  EXPECT_EQ(defaults.health.grouping_delay_seconds, 30);
  EXPECT_EQ(defaults.health.reminder_minutes, 240);
  EXPECT_EQ(defaults.health.failures_open, 3);
  EXPECT_EQ(defaults.health.webhook_silence_minutes, 60);
  const Config c = LoadConfigFromString(
      "health:\n  grouping_delay_seconds: 5\n  oncall_group: S0ONCALL\n"
      "  webhook_silence_minutes: 0\n",
      Env({}));
  EXPECT_EQ(c.health.grouping_delay_seconds, 5);
  EXPECT_EQ(c.health.oncall_group, "S0ONCALL");
  EXPECT_EQ(c.health.webhook_silence_minutes, 0);
  EXPECT_THROW(LoadConfigFromString("health:\n  failures_open: 0\n", Env({})), ConfigError);
  EXPECT_THROW(LoadConfigFromString("health:\n  grouping_delay: 5\n", Env({})), ConfigError);
}

TEST(ConfigTest, SecretsComeFromFiles) {
  testing::TempDir dir;
  {
    std::ofstream(dir.File("app")) << "xapp-1-from-file\n";
    std::ofstream(dir.File("bot")) << "xoxb-from-yaml-file\n";
  }
  const Config c = LoadConfigFromString("slack:\n  bot_token_file: " + dir.File("bot") + "\n",
                                        Env({{"SLACK_APP_TOKEN_FILE", dir.File("app")}}));
  EXPECT_EQ(c.slack.app_token, "xapp-1-from-file");
  EXPECT_EQ(c.slack.bot_token, "xoxb-from-yaml-file");
  EXPECT_EQ(c.Secrets().size(), 2u);
}

TEST(ConfigTest, AStoreUrlSelectsPostgresqlAndIsASecretThatErrorsNeverQuote) {
  EXPECT_FALSE(LoadConfigFromString("", Env({})).store.postgres());
  testing::TempDir dir;
  std::ofstream(dir.File("url")) << "postgresql://contexten:s3cret@db:5432/contexten\n";
  const Config c = LoadConfigFromString("store:\n  url_file: " + dir.File("url") +
                                            "\n  replica_id: a\n  lease_seconds: 30\n",
                                        Env({}));
  EXPECT_TRUE(c.store.postgres());
  EXPECT_EQ(c.store.url, "postgresql://contexten:s3cret@db:5432/contexten");
  EXPECT_EQ(c.store.replica_id, "a");
  EXPECT_EQ(c.store.lease_seconds, 30);
  const auto secrets = c.Secrets();
  EXPECT_NE(std::find(secrets.begin(), secrets.end(), c.store.url), secrets.end());
  EXPECT_NE(std::find(secrets.begin(), secrets.end(), "s3cret"), secrets.end());
  const Config env = LoadConfigFromString(
      "", Env({{"CONTEXTEN_STORE_URL", "postgres://contexten@db/contexten"}}));
  EXPECT_TRUE(env.store.postgres());
  const std::string e = ErrorOf("store:\n  url: mysql://u:hunter2@db/x\n");
  EXPECT_NE(e.find("store.url"), std::string::npos) << e;
  EXPECT_EQ(e.find("hunter2"), std::string::npos) << e;
}

TEST(ConfigTest, MalformedYamlNamesTheLine) {
  const std::string e = ErrorOf("slack:\n  api_url: [unclosed\n");
  EXPECT_NE(e.find("malformed YAML at line"), std::string::npos) << e;
}

TEST(ConfigTest, UnknownSchemeNamesTheKey) {
  const std::string e = ErrorOf("linear:\n  api_url: ftp://linear.example\n");
  EXPECT_NE(e.find("linear.api_url"), std::string::npos) << e;
  EXPECT_NE(e.find("'ftp'"), std::string::npos) << e;
}

TEST(ConfigTest, MissingRequiredKeyIsNamed) {
  const std::string e = ErrorOf("", {{"SLACK_APP_TOKEN", "xapp-1-abc"}});
  EXPECT_NE(e.find("slack.bot_token is required"), std::string::npos) << e;
}

TEST(ConfigTest, UnknownKeyIsNamed) {
  EXPECT_NE(ErrorOf("slack:\n  api_ur: x\n").find("unknown key 'slack.api_ur'"), std::string::npos);
}

TEST(ConfigTest, BadNumberIsNamed) {
  EXPECT_NE(ErrorOf("http:\n  port: 70000\n").find("http.port"), std::string::npos);
}

TEST(ConfigTest, GitHubWorkflowSettingsHaveDefaultsAndNameTheirKey) {
  const Config defaults = LoadConfigFromString("", Env({}));
  EXPECT_EQ(defaults.github.alerts_channel, "");
  EXPECT_EQ(defaults.github.deploy_workflow, "deploy.yml");
  EXPECT_EQ(defaults.github.deploy_expiry_seconds, 600);
  const Config c = LoadConfigFromString(
      "github:\n  alerts_channel: C0ALERTS\n  linear_team: OPS\n  deploy_workflow: ship.yml\n"
      "  deploy_expiry_seconds: 120\n",
      Env({}));
  EXPECT_EQ(c.github.alerts_channel, "C0ALERTS");
  EXPECT_EQ(c.github.linear_team, "OPS");
  EXPECT_EQ(c.github.deploy_workflow, "ship.yml");
  EXPECT_EQ(c.github.deploy_expiry_seconds, 120);
  EXPECT_NE(ErrorOf("github:\n  deploy_expiry_seconds: 0\n").find("github.deploy_expiry_seconds"),
            std::string::npos);
}

TEST(ConfigTest, ErrorsNeverEchoSecretValues) {
  const std::string e = ErrorOf(
      "", {{"SLACK_APP_TOKEN", "not-an-app-token-SECRETVALUE"}, {"SLACK_BOT_TOKEN", "xoxb-x"}});
  EXPECT_FALSE(e.empty());
  EXPECT_EQ(e.find("SECRETVALUE"), std::string::npos) << e;
}

TEST(ConfigTest, GitHubAppKeyComesFromAFileAndIsASecret) {
  testing::TempDir dir;
  const std::string pem =
      "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";
  std::ofstream(dir.File("key.pem")) << pem << "\n";
  const Config c = LoadConfigFromString(
      "github:\n  app_id: '1234'\n  app_installation_id: 99\n"
      "  app_private_key_file: " +
          dir.File("key.pem") + "\n",
      Env({}));
  EXPECT_TRUE(c.github.has_app());
  EXPECT_TRUE(c.github.has_credentials());
  EXPECT_EQ(c.github.app_installation_id, 99);
  EXPECT_EQ(c.github.app_private_key, pem);
  EXPECT_EQ(c.Secrets(), std::vector<std::string>{pem});
}

TEST(ConfigTest, GitHubAppNeedsKeyAndInstallationAndExcludesAToken) {
  EXPECT_NE(ErrorOf("github:\n  app_id: '1'\n").find("github.app_installation_id"),
            std::string::npos);
  EXPECT_NE(ErrorOf("github:\n  app_id: '1'\n  app_installation_id: 2\n  app_private_key: k\n",
                    {{"GITHUB_TOKEN", "ghp_x"}})
                .find("not both"),
            std::string::npos);
}

TEST(ConfigTest, AccessListsIdentityAndTheConfidenceThreshold) {
  const Config c = LoadConfigFromString(
      "access:\n"
      "  admins: [U0ADMIN]\n"
      "  commands:\n"
      "    close: {users: [U1, U2], channels: C9}\n"
      "    deploy:\n"
      "      users: [U3]\n"
      "identity:\n"
      "  github:\n"
      "    U1: octocat\n"
      "conversation:\n"
      "  confidence_threshold: 0.75\n",
      Env({}));
  EXPECT_EQ(c.access.admins, std::vector<std::string>{"U0ADMIN"});
  ASSERT_EQ(c.access.commands.size(), 2u);
  EXPECT_EQ(c.access.commands.at("close").users, (std::vector<std::string>{"U1", "U2"}));
  EXPECT_EQ(c.access.commands.at("close").channels, std::vector<std::string>{"C9"});
  EXPECT_EQ(c.access.commands.at("deploy").users, std::vector<std::string>{"U3"});
  EXPECT_EQ(c.identity.github_logins.at("U1"), "octocat");
  EXPECT_DOUBLE_EQ(c.conversation.confidence_threshold, 0.75);
  EXPECT_DOUBLE_EQ(Config{}.conversation.confidence_threshold, 0.7);
}

TEST(ConfigTest, AccessMistakesNameTheKey) {
  EXPECT_NE(ErrorOf("access:\n  commands:\n    close: {groups: [S1]}\n")
                .find("'access.commands.close.groups'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("access:\n  admin: [U1]\n").find("'access.admin'"), std::string::npos);
  EXPECT_NE(ErrorOf("access:\n  admins: {a: b}\n").find("access.admins: expected a list"),
            std::string::npos);
  EXPECT_NE(ErrorOf("conversation:\n  confidence_threshold: 2\n")
                .find("conversation.confidence_threshold"),
            std::string::npos);
}

}  // namespace
}  // namespace contexten::core
