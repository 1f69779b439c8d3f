#include "bot/wiring/orchestration_module.hpp"

namespace contexten::bot::wiring {

OrchestrationModule::OrchestrationModule(StoreModule& store, PlatformsModule& platforms,
                                         core::Clock& clock)
    : store_(store), platforms_(platforms), clock_(clock) {}

}  // namespace contexten::bot::wiring
