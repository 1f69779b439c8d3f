#include "bot/intents_tool.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/temp_dir.hpp"

namespace contexten::bot {
namespace {

using nlohmann::json;

struct Run {
  int status = 0;
  std::string out, err;
};

Run RunTool(const IntentsToolOptions& options, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  Run run;
  run.status = RunIntentsTool(options, in, out, err);
  run.out = out.str();
  run.err = err.str();
  return run;
}

std::string WriteCorpus(const testing::TempDir& dir, const std::string& lines) {
  const std::string path = dir.File("corpus.jsonl");
  std::ofstream(path) << lines;
  return path;
}

TEST(IntentsToolTest, PrintsOneJsonObjectPerLine) {
  IntentsToolOptions options;
  options.source = "thread";
  options.thread_issue = "ENG-1";
  const auto run = RunTool(options, "close it\nthanks!\n\xff\xfe\n");
  ASSERT_EQ(run.status, 0) << run.err;
  std::istringstream lines(run.out);
  std::string line;
  std::vector<json> rows;
  while (std::getline(lines, line)) rows.push_back(json::parse(line));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["text"], "close it");
  EXPECT_EQ(rows[0]["intent"], "close");
  EXPECT_EQ(rows[0]["entities"], (json{{"issue", "ENG-1"}}));
  EXPECT_TRUE(rows[0]["confidence"].is_number());
  EXPECT_EQ(rows[1]["intent"], "none");
  EXPECT_EQ(rows[2]["text"], "");  // invalid UTF-8 is dropped, not echoed
}

TEST(IntentsToolTest, EvalScoresIntentsAndEntityPairsWithListsAsSets) {
  testing::TempDir dir;
  IntentsToolOptions options;
  options.eval_path = WriteCorpus(
      dir,
      // right intent, entities right (labels in another order, title in another case)
      R"({"text":"issue create ENG Login Fails labels:a,b","source":"command","intent":"create_issue","entities":{"team":"ENG","title":"login fails","labels":["b","a"]}})"
      "\n"
      // right intent, one entity wrong
      R"({"text":"close it","source":"thread","thread_issue":"ENG-2","intent":"close","entities":{"issue":"ENG-3"}})"
      "\n"
      // wrong intent
      R"({"text":"thanks!","intent":"help","entities":{}})"
      "\n");
  const auto run = RunTool(options);
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("intent accuracy 0.6667 (2/3)"), std::string::npos) << run.out;
  // Labelled: team, title, labels=a, labels=b, issue=ENG-3; found the same five with
  // issue=ENG-2 instead: 4 right.
  EXPECT_NE(run.out.find("(4 right of 5 found, 5 labelled)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("help -> none  1"), std::string::npos) << run.out;

  options.min_accuracy = 0.95;
  const auto gated = RunTool(options);
  EXPECT_EQ(gated.status, 1);
  EXPECT_NE(gated.err.find("below 0.95"), std::string::npos) << gated.err;

  options.min_accuracy = 0.5;
  options.min_f1 = 0.9;
  EXPECT_EQ(RunTool(options).status, 1);
  options.min_f1 = 0.7;
  EXPECT_EQ(RunTool(options).status, 0);
}

TEST(IntentsToolTest, BadInputIsAUsageError) {
  testing::TempDir dir;
  IntentsToolOptions options;
  options.eval_path = WriteCorpus(dir, "not json\n");
  EXPECT_EQ(RunTool(options).status, 2);
  options.eval_path = dir.File("missing.jsonl");
  EXPECT_EQ(RunTool(options).status, 2);
  options.eval_path.clear();
  options.source = "pigeon";
  EXPECT_EQ(RunTool(options, "hi").status, 2);
}

}  // namespace
}  // namespace contexten::bot
