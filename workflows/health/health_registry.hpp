#pragma once
// Components register a probe; /readyz and the health monitor ask all of them.

#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace contexten::workflows {

struct ComponentHealth {
  std::string name;
  bool ready = false;
  std::string detail;  // "connected", "store open", or why not
  // An optional peer (GitHub, Linear) is reported but does not make the bot unready: webhooks
  // still land durably in the inbox and work resumes when the peer recovers, so an
  // orchestrator must not restart or drain us for someone else's outage.
  bool gates_readiness = true;
};

class HealthRegistry {
 public:
  using Probe = std::function<ComponentHealth()>;
  void Register(Probe probe);
  std::vector<ComponentHealth> Check() const;
  bool AllReady() const;

 private:
  mutable std::mutex mu_;
  std::vector<Probe> probes_;
};

}  // namespace contexten::workflows
