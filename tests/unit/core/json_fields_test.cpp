#include "core/json_fields.hpp"

#include <gtest/gtest.h>

namespace contexten::core::json_fields {
namespace {

using nlohmann::json;

TEST(JsonFieldsTest, PresentValuesOfTheRightTypeComeThrough) {
  const json j = {{"s", "text"},       {"i", 42},  {"b", true},
                  {"o", {{"k", "v"}}}, {"a", {1}}, {"big", 9007199254740993LL}};
  EXPECT_EQ(Str(j, "s"), "text");
  EXPECT_EQ(Int(j, "i"), 42);
  EXPECT_EQ(OptInt(j, "big"), 9007199254740993LL);
  EXPECT_TRUE(Bool(j, "b"));
  EXPECT_EQ(Str(Obj(j, "o"), "k"), "v");
  EXPECT_EQ(Arr(j, "a").size(), 1u);
  EXPECT_EQ(At(j, "i"), 42);
}

TEST(JsonFieldsTest, MissingWrongTypeOrNonObjectParentGiveEmptyValues) {
  const json j = {{"s", 7}, {"i", "42"}, {"f", 1.5}, {"b", "true"}, {"o", {1, 2}}, {"n", nullptr}};
  EXPECT_EQ(Str(j, "s"), "");
  EXPECT_EQ(Str(j, "missing"), "");
  EXPECT_EQ(OptInt(j, "i"), std::nullopt);
  EXPECT_EQ(OptInt(j, "f"), std::nullopt);
  EXPECT_EQ(Int(j, "n"), 0);
  EXPECT_FALSE(Bool(j, "b"));
  EXPECT_TRUE(Obj(j, "o").is_object());
  EXPECT_TRUE(Obj(j, "o").empty());
  EXPECT_TRUE(Arr(j, "s").is_array());
  EXPECT_TRUE(At(j, "missing").is_null());
  for (const json& parent : {json(nullptr), json::array({1}), json("x"), json(3)}) {
    EXPECT_EQ(Str(parent, "s"), "");
    EXPECT_TRUE(At(parent, "s").is_null());
  }
}

}  // namespace
}  // namespace contexten::core::json_fields
