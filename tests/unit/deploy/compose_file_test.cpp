// deploy/compose.yaml and deploy/compose.replicas.yaml against the files they name and the rules
// of README "Deploy" and "Two replicas": every file a compose file references exists (build
// context, Dockerfile, bind mounts, secret files); secrets reach the bot as files (*_FILE
// variables naming /run/secrets/<a secret the service mounts>), never as environment literals;
// in the replicas file every bot replica has its own replica_id, all read the same store URL
// secret, and the balancer checks every replica on /readyz.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace contexten::deploy {
namespace {

namespace fs = std::filesystem;

fs::path DeployDir() { return fs::path(contexten_test_paths::SourceDir()) / "deploy"; }

// A service's environment as a map, from either compose form (a map, or a list of NAME=value).
std::map<std::string, std::string> Environment(const YAML::Node& service) {
  std::map<std::string, std::string> env;
  const YAML::Node node = service["environment"];
  if (!node) return env;
  if (node.IsMap()) {
    for (const auto& entry : node) {
      env[entry.first.as<std::string>()] =
          entry.second.IsNull() ? "" : entry.second.as<std::string>();
    }
  } else if (node.IsSequence()) {
    for (const auto& entry : node) {
      const std::string text = entry.as<std::string>();
      const auto eq = text.find('=');
      env[text.substr(0, eq)] = eq == std::string::npos ? "" : text.substr(eq + 1);
    }
  }
  return env;
}

std::set<std::string> ServiceSecrets(const YAML::Node& service) {
  std::set<std::string> names;
  if (!service["secrets"]) return names;
  for (const auto& entry : service["secrets"]) {
    names.insert(entry.IsMap() ? entry["source"].as<std::string>() : entry.as<std::string>());
  }
  return names;
}

// "./replicas/contexten-1.yaml:/etc/contexten/replica.yaml:ro" -> host and container paths, for
// bind mounts (a host path starting with . or /); named volumes are skipped.
struct Mount {
  std::string host;
  std::string container;
};
std::vector<Mount> BindMounts(const YAML::Node& service) {
  std::vector<Mount> mounts;
  if (!service["volumes"]) return mounts;
  for (const auto& entry : service["volumes"]) {
    const std::string text = entry.as<std::string>();
    if (text.empty() || (text[0] != '.' && text[0] != '/')) continue;
    const auto colon = text.find(':');
    const auto second = text.find(':', colon + 1);
    mounts.push_back({text.substr(0, colon), text.substr(colon + 1, second - colon - 1)});
  }
  return mounts;
}

// A value a platform or the store treats as a secret (core/config.cpp marks these keys).
bool SecretVariable(const std::string& name) {
  for (const char* suffix :
       {"TOKEN", "SECRET", "PASSWORD", "API_KEY", "PRIVATE_KEY", "STORE_URL"}) {
    const std::string s = suffix;
    if (name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      return true;
    }
  }
  return false;
}

bool RunsContexten(const YAML::Node& service) {
  return service["image"] && service["image"].as<std::string>().rfind("contexten", 0) == 0;
}

class ComposeFile : public ::testing::TestWithParam<std::string> {};

TEST_P(ComposeFile, ReferencesExistingFiles) {
  const fs::path file = DeployDir() / GetParam();
  const YAML::Node compose = YAML::LoadFile(file.string());
  ASSERT_TRUE(compose["services"].IsMap());
  for (const auto& entry : compose["services"]) {
    const std::string name = entry.first.as<std::string>();
    const YAML::Node service = entry.second;
    if (const YAML::Node build = service["build"]) {
      const fs::path context = DeployDir() / build["context"].as<std::string>();
      EXPECT_TRUE(fs::is_directory(context)) << name << ": build context " << context;
      EXPECT_TRUE(fs::is_regular_file(context / build["dockerfile"].as<std::string>()))
          << name << ": Dockerfile";
    }
    for (const Mount& mount : BindMounts(service)) {
      EXPECT_TRUE(fs::exists(DeployDir() / mount.host)) << name << ": mounts " << mount.host;
    }
  }
  for (const auto& entry : compose["secrets"]) {
    const std::string name = entry.first.as<std::string>();
    ASSERT_TRUE(entry.second["file"]) << "secret " << name << " is not a file";
    // The secret files themselves are the operator's (git-ignored), but their folder is ours.
    const fs::path path = DeployDir() / entry.second["file"].as<std::string>();
    EXPECT_TRUE(fs::is_directory(path.parent_path())) << "secret " << name << ": " << path;
  }
}

TEST_P(ComposeFile, SecretsAreFilesNotEnvironmentValues) {
  const YAML::Node compose = YAML::LoadFile((DeployDir() / GetParam()).string());
  std::set<std::string> declared;
  for (const auto& entry : compose["secrets"]) declared.insert(entry.first.as<std::string>());
  for (const auto& entry : compose["services"]) {
    const std::string name = entry.first.as<std::string>();
    const std::set<std::string> mounted = ServiceSecrets(entry.second);
    for (const std::string& secret : mounted) {
      EXPECT_TRUE(declared.count(secret)) << name << " mounts undeclared secret " << secret;
    }
    for (const auto& [variable, value] : Environment(entry.second)) {
      if (variable.size() > 5 && variable.ends_with("_FILE")) {
        if (!SecretVariable(variable.substr(0, variable.size() - 5))) continue;
        const std::string prefix = "/run/secrets/";
        ASSERT_EQ(value.rfind(prefix, 0), 0u) << name << ": " << variable << " = " << value;
        EXPECT_TRUE(mounted.count(value.substr(prefix.size())))
            << name << ": " << variable << " names a secret the service does not mount";
      } else {
        EXPECT_FALSE(SecretVariable(variable))
            << name << ": " << variable << " is a secret set as an environment value";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Deploy, ComposeFile,
                         ::testing::Values("compose.yaml", "compose.replicas.yaml"));

TEST(ComposeReplicas, EachReplicaHasItsOwnIdAndTheSameStoreUrlSecret) {
  const YAML::Node compose = YAML::LoadFile((DeployDir() / "compose.replicas.yaml").string());
  std::set<std::string> replica_ids;
  std::set<std::string> store_url_files;
  std::vector<std::string> replicas;
  for (const auto& entry : compose["services"]) {
    const std::string name = entry.first.as<std::string>();
    const YAML::Node service = entry.second;
    if (!RunsContexten(service)) continue;
    replicas.push_back(name);
    const auto env = Environment(service);
    ASSERT_TRUE(env.count("CONTEXTEN_STORE_URL_FILE")) << name << ": no store URL secret";
    store_url_files.insert(env.at("CONTEXTEN_STORE_URL_FILE"));
    // The replica_id is in the config file the service runs with (`run --config PATH`).
    std::string config_path;
    const YAML::Node command = service["command"];
    for (std::size_t i = 0; i + 1 < command.size(); ++i) {
      if (command[i].as<std::string>() == "--config")
        config_path = command[i + 1].as<std::string>();
    }
    ASSERT_FALSE(config_path.empty()) << name << ": no --config";
    std::string host_config;
    for (const Mount& mount : BindMounts(service)) {
      if (mount.container == config_path) host_config = mount.host;
    }
    ASSERT_FALSE(host_config.empty()) << name << ": " << config_path << " is not mounted";
    const YAML::Node config = YAML::LoadFile((DeployDir() / host_config).string());
    ASSERT_TRUE(config["store"]["replica_id"]) << name << ": " << host_config << " has no id";
    const std::string id = config["store"]["replica_id"].as<std::string>();
    EXPECT_FALSE(id.empty()) << name;
    EXPECT_TRUE(replica_ids.insert(id).second) << name << ": replica_id " << id << " is taken";
    EXPECT_FALSE(config["store"]["url"]) << host_config << ": the store URL is a secret file";
  }
  EXPECT_GE(replicas.size(), 2u);
  EXPECT_EQ(store_url_files.size(), 1u) << "the replicas must share one store URL secret";
  ASSERT_TRUE(compose["secrets"]["store_url"]);
  ASSERT_TRUE(compose["services"]["postgres"]);
  const auto pg_env = Environment(compose["services"]["postgres"]);
  EXPECT_EQ(pg_env.count("POSTGRES_PASSWORD"), 0u);
  EXPECT_EQ(pg_env.count("POSTGRES_PASSWORD_FILE"), 1u);

  // The balancer sends webhooks to every replica, each checked on /readyz.
  std::ifstream in(DeployDir() / "balancer/haproxy.cfg");
  std::stringstream text;
  text << in.rdbuf();
  const std::string cfg = text.str();
  EXPECT_NE(cfg.find("option httpchk GET /readyz"), std::string::npos);
  for (const std::string& replica : replicas) {
    EXPECT_NE(cfg.find("server " + replica + " " + replica + ":8080"), std::string::npos)
        << "the balancer does not know " << replica;
  }
}

}  // namespace
}  // namespace contexten::deploy
