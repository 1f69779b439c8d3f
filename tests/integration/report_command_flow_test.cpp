// `/ctx report ...` through the whole bot in sandbox mode: the slash command reaches the report
// handler, a schedule is stored and answered with its next fire times, `run` previews the digest
// to the asker, and the scheduler loop running in the app posts a slot missed while it was not
// looking, once, to the schedule's channel.

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <chrono>

#include "tests/integration/sandbox_app_support.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten {
namespace {

using testing::SandboxApp;
using testing::WaitFor;

nlohmann::json AckPayload(SandboxApp& env, const std::string& id) {
  EXPECT_TRUE(WaitFor([&] {
    auto ack = env.slack().AckFor(id);
    return ack && ack->acked_at.has_value();
  }));
  auto ack = env.slack().AckFor(id);
  return ack ? ack->payload : nlohmann::json();
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(ReportCommandFlowTest, ScheduleListRunAndAMissedSlotPostedOnce) {
  SandboxApp env;
  ASSERT_TRUE(env.app().WaitConnected(std::chrono::seconds(10)));

  // Linear and GitHub are configured: the ack says the preview is on its way, and the report
  // run posts it to the asker alone once its reads are done.
  const auto run = AckPayload(env, env.slack().InjectSlashCommand("/ctx", "report run digest"));
  EXPECT_EQ(run.value("response_type", ""), "ephemeral");
  EXPECT_NE(run.value("text", "").find("Gathering the digest"), std::string::npos) << run.dump();
  ASSERT_TRUE(WaitFor([&] {
    for (const auto& m : env.slack().Messages("C0GENERAL")) {
      if (m.ephemeral && m.text.starts_with("Daily digest") &&
          m.blocks.dump().find("Integration health") != std::string::npos) {
        return true;
      }
    }
    return false;
  }));

  // A schedule as another process (or a build before a restart) left it: created two days ago,
  // never fired. Its missed midnights are one report, posted once the scheduler looks.
  {
    // The app's writer may hold the write lock for a moment: wait for it, as the store does.
    SQLite::Database db(env.store_path(), SQLite::OPEN_READWRITE, 5000);
    SQLite::Statement insert(db,
                             "INSERT INTO schedules(channel, kind, cron, tz, created_by, "
                             "created_at_ms) VALUES('C0GENERAL', 'digest', '0 0 * * *', 'UTC', "
                             "'U0SANDBOXUSER', ?)");
    insert.bind(1, static_cast<std::int64_t>(NowMs() - std::int64_t{2} * 24 * 3600 * 1000));
    insert.exec();
  }
  // Scheduling another wakes the scheduler.
  const auto scheduled = AckPayload(
      env, env.slack().InjectSlashCommand(
               "/ctx", "report schedule weekly \"0 9 * * MON\" tz:Europe/Berlin in C0GENERAL"));
  const std::string text = scheduled.value("text", "");
  EXPECT_NE(text.find("Scheduled the *weekly* report `#2` in <#C0GENERAL>"), std::string::npos)
      << text;
  EXPECT_NE(text.find("Next:\n• Mon "), std::string::npos) << text;

  auto digests = [&] {
    int n = 0;
    for (const auto& m : env.slack().Messages("C0GENERAL")) {
      n += m.text.starts_with("Daily digest") && !m.ephemeral;
    }
    return n;
  };
  ASSERT_TRUE(WaitFor([&] { return digests() == 1; }));

  const auto list = AckPayload(env, env.slack().InjectSlashCommand("/ctx", "report list"));
  EXPECT_NE(list.value("text", "").find("`#1` *digest*"), std::string::npos) << list.dump();
  EXPECT_NE(list.value("text", "").find("`#2` *weekly*"), std::string::npos);
  // Another wake does not post the same slot again.
  AckPayload(env, env.slack().InjectSlashCommand("/ctx", "report unschedule 2"));
  ASSERT_TRUE(env.app().WaitIdle(std::chrono::seconds(10)));
  EXPECT_EQ(digests(), 1);
}

}  // namespace
}  // namespace contexten
