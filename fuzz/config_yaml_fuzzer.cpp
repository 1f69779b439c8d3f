// The YAML configuration file. A bad file must end in core::ConfigError (a message naming the
// key, shown at startup), never in a crash or another exception escaping LoadConfig.

#include <string>

#include "core/config.hpp"
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string yaml(contexten::fuzz::AsText(data, size));
  const contexten::core::EnvLookup no_env = [](const std::string&) {
    return std::optional<std::string>();
  };
  try {
    (void)contexten::core::LoadConfigFromString(yaml, no_env);
  } catch (const contexten::core::ConfigError&) {
  }
  return 0;
}
