#include "workflows/rules/rules.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "workflows/subscriptions/filter.hpp"

namespace contexten::workflows::rules {
namespace {

namespace subs = workflows::subscriptions;
using nlohmann::json;

// A problem at a line of the file; thrown inside the parser only and turned into a Result.
struct RuleError {
  int line = 0;
  std::string message;
};

int LineOf(const YAML::Node& node) { return node.Mark().line + 1; }

[[noreturn]] void Fail(const YAML::Node& node, std::string message) {
  throw RuleError{LineOf(node), std::move(message)};
}

std::string Scalar(const YAML::Node& node, const std::string& what) {
  if (!node.IsScalar()) Fail(node, what + ": expected a text");
  return node.as<std::string>();
}

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The arguments each action takes; the first `required` of them must be given.
struct ActionSpec {
  const char* name;
  std::vector<std::string> args;
  std::size_t required;
  bool performed;
};

const std::vector<ActionSpec>& Actions() {
  static const std::vector<ActionSpec> actions = {
      {"post", {"channel", "text"}, 2, true},
      {"create_issue", {"team", "title", "description"}, 2, true},
      {"comment", {"text"}, 1, true},
      {"move_state", {"state"}, 1, true},
      {"label", {"label"}, 1, false},
      {"assign", {"user"}, 1, false},
      {"rerun", {}, 0, false},
  };
  return actions;
}

std::string ActionNames() {
  std::string out;
  for (const auto& a : Actions()) out += (out.empty() ? "" : ", ") + std::string(a.name);
  return out;
}

RuleStep ParseStep(const YAML::Node& node) {
  if (!node.IsMap() || node.size() != 1) {
    Fail(node, "a step is one action with its arguments, e.g. `- post: {channel: C1, text: hi}`");
  }
  const auto entry = *node.begin();
  RuleStep step;
  step.action = Scalar(entry.first, "step");
  step.line = LineOf(entry.first);
  const auto spec = std::find_if(Actions().begin(), Actions().end(),
                                 [&](const ActionSpec& a) { return step.action == a.name; });
  if (spec == Actions().end()) {
    Fail(entry.first, "unknown step `" + step.action + "`: use " + ActionNames());
  }
  const YAML::Node& args = entry.second;
  if (args && !args.IsNull() && !args.IsMap()) {
    Fail(args, step.action + ": expected its arguments as a map");
  }
  if (args.IsMap()) {
    for (const auto& arg : args) {
      const std::string key = Scalar(arg.first, step.action + " argument");
      if (std::find(spec->args.begin(), spec->args.end(), key) == spec->args.end()) {
        Fail(arg.first, step.action + ": unknown argument `" + key + "`");
      }
      step.args[key] = Scalar(arg.second, step.action + "." + key);
    }
  }
  for (std::size_t i = 0; i < spec->required; ++i) {
    if (!step.args.contains(spec->args[i]) || step.args[spec->args[i]].get<std::string>().empty()) {
      Fail(entry.first, step.action + ": missing `" + spec->args[i] + "`");
    }
  }
  return step;
}

subs::Subscription ParseWhen(const YAML::Node& when) {
  if (!when.IsMap()) Fail(when, "`when` must be a map (github: owner/repo, event: ci, ...)");
  std::vector<std::string> words;
  const YAML::Node github = when["github"];
  const YAML::Node linear = when["linear"];
  if (github && linear) Fail(when, "`when` names both github and linear");
  if (github) {
    words.push_back(Scalar(github, "when.github"));
  } else if (linear) {
    words = {"linear", Scalar(linear, "when.linear")};
  } else {
    Fail(when, "`when` needs `github: owner/repo` or `linear: TEAM`");
  }
  for (const auto& entry : when) {
    const std::string key = Scalar(entry.first, "when key");
    if (key != "github" && key != "linear" && key != "event" && key != "filters") {
      Fail(entry.first, "unknown `when` key `" + key + "`: use github, linear, event, filters");
    }
  }
  if (const YAML::Node event = when["event"]) {
    std::string list;
    if (event.IsSequence()) {
      for (const auto& e : event) list += (list.empty() ? "" : ",") + Scalar(e, "when.event");
    } else {
      list = Scalar(event, "when.event");
    }
    words.push_back(list);
  }
  if (const YAML::Node filters = when["filters"]) {
    for (auto& w : Words(Scalar(filters, "when.filters"))) words.push_back(std::move(w));
  }
  auto parsed = subs::ParseSubscribe(words, "");
  if (!parsed) Fail(when, parsed.error().message);
  // As subscriptions: bot authors are left out unless the filters say +bots.
  return *parsed;
}

RuleSet Parse(const std::string& text) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw RuleError{e.mark.line + 1, e.msg};
  }
  RuleSet set;
  if (!root || root.IsNull()) return set;  // an empty file: no rules
  if (!root.IsMap() || !root["rules"]) Fail(root, "expected `rules:` with a list of rules");
  const YAML::Node rules = root["rules"];
  if (rules.IsNull()) return set;
  if (!rules.IsSequence()) Fail(rules, "`rules` must be a list");
  for (const auto& node : rules) {
    if (!node.IsMap()) Fail(node, "a rule is a map with name, when and then");
    Rule rule;
    rule.line = LineOf(node);
    for (const auto& entry : node) {
      const std::string key = Scalar(entry.first, "rule key");
      if (key != "name" && key != "when" && key != "then") {
        Fail(entry.first, "unknown rule key `" + key + "`: use name, when, then");
      }
    }
    if (!node["name"]) Fail(node, "a rule needs a `name`");
    rule.name = Scalar(node["name"], "name");
    for (const auto& other : set.rules) {
      if (other.name == rule.name) {
        Fail(node["name"], "a second rule named `" + rule.name + "` (the first is at line " +
                               std::to_string(other.line) + ")");
      }
    }
    if (!node["when"]) Fail(node, "rule `" + rule.name + "` needs `when`");
    rule.when = ParseWhen(node["when"]);
    const YAML::Node then = node["then"];
    if (!then || !then.IsSequence() || then.size() == 0) {
      Fail(then ? then : node, "rule `" + rule.name + "` needs `then`: a list of steps");
    }
    for (const auto& step : then) rule.then.push_back(ParseStep(step));
    set.rules.push_back(std::move(rule));
  }
  return set;
}

}  // namespace

bool IsPerformed(const std::string& action) {
  for (const auto& a : Actions()) {
    if (action == a.name) return a.performed;
  }
  return false;
}

core::Result<RuleSet> ParseRules(const std::string& yaml, const std::string& file_name) {
  try {
    return Parse(yaml);
  } catch (const RuleError& e) {
    return core::MakeError(core::ErrorKind::kInvalidInput,
                           file_name + ":" + std::to_string(e.line) + ": " + e.message);
  } catch (const YAML::Exception& e) {
    return core::MakeError(core::ErrorKind::kInvalidInput,
                           file_name + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

core::Result<RuleSet> LoadRulesFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return core::MakeError(core::ErrorKind::kNotFound, "cannot read rules file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return ParseRules(text.str(), path);
}

std::vector<const Rule*> Matching(const RuleSet& rules, const subs::FeedEvent& event) {
  std::vector<const Rule*> out;
  for (const auto& rule : rules.rules) {
    // Rules are stateless: CI recoveries need the feed's memory and are not seen here.
    if (subs::Match(rule.when, event, {}).post) out.push_back(&rule);
  }
  return out;
}

std::string Fill(const std::string& text, const subs::FeedEvent& event) {
  const std::pair<const char*, const std::string*> fields[] = {
      {"{title}", &event.title},   {"{url}", &event.url},       {"{line}", &event.line},
      {"{author}", &event.author}, {"{target}", &event.target}, {"{entity}", &event.entity_key}};
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (const auto& [name, value] : fields) {
      const std::string_view n(name);
      if (text.compare(i, n.size(), n) == 0) {
        out += *value;
        i += n.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

core::Status RuleBook::Reload() {
  const std::string path = this->path();
  if (path.empty()) return core::Ok();
  return LoadFrom(path);
}

core::Status RuleBook::LoadFrom(const std::string& path) {
  auto loaded = LoadRulesFile(path);
  if (!loaded) return core::Unexpected(loaded.error());  // the rules in force stay
  auto next = std::make_shared<const RuleSet>(std::move(*loaded));
  std::lock_guard lock(mu_);
  path_ = path;
  current_ = std::move(next);
  return core::Ok();
}

std::shared_ptr<const RuleSet> RuleBook::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

std::string RuleBook::path() const {
  std::lock_guard lock(mu_);
  return path_;
}

}  // namespace contexten::workflows::rules
