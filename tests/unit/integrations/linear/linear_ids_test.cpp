#include "integrations/linear/linear_ids.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

namespace contexten::integrations::linear {
namespace {

// 8-4-4-4-12 lower-case hex, version 4, RFC 4122 variant: what Linear's "UUID v4 format" asks.
const std::regex kV4Shape("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");

TEST(LinearIdsTest, UuidFromKeyIsStableAcrossCallsAndProcesses) {
  const std::string id = UuidFromKey("run-7/step-1");
  EXPECT_EQ(UuidFromKey("run-7/step-1"), id);
  // Pinned: a retry after a restart (another process, another build) must derive the same id.
  EXPECT_EQ(id, "8a4df0e0-997c-44d0-a59e-9cb78b58b5ee");
  EXPECT_TRUE(std::regex_match(id, kV4Shape)) << id;
}

TEST(LinearIdsTest, DifferentKeysGiveDifferentWellFormedIds) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = UuidFromKey("run-1/step-" + std::to_string(i));
    EXPECT_TRUE(std::regex_match(id, kV4Shape)) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_NE(UuidFromKey(""), UuidFromKey(" "));
}

TEST(LinearIdsTest, RandomIdsHaveTheSameShape) {
  const std::string a = NewLinearUuid();
  EXPECT_TRUE(std::regex_match(a, kV4Shape)) << a;
  EXPECT_NE(a, NewLinearUuid());
}

}  // namespace
}  // namespace contexten::integrations::linear
