#include "workflows/health/health_registry.hpp"

#include <gtest/gtest.h>

#include <atomic>

namespace contexten::workflows {
namespace {

TEST(HealthRegistryTest, ReadyOnlyWhenEveryGatingComponentIsReady) {
  HealthRegistry registry;
  std::atomic<bool> store_up{true};
  registry.Register([&] { return ComponentHealth{"store", store_up.load(), "open"}; });
  EXPECT_TRUE(registry.AllReady());
  store_up = false;
  EXPECT_FALSE(registry.AllReady());
}

TEST(HealthRegistryTest, AnOptionalPeerIsReportedButDoesNotGate) {
  HealthRegistry registry;
  registry.Register([] { return ComponentHealth{"slack", true, "connected"}; });
  registry.Register([] {
    return ComponentHealth{"github", false, "circuit OPEN", /*gates_readiness=*/false};
  });
  EXPECT_TRUE(registry.AllReady());
  const auto checks = registry.Check();
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[1].name, "github");
  EXPECT_FALSE(checks[1].ready);
}

}  // namespace
}  // namespace contexten::workflows
