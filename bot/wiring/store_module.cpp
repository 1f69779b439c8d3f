#include "bot/wiring/store_module.hpp"

#include "bot/wiring/startup_error.hpp"

namespace contexten::bot::wiring {
namespace {

std::unique_ptr<store::Database> OpenOrThrow(const core::Config& config) {
  store::StoreOptions options;
  options.path = config.store.path;
  auto database = store::Database::Open(options);
  if (!database) {
    throw StartupError(core::MakeError(
        database.error().kind, "store '" + config.store.path + "': " + database.error().message));
  }
  return std::move(*database);
}

}  // namespace

StoreModule::StoreModule(const core::Config& config, core::Clock& clock)
    : database_(OpenOrThrow(config)), inbox_(*database_, clock), audit_(*database_) {}

}  // namespace contexten::bot::wiring
