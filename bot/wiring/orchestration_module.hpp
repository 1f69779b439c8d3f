#pragma once
// Orchestration (../shared/DESIGN.md §3: workflow engine, outbox relay): built after the store
// and the platforms, before ingress, so ingress handlers can start and feed workflows and the
// relay is torn down before the clients it calls. An empty shell for now.

#include "core/clock.hpp"

namespace contexten::bot::wiring {

class StoreModule;
class PlatformsModule;

class OrchestrationModule {
 public:
  OrchestrationModule(StoreModule& store, PlatformsModule& platforms, core::Clock& clock);
  OrchestrationModule(const OrchestrationModule&) = delete;
  OrchestrationModule& operator=(const OrchestrationModule&) = delete;

 private:
  StoreModule& store_;
  PlatformsModule& platforms_;
  core::Clock& clock_;
};

}  // namespace contexten::bot::wiring
