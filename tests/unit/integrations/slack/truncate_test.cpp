#include "integrations/slack/block_kit/truncate.hpp"

#include <gtest/gtest.h>

#include <string>

namespace contexten::integrations::slack::blocks {
namespace {

// True when `s` is well-formed UTF-8 (no split sequences).
bool IsValidUtf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80           ? 1
                    : (c >> 5) == 0x6  ? 2
                    : (c >> 4) == 0xE  ? 3
                    : (c >> 3) == 0x1E ? 4
                                       : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

TEST(CountCharsTest, CountsCodePointsNotBytes) {
  EXPECT_EQ(CountChars(""), 0u);
  EXPECT_EQ(CountChars("abc"), 3u);
  EXPECT_EQ(CountChars("h\u00e9llo"), 5u);            // é is 2 bytes
  EXPECT_EQ(CountChars("\u65e5\u672c\u8a9e"), 3u);    // 日本語, 3 bytes each
  EXPECT_EQ(CountChars("\U0001F600\U0001F680"), 2u);  // 😀🚀, 4 bytes each
}

TEST(CountCharsTest, InvalidBytesCountOneEach) {
  EXPECT_EQ(CountChars(std::string("a\xff\xfe", 3)), 3u);
  EXPECT_EQ(CountChars(std::string("\xe6\x97", 2)), 2u);  // truncated 3-byte sequence
}

TEST(TruncateUtf8Test, ReturnsTextThatAlreadyFits) {
  EXPECT_EQ(TruncateUtf8("hello", 5), "hello");
  EXPECT_EQ(TruncateUtf8("hello", 50), "hello");
}

TEST(TruncateUtf8Test, CutsAtCodePointBoundaryForEmojiAndCjk) {
  const std::string emoji = "\U0001F600\U0001F680\U0001F389";  // 😀🚀🎉
  EXPECT_EQ(TruncateUtf8(emoji, 2), "\U0001F600\U0001F680");
  const std::string cjk = "\u65e5\u672c\u8a9e\u306e\u6587";  // 日本語の文
  for (std::size_t n = 0; n <= 5; ++n) {
    const std::string cut = TruncateUtf8(cjk, n);
    EXPECT_TRUE(IsValidUtf8(cut)) << n;
    EXPECT_EQ(CountChars(cut), n);
  }
}

TEST(TruncateUtf8Test, DoesNotStripSkinToneOrJoinerFromItsBase) {
  // 👍🏽 is U+1F44D U+1F3FD; cutting after the first code point would drop the skin tone.
  const std::string thumbs = "ok \U0001F44D\U0001F3FD";
  EXPECT_EQ(TruncateUtf8(thumbs, 4), "ok ");
  // 👩‍💻 is U+1F469 U+200D U+1F4BB: never end on the joiner or before it.
  const std::string coder = "\U0001F469\u200D\U0001F4BB!";
  EXPECT_EQ(TruncateUtf8(coder, 2), "");
  EXPECT_EQ(TruncateUtf8(coder, 1), "");
  EXPECT_EQ(TruncateUtf8(coder, 3), "\U0001F469\u200D\U0001F4BB");
}

TEST(TruncateForSlackTest, LeavesShortTextAlone) {
  EXPECT_EQ(TruncateForSlack("Login crash", 24), "Login crash");
  EXPECT_EQ(TruncateForSlack("exactly ten", 11), "exactly ten");
}

TEST(TruncateForSlackTest, CutsAtLastSpaceAndFitsWithEllipsis) {
  const std::string title = "Login crashes when the password contains emoji";
  const std::string cut = TruncateForSlack(title, 24);
  EXPECT_EQ(cut, "Login crashes when the\u2026");
  EXPECT_LE(CountChars(cut), 24u);
}

TEST(TruncateForSlackTest, KeepsWholeWordWhenCutFallsOnBoundary) {
  // Budget is 9 characters ("one two t" would split "three"; "one two" is the word cut).
  EXPECT_EQ(TruncateForSlack("one two three", 10), "one two\u2026");
  // The 7th character is a space: the prefix "one two" ends exactly at a word.
  EXPECT_EQ(TruncateForSlack("one two three", 8), "one two\u2026");
}

TEST(TruncateForSlackTest, HardCutsAWordLongerThanTheWindow) {
  const std::string url = "see https://example.com/" + std::string(200, 'a');
  const std::string cut = TruncateForSlack(url, 100);
  EXPECT_EQ(CountChars(cut), 100u);
  EXPECT_EQ(cut.substr(0, 4), "see ");
  EXPECT_EQ(cut.substr(cut.size() - 3), "\u2026");
}

TEST(TruncateForSlackTest, NeverSplitsMultibyteCharacters) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "\U0001F600\u65e5 ";  // emoji, CJK, space
  for (std::size_t max = 1; max < 60; ++max) {
    const std::string cut = TruncateForSlack(text, max);
    EXPECT_TRUE(IsValidUtf8(cut)) << max;
    EXPECT_LE(CountChars(cut), max) << max;
  }
}

TEST(TruncateForSlackTest, CjkWithoutSpacesCutsAtCharacter) {
  const std::string cjk =
      "\u6f22\u5b57\u306e\u30bf\u30a4\u30c8\u30eb\u304c\u9577\u3059\u304e\u308b";
  const std::string cut = TruncateForSlack(cjk, 6);
  EXPECT_EQ(cut, "\u6f22\u5b57\u306e\u30bf\u30a4\u2026");
}

TEST(TruncateForSlackTest, CustomEllipsisIsCountedAndTooLongEllipsisFallsBackToHardCut) {
  const std::string cut = TruncateForSlack("alpha beta gamma delta", 15, " [more]");
  EXPECT_EQ(cut, "alpha [more]");
  EXPECT_LE(CountChars(cut), 15u);
  EXPECT_EQ(TruncateForSlack("abcdef", 3, "....."), "abc");
}

}  // namespace
}  // namespace contexten::integrations::slack::blocks
