#include "workflows/health/health_registry.hpp"

#include <algorithm>

namespace contexten::workflows {

void HealthRegistry::Register(Probe probe) {
  std::lock_guard lock(mu_);
  probes_.push_back(std::move(probe));
}

std::vector<ComponentHealth> HealthRegistry::Check() const {
  std::vector<Probe> probes;
  {
    std::lock_guard lock(mu_);
    probes = probes_;
  }
  std::vector<ComponentHealth> out;
  out.reserve(probes.size());
  for (const auto& p : probes) out.push_back(p());
  return out;
}

bool HealthRegistry::AllReady() const {
  const auto all = Check();
  return std::all_of(all.begin(), all.end(),
                     [](const ComponentHealth& h) { return h.ready || !h.gates_readiness; });
}

}  // namespace contexten::workflows
