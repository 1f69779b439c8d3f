#include "core/config.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

namespace contexten::core {
namespace {

// key -> setter; one table drives YAML, environment and validation of unknown keys.
using Setter = std::function<void(Config&, const std::string& value, const std::string& key)>;

int ParseInt(const std::string& value, const std::string& key, int lo, int hi) {
  try {
    std::size_t used = 0;
    const long v = std::stol(value, &used);
    if (used != value.size() || v < lo || v > hi) throw std::out_of_range(key);
    return static_cast<int>(v);
  } catch (const std::exception&) {
    throw ConfigError("config: " + key + ": expected a whole number from " + std::to_string(lo) +
                      " to " + std::to_string(hi) + ", got '" + value + "'");
  }
}

double ParseFraction(const std::string& value, const std::string& key) {
  try {
    std::size_t used = 0;
    const double v = std::stod(value, &used);
    if (used != value.size() || !(v >= 0.0 && v <= 1.0)) throw std::out_of_range(key);
    return v;
  } catch (const std::exception&) {
    throw ConfigError("config: " + key + ": expected a number from 0 to 1, got '" + value + "'");
  }
}

struct KeySpec {
  Setter set;
  bool secret = false;
};

const std::map<std::string, KeySpec>& Keys() {
  static const std::map<std::string, KeySpec> keys = {
      {"log.level", {[](Config& c, const std::string& v, const std::string&) { c.log.level = v; }}},
      {"log.format",
       {[](Config& c, const std::string& v, const std::string&) { c.log.format = v; }}},
      {"http.bind", {[](Config& c, const std::string& v, const std::string&) { c.http.bind = v; }}},
      {"http.port", {[](Config& c, const std::string& v, const std::string& k) {
         c.http.port = ParseInt(v, k, 0, 65535);
       }}},
      {"http.body_limit", {[](Config& c, const std::string& v, const std::string& k) {
         c.http.body_limit = static_cast<std::size_t>(ParseInt(v, k, 1024, 64 * 1024 * 1024));
       }}},
      {"store.path",
       {[](Config& c, const std::string& v, const std::string&) { c.store.path = v; }}},
      {"store.url",
       {[](Config& c, const std::string& v, const std::string&) { c.store.url = v; }, true}},
      {"store.schema",
       {[](Config& c, const std::string& v, const std::string&) { c.store.schema = v; }}},
      {"store.replica_id",
       {[](Config& c, const std::string& v, const std::string&) { c.store.replica_id = v; }}},
      {"store.lease_seconds", {[](Config& c, const std::string& v, const std::string& k) {
         c.store.lease_seconds = ParseInt(v, k, 5, 3600);
       }}},
      {"store.pool_size", {[](Config& c, const std::string& v, const std::string& k) {
         c.store.pool_size = ParseInt(v, k, 1, 100);
       }}},
      {"tls.ca_file", {[](Config& c, const std::string& v, const std::string&) { c.ca_file = v; }}},
      {"slack.api_url",
       {[](Config& c, const std::string& v, const std::string&) { c.slack.api_url = v; }}},
      {"slack.app_token",
       {[](Config& c, const std::string& v, const std::string&) { c.slack.app_token = v; }, true}},
      {"slack.bot_token",
       {[](Config& c, const std::string& v, const std::string&) { c.slack.bot_token = v; }, true}},
      {"slack.signing_secret",
       {[](Config& c, const std::string& v, const std::string&) { c.slack.signing_secret = v; },
        true}},
      {"slack.command",
       {[](Config& c, const std::string& v, const std::string&) { c.slack.command = v; }}},
      {"slack.connections", {[](Config& c, const std::string& v, const std::string& k) {
         c.slack.connections = ParseInt(v, k, 1, 10);
       }}},
      {"slack.ops_channel",
       {[](Config& c, const std::string& v, const std::string&) { c.slack.ops_channel = v; }}},
      {"github.api_url",
       {[](Config& c, const std::string& v, const std::string&) { c.github.api_url = v; }}},
      {"github.token",
       {[](Config& c, const std::string& v, const std::string&) { c.github.token = v; }, true}},
      {"github.app_id",
       {[](Config& c, const std::string& v, const std::string&) { c.github.app_id = v; }}},
      {"github.app_private_key",
       {[](Config& c, const std::string& v, const std::string&) { c.github.app_private_key = v; },
        true}},
      {"github.app_installation_id", {[](Config& c, const std::string& v, const std::string& k) {
         c.github.app_installation_id = ParseInt(v, k, 1, std::numeric_limits<int>::max());
       }}},
      {"github.alerts_channel",
       {[](Config& c, const std::string& v, const std::string&) { c.github.alerts_channel = v; }}},
      {"github.linear_team",
       {[](Config& c, const std::string& v, const std::string&) { c.github.linear_team = v; }}},
      {"github.deploy_workflow",
       {[](Config& c, const std::string& v, const std::string&) { c.github.deploy_workflow = v; }}},
      {"github.deploy_expiry_seconds", {[](Config& c, const std::string& v, const std::string& k) {
         c.github.deploy_expiry_seconds = ParseInt(v, k, 10, 7 * 24 * 3600);
       }}},
      {"github.webhook_secret",
       {[](Config& c, const std::string& v, const std::string&) { c.github.webhook_secret = v; },
        true}},
      {"linear.api_url",
       {[](Config& c, const std::string& v, const std::string&) { c.linear.api_url = v; }}},
      {"linear.default_team",
       {[](Config& c, const std::string& v, const std::string&) { c.linear.default_team = v; }}},
      {"linear.api_key",
       {[](Config& c, const std::string& v, const std::string&) { c.linear.api_key = v; }, true}},
      {"linear.webhook_secret",
       {[](Config& c, const std::string& v, const std::string&) { c.linear.webhook_secret = v; },
        true}},
      {"health.sample_seconds", {[](Config& c, const std::string& v, const std::string& k) {
         c.health.sample_seconds = ParseInt(v, k, 1, 3600);
       }}},
      {"health.grouping_delay_seconds", {[](Config& c, const std::string& v, const std::string& k) {
         c.health.grouping_delay_seconds = ParseInt(v, k, 0, 86400);
       }}},
      {"health.reminder_minutes", {[](Config& c, const std::string& v, const std::string& k) {
         c.health.reminder_minutes = ParseInt(v, k, 0, 7 * 24 * 60);
       }}},
      {"health.oncall_after_minutes", {[](Config& c, const std::string& v, const std::string& k) {
         c.health.oncall_after_minutes = ParseInt(v, k, 0, 7 * 24 * 60);
       }}},
      {"health.oncall_group",
       {[](Config& c, const std::string& v, const std::string&) { c.health.oncall_group = v; }}},
      {"health.failures_open", {[](Config& c, const std::string& v, const std::string& k) {
         c.health.failures_open = ParseInt(v, k, 1, 1000);
       }}},
      {"health.outbox_depth", {[](Config& c, const std::string& v, const std::string& k) {
         c.health.outbox_depth = ParseInt(v, k, 1, 100000000);
       }}},
      {"health.outbox_age_minutes", {[](Config& c, const std::string& v, const std::string& k) {
         c.health.outbox_age_minutes = ParseInt(v, k, 1, 7 * 24 * 60);
       }}},
      {"health.inbox_depth", {[](Config& c, const std::string& v, const std::string& k) {
         c.health.inbox_depth = ParseInt(v, k, 1, 100000000);
       }}},
      {"health.inbox_age_minutes", {[](Config& c, const std::string& v, const std::string& k) {
         c.health.inbox_age_minutes = ParseInt(v, k, 1, 7 * 24 * 60);
       }}},
      {"health.webhook_silence_minutes",
       {[](Config& c, const std::string& v, const std::string& k) {
         c.health.webhook_silence_minutes = ParseInt(v, k, 0, 30 * 24 * 60);
       }}},
      {"health.wal_megabytes", {[](Config& c, const std::string& v, const std::string& k) {
         c.health.wal_megabytes = ParseInt(v, k, 1, 1024 * 1024);
       }}},
      {"rules.file",
       {[](Config& c, const std::string& v, const std::string&) { c.rules.file = v; }}},
      {"conversation.confidence_threshold",
       {[](Config& c, const std::string& v, const std::string& k) {
         c.conversation.confidence_threshold = ParseFraction(v, k);
       }}},
      {"conversation.question_ttl_minutes",
       {[](Config& c, const std::string& v, const std::string& k) {
         c.conversation.question_ttl_minutes = ParseInt(v, k, 1, 7 * 24 * 60);
       }}},
  };
  return keys;
}

std::string ReadSecretFile(const std::string& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw ConfigError("config: " + what + ": cannot read file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string value = ss.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r' || value.back() == ' ')) {
    value.pop_back();
  }
  return value;
}

// A YAML list of scalars (a single scalar is a list of one).
std::vector<std::string> StringList(const YAML::Node& node, const std::string& key) {
  std::vector<std::string> out;
  if (!node || node.IsNull()) return out;
  if (node.IsScalar()) return {node.as<std::string>()};
  if (!node.IsSequence()) throw ConfigError("config: " + key + ": expected a list");
  for (const auto& item : node) {
    if (!item.IsScalar()) throw ConfigError("config: " + key + ": expected a list of ids");
    out.push_back(item.as<std::string>());
  }
  return out;
}

// access:
//   admins: [U1]
//   commands:
//     close: {users: [U1, U2], usergroups: [S1], channels: [C1]}
void ApplyAccess(Config& config, const YAML::Node& section) {
  if (!section.IsMap()) throw ConfigError("config: access: expected a mapping of keys");
  for (const auto& entry : section) {
    const std::string leaf = entry.first.as<std::string>();
    if (leaf == "admins") {
      config.access.admins = StringList(entry.second, "access.admins");
    } else if (leaf == "commands") {
      if (!entry.second.IsMap()) {
        throw ConfigError("config: access.commands: expected a mapping of command names");
      }
      for (const auto& command : entry.second) {
        const std::string name = command.first.as<std::string>();
        const std::string key = "access.commands." + name;
        if (!command.second.IsMap()) {
          throw ConfigError("config: " + key + ": expected users and/or channels lists");
        }
        AccessRule rule;
        for (const auto& list : command.second) {
          const std::string what = list.first.as<std::string>();
          if (what == "users") {
            rule.users = StringList(list.second, key + ".users");
          } else if (what == "channels") {
            rule.channels = StringList(list.second, key + ".channels");
          } else if (what == "usergroups") {
            rule.usergroups = StringList(list.second, key + ".usergroups");
          } else {
            throw ConfigError("config: unknown key '" + key + "." + what +
                              "' (an allow-list has users, usergroups and channels)");
          }
        }
        config.access.commands[name] = std::move(rule);
      }
    } else {
      throw ConfigError("config: unknown key 'access." + leaf + "'");
    }
  }
}

// identity:
//   github:
//     U123: octocat
void ApplyIdentity(Config& config, const YAML::Node& section) {
  if (!section.IsMap()) throw ConfigError("config: identity: expected a mapping of keys");
  for (const auto& entry : section) {
    const std::string leaf = entry.first.as<std::string>();
    if (leaf != "github") throw ConfigError("config: unknown key 'identity." + leaf + "'");
    if (!entry.second.IsMap()) {
      throw ConfigError("config: identity.github: expected Slack user id: GitHub login pairs");
    }
    for (const auto& pair : entry.second) {
      if (!pair.second.IsScalar()) {
        throw ConfigError("config: identity.github." + pair.first.as<std::string>() +
                          ": expected a GitHub login");
      }
      config.identity.github_logins[pair.first.as<std::string>()] = pair.second.as<std::string>();
    }
  }
}

void ApplyYaml(Config& config, const YAML::Node& root) {
  if (!root || root.IsNull()) return;
  if (!root.IsMap()) throw ConfigError("config: the top level must be a mapping of sections");
  const auto& keys = Keys();
  for (const auto& section : root) {
    const std::string name = section.first.as<std::string>();
    if (name == "access") {
      ApplyAccess(config, section.second);
      continue;
    }
    if (name == "identity") {
      ApplyIdentity(config, section.second);
      continue;
    }
    if (!section.second.IsMap()) {
      throw ConfigError("config: " + name + ": expected a mapping of keys");
    }
    for (const auto& entry : section.second) {
      const std::string leaf = entry.first.as<std::string>();
      std::string key = name + "." + leaf;
      bool from_file = false;
      // `<secret>_file: /run/secrets/x` reads the value from a file (Docker/K8s secrets).
      if (!keys.count(key) && leaf.size() > 5 && leaf.ends_with("_file")) {
        const std::string base = name + "." + leaf.substr(0, leaf.size() - 5);
        if (keys.count(base)) {
          key = base;
          from_file = true;
        }
      }
      auto it = keys.find(key);
      if (it == keys.end()) throw ConfigError("config: unknown key '" + key + "'");
      if (!entry.second.IsScalar()) throw ConfigError("config: " + key + ": expected a value");
      std::string value = entry.second.as<std::string>();
      if (from_file) value = ReadSecretFile(value, key + "_file");
      it->second.set(config, value, key);
    }
  }
}

void ApplyEnv(Config& config, const EnvLookup& env) {
  const auto& keys = Keys();
  for (const auto& o : EnvOverrides()) {
    const std::string var = o.variable;
    const auto& spec = keys.at(o.key);
    if (auto file = env(var + "_FILE"); file && !file->empty()) {
      spec.set(config, ReadSecretFile(*file, var + "_FILE"), o.key);
    }
    if (auto value = env(var); value && !value->empty()) spec.set(config, *value, o.key);
  }
}

void RequireUrl(const std::string& key, const std::string& url) {
  const auto colon = url.find("://");
  const std::string scheme = colon == std::string::npos ? "" : url.substr(0, colon);
  if (scheme != "http" && scheme != "https") {
    throw ConfigError("config: " + key + ": unsupported URL scheme '" + scheme + "' in '" + url +
                      "' (use http or https)");
  }
  if (colon + 3 >= url.size() || url[colon + 3] == '/') {
    throw ConfigError("config: " + key + ": URL '" + url + "' has no host");
  }
}

void Validate(const Config& c) {
  RequireUrl("slack.api_url", c.slack.api_url);
  RequireUrl("github.api_url", c.github.api_url);
  RequireUrl("linear.api_url", c.linear.api_url);
  if (c.github.has_app() &&
      (c.github.app_private_key.empty() || c.github.app_installation_id == 0)) {
    throw ConfigError(
        "config: github.app_id is set, so github.app_private_key (or _file) and "
        "github.app_installation_id are needed too");
  }
  if (c.github.has_app() && !c.github.token.empty()) {
    throw ConfigError("config: set github.token or github.app_id, not both");
  }
  if (c.log.format != "text" && c.log.format != "json") {
    throw ConfigError("config: log.format: must be 'text' or 'json', got '" + c.log.format + "'");
  }
  static const std::set<std::string> levels = {"trace", "debug",    "info", "warn",
                                               "error", "critical", "off"};
  if (!levels.count(c.log.level)) {
    throw ConfigError("config: log.level: '" + c.log.level +
                      "' is not one of trace, debug, info, warn, error, critical, off");
  }
  // The URL itself is never quoted back: it may hold a password.
  if (c.store.postgres() && !c.store.url.starts_with("postgresql://") &&
      !c.store.url.starts_with("postgres://")) {
    throw ConfigError("config: store.url: must be a postgresql:// URL");
  }
  if (!c.store.postgres() && (c.store.path.empty() || c.store.path == ":memory:")) {
    throw ConfigError("config: store.path: must name a file (the store has to be durable)");
  }
  // Socket Mode needs both tokens: the app token opens the socket, the bot token posts.
  if (!c.slack.app_token.empty() && c.slack.bot_token.empty()) {
    throw ConfigError("config: slack.bot_token is required when slack.app_token is set");
  }
  if (!c.slack.bot_token.empty() && c.slack.app_token.empty()) {
    throw ConfigError("config: slack.app_token is required when slack.bot_token is set");
  }
  if (!c.slack.app_token.empty() && !c.slack.app_token.starts_with("xapp-")) {
    throw ConfigError("config: slack.app_token: must be an app-level token (xapp-...)");
  }
  if (c.slack.command.empty() || c.slack.command[0] != '/') {
    throw ConfigError("config: slack.command: must start with '/', got '" + c.slack.command + "'");
  }
}

}  // namespace

const std::vector<EnvOverride>& EnvOverrides() {
  static const std::vector<EnvOverride> overrides = {
      {"SLACK_API_URL", "slack.api_url", false},
      {"SLACK_APP_TOKEN", "slack.app_token", true},
      {"SLACK_BOT_TOKEN", "slack.bot_token", true},
      {"SLACK_SIGNING_SECRET", "slack.signing_secret", true},
      {"SLACK_OPS_CHANNEL", "slack.ops_channel", false},
      {"GITHUB_API_URL", "github.api_url", false},
      {"GITHUB_TOKEN", "github.token", true},
      {"GITHUB_APP_ID", "github.app_id", false},
      {"GITHUB_APP_PRIVATE_KEY", "github.app_private_key", true},
      {"GITHUB_APP_INSTALLATION_ID", "github.app_installation_id", false},
      {"GITHUB_WEBHOOK_SECRET", "github.webhook_secret", true},
      {"LINEAR_API_URL", "linear.api_url", false},
      {"LINEAR_API_KEY", "linear.api_key", true},
      {"LINEAR_DEFAULT_TEAM", "linear.default_team", false},
      {"LINEAR_WEBHOOK_SECRET", "linear.webhook_secret", true},
      {"CONTEXTEN_HTTP_BIND", "http.bind", false},
      {"CONTEXTEN_HTTP_PORT", "http.port", false},
      {"CONTEXTEN_STORE_PATH", "store.path", false},
      {"CONTEXTEN_STORE_URL", "store.url", true},
      {"CONTEXTEN_RULES_FILE", "rules.file", false},
      {"CONTEXTEN_LOG_LEVEL", "log.level", false},
      {"CONTEXTEN_LOG_FORMAT", "log.format", false},
      {"CONTEXTEN_CA_FILE", "tls.ca_file", false},
  };
  return overrides;
}

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::vector<std::string> Config::Secrets() const {
  std::vector<std::string> out;
  for (const auto* s : {&slack.app_token, &slack.bot_token, &slack.signing_secret, &github.token,
                        &github.app_private_key, &github.webhook_secret, &linear.api_key,
                        &linear.webhook_secret, &store.url}) {
    if (!s->empty()) out.push_back(*s);
  }
  // The store URL's password on its own too (postgresql://user:password@host/db).
  if (const auto scheme = store.url.find("://"); scheme != std::string::npos) {
    const auto at = store.url.find('@', scheme + 3);
    const auto colon = store.url.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon + 1 < at) {
      out.push_back(store.url.substr(colon + 1, at - colon - 1));
    }
  }
  return out;
}

Config LoadConfigFromString(const std::string& yaml, const EnvLookup& env) {
  Config config;
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    // e.mark is 0-based; people count lines from 1.
    throw ConfigError("config: malformed YAML at line " + std::to_string(e.mark.line + 1) +
                      ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  try {
    ApplyYaml(config, root);
  } catch (const YAML::Exception& e) {
    throw ConfigError("config: " + std::string(e.msg));
  }
  ApplyEnv(config, env);
  Validate(config);
  return config;
}

Config LoadConfig(const std::optional<std::string>& path, const EnvLookup& env) {
  if (!path) return LoadConfigFromString("", env);
  std::ifstream in(*path);
  if (!in) throw ConfigError("config: cannot read config file '" + *path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return LoadConfigFromString(ss.str(), env);
}

}  // namespace contexten::core
