#include "intents/text.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

namespace contexten::intents {
namespace {

TEST(SanitizeUtf8Test, KeepsValidTextDropsInvalidBytesAndNuls) {
  EXPECT_EQ(SanitizeUtf8("caf\u00e9 \u201cok\u201d \U0001F680", 100),
            "caf\u00e9 \u201cok\u201d \U0001F680");
  EXPECT_EQ(SanitizeUtf8(std::string("a\0b", 3), 100), "ab");
  EXPECT_EQ(SanitizeUtf8("a\xff"
                         "b\xc3\x28"
                         "c",
                         100),
            "ab(c");
  EXPECT_EQ(SanitizeUtf8("\xed\xa0\x80x", 100), "x");  // surrogate
  EXPECT_EQ(SanitizeUtf8("\xc0\xaf"
                         "x",
                         100),
            "x");  // overlong '/'
  EXPECT_EQ(SanitizeUtf8("a\x01\x7f"
                         "b\nc\td",
                         100),
            "a  b\nc\td");
  // Cut at a character boundary, never inside one.
  EXPECT_EQ(SanitizeUtf8("ab\u00e9", 3), "ab");
  EXPECT_NO_THROW((void)nlohmann::json(SanitizeUtf8("\xe2\x82\xf0\x9f", 100)).dump());
}

TEST(EditDistanceTest, CountsTranspositionsAsOneAndStopsAtTheBound) {
  EXPECT_EQ(EditDistance("close", "close", 2), 0u);
  EXPECT_EQ(EditDistance("clsoe", "close", 2), 1u);
  EXPECT_EQ(EditDistance("isue", "issue", 2), 1u);
  EXPECT_EQ(EditDistance("kitten", "sitting", 5), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting", 1), 2u);  // bound + 1
  EXPECT_EQ(EditDistance("a", "abcdefgh", 2), 3u);
  EXPECT_EQ(TypoBudget("lnk"), 0u);
  EXPECT_EQ(TypoBudget("close"), 1u);
  EXPECT_EQ(TypoBudget("subscribe"), 2u);
}

TEST(EditDistanceTest, WordsLongerThanTheInlineRowsGiveTheSameDistances) {
  const std::string base(100, 'a');
  std::string swapped = base;
  swapped[50] = 'b';
  swapped[51] = 'c';
  std::string transposed = swapped;
  std::swap(transposed[50], transposed[51]);
  EXPECT_EQ(EditDistance(base, base, 2), 0u);
  EXPECT_EQ(EditDistance(swapped, transposed, 2), 1u);
  EXPECT_EQ(EditDistance(base, swapped, 3), 2u);
  EXPECT_EQ(EditDistance(base + "xyz", base, 2), 3u);  // over the bound: bound + 1
}

TEST(ShapesTest, TypedArguments) {
  EXPECT_EQ(AsIssueId("eng-12", false), "ENG-12");
  EXPECT_FALSE(AsIssueId("eng-12", true));
  EXPECT_FALSE(AsIssueId("ENG-", false));
  EXPECT_FALSE(AsIssueId("12-34", false));
  EXPECT_TRUE(IsRepo("acme/web.js"));
  EXPECT_FALSE(IsRepo("acme/web/extra"));
  EXPECT_FALSE(IsRepo("/web"));
  EXPECT_TRUE(IsPrRef("acme/web#12"));
  EXPECT_FALSE(IsPrRef("acme/web#"));
  EXPECT_EQ(AsUserMention("<@U123|alice>"), "U123");
  EXPECT_EQ(AsUserMention("<@U123>"), "U123");
  EXPECT_FALSE(AsUserMention("<#C1|x>"));
  EXPECT_EQ(AsChannelMention("<#C1|eng>"), "C1");
  EXPECT_TRUE(IsTeamKey("ENG2", true));
  EXPECT_FALSE(IsTeamKey("Eng", true));
  EXPECT_FALSE(IsTeamKey("TOOLONGTEAMKEY", false));
  EXPECT_EQ(NormalizePriority("URGENT"), "urgent");
  EXPECT_EQ(NormalizePriority("2"), "high");
  EXPECT_EQ(NormalizePriority("soon"), "");
}

}  // namespace
}  // namespace contexten::intents
