#include "bench/kill_test_mix.hpp"

#include <sstream>

namespace contexten::bench {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

constexpr char kRerunLabel[] = "Re-run failed jobs";
constexpr char kAlertPrefix[] = ":x: CI failed: ";
constexpr char kSyncedSuffix[] = "_via Slack, by ";
constexpr char kReplyText[] = "Thanks, looking at it now (";

std::string Str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t Int(const json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

std::size_t Occurrences(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

std::string ThreadId(const std::string& channel, const std::string& ts) {
  return channel + "/" + ts;
}

// The bot's replies by thread ("<channel>/<thread ts>"), in order.
std::map<std::string, std::vector<std::string>> BotReplies(const sandbox::SlackSandbox& slack) {
  std::map<std::string, std::vector<std::string>> replies;
  for (const auto& m : slack.Messages()) {
    if (m.ephemeral || !m.from_bot || m.thread_ts.empty()) continue;
    replies[ThreadId(m.channel, m.thread_ts)].push_back(m.text);
  }
  return replies;
}

std::string Joined(const std::map<std::string, std::vector<std::string>>& replies,
                   const std::string& thread) {
  std::string all;
  if (auto it = replies.find(thread); it != replies.end()) {
    for (const auto& text : it->second) all += text + "\n";
  }
  return all;
}

bool AnyAcked(const std::vector<std::string>& envelopes, const WorkflowMix::AckedFn& acked) {
  for (const auto& e : envelopes) {
    if (acked(e)) return true;
  }
  return false;
}

bool IsRerunPath(const sandbox::GitHubRequestRecord& r) {
  const std::string suffix = "/rerun-failed-jobs";
  return r.method == "POST" && r.path.size() > suffix.size() &&
         r.path.compare(r.path.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string MixOutstanding::Describe() const {
  std::ostringstream out;
  out << "PRs not linked " << prs_not_linked << ", replies not synced " << replies_not_synced
      << ", CI failures not alerted " << failures_not_alerted << ", re-runs not done "
      << reruns_not_done;
  return out.str();
}

WorkflowMix::WorkflowMix(MixOptions options, sandbox::SlackSandbox& slack,
                         sandbox::LinearSandbox& linear, sandbox::GitHubSandbox& github)
    : options_(std::move(options)),
      slack_(slack),
      linear_(linear),
      github_(github),
      rng_(options_.seed ^ 0x2545f4914f6cdd1dULL) {}

void WorkflowMix::Seed() {
  const auto slash = options_.pr_repository.find('/');
  github_.AddRepository(options_.pr_repository.substr(0, slash),
                        options_.pr_repository.substr(slash + 1));
  for (int i = 0; i < options_.ci_repositories; ++i) {
    const std::string name = "ci" + std::to_string(i);
    github_.AddRepository("kill", name);
    github_.AddWorkflow("kill/" + name, "ci.yml", "CI");
  }
}

void WorkflowMix::Act(const std::vector<FiledCard>& filed, bool bot_up, const AckedFn& acked) {
  std::lock_guard lock(mu_);
  std::uniform_int_distribution<int> die(0, 5);
  if (!filed.empty()) {
    const FiledCard& card =
        filed[std::uniform_int_distribution<std::size_t>(0, filed.size() - 1)(rng_)];
    if (considered_.insert(card.identifier).second) {
      const int roll = die(rng_);
      if (roll < 2) {
        OpenPullRequest(card);
      } else if (roll < 4) {
        ReplyInThread(card);
      }
    }
  }
  if (static_cast<int>(failed_runs_.size()) + ci_failures_refused_ < options_.ci_failures &&
      die(rng_) == 0) {
    FailCi();
  }
  ClickRerun(bot_up, acked);
}

void WorkflowMix::OpenPullRequest(const FiledCard& card) {
  PullRequest pr;
  pr.identifier = card.identifier;
  pr.repo = options_.pr_repository;
  pr.card = card;
  const std::string k = std::to_string(prs_.size());
  pr.title = "Kill PR " + k + " for " + card.identifier;
  sandbox::SandboxPullRequestSeed seed;
  seed.title = pr.title;
  seed.body = (prs_.size() % 2 == 0 ? "Fixes " : "Refs ") + card.identifier;
  seed.head_ref = "kill-pr-" + k;
  pr.number = github_.OpenPullRequest(pr.repo, seed);
  prs_.push_back(std::move(pr));
}

void WorkflowMix::ReplyInThread(const FiledCard& card) {
  Reply reply;
  reply.identifier = card.identifier;
  reply.card = card;
  // Chatter, not a request the bot would answer (the intents parser reads this as none).
  reply.text = kReplyText + std::to_string(replies_.size()) + ")";
  reply.envelope_id = slack_.InjectMessage(reply.text, options_.user, card.channel, card.ts);
  replies_.push_back(std::move(reply));
}

void WorkflowMix::FailCi() {
  const std::string repo = "kill/ci" + std::to_string(std::uniform_int_distribution<int>(
                                           0, options_.ci_repositories - 1)(rng_));
  if (auto run = github_.RunCi(repo, "", "failure"); run) {
    failed_runs_.emplace_back(repo, *run);
  } else {
    ++ci_failures_refused_;
  }
}

void WorkflowMix::ClickRerun(bool bot_up, const AckedFn& acked) {
  for (const auto& m : slack_.Messages(options_.alerts_channel)) {
    if (m.ephemeral || !m.from_bot || !m.thread_ts.empty() || m.text.rfind(kAlertPrefix, 0) != 0 ||
        m.blocks.dump().find(kRerunLabel) == std::string::npos) {
      continue;
    }
    auto clicked = clicks_.find(m.ts);
    if (clicked == clicks_.end()) {
      if (!click_decided_.insert(m.ts).second) continue;
      if (std::uniform_int_distribution<int>(0, 1)(rng_) == 0) continue;  // left alone
    } else {
      // Slack showed the user an error (no ack within 3 s): they click again.
      if (!bot_up || AnyAcked(clicked->second.envelopes, acked) ||
          SteadyClock::now() - clicked->second.last <
              std::chrono::milliseconds(options_.ack_timeout_ms)) {
        continue;
      }
    }
    auto envelope = slack_.ClickIn(m.channel, m.ts, kRerunLabel, options_.user);
    if (!envelope) continue;
    Click& click = clicks_[m.ts];
    click.envelopes.push_back(*envelope);
    click.last = SteadyClock::now();
  }
}

MixOutstanding WorkflowMix::Measure(const StoreSnapshot& ci_runs, const AckedFn& acked) const {
  std::lock_guard lock(mu_);
  MixOutstanding o;
  const auto replies = BotReplies(slack_);
  auto example = [&](const std::string& what) {
    if (o.examples.size() < 5) o.examples.push_back(what);
  };
  for (const auto& pr : prs_) {
    const std::string url_tail = pr.repo + "/pull/" + std::to_string(pr.number);
    bool attached = false;
    for (const auto& a : linear_.Attachments(pr.identifier)) {
      if (a.url.size() >= url_tail.size() &&
          a.url.compare(a.url.size() - url_tail.size(), url_tail.size(), url_tail) == 0) {
        attached = true;
      }
    }
    const bool told =
        Joined(replies, ThreadId(pr.card.channel, pr.card.ts)).find(pr.title) != std::string::npos;
    if (!attached || !told) {
      ++o.prs_not_linked;
      example(pr.title + (attached ? "" : ": no attachment") + (told ? "" : ": no thread line"));
    }
  }
  for (const auto& reply : replies_) {
    if (!acked(reply.envelope_id)) continue;
    bool synced = false;
    for (const auto& c : linear_.Comments(reply.identifier)) {
      if (c.body.rfind(reply.text, 0) == 0) synced = true;
    }
    if (!synced) {
      ++o.replies_not_synced;
      example("'" + reply.text + "' not a Linear comment");
    }
  }
  std::set<std::pair<std::string, std::int64_t>> alerted;
  std::map<std::string, const StoredRun*> run_by_root;
  for (const auto& run : ci_runs.runs) {
    for (const auto& f : run.state.value("failures", json::array())) {
      alerted.emplace(Str(run.state, "repo"), Int(f, "run_id"));
    }
    if (run.state.contains("root")) run_by_root[Str(run.state["root"], "ts")] = &run;
  }
  for (const auto& failed : failed_runs_) {
    if (!alerted.count(failed)) {
      ++o.failures_not_alerted;
      example("CI run " + failed.first + " " + std::to_string(failed.second) + " not alerted");
    }
  }
  for (const auto& [ts, click] : clicks_) {
    if (!AnyAcked(click.envelopes, acked)) continue;
    auto run = run_by_root.find(ts);
    if (run == run_by_root.end() || !run->second->state.value("recovered", false)) {
      ++o.reruns_not_done;
      example("alert " + ts + ": re-run clicked, not recovered");
    }
  }
  return o;
}

void WorkflowMix::Judge(const StoreSnapshot& ci_runs, const AckedFn& acked, Table& table,
                        std::vector<std::string>& failures) const {
  const MixOutstanding o = Measure(ci_runs, acked);
  std::lock_guard lock(mu_);
  auto row = [&](const std::string& metric, std::int64_t value, const std::string& expected) {
    table.AddRow({metric, std::to_string(value), expected});
  };
  auto must_be_zero = [&](const std::string& metric, std::int64_t value) {
    row(metric, value, "0");
    if (value != 0) failures.push_back(metric + ": " + std::to_string(value));
  };
  const auto replies = BotReplies(slack_);

  // PR links: one attachment per (issue, PR) and one line per PR in the issue's thread.
  std::map<std::pair<std::string, std::string>, int> attachments;  // (issue, url) -> count
  std::int64_t pr_attachments = 0;
  for (const auto& a : linear_.Attachments()) {
    if (a.url.find("/" + options_.pr_repository + "/pull/") == std::string::npos) continue;
    ++pr_attachments;
    ++attachments[{a.issue_identifier, a.url}];
  }
  std::int64_t duplicate_attachments = 0, duplicate_pr_lines = 0;
  for (const auto& [key, n] : attachments) duplicate_attachments += n - 1;
  for (const auto& pr : prs_) {
    const auto n = Occurrences(Joined(replies, ThreadId(pr.card.channel, pr.card.ts)), pr.title);
    if (n > 1) duplicate_pr_lines += static_cast<std::int64_t>(n) - 1;
  }
  row("PRs opened naming filed issues", static_cast<std::int64_t>(prs_.size()), "");
  row("  Linear attachments for PRs", pr_attachments, "= PRs");
  must_be_zero("  duplicate attachments", duplicate_attachments);
  must_be_zero("  duplicate PR lines in a thread", duplicate_pr_lines);
  must_be_zero("  PRs not linked (attachment and thread line)", o.prs_not_linked);
  if (pr_attachments != static_cast<std::int64_t>(prs_.size())) {
    failures.push_back("PR attachments (" + std::to_string(pr_attachments) + ") != PRs (" +
                       std::to_string(prs_.size()) + ")");
  }

  // Comment sync both ways: one Linear comment per acked reply, one thread line per comment.
  std::int64_t acked_replies = 0;
  for (const auto& r : replies_) acked_replies += acked(r.envelope_id) ? 1 : 0;
  std::map<std::pair<std::string, std::string>, int> comments;  // (issue, body) -> count
  std::int64_t synced = 0, duplicate_comments = 0, duplicate_comment_lines = 0, echoes = 0;
  for (const auto& c : linear_.Comments()) {
    ++comments[{c.issue_identifier, c.body}];
    if (c.body.find(kSyncedSuffix) != std::string::npos) ++synced;
  }
  for (const auto& [key, n] : comments) duplicate_comments += n - 1;
  // Linear comments by others appear in the issue's thread once; synced replies never do.
  std::map<std::string, std::string> thread_of;  // identifier -> thread
  for (const auto& pr : prs_) thread_of[pr.identifier] = ThreadId(pr.card.channel, pr.card.ts);
  for (const auto& r : replies_) thread_of[r.identifier] = ThreadId(r.card.channel, r.card.ts);
  for (const auto& [key, n] : comments) {
    const auto& [identifier, body] = key;
    if (body.find(kSyncedSuffix) != std::string::npos) continue;
    if (auto t = thread_of.find(identifier); t != thread_of.end()) {
      const auto lines = Occurrences(Joined(replies, t->second), body);
      if (lines > 1) duplicate_comment_lines += static_cast<std::int64_t>(lines) - 1;
    }
  }
  for (const auto& [thread, texts] : replies) {
    for (const auto& text : texts) echoes += text.find(kReplyText) != std::string::npos;
  }
  table.AddRow({"thread replies typed (acked)",
                std::to_string(replies_.size()) + " (" + std::to_string(acked_replies) + ")", ""});
  row("  Linear comments via Slack", synced, ">= acked");
  must_be_zero("  duplicate Linear comments", duplicate_comments);
  must_be_zero("  acked replies not synced", o.replies_not_synced);
  must_be_zero("  synced replies echoed back into Slack", echoes);
  must_be_zero("  Linear comments shown twice in a thread", duplicate_comment_lines);

  // Any thread: the same reply twice is one event told twice.
  std::int64_t duplicate_replies = 0;
  for (const auto& [thread, texts] : replies) {
    std::map<std::string, int> seen;
    for (const auto& text : texts) duplicate_replies += seen[text]++ > 0 ? 1 : 0;
  }
  must_be_zero("duplicate bot replies (same text, same thread)", duplicate_replies);

  // CI alerts: one alert message per ci_alert run, every failure in one, one re-run per click.
  std::set<std::string> roots;
  std::int64_t recovered = 0;
  for (const auto& run : ci_runs.runs) {
    if (run.state.contains("root")) roots.insert(Str(run.state["root"], "ts"));
    recovered += run.state.value("recovered", false) ? 1 : 0;
  }
  std::int64_t alert_messages = 0, stray_alerts = 0;
  for (const auto& m : slack_.Messages(options_.alerts_channel)) {
    if (m.ephemeral || !m.from_bot || !m.thread_ts.empty()) continue;
    if (m.text.rfind(kAlertPrefix, 0) != 0 &&
        m.text.rfind(":white_check_mark: Recovered: ", 0) != 0)
      continue;
    ++alert_messages;
    stray_alerts += roots.count(m.ts) ? 0 : 1;
  }
  row("CI failures caused (failed runs on main)", static_cast<std::int64_t>(failed_runs_.size()),
      "");
  row("  CI alert runs", static_cast<std::int64_t>(ci_runs.runs.size()), "");
  row("  alert messages", alert_messages, "= alert runs");
  must_be_zero("  duplicate alert messages (no run owns them)", stray_alerts);
  must_be_zero("  failures in no alert", o.failures_not_alerted);
  if (alert_messages != static_cast<std::int64_t>(ci_runs.runs.size())) {
    failures.push_back("alert messages (" + std::to_string(alert_messages) + ") != alert runs (" +
                       std::to_string(ci_runs.runs.size()) + ")");
  }
  std::int64_t click_envelopes = 0, clicked_acked = 0;
  for (const auto& [ts, click] : clicks_) {
    click_envelopes += static_cast<std::int64_t>(click.envelopes.size());
    clicked_acked += AnyAcked(click.envelopes, acked) ? 1 : 0;
  }
  std::map<std::string, int> reruns_by_path;
  std::int64_t reruns_accepted = 0, reruns_refused = 0, duplicate_reruns = 0;
  for (const auto& r : github_.Requests()) {
    if (!IsRerunPath(r)) continue;
    if (r.status >= 200 && r.status < 300) {
      ++reruns_accepted;
      if (reruns_by_path[r.path]++ > 0) ++duplicate_reruns;
    } else {
      ++reruns_refused;
    }
  }
  table.AddRow({"Re-run clicks (alerts / envelopes / alerts acked)",
                std::to_string(clicks_.size()) + " / " + std::to_string(click_envelopes) + " / " +
                    std::to_string(clicked_acked),
                ""});
  row("  re-run requests GitHub accepted", reruns_accepted, "= alerts acked (+ unacked)");
  row("  re-run requests GitHub refused (4xx/5xx/none)", reruns_refused, "");
  must_be_zero("  duplicate re-run requests (same run)", duplicate_reruns);
  must_be_zero("  clicked alerts not recovered", o.reruns_not_done);
  row("  alerts recovered", recovered, ">= alerts acked");
  // A click Slack never acked may still have reached the bot before it died, so between.
  if (reruns_accepted < clicked_acked ||
      reruns_accepted > static_cast<std::int64_t>(clicks_.size())) {
    failures.push_back("re-runs accepted (" + std::to_string(reruns_accepted) +
                       ") outside [alerts whose click was acked, alerts clicked] (" +
                       std::to_string(clicked_acked) + ", " + std::to_string(clicks_.size()) + ")");
  }
}

}  // namespace contexten::bench
