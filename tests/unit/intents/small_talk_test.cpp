// ClassifySmallTalk (intents/small_talk.hpp): thanks and greetings said whole, nothing else.
#include "intents/small_talk.hpp"

#include <gtest/gtest.h>

#include <string>

namespace contexten::intents {
namespace {

TEST(SmallTalkTest, ThanksInTheWaysPeopleTypeIt) {
  for (const char* text : {"thanks!", "Thanks", "thank you :pray:", "thx", "ty", "Cheers!",
                           "thanks a lot!!", "ok, thanks", "Thanks contexten"}) {
    EXPECT_EQ(ClassifySmallTalk(text), SmallTalk::kThanks) << text;
  }
}

TEST(SmallTalkTest, Greetings) {
  for (const char* text : {"hi", "Hello!", "hey there", "Good morning :wave:", "hi contexten"}) {
    EXPECT_EQ(ClassifySmallTalk(text), SmallTalk::kGreeting) << text;
  }
}

TEST(SmallTalkTest, ARequestOrAnythingLongerIsNotSmallTalk) {
  for (const char* text : {"hi, file a bug in ENG: login fails", "thanks, now close ENG-1",
                           "they said thanks", "", ":wave:", "hello world"}) {
    EXPECT_EQ(ClassifySmallTalk(text), SmallTalk::kNone) << text;
  }
  EXPECT_EQ(ClassifySmallTalk(std::string(200, 'a') + " thanks"), SmallTalk::kNone);
  EXPECT_EQ(ClassifySmallTalk("\xff\xfe thanks \xc3"), SmallTalk::kThanks);  // bytes, not UTF-8
}

}  // namespace
}  // namespace contexten::intents
