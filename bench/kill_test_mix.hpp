#pragma once
// The workflows bench/kill_test.cpp mixes in beside issue filing (issue 10's acceptance 3): PRs
// that name filed issues (a Linear attachment and a line in the thread), CI failures on
// a default branch (an alert, "failed again" replies, [Re-run failed jobs] clicked on some),
// and thread replies synced to Linear as comments. It drives the stand-ins from one load thread
// and, once the bot is quiet, says what is still missing and what happened twice.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "bench/bench_support.hpp"
#include "bench/kill_test_store.hpp"
#include "sandbox/github/github_sandbox.hpp"
#include "sandbox/linear/linear_sandbox.hpp"
#include "sandbox/slack/slack_sandbox.hpp"

namespace contexten::bench {

struct MixOptions {
  std::string alerts_channel = "C0ENG";
  std::string user = "U0SANDBOXUSER";
  std::string pr_repository = "kill/app";
  int ci_repositories = 3;    // kill/ci0 .. : one open alert each at a time
  int ci_failures = 6;        // failed CI runs to cause in all
  int ack_timeout_ms = 3000;  // a click not acked by then is clicked again
  std::uint64_t seed = 1;
};

// A card that shows its Linear identifier (the run knows its issue).
struct FiledCard {
  std::string identifier;
  std::string channel;
  std::string ts;
};

// What is still to come; all zero once every change reached where it should.
struct MixOutstanding {
  std::int64_t prs_not_linked = 0, replies_not_synced = 0, failures_not_alerted = 0,
               reruns_not_done = 0;
  std::vector<std::string> examples;
  bool Quiet() const {
    return prs_not_linked == 0 && replies_not_synced == 0 && failures_not_alerted == 0 &&
           reruns_not_done == 0;
  }
  std::string Describe() const;
};

class WorkflowMix {
 public:
  using AckedFn = std::function<bool(const std::string& envelope_id)>;

  WorkflowMix(MixOptions options, sandbox::SlackSandbox& slack, sandbox::LinearSandbox& linear,
              sandbox::GitHubSandbox& github);

  // Repositories and their CI workflows in the GitHub stand-in (before the bot starts).
  void Seed();
  // One load step: maybe a PR naming a filed issue, a thread reply, a CI failure, or a Re-run
  // click on an alert (again when the last click was not acked in time and the bot is up).
  void Act(const std::vector<FiledCard>& filed, bool bot_up, const AckedFn& acked);

  MixOutstanding Measure(const StoreSnapshot& ci_runs, const AckedFn& acked) const;
  // Rows for the final table; a failure line for each invariant broken.
  void Judge(const StoreSnapshot& ci_runs, const AckedFn& acked, Table& table,
             std::vector<std::string>& failures) const;

 private:
  struct PullRequest {
    std::string identifier, repo, title;
    int number = 0;
    FiledCard card;
  };
  struct Reply {
    std::string identifier, text, envelope_id;
    FiledCard card;
  };
  struct Click {
    std::vector<std::string> envelopes;
    std::chrono::steady_clock::time_point last;
  };

  void OpenPullRequest(const FiledCard& card);
  void ReplyInThread(const FiledCard& card);
  void FailCi();
  void ClickRerun(bool bot_up, const AckedFn& acked);

  MixOptions options_;
  sandbox::SlackSandbox& slack_;
  sandbox::LinearSandbox& linear_;
  sandbox::GitHubSandbox& github_;
  std::mt19937_64 rng_;

  mutable std::mutex mu_;
  std::set<std::string> considered_;  // identifiers a PR/reply was decided for
  std::vector<PullRequest> prs_;
  std::vector<Reply> replies_;
  std::vector<std::pair<std::string, std::int64_t>> failed_runs_;  // (repo, run id)
  std::set<std::string> click_decided_;  // alert ts a click was decided for
  std::map<std::string, Click> clicks_;  // alert ts -> the clicks sent
  int ci_failures_refused_ = 0;
};

}  // namespace contexten::bench
