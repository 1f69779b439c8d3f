// The rules file: validation with the offending line, matching, and reloads that swap the rules
// whole (a bad file keeps the rules in force; events evaluated meanwhile are never dropped).

#include "workflows/rules/rules.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "tests/support/temp_dir.hpp"
#include "workflows/rules/rule_workflow.hpp"

namespace contexten::workflows::rules {
namespace {

namespace subs = workflows::subscriptions;
namespace effects = engine::effects;

constexpr char kGood[] = R"(rules:
  - name: main is red
    when:
      github: acme/web
      event: ci
      filters: branch:main ci:failures
    then:
      - post: {channel: C9, text: "CI failed: {title}"}
      - create_issue: {team: ENG, title: "CI red on {target}", description: "{url}"}
      - rerun: {}
  - name: urgent bugs
    when:
      linear: ENG
      event: [created]
      filters: priority>=high
    then:
      - comment: {text: "Triaged automatically"}
      - move_state: {state: Todo}
)";

subs::FeedEvent CiFailure(std::string branch = "main") {
  subs::FeedEvent e;
  e.platform = subs::kGitHub;
  e.target = "acme/web";
  e.feature = "ci";
  e.entity_key = "github_ci:acme/web/CI@" + branch;
  e.branch = std::move(branch);
  e.conclusion = "failure";
  e.title = "CI on acme/web@main";
  e.url = "https://github.com/acme/web/actions/runs/1";
  return e;
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

TEST(RulesTest, AGoodFileParsesIntoRulesWithTheirSteps) {
  auto set = ParseRules(kGood, "rules.yaml");
  ASSERT_TRUE(set.has_value()) << set.error().message;
  ASSERT_EQ(set->rules.size(), 2u);
  const Rule& red = set->rules[0];
  EXPECT_EQ(red.name, "main is red");
  EXPECT_EQ(red.line, 2);
  EXPECT_EQ(red.when.target, "acme/web");
  EXPECT_TRUE(red.when.filters.ci_failures_only);
  ASSERT_EQ(red.then.size(), 3u);
  EXPECT_EQ(red.then[0].action, "post");
  EXPECT_EQ(red.then[0].args["channel"], "C9");
  EXPECT_EQ(red.then[0].line, 8);
  EXPECT_FALSE(IsPerformed("rerun"));
  EXPECT_TRUE(IsPerformed("create_issue"));
  EXPECT_EQ(set->rules[1].when.platform, subs::kLinear);
  EXPECT_EQ(set->rules[1].when.filters.min_priority, 2);
}

TEST(RulesTest, ErrorsNameTheLine) {
  struct Case {
    std::string yaml;
    std::string expected;  // a prefix of the error
  };
  const std::vector<Case> cases = {
      // An unknown step, on line 6.
      {"rules:\n  - name: a\n    when:\n      github: acme/web\n    then:\n      - shout: {}\n",
       "rules.yaml:6: unknown step `shout`"},
      // A filter the subscription grammar does not know, in the `when` on line 4.
      {"rules:\n  - name: a\n    when:\n      github: acme/web\n      filters: +lable:x\n"
       "    then:\n      - rerun: {}\n",
       "rules.yaml:4: Unknown filter `+lable:x`"},
      // A YAML syntax error (an unclosed flow map) on line 3.
      {"rules:\n  - name: a\n    when: {github: acme/web\n", "rules.yaml:"},
      // A step without its required argument, line 6.
      {"rules:\n  - name: a\n    when:\n      github: acme/web\n    then:\n      - post: {text: "
       "hi}\n",
       "rules.yaml:6: post: missing `channel`"},
      // No then.
      {"rules:\n  - name: a\n    when:\n      github: acme/web\n", "rules.yaml:2: rule `a` needs"},
  };
  for (const auto& c : cases) {
    auto set = ParseRules(c.yaml, "rules.yaml");
    ASSERT_FALSE(set.has_value()) << c.yaml;
    EXPECT_EQ(set.error().message.rfind(c.expected, 0), 0u)
        << "got: " << set.error().message << "\nfor:\n"
        << c.yaml;
  }
  // The syntax error's line is the line YAML reports, not 0.
  auto syntax = ParseRules("rules:\n  - name: a\n    when: {github: acme/web\n", "rules.yaml");
  ASSERT_FALSE(syntax.has_value());
  EXPECT_EQ(syntax.error().message.find("rules.yaml:0"), std::string::npos);
}

TEST(RulesTest, ABadFileKeepsTheRulesInForce) {
  testing::TempDir dir;
  const std::string path = dir.File("rules.yaml");
  Write(path, kGood);
  RuleBook book(path);
  ASSERT_TRUE(book.Reload().has_value());
  const auto before = book.Current();
  Write(path,
        "rules:\n  - name: a\n    when:\n      github: acme/web\n    then:\n      - shout: {}\n");
  auto reloaded = book.Reload();
  ASSERT_FALSE(reloaded.has_value());
  EXPECT_NE(reloaded.error().message.find(":6:"), std::string::npos) << reloaded.error().message;
  EXPECT_EQ(book.Current(), before);
  EXPECT_EQ(book.Current()->rules.size(), 2u);
}

TEST(RulesTest, MatchingUsesTheSubscriptionFilters) {
  auto set = ParseRules(kGood, "rules.yaml");
  ASSERT_TRUE(set.has_value());
  ASSERT_EQ(Matching(*set, CiFailure()).size(), 1u);
  EXPECT_TRUE(Matching(*set, CiFailure("feature-x")).empty());  // branch:main
  auto passed = CiFailure();
  passed.conclusion = "success";
  EXPECT_TRUE(Matching(*set, passed).empty());  // ci:failures
  EXPECT_EQ(Fill("{title} at {url}!", CiFailure()),
            "CI on acme/web@main at https://github.com/acme/web/actions/runs/1!");
}

TEST(RulesTest, AReloadSwapsTheRulesWithoutDroppingAnEventBeingEvaluated) {
  testing::TempDir dir;
  const std::string path = dir.File("rules.yaml");
  // Two files, each with one rule for the same event under another name.
  const std::string a =
      "rules:\n  - name: first\n    when: {github: acme/web, event: ci}\n    then:\n"
      "      - post: {channel: C1, text: a}\n";
  const std::string b =
      "rules:\n  - name: second\n    when: {github: acme/web, event: ci}\n    then:\n"
      "      - post: {channel: C1, text: b}\n";
  Write(path, a);
  RuleBook book(path);
  ASSERT_TRUE(book.Reload().has_value());
  std::atomic<bool> stop{false};
  std::atomic<int> evaluated{0};
  std::atomic<int> dropped{0};
  std::thread reader([&] {
    while (!stop) {
      const auto rules = book.Current();
      if (Matching(*rules, CiFailure()).size() != 1) ++dropped;
      ++evaluated;
    }
  });
  for (int i = 0; i < 200; ++i) {
    Write(path, i % 2 == 0 ? b : a);
    ASSERT_TRUE(book.Reload().has_value());
  }
  while (evaluated < 1000) std::this_thread::yield();
  stop = true;
  reader.join();
  EXPECT_EQ(dropped, 0);
  EXPECT_EQ(book.Current()->rules[0].name, "first");  // the last file loaded (i = 199: a)
}

TEST(RulesTest, TheExampleFileLoads) {
  auto set = LoadRulesFile(std::string(CONTEXTEN_SOURCE_DIR) + "/deploy/rules.example.yaml");
  ASSERT_TRUE(set.has_value()) << set.error().message;
  EXPECT_EQ(set->rules.size(), 2u);
}

TEST(RuleWorkflowTest, PerformsThePostAndIssueStepsAndReportsGitHubStepsAsNotYet) {
  auto set = ParseRules(kGood, "rules.yaml");
  ASSERT_TRUE(set.has_value());
  const Rule& rule = set->rules[0];
  RuleWorkflow workflow;
  const std::string run = RuleRunId(rule, "d1", CiFailure().entity_key);
  auto d = workflow.Decide({run, 1}, nullptr, MakeRuleStart(rule, CiFailure()));
  ASSERT_EQ(d.effects.size(), 2u);
  const auto& post = std::get<effects::SlackPostMessage>(d.effects[0].action);
  EXPECT_EQ(post.channel, "C9");
  EXPECT_EQ(post.text, "CI failed: CI on acme/web@main");
  const auto& create = std::get<effects::LinearCreateIssue>(d.effects[1].action);
  EXPECT_EQ(create.team_key, "ENG");
  EXPECT_EQ(create.title, "CI red on acme/web");
  EXPECT_EQ(create.id.size(), 36u);
  EXPECT_NE(d.note.find("rerun not yet performed"), std::string::npos) << d.note;
  // Both effects done: the run completes.
  auto one = workflow.Decide({run, 2}, d.state, {engine::kEffectDone, {{"step", "step-0"}}, "e1"});
  EXPECT_EQ(one.outcome, engine::Decision::Outcome::kContinue);
  auto two =
      workflow.Decide({run, 3}, one.state, {engine::kEffectDone, {{"step", "step-1"}}, "e2"});
  EXPECT_EQ(two.outcome, engine::Decision::Outcome::kCompleted);
}

TEST(RuleWorkflowTest, LinearStepsActOnTheEventsIssue) {
  auto set = ParseRules(kGood, "rules.yaml");
  ASSERT_TRUE(set.has_value());
  subs::FeedEvent created;
  created.platform = subs::kLinear;
  created.target = "ENG";
  created.feature = "created";
  created.entity_key = "linear_issue:ENG-7";
  created.priority = 1;
  const Rule& rule = set->rules[1];
  ASSERT_EQ(Matching(*set, created).size(), 1u);
  RuleWorkflow workflow;
  auto d = workflow.Decide({RuleRunId(rule, "d1", created.entity_key), 1}, nullptr,
                           MakeRuleStart(rule, created));
  ASSERT_EQ(d.effects.size(), 2u);
  EXPECT_EQ(std::get<effects::LinearCreateComment>(d.effects[0].action).issue_id, "ENG-7");
  const auto& move = std::get<effects::LinearUpdateIssue>(d.effects[1].action);
  EXPECT_EQ(move.issue_id, "ENG-7");
  EXPECT_EQ(move.state_name, "Todo");
  EXPECT_EQ(move.team_key, "ENG");
}

}  // namespace
}  // namespace contexten::workflows::rules
