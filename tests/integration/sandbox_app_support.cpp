#include "tests/integration/sandbox_app_support.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "core/config.hpp"

namespace contexten::testing {

SandboxApp::SandboxApp() : store_path_(dir_.File("inbox.db")) {
  bot::SandboxModeOptions options;
  options.config = core::LoadConfigFromString("", [](const std::string&) { return std::nullopt; });
  options.config.store.path = store_path_;
  options.config.http.port = 0;
  options.config.http.bind = "127.0.0.1";
  options.allow_port_fallback = false;
  mode_ = std::make_unique<bot::SandboxMode>(std::move(options));
  auto started = mode_->Start();
  EXPECT_TRUE(started) << (started ? "" : started.error().Describe());
}

SandboxApp::~SandboxApp() { mode_->Stop(); }

int SandboxApp::InboxRowsFor(const std::string& envelope_id) const {
  // A separate connection sees only committed data: a row here is durable.
  SQLite::Database db(store_path_, SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT count(*) FROM inbox WHERE instr(body, ?) > 0");
  q.bind(1, "\"envelope_id\":\"" + envelope_id + "\"");
  q.executeStep();
  return q.getColumn(0).getInt();
}

}  // namespace contexten::testing
