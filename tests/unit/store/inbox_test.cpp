// The inbox port on both engines (tests/support/store_engines.hpp): dedupe by key, statuses,
// pending replay, restart, concurrent redeliveries.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/store_engines.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten::store {
namespace {

using core::ErrorKind;

InboxItem Item(std::string source, std::string key, std::string body = "{}") {
  InboxItem item;
  item.source = std::move(source);
  item.dedupe_key = std::move(key);
  item.kind = "event_callback";
  item.body = std::move(body);
  return item;
}

using InboxTest = testing::StoreEngineTest;
CONTEXTEN_STORE_ENGINES(InboxTest);

TEST_P(InboxTest, AppendThenDuplicateReturnsFirstId) {
  auto first = store_->inbox().Append(Item("slack", "Ev1", "first"));
  ASSERT_TRUE(first.has_value()) << first.error().Describe();
  EXPECT_EQ(first->outcome, AppendOutcome::kInserted);
  EXPECT_GT(first->id, 0);

  auto again = store_->inbox().Append(Item("slack", "Ev1", "redelivered"));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->outcome, AppendOutcome::kDuplicate);
  EXPECT_EQ(again->id, first->id);

  EXPECT_EQ(store_->inbox().Count("slack").value_or(-1), 1);
  auto found = store_->inbox().Find("slack", "Ev1");
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->body, "first");  // the redelivery changed nothing
}

TEST_P(InboxTest, SameKeyUnderAnotherSourceIsDistinct) {
  auto slack = store_->inbox().Append(Item("slack", "abc"));
  auto github = store_->inbox().Append(Item("github", "abc"));
  ASSERT_TRUE(slack.has_value());
  ASSERT_TRUE(github.has_value());
  EXPECT_EQ(github->outcome, AppendOutcome::kInserted);
  EXPECT_NE(github->id, slack->id);
  EXPECT_EQ(store_->inbox().Count("slack").value_or(-1), 1);
  EXPECT_EQ(store_->inbox().Count("github").value_or(-1), 1);
  EXPECT_EQ(store_->inbox().Count("linear").value_or(-1), 0);
}

TEST_P(InboxTest, FindRoundTripsEveryField) {
  const std::string body("bin\0ary\xff", 8);
  auto appended = store_->inbox().Append(Item("github", "delivery-1", body));
  ASSERT_TRUE(appended.has_value());
  auto found = store_->inbox().Find("github", "delivery-1");
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->has_value());
  const InboxItem& item = **found;
  EXPECT_EQ(item.id, appended->id);
  EXPECT_EQ(item.source, "github");
  EXPECT_EQ(item.dedupe_key, "delivery-1");
  EXPECT_EQ(item.kind, "event_callback");
  EXPECT_EQ(item.body, body);
  EXPECT_EQ(item.status, InboxStatus::kPending);
  EXPECT_EQ(item.attempts, 0);
  EXPECT_EQ(item.last_error, "");
  EXPECT_EQ(std::chrono::floor<std::chrono::milliseconds>(item.received_at),
            std::chrono::floor<std::chrono::milliseconds>(clock_.WallNow()));

  auto missing = store_->inbox().Find("github", "nope");
  ASSERT_TRUE(missing.has_value());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(InboxTest, ReceivedAtComesFromTheClock) {
  clock_.Advance(std::chrono::hours(5));
  ASSERT_TRUE(store_->inbox().Append(Item("slack", "later")).has_value());
  auto found = store_->inbox().Find("slack", "later");
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ(std::chrono::floor<std::chrono::milliseconds>((*found)->received_at),
            std::chrono::floor<std::chrono::milliseconds>(clock_.WallNow()));
}

TEST_P(InboxTest, EmptySourceOrKeyIsRefused) {
  auto no_key = store_->inbox().Append(Item("slack", ""));
  ASSERT_FALSE(no_key.has_value());
  EXPECT_EQ(no_key.error().kind, ErrorKind::kInvalidInput);
  auto no_source = store_->inbox().Append(Item("", "k"));
  ASSERT_FALSE(no_source.has_value());
  EXPECT_EQ(no_source.error().kind, ErrorKind::kInvalidInput);
}

TEST_P(InboxTest, PendingReturnsPendingOnlyOldestFirst) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    auto r = store_->inbox().Append(Item("slack", "k" + std::to_string(i)));
    ASSERT_TRUE(r.has_value());
    ids.push_back(r->id);
  }
  ASSERT_TRUE(store_->inbox().MarkDone(ids[1]));
  ASSERT_TRUE(store_->inbox().MarkDone(ids[3], InboxStatus::kSkipped));

  auto pending = store_->inbox().Pending(10);
  ASSERT_TRUE(pending.has_value());
  ASSERT_EQ(pending->size(), 3u);
  EXPECT_EQ((*pending)[0].id, ids[0]);
  EXPECT_EQ((*pending)[1].id, ids[2]);
  EXPECT_EQ((*pending)[2].id, ids[4]);

  auto limited = store_->inbox().Pending(2);
  ASSERT_TRUE(limited.has_value());
  ASSERT_EQ(limited->size(), 2u);
  EXPECT_EQ((*limited)[1].id, ids[2]);
}

TEST_P(InboxTest, PendingCanBeLimitedToOneSource) {
  // A backlog from one platform must not crowd another's rows out of a replay window.
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(store_->inbox().Append(Item("github", "g" + std::to_string(i))));
  auto slack = store_->inbox().Append(Item("slack", "s1"));
  ASSERT_TRUE(slack.has_value());
  auto only_slack = store_->inbox().Pending(2, "slack");
  ASSERT_TRUE(only_slack.has_value());
  ASSERT_EQ(only_slack->size(), 1u);
  EXPECT_EQ((*only_slack)[0].id, slack->id);
  EXPECT_EQ(store_->inbox().Pending(10)->size(), 6u);
}

TEST_P(InboxTest, MarkDoneRemovesFromPendingAndRecordsStatus) {
  auto r = store_->inbox().Append(Item("linear", "d1"));
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(store_->inbox().MarkDone(r->id, InboxStatus::kFailed));
  EXPECT_TRUE(store_->inbox().Pending(10)->empty());
  auto found = store_->inbox().Find("linear", "d1");
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->status, InboxStatus::kFailed);
}

TEST_P(InboxTest, MarkDoneRejectsUnknownStatusAndMissingRow) {
  auto r = store_->inbox().Append(Item("linear", "d1"));
  ASSERT_TRUE(r.has_value());
  core::Status bad_status = store_->inbox().MarkDone(r->id, InboxStatus::kPending);
  ASSERT_FALSE(bad_status);
  EXPECT_EQ(bad_status.error().kind, ErrorKind::kInvalidInput);
  core::Status missing = store_->inbox().MarkDone(r->id + 1000);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  core::Status missing_failed = store_->inbox().MarkFailed(r->id + 1000, "x");
  ASSERT_FALSE(missing_failed);
  EXPECT_EQ(missing_failed.error().kind, ErrorKind::kNotFound);
}

TEST_P(InboxTest, MarkFailedCountsAttemptsAndKeepsItPending) {
  auto r = store_->inbox().Append(Item("github", "g1"));
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(store_->inbox().MarkFailed(r->id, "timeout talking to GitHub"));
  ASSERT_TRUE(store_->inbox().MarkFailed(r->id, "503 from GitHub"));

  auto pending = store_->inbox().Pending(10);
  ASSERT_TRUE(pending.has_value());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].attempts, 2);
  EXPECT_EQ((*pending)[0].last_error, "503 from GitHub");
  EXPECT_EQ((*pending)[0].status, InboxStatus::kPending);
}

TEST_P(InboxTest, AppendFinishedOnArrivalStoresStatusAndReasonInOneRow) {
  InboxItem failed = Item("github", "bad-1", R"({"action":"opened"})");
  failed.status = InboxStatus::kFailed;
  failed.last_error = "parse: missing object \"pull_request\"";
  InboxItem skipped = Item("github", "star-1");
  skipped.status = InboxStatus::kSkipped;
  ASSERT_TRUE(store_->inbox().Append(failed).has_value());
  ASSERT_TRUE(store_->inbox().Append(skipped).has_value());
  // A redelivery of the failed one is still a duplicate, not a second row.
  auto again = store_->inbox().Append(failed);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->outcome, AppendOutcome::kDuplicate);

  auto found = store_->inbox().Find("github", "bad-1");
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->status, InboxStatus::kFailed);
  EXPECT_EQ((*found)->attempts, 1);
  EXPECT_EQ((*found)->last_error, failed.last_error);
  EXPECT_EQ((*found)->body, failed.body);
  auto star = store_->inbox().Find("github", "star-1");
  ASSERT_TRUE(star.has_value() && star->has_value());
  EXPECT_EQ((*star)->status, InboxStatus::kSkipped);
  EXPECT_EQ((*star)->attempts, 0);
  auto pending = store_->inbox().Pending(10);
  ASSERT_TRUE(pending.has_value());
  EXPECT_TRUE(pending->empty());
}

TEST(InboxStatusTest, TextRoundTripsAndUnknownTextIsRefused) {
  for (InboxStatus status :
       {InboxStatus::kPending, InboxStatus::kDone, InboxStatus::kSkipped, InboxStatus::kFailed}) {
    EXPECT_EQ(InboxStatusFromString(ToString(status)), status) << ToString(status);
  }
  EXPECT_EQ(ToString(InboxStatus::kSkipped), "skipped");
  EXPECT_FALSE(InboxStatusFromString("processing").has_value());
  EXPECT_FALSE(InboxStatusFromString("Done").has_value());
}

TEST_P(InboxTest, RestartKeepsPendingRows) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    auto r = store_->inbox().Append(
        Item("slack", "restart" + std::to_string(i), "body" + std::to_string(i)));
    ASSERT_TRUE(r.has_value());
    ids.push_back(r->id);
  }
  ASSERT_TRUE(store_->inbox().MarkDone(ids[0]));

  Reopen();  // as after a crash: a new process opens the same file

  auto pending = store_->inbox().Pending(10);
  ASSERT_TRUE(pending.has_value());
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].id, ids[1]);
  EXPECT_EQ((*pending)[0].body, "body1");
  EXPECT_EQ((*pending)[1].id, ids[2]);
  // Redelivery after the restart is still recognised.
  auto again = store_->inbox().Append(Item("slack", "restart0"));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->outcome, AppendOutcome::kDuplicate);
  EXPECT_EQ(again->id, ids[0]);
}

TEST_P(InboxTest, ConcurrentAppendsWithDuplicatesStoreEachKeyOnce) {
  constexpr int kThreads = 4;
  constexpr int kDistinct = 400;
  std::mutex mu;
  std::map<std::string, std::vector<AppendResult>> by_key;
  std::atomic<int> done{0};
  std::atomic<int> failures{0};

  // Every thread appends every key, in a different order: each key arrives 4 times at once.
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kDistinct; ++i) {
        const int k = (i * (t + 1) * 7 + t) % kDistinct;
        const std::string key = "key-" + std::to_string(k);
        store_->inbox().AppendAsync(Item("slack", key), [&, key](core::Result<AppendResult> r) {
          if (r) {
            std::lock_guard lock(mu);
            by_key[key].push_back(*r);
          } else {
            failures.fetch_add(1);
          }
          done.fetch_add(1);
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(testing::WaitFor([&] { return done.load() == kThreads * kDistinct; }));

  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store_->inbox().Count("slack").value_or(-1), kDistinct);
  std::lock_guard lock(mu);
  ASSERT_EQ(by_key.size(), static_cast<std::size_t>(kDistinct));
  for (const auto& [key, results] : by_key) {
    int inserted = 0;
    for (const auto& r : results) {
      if (r.outcome == AppendOutcome::kInserted) ++inserted;
      EXPECT_EQ(r.id, results.front().id) << key;
    }
    EXPECT_EQ(inserted, 1) << key;
  }
}

// The asynchronous calls share transactions on PostgreSQL (group commit, pg_inbox.hpp): a mark
// of a missing row must fail alone, not take the appends queued with it down.
TEST_P(InboxTest, AnAsyncMarkOfAMissingRowFailsAloneAmongQueuedAppends) {
  constexpr int kAppends = 50;
  std::atomic<int> done{0};
  std::atomic<int> append_failures{0};
  std::atomic<int> marks_not_found{0};
  for (int i = 0; i < kAppends; ++i) {
    store_->inbox().AppendAsync(Item("github", "batch-" + std::to_string(i)),
                                [&](core::Result<AppendResult> r) {
                                  if (!r) append_failures.fetch_add(1);
                                  done.fetch_add(1);
                                });
    if (i == kAppends / 2) {
      store_->inbox().MarkDoneAsync(987654321, InboxStatus::kDone, "", [&](core::Status s) {
        if (!s && s.error().kind == ErrorKind::kNotFound) marks_not_found.fetch_add(1);
        done.fetch_add(1);
      });
    }
  }
  ASSERT_TRUE(testing::WaitFor([&] { return done.load() == kAppends + 1; }));
  EXPECT_EQ(append_failures.load(), 0);
  EXPECT_EQ(marks_not_found.load(), 1);
  EXPECT_EQ(store_->inbox().Count("github").value_or(-1), kAppends);
}

}  // namespace
}  // namespace contexten::store
