// The labelled corpus keeps the shape the evaluation relies on: every intent of the vocabulary
// phrased many ways, plenty of chatter, every source, and a held-out slice.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "intents/understanding.hpp"

namespace contexten::intents {
namespace {

struct Shape {
  std::size_t lines = 0;
  std::map<std::string, std::size_t> intents, sources;
  std::size_t with_thread_issue = 0;
};

Shape Read(const std::string& name) {
  std::ifstream in(std::string(CONTEXTEN_SOURCE_DIR) + "/tests/data/intents/" + name);
  EXPECT_TRUE(in) << name;
  Shape shape;
  std::string line;
  while (std::getline(in, line)) {
    const auto row = nlohmann::json::parse(line, nullptr, false);
    EXPECT_TRUE(row.is_object() && row.contains("text") && row.contains("intent") &&
                row["entities"].is_object())
        << name << ": " << line;
    if (!row.is_object()) continue;
    ++shape.lines;
    ++shape.intents[row.value("intent", "")];
    ++shape.sources[row.value("source", "mention")];
    if (row.contains("thread_issue")) ++shape.with_thread_issue;
    EXPECT_TRUE(SourceFromName(row.value("source", "mention"))) << line;
  }
  return shape;
}

TEST(IntentCorpusTest, CoversTheVocabularyManyWays) {
  const Shape corpus = Read("corpus.jsonl");
  EXPECT_GE(corpus.lines, 320u);
  for (const auto intent : kVocabulary) {
    EXPECT_GE(
        corpus.intents.count(std::string(intent)) ? corpus.intents.at(std::string(intent)) : 0,
        intent == "none" ? 40u : 10u)
        << intent;
  }
  for (const char* source : {"command", "mention", "dm", "thread"}) {
    EXPECT_GE(corpus.sources.count(source) ? corpus.sources.at(source) : 0, 40u) << source;
  }
  EXPECT_GE(corpus.with_thread_issue, 40u);
}

TEST(IntentCorpusTest, HasAHeldOutSlice) { EXPECT_GE(Read("heldout.jsonl").lines, 60u); }

}  // namespace
}  // namespace contexten::intents
