#pragma once
// Configuration: YAML file, then environment overrides, then `NAME_FILE` secrets. Problems are
// reported as ConfigError whose message names the key, thrown at startup (fail fast).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace contexten::core {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LogConfig {
  std::string level = "info";
  std::string format = "text";
};

struct HttpConfig {
  std::string bind = "0.0.0.0";
  int port = 8080;  // /healthz, /readyz, webhooks; 0 picks a free port
  std::size_t body_limit = 1024 * 1024;
};

struct StoreConfig {
  std::string path = "contexten.db";  // the SQLite engine (the default)
  // Set: the PostgreSQL engine instead, e.g. postgresql://contexten@db/contexten (store.url or
  // store.url_file; a secret, since it may hold a password). Several replicas may share it.
  std::string url;
  std::string schema;      // optional PostgreSQL schema for the tables
  std::string replica_id;  // this replica among several (default: the host name)
  int lease_seconds = 60;  // a claimed effect or timer of a replica that died is taken over after
  int pool_size = 8;       // PostgreSQL connections

  bool postgres() const { return !url.empty(); }
};

struct SlackConfig {
  std::string api_url = "https://slack.com/api";
  std::string app_token;       // xapp-..., Socket Mode
  std::string bot_token;       // xoxb-..., Web API
  std::string signing_secret;  // HTTP mode request signing
  std::string command = "/ctx";
  int connections = 2;
  std::string ops_channel;
};

struct GitHubConfig {
  std::string api_url = "https://api.github.com";
  std::string token;  // personal token; or the three GitHub App settings below
  std::string app_id;
  std::string app_private_key;  // PEM
  std::int64_t app_installation_id = 0;
  std::string webhook_secret;
  // Workflows (DESIGN.md §1): where CI failure alerts on default branches go (empty: none), the
  // Linear team [Create Linear issue] files in (empty: linear.default_team), the workflow file
  // `/ctx deploy` dispatches, and how long a deploy request waits for its confirmation.
  std::string alerts_channel;
  std::string linear_team;
  std::string deploy_workflow = "deploy.yml";
  int deploy_expiry_seconds = 600;

  bool has_app() const { return !app_id.empty(); }
  bool has_credentials() const { return !token.empty() || has_app(); }
};

struct LinearConfig {
  std::string api_url = "https://api.linear.app";
  // The team the "New issue" form offers first (a team key like "ENG"); empty: none.
  std::string default_team;
  std::string api_key;
  std::string webhook_secret;

  bool has_credentials() const { return !api_key.empty(); }
};

// Who may run what (../shared/DESIGN.md §1). A command with no rule is open to everyone; one with
// a rule admits a person only when every non-empty list admits them (user id in `users`, the
// channel asked from in `channels`). Admins pass every rule and may read the audit log.
struct AccessRule {
  std::vector<std::string> users;       // Slack user ids (U...)
  std::vector<std::string> usergroups;  // Slack user group ids (S...): their members are in too
  std::vector<std::string> channels;    // Slack channel ids (C..., D...)
};

struct AccessConfig {
  std::vector<std::string> admins;             // Slack user ids
  std::map<std::string, AccessRule> commands;  // by command/intent name: close, deploy, ...
};

struct ConversationConfig {
  // Below this confidence the bot asks ("Did you mean ...? [Yes] [No]") instead of acting.
  double confidence_threshold = 0.7;  // intents::kAskBelow: where the parser stops being sure
  // A question the bot asked (confirm, did-you-mean, which team) that nobody answered in this
  // time is closed: its buttons are removed and nothing happens. A "yes" next week would act on
  // a world that has moved on.
  int question_ttl_minutes = 15;
};

struct RulesConfig {
  // A YAML rules file (workflows/rules/rules.hpp), read at start, on SIGHUP and on
  // `/ctx rules reload`; empty: no rules.
  std::string file;
};

struct IdentityConfig {
  std::map<std::string, std::string> github_logins;  // Slack user id -> GitHub login
};

// The health monitor and incidents (workflows/health/): how often to sample, when a problem is
// posted, reminded and escalated, and the thresholds of each check.
struct HealthConfig {
  int sample_seconds = 5;
  int grouping_delay_seconds = 30;  // a problem that heals within it is never posted
  int reminder_minutes = 240;       // at most one reminder this often, in the thread
  int oncall_after_minutes = 30;    // unacknowledged this long: mention oncall_group
  std::string oncall_group;         // Slack user group id (S...); empty: nobody is mentioned
  int failures_open = 3;            // calls in a row that failed: the integration is down
  int outbox_depth = 1000;
  int outbox_age_minutes = 15;
  int inbox_depth = 1000;
  int inbox_age_minutes = 5;
  int webhook_silence_minutes = 60;  // no GitHub/Linear webhook this long while configured; 0 off
  int wal_megabytes = 256;
};

struct Config {
  LogConfig log;
  HttpConfig http;
  StoreConfig store;
  std::string ca_file;  // trust this PEM bundle instead of the system CAs
  SlackConfig slack;
  GitHubConfig github;
  LinearConfig linear;
  ConversationConfig conversation;
  AccessConfig access;
  IdentityConfig identity;
  HealthConfig health;
  RulesConfig rules;

  bool has_slack_tokens() const { return !slack.app_token.empty() || !slack.bot_token.empty(); }
  // Every secret value present, to register with the log redactor.
  std::vector<std::string> Secrets() const;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup ProcessEnv();

// Loads `path` (if given; a missing file is an error), applies environment overrides and
// validates. Throws ConfigError.
Config LoadConfig(const std::optional<std::string>& path, const EnvLookup& env = ProcessEnv());
// Same, from YAML text (tests, `check-config` on stdin).
Config LoadConfigFromString(const std::string& yaml, const EnvLookup& env);

// The environment variables that override keys, for the README and `--help`.
struct EnvOverride {
  const char* variable;
  const char* key;
  bool secret;
};
const std::vector<EnvOverride>& EnvOverrides();

}  // namespace contexten::core
