#pragma once
// Rules: a YAML file of `when` an event matches a filter, `then` steps from the workflow
// vocabulary (issue 10). Loaded at start, on SIGHUP and on `/ctx rules reload`; validated with
// errors naming the file and line (yaml-cpp's Mark); a bad file keeps the rules in force.
//
//   rules:
//     - name: main is red
//       when:
//         github: acme/web          # or `linear: ENG`
//         event: ci                 # one feature or a list (subscription feature names)
//         filters: branch:main ci:failures -author:dependabot[bot]   # subscription filters
//       then:
//         - post: {channel: C123, text: "CI failed: {title} {url}"}
//         - create_issue: {team: ENG, title: "CI red on main", description: "{line}"}
//         - comment: {text: "..."}            # on the event's Linear issue
//         - move_state: {state: In Progress}  # the event's Linear issue
//         - label: {label: bug}               # GitHub steps: validated, not performed yet
//         - assign: {user: octocat}
//         - rerun: {}
// Text arguments may name {title}, {url}, {line}, {author}, {target} and {entity} of the event.

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "workflows/subscriptions/feed_event.hpp"
#include "workflows/subscriptions/subscription.hpp"

namespace contexten::workflows::rules {

struct RuleStep {
  std::string action;  // post | create_issue | comment | move_state | label | assign | rerun
  nlohmann::json args = nlohmann::json::object();
  int line = 0;  // 1-based, in the rules file
};

struct Rule {
  std::string name;
  int line = 0;
  subscriptions::Subscription when;  // platform, target, features (events) and filters
  std::vector<RuleStep> then;
};

struct RuleSet {
  std::vector<Rule> rules;
};

// The actions this build performs; the others are validated and reported as not yet performed
// (they need the GitHub executor).
bool IsPerformed(const std::string& action);

// kInvalidInput "<file>:<line>: <what>" for the first problem found.
core::Result<RuleSet> ParseRules(const std::string& yaml, const std::string& file_name);
core::Result<RuleSet> LoadRulesFile(const std::string& path);

// The rules whose `when` matches `event` (the rule sees each event on its own: no memory).
std::vector<const Rule*> Matching(const RuleSet& rules, const subscriptions::FeedEvent& event);

// `text` with {title}, {url}, {line}, {author}, {target}, {entity} filled in from `event`.
std::string Fill(const std::string& text, const subscriptions::FeedEvent& event);

// The rules in force, swapped whole: a reader holds the set it got for as long as it needs it,
// so a reload never drops or half-applies an event being evaluated.
class RuleBook {
 public:
  explicit RuleBook(std::string path = "") : path_(std::move(path)) {}
  // The file given at construction; ok and empty with no path.
  core::Status Reload();
  core::Status LoadFrom(const std::string& path);
  std::shared_ptr<const RuleSet> Current() const;
  std::string path() const;

 private:
  mutable std::mutex mu_;
  std::string path_;
  std::shared_ptr<const RuleSet> current_ = std::make_shared<RuleSet>();
};

}  // namespace contexten::workflows::rules
