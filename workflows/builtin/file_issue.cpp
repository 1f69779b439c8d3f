#include "workflows/builtin/file_issue.hpp"

#include <algorithm>

#include "core/json_fields.hpp"
#include "integrations/linear/linear_ids.hpp"
#include "workflows/builtin/github_events.hpp"
#include "workflows/builtin/pull_request_links.hpp"
#include "workflows/builtin/synced_reply.hpp"
#include "workflows/outbox/effect_kinds.hpp"
#include "workflows/present/coalescer.hpp"
#include "workflows/present/github_messages.hpp"
#include "workflows/present/issue_card.hpp"

namespace contexten::workflows::builtin {
namespace {

using engine::DecideContext;
using engine::Decision;
using engine::Event;
using nlohmann::json;
namespace effects = engine::effects;
namespace present = workflows::present;

constexpr char kFlushTimer[] = "flush";
// How long a Slack request to move the issue waits for Linear's webhook of the move.
constexpr std::int64_t kStateRequestMs = 10 * 60 * 1000;
constexpr std::int64_t kCoalesceWindowMs = 10000;

using core::json_fields::Str;

// Mutable view of the run's state with the helpers every step needs.
class Step {
 public:
  Step(const DecideContext& context, const json& state) : context_(context) {
    decision.state = state.is_object() ? state : json::object();
  }

  json& state() { return decision.state; }
  bool Filed() { return state().value("phase", "") == "filed"; }
  bool HasCard() { return state().contains("card") && state()["card"].is_object(); }
  std::string Channel() { return Str(state()["request"], "channel"); }

  std::string NextStep(const std::string& prefix) {
    const int seq = state().value("seq", 0) + 1;
    state()["seq"] = seq;
    return prefix + "-" + std::to_string(seq);
  }
  // The run's Slack posts share one key, so its thread reads in order.
  std::string SlackKey() { return "slack:" + Channel() + "/" + context_.run_id; }
  // Card edits have their own key: they go out in order among themselves (a later edit never
  // lands before an earlier one), but a reply never waits behind an edit. chat.update allows
  // about one call a second per workspace (Slack's Tier 3), so under load an edit may be
  // rescheduled minutes ahead; replies are paced per channel and should not share its wait.
  std::string CardKey() { return "slack-card:" + Channel() + "/" + context_.run_id; }
  std::string LinearKey() { return "linear:" + context_.run_id; }

  void Effect(std::string step, std::string order_key, engine::EffectAction action) {
    decision.effects.push_back({std::move(step), std::move(order_key), std::move(action)});
  }

  present::IssueCardModel Card() {
    present::IssueCardModel model;
    const json& request = state()["request"];
    const std::string phase = state().value("phase", "filing");
    model.phase = phase == "filed"                 ? present::IssueCardModel::Phase::kFiled
                  : phase == "failed"              ? present::IssueCardModel::Phase::kFailed
                  : state().value("queued", false) ? present::IssueCardModel::Phase::kQueued
                                                   : present::IssueCardModel::Phase::kFiling;
    model.title = Str(request, "title");
    model.description = Str(request, "description");
    model.team_key = Str(request, "team_key");
    model.priority = request.value("priority", 0);
    model.reporter_slack_id = Str(request, "reporter");
    model.note = state().value("note", "");
    model.run_id = context_.run_id;
    if (state().contains("issue") && state()["issue"].is_object()) {
      const json& issue = state()["issue"];
      model.identifier = Str(issue, "identifier");
      model.url = Str(issue, "url");
      model.title = Str(issue, "title").empty() ? model.title : Str(issue, "title");
      model.priority = issue.value("priority", model.priority);
      if (issue.contains("state") && issue["state"].is_object()) {
        model.state_name = Str(issue["state"], "name");
        model.state_type = Str(issue["state"], "type");
      }
      if (issue.contains("assignee") && issue["assignee"].is_object()) {
        const json& a = issue["assignee"];
        model.assignee_name =
            Str(a, "display_name").empty() ? Str(a, "name") : Str(a, "display_name");
      }
      model.assignee_slack_id = state().value("assignee_slack", "");
    }
    for (const auto& name : state().value("team_states", json::array())) {
      if (name.is_string()) model.team_states.push_back(name.get<std::string>());
    }
    model.pull_requests = LinkedPullRequests(state().value("prs", json::object()));
    return model;
  }

  void UpdateCard() {
    if (!HasCard()) {
      state()["card_stale"] = true;  // posted once the card exists
      return;
    }
    json message = present::RenderIssueCard(Card());
    Effect(NextStep("card-update"), CardKey(),
           effects::SlackUpdateMessage{Str(state()["card"], "channel"), Str(state()["card"], "ts"),
                                       message.value("text", ""),
                                       message.value("blocks", json::array())});
  }

  void PostReply(const std::vector<present::ThreadEvent>& events) {
    if (events.empty()) return;
    if (!HasCard()) {
      // The card is still on its way (lanes run side by side: Linear may answer first): the
      // lines wait for it. A card that could not be posted (null) takes none.
      if (state().contains("card")) return;
      for (const auto& e : events) state()["held_replies"].push_back(e.text);
      return;
    }
    json message = present::RenderThreadReply(events);
    effects::SlackPostMessage reply;
    reply.channel = Str(state()["card"], "channel");
    reply.thread_ts = Str(state()["card"], "ts");
    reply.text = message.value("text", "");
    reply.blocks = message.value("blocks", json::array());
    Effect(NextStep("reply"), SlackKey(), std::move(reply));
  }

  // One line in the issue's thread, through the coalescer (a burst becomes one reply).
  void Tell(std::string text, std::string coalesce_key = "") {
    auto coalescer = present::CoalescerState::FromJson(state().value("coalescer", json::object()));
    present::ThreadEvent event;
    event.at_ms = context_.now_ms;
    event.text = std::move(text);
    event.coalesce_key = std::move(coalesce_key);
    auto decided =
        present::Coalesce(coalescer, std::move(event), context_.now_ms, kCoalesceWindowMs);
    PostReply(decided.post_now);
    if (decided.set_timer_ms) decision.timers.push_back({kFlushTimer, *decided.set_timer_ms});
    state()["coalescer"] = coalescer.ToJson();
  }

  void Ephemeral(const std::string& user, std::string text) {
    if (user.empty() || Channel().empty()) return;
    effects::SlackPostEphemeral ephemeral;
    ephemeral.channel = Channel();
    ephemeral.user = user;
    ephemeral.text = std::move(text);
    if (HasCard()) ephemeral.thread_ts = Str(state()["card"], "ts");
    Effect(NextStep("ephemeral"), SlackKey(), std::move(ephemeral));
  }

  void LinkThreadAndIssue() {
    if (!HasCard() || !Filed()) return;
    const std::string thread =
        "slack_thread:" + Str(state()["card"], "channel") + "/" + Str(state()["card"], "ts");
    const std::string issue = "linear_issue:" + Str(state()["issue"], "identifier");
    decision.links.push_back(
        {issue, thread, "created_from", {{"event", context_.run_id}, {"field", "file_issue"}}});
    decision.links.push_back({thread,
                              "contexten_run:" + context_.run_id,
                              "posted_in",
                              {{"event", context_.run_id}, {"field", "card"}}});
  }

  const DecideContext& context() const { return context_; }

  Decision decision;

 private:
  const DecideContext& context_;
};

void OnStart(Step& s, const DecideContext& context, const Event& event) {
  json request = {{"team_key", Str(event.data, "team_key")},
                  {"title", Str(event.data, "title")},
                  {"description", Str(event.data, "description")},
                  {"priority", event.data.value("priority", 0)},
                  {"channel", Str(event.data, "channel")},
                  {"reporter", Str(event.data, "reporter")}};
  if (!Str(event.data, "assignee_id").empty()) request["assignee_id"] = event.data["assignee_id"];
  json label_ids = json::array();
  if (event.data.contains("label_ids") && event.data["label_ids"].is_array()) {
    for (const auto& id : event.data["label_ids"]) {
      if (id.is_string() && !id.get<std::string>().empty()) label_ids.push_back(id);
    }
  }
  if (!label_ids.empty()) request["label_ids"] = label_ids;
  s.state() = {{"request", request}, {"phase", "filing"}, {"seq", 0}};
  json card = present::RenderIssueCard(s.Card());
  effects::SlackPostMessage post;
  post.channel = Str(request, "channel");
  post.text = card.value("text", "");
  post.blocks = card.value("blocks", json::array());
  s.Effect("card", s.SlackKey(), std::move(post));
  effects::LinearCreateIssue create;
  create.id = IssueUuidFor(context.run_id);
  create.team_key = Str(request, "team_key");
  create.title = Str(request, "title");
  create.description = Str(request, "description");
  create.priority = request["priority"].get<int>();
  create.assignee_id = Str(request, "assignee_id");
  if (label_ids.empty()) {
    s.Effect("create", s.LinearKey(), std::move(create));
  } else {
    // The typed effect has no labels: the same row, with the executor's label_ids argument.
    engine::EffectRow row = engine::ToRow(create);
    row.args["label_ids"] = label_ids;
    s.Effect("create", s.LinearKey(), effects::Raw{row.lane, row.kind, row.args});
  }
  s.decision.note = "filing in " + Str(request, "team_key");
}

void OnCardPosted(Step& s, const DecideContext& context, const json& result) {
  s.state()["card"] = {{"channel", Str(result, "channel")}, {"ts", Str(result, "ts")}};
  if (s.state().value("card_stale", false)) {
    s.state().erase("card_stale");
    s.UpdateCard();
  }
  if (s.state().contains("held_replies")) {
    std::vector<present::ThreadEvent> held;
    for (const auto& text : s.state()["held_replies"]) {
      present::ThreadEvent event;
      event.at_ms = context.now_ms;
      event.text = text.is_string() ? text.get<std::string>() : "";
      held.push_back(std::move(event));
    }
    s.state().erase("held_replies");
    s.PostReply(held);
  }
  s.LinkThreadAndIssue();
  if (s.state().value("phase", "") == "failed") s.decision.outcome = Decision::Outcome::kFailed;
}

// Degraded mode (../shared/DESIGN.md §1): Linear failed the first attempt, so the request waits
// in the outbox; the reporter hears it is queued, not lost, and hears again when it is done.
void OnEffectDeferred(Step& s, const Event& event) {
  if (Str(event.data, "step") != "create" || s.Filed() || s.state().value("queued", false)) return;
  s.state()["queued"] = true;
  s.state()["note"] =
      "Linear is not answering right now; this request is queued and will be filed "
      "in order as soon as Linear is back.";
  s.UpdateCard();
  s.Tell(
      ":inbox_tray: Linear is not answering right now, so this request is queued. It will be "
      "filed as soon as Linear is back; nothing to do on your side.");
  s.decision.note = "queued: " + Str(event.data, "error");
}

void OnIssueCreated(Step& s, const json& issue) {
  const bool was_queued = s.state().value("queued", false);
  s.state()["issue"] = issue;
  s.state()["phase"] = "filed";
  s.state().erase("queued");
  s.state().erase("note");
  s.decision.wait_for = {LinearIssueKey(Str(issue, "id")),
                         LinearIssueKey(Str(issue, "identifier"))};
  s.UpdateCard();
  s.LinkThreadAndIssue();
  // The card's state select offers the team's workflow states: read once, after filing.
  std::string team = Str(issue, "team_key");
  if (team.empty()) team = Str(s.state()["request"], "team_key");
  s.Effect("states", s.LinearKey(),
           effects::Raw{engine::kLinearLane, outbox::kLinearListStates, {{"team_key", team}}});
  if (was_queued) {
    s.Tell(":white_check_mark: Done: Linear is back and this is filed as *" +
           Str(issue, "identifier") + "*.");
  }
  s.decision.note = "filed " + Str(issue, "identifier");
}

void OnCreateFailed(Step& s, const std::string& error) {
  s.state()["phase"] = "failed";
  s.state()["note"] = "Linear did not take this issue: " + error;
  s.UpdateCard();
  s.Ephemeral(Str(s.state()["request"], "reporter"),
              "Could not file *" + Str(s.state()["request"], "title") + "* in Linear: " + error);
  // Finished once the card says so (it may still be on its way).
  if (s.HasCard()) s.decision.outcome = Decision::Outcome::kFailed;
}

void OnAssignStep(Step& s, const std::string& step, const json& result) {
  json& assign = s.state()["assign"];
  if (!assign.is_object()) return;
  const std::string user = Str(assign, "user");
  if (step.rfind("assign-email", 0) == 0) {
    const std::string email = Str(result, "email");
    if (email.empty()) {
      s.Ephemeral(user,
                  "I can't see an email address on your Slack profile, so I can't tell which "
                  "Linear user you are. Assign the issue in Linear, or ask an admin to grant "
                  "Contexten the users:read.email scope.");
      s.state().erase("assign");
      return;
    }
    assign["email"] = email;
    s.Effect(s.NextStep("assign-user"), s.LinearKey(), effects::LinearUserByEmail{email});
  } else if (step.rfind("assign-user", 0) == 0) {
    if (!result.value("found", false)) {
      s.Ephemeral(user, "No Linear user has the email " + Str(assign, "email") +
                            ". Is your Linear account under another address? Assign it in "
                            "Linear and I will show it here.");
      s.state().erase("assign");
      return;
    }
    assign["linear_user"] = result["user"]["id"];
    effects::LinearUpdateIssue update;
    update.issue_id = Str(s.state()["issue"], "id");
    update.assignee_id = Str(result["user"], "id");
    s.Effect(s.NextStep("assign-update"), s.LinearKey(), std::move(update));
  } else if (step.rfind("assign-update", 0) == 0) {
    s.state()["issue"] = result;
    s.state()["assignee_slack"] = user;
    s.state().erase("assign");
    s.UpdateCard();
    s.Tell("<@" + user + "> is taking this one.");
  }
}

// --- pull requests naming the issue (workflows/builtin/pull_request_links.hpp) ---------------

// A PR's news for this issue: `data` as a github.pr event carries it (github_events.hpp).
void ApplyPullRequest(Step& s, const json& data) {
  const std::string identifier = Str(s.state()["issue"], "identifier");
  json& prs = s.state()["prs"];
  if (!prs.is_object()) prs = json::object();
  PullRequestChange change = ApplyPullRequestEvent(prs, data);
  const std::string name = PullRequestName(data);
  const std::string link = present::SlackLink(Str(data, "url"), name);
  const std::string repo = Str(data, "repo");
  const std::int64_t number = data.value("number", std::int64_t{0});
  if (change.is_new) {
    s.decision.wait_for.push_back(GitHubPrKey(repo, number));
    const json& evidence = data.value("evidence", json::object());
    s.decision.links.push_back(
        {GitHubPrKey(repo, number), LinearIssueKey(identifier), Str(data, "relation"), evidence});
    effects::LinearLinkPullRequest attach;
    attach.issue_id = Str(s.state()["issue"], "id");
    attach.url = Str(data, "url");
    attach.title = name + " " + Str(data, "title");
    s.Effect("pr-link:" + name, s.LinearKey(), std::move(attach));
    const std::string author = Str(data, "author");
    const std::string linked_by = Str(data, "linked_by");
    s.Tell(":twisted_rightwards_arrows: " + link + " " + Str(data, "title") +
           (author.empty() ? "" : " by " + author) +
           (Str(data, "relation") == "closes"
                ? " (closes *" + identifier + "* when merged)"
                : " (linked to *" + identifier + "*" +
                      (linked_by.empty() ? "" : " by " + linked_by) + ")"));
    s.decision.note = "linked " + name + " (" + Str(data, "relation") + ")";
  }
  if (change.merged) {
    s.Tell(":tada: " + link + " was merged");
    s.decision.note = name + " merged";
    const json& state = s.state()["issue"]["state"];
    const std::string type = state.is_object() ? Str(state, "type") : "";
    if (Str(prs[name], "relation") == "closes" && type != "completed" && type != "canceled") {
      effects::LinearUpdateIssue update;
      update.issue_id = Str(s.state()["issue"], "id");
      update.team_key = Str(s.state()["issue"], "team_key");
      if (update.team_key.empty()) update.team_key = Str(s.state()["request"], "team_key");
      update.state_type = "completed";
      s.Effect("pr-close:" + name, s.LinearKey(), std::move(update));
      s.state()["closing_by"] = name;
    }
  } else if (change.closed) {
    s.Tell(link + " was closed without merging");
    s.decision.note = name + " closed";
  } else if (change.relation_upgraded) {
    s.Tell(link + " now closes *" + identifier + "* when merged");
  }
  if (change.any) s.UpdateCard();
}

void OnPullRequest(Step& s, const Event& event) {
  if (!s.Filed()) return;
  const std::string identifier = Str(s.state()["issue"], "identifier");
  const std::string named = Str(event.data, "identifier");
  // A PR naming another issue is not ours; one naming none reaches us through the PR's own key
  // only when linked here already (by hand: kSlackLinkRequestEvent).
  if (!named.empty() && named != identifier) return;
  if (named.empty()) {
    const json& prs = s.state()["prs"];
    if (!prs.is_object() || !prs.contains(PullRequestName(event.data))) return;
  }
  ApplyPullRequest(s, event.data);
}

void OnLinkRequest(Step& s, const Event& event) {
  if (!s.Filed()) return;
  const std::string repo = Str(event.data, "repo");
  const std::int64_t number = event.data.value("number", std::int64_t{0});
  const std::string user = Str(event.data, "user");
  if (repo.empty() || number <= 0) return;
  const std::string name = repo + "#" + std::to_string(number);
  const json& prs = s.state()["prs"];
  if (prs.is_object() && prs.contains(name)) {
    s.Ephemeral(user,
                name + " is linked to *" + Str(s.state()["issue"], "identifier") + "* already.");
    return;
  }
  // Read first: the card shows the PR as GitHub has it (title, open, draft or merged).
  const std::string step = s.NextStep("pr-read");
  s.state()["link_requests"][step] = {{"repo", repo}, {"number", number}, {"user", user}};
  s.Effect(step, "github:" + s.context().run_id,
           effects::Raw{engine::kGitHubLane,
                        outbox::kGitHubGetPullRequest,
                        {{"repo", repo}, {"number", number}}});
  s.decision.note = "link of " + name + " asked for by " + user;
}

void OnPullRequestRead(Step& s, const std::string& step, const json& result, bool dead,
                       const std::string& error) {
  if (!s.state().contains("link_requests") || !s.state()["link_requests"].contains(step)) return;
  const json request = s.state()["link_requests"][step];
  s.state()["link_requests"].erase(step);
  const std::string name = Str(request, "repo") + "#" + std::to_string(request.value("number", 0));
  if (dead) {
    s.Ephemeral(Str(request, "user"), "I could not read " + name + " from GitHub (" + error +
                                          "), so nothing was linked.");
    return;
  }
  json data = result;
  data["repo"] = Str(request, "repo");  // as asked: the card and keys use one spelling
  data["identifier"] = Str(s.state()["issue"], "identifier");
  data["relation"] = "links";
  data["linked_by"] = "<@" + Str(request, "user") + ">";
  data["evidence"] = {{"event", "slack:link"}, {"field", "slack"}, {"excerpt", name}};
  ApplyPullRequest(s, data);
}

void OnPullRequestReview(Step& s, const Event& event) {
  if (!s.Filed()) return;
  json& prs = s.state()["prs"];
  const std::string name = PullRequestName(event.data);
  if (!prs.is_object() || !prs.contains(name)) return;
  const std::string state = Str(event.data, "state");
  const std::string reviewer = Str(event.data, "reviewer");
  const std::string link = present::SlackLink(Str(prs[name], "url"), name);
  if (state == "approved") {
    s.Tell(":white_check_mark: " + reviewer + " approved " + link);
  } else if (state == "changes_requested") {
    s.Tell(":memo: " + reviewer + " requested changes on " + link);
  } else {
    return;
  }
  prs[name]["review"] = state;
  s.decision.note = "review " + state + " by " + reviewer + " on " + name;
  s.UpdateCard();
}

void OnPullRequestChecks(Step& s, const Event& event) {
  if (!s.Filed()) return;
  json& prs = s.state()["prs"];
  const std::string name = PullRequestName(event.data);
  if (!prs.is_object() || !prs.contains(name)) return;
  const std::string conclusion = Str(event.data, "conclusion");
  const std::string checks = conclusion == "success"                                ? "passing"
                             : conclusion == "failure" || conclusion == "timed_out" ? "failing"
                                                                                    : "";
  if (checks.empty() || Str(prs[name], "checks") == checks) return;
  prs[name]["checks"] = checks;
  const std::string link = present::SlackLink(Str(event.data, "url"), Str(event.data, "name"));
  s.Tell((checks == "passing" ? ":white_check_mark: Checks passed on " : ":x: Checks failed on ") +
         name + " (" + link + ")");
  s.decision.note = "checks " + checks + " on " + name;
  s.UpdateCard();
}

void OnClosedByPullRequest(Step& s, const std::string& step, const json& result) {
  const std::string name = step.substr(std::string("pr-close:").size());
  const json before = s.state()["issue"].value("state", json::object());
  s.state()["issue"] = result;
  s.state().erase("closing_by");
  const std::string now = result.contains("state") ? Str(result["state"], "name") : "";
  if (Str(before, "name") != now) {
    s.Tell(":white_check_mark: *" + Str(result, "identifier") + "* moved to *" + now +
           "*: closed by " + name);
  }
  s.decision.note = Str(result, "identifier") + " completed by " + name;
  s.UpdateCard();
}

// Synced threads: the replier's name first (Slack users.info), then the comment, with an id
// chosen from the run and the message, so a retry never files it twice and its webhook is
// known as ours.
void OnSlackReply(Step& s, const Event& event) {
  if (!s.Filed()) {
    s.decision.note = "reply before the issue was filed: not synced";
    return;
  }
  const std::string step = s.NextStep("sync-user");
  s.state()["sync"][step] = {{"user", Str(event.data, "user")},
                             {"text", Str(event.data, "text")},
                             {"ts", Str(event.data, "ts")}};
  s.Effect(step, "slack-user:" + s.LinearKey(), effects::SlackUserInfo{Str(event.data, "user")});
}

void OnSyncUser(Step& s, const DecideContext& context, const std::string& step,
                const json& result) {
  if (!s.state().contains("sync") || !s.state()["sync"].contains(step)) return;
  const json pending = s.state()["sync"][step];
  s.state()["sync"].erase(step);
  effects::LinearCreateComment comment =
      SyncedReplyComment(context.run_id, pending, result, Str(s.state()["issue"], "id"));
  s.state()["own_comments"].push_back(comment.id);
  // Which Linear comment mirrors this Slack reply, kept in the run's state (durable: CommitStep)
  // so an edit or deletion in Slack finds it, after a restart too.
  s.state()["slack_replies"][Str(pending, "ts")] = {{"comment", comment.id},
                                                    {"author", SyncedReplyAuthor(result)},
                                                    {"text", Str(pending, "text")}};
  s.Effect(s.NextStep("sync-comment"), s.LinearKey(), std::move(comment));
  s.decision.note = "thread reply synced to Linear";
}

// The reply edited in Slack (message_changed): its Linear comment gets the new text. A reply
// that was never synced (a command, a reply before filing, someone else's thread) is ignored;
// the note says so in the run's history.
void OnSlackReplyEdit(Step& s, const Event& event) {
  const std::string ts = Str(event.data, "ts");
  const std::string text = Str(event.data, "text");
  // Still waiting for the author's name: the comment is filed with the new text.
  const json syncing = s.state().value("sync", json::object());
  for (const auto& [step, pending] : syncing.items()) {
    if (Str(pending, "ts") != ts) continue;
    s.state()["sync"][step]["text"] = text;
    s.decision.note = "reply edited before it reached Linear: filed as edited";
    return;
  }
  json& mirrors = s.state()["slack_replies"];
  if (!mirrors.is_object() || !mirrors.contains(ts)) {
    if (mirrors.is_null()) s.state().erase("slack_replies");
    s.decision.note = "edit of a reply never synced to Linear (" + ts + "): ignored";
    return;
  }
  json& mirror = mirrors[ts];
  // Slack also sends message_changed when only an unfurl or metadata changed: same text, nothing
  // to send.
  if (mirror.value("deleted", false) || Str(mirror, "text") == text) {
    s.decision.note = "reply " + ts + " unchanged: nothing to sync";
    return;
  }
  mirror["text"] = text;
  s.Effect(s.NextStep("sync-edit"), s.LinearKey(),
           effects::Raw{engine::kLinearLane,
                        outbox::kLinearUpdateComment,
                        {{"id", Str(mirror, "comment")},
                         {"body", SyncedReplyBody(text, Str(mirror, "author"))}}});
  s.decision.note = "thread reply edit synced to Linear";
}

// The reply deleted in Slack (message_deleted): its Linear comment is deleted. The Comment
// remove webhook that follows is our own (own_comments) and does not come back.
void OnSlackReplyDelete(Step& s, const Event& event) {
  const std::string ts = Str(event.data, "ts");
  const json syncing = s.state().value("sync", json::object());
  for (const auto& [step, pending] : syncing.items()) {
    if (Str(pending, "ts") != ts) continue;
    s.state()["sync"].erase(step);  // never filed: the name lookup's answer finds nothing to do
    s.decision.note = "reply deleted before it reached Linear: not filed";
    return;
  }
  json& mirrors = s.state()["slack_replies"];
  if (!mirrors.is_object() || !mirrors.contains(ts) || mirrors[ts].value("deleted", false)) {
    if (mirrors.is_null()) s.state().erase("slack_replies");
    s.decision.note = "deletion of a reply not synced to Linear (" + ts + "): ignored";
    return;
  }
  mirrors[ts]["deleted"] = true;
  s.Effect(s.NextStep("sync-delete"), s.LinearKey(),
           effects::Raw{engine::kLinearLane,
                        outbox::kLinearDeleteComment,
                        {{"id", Str(mirrors[ts], "comment")}}});
  s.decision.note = "thread reply deletion synced to Linear";
}

// The mirror of Linear comment `id` as it should read now: the (edited) comment, or a tombstone.
// chat.update rather than chat.delete for a deletion: people may have answered the comment in the
// thread, and a reply that vanishes leaves their answers about nothing; a line saying it was
// deleted in Linear is what Slack itself shows for a deleted message that has replies
// ("This message was deleted."), and it keeps the thread's order readable.
void UpdateCommentMirror(Step& s, const std::string& id) {
  const json& mirror = s.state()["linear_replies"][id];
  const std::string identifier = Str(s.state()["issue"], "identifier");
  present::ThreadEvent line;
  line.at_ms = s.context().now_ms;
  line.text = mirror.value("deleted", false)
                  ? LinearCommentTombstone(Str(mirror, "user"), identifier)
                  : LinearCommentLine(Str(mirror, "user"), identifier, Str(mirror, "body"), true);
  json message = present::RenderThreadReply({line});
  s.Effect(s.NextStep("comment-edit"), s.SlackKey(),
           effects::SlackUpdateMessage{Str(s.state()["card"], "channel"), Str(mirror, "ts"),
                                       message.value("text", ""),
                                       message.value("blocks", json::array())});
}

// The reply that mirrors a Linear comment is posted: its ts is what later edits update. An edit
// that came while it was on its way is applied now.
void OnCommentReplyPosted(Step& s, const std::string& step, const json& result) {
  json& posts = s.state()["comment_posts"];
  if (!posts.is_object() || !posts.contains(step)) return;
  const std::string id = posts[step].get<std::string>();
  posts.erase(step);
  json& mirror = s.state()["linear_replies"][id];
  mirror["ts"] = Str(result, "ts");
  if (mirror.value("pending", false)) {
    mirror.erase("pending");
    UpdateCommentMirror(s, id);
  }
}

void OnEffectDone(Step& s, const DecideContext& context, const Event& event) {
  const std::string step = Str(event.data, "step");
  const json& result = event.data.contains("result") ? event.data["result"] : json();
  if (step == "card") return OnCardPosted(s, context, result);
  if (step == "create") return OnIssueCreated(s, result);
  if (step == "states") {
    json names = json::array();
    for (const auto& state : result.value("states", json::array())) names.push_back(state["name"]);
    s.state()["team_states"] = std::move(names);
    return s.UpdateCard();
  }
  if (step.rfind("assign-", 0) == 0) return OnAssignStep(s, step, result);
  if (step.rfind("pr-close:", 0) == 0) return OnClosedByPullRequest(s, step, result);
  if (step.rfind("pr-read", 0) == 0) return OnPullRequestRead(s, step, result, false, "");
  if (step.rfind("sync-user", 0) == 0) return OnSyncUser(s, s.context(), step, result);
  if (step.rfind("comment-reply", 0) == 0) return OnCommentReplyPosted(s, step, result);
  if (step.rfind("sync-edit", 0) == 0 || step.rfind("sync-delete", 0) == 0) {
    // Gone in Linear already (deleted there meanwhile): nothing left to do, by design.
    if (result.value("missing", false)) s.decision.note = "comment already gone in Linear";
  }
}

void OnEffectDead(Step& s, const Event& event) {
  const std::string step = Str(event.data, "step");
  const std::string error = Str(event.data, "error");
  if (step == "create") return OnCreateFailed(s, error);
  if (step == "card") {
    s.state()["card"] = nullptr;  // no card: the issue is still filed, the reporter told
    s.Ephemeral(Str(s.state()["request"], "reporter"),
                "I could not post the issue card in this channel: " + error);
    return;
  }
  if (step.rfind("comment-reply", 0) == 0 && s.state()["comment_posts"].is_object()) {
    // Not posted: there is no mirror to follow edits with.
    const json id = s.state()["comment_posts"].value(step, json());
    if (id.is_string()) s.state()["linear_replies"].erase(id.get<std::string>());
    s.state()["comment_posts"].erase(step);
    return;
  }
  if (step.rfind("sync-user", 0) == 0) return OnSyncUser(s, s.context(), step, json::object());
  if (step.rfind("pr-read", 0) == 0) return OnPullRequestRead(s, step, json(), true, error);
  if (step.rfind("assign-", 0) == 0 && s.state()["assign"].is_object()) {
    s.Ephemeral(Str(s.state()["assign"], "user"), "Assigning failed: " + error);
    s.state().erase("assign");
  }
}

std::string StateLine(const std::string& identifier, const json& issue, const std::string& actor) {
  std::string line = "*" + identifier + "* moved to *" + Str(issue["state"], "name") + "*";
  if (!actor.empty()) line += " by " + actor;
  return line;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The Slack person who asked for the move to `now` (a kSlackStateRequestEvent), as a mention;
// empty when the move is not the one asked for. A request is used once, and dropped when stale.
std::string RequestedBy(Step& s, const json& now) {
  const json request = s.state().value("state_request", json());
  if (!request.is_object()) return "";
  const bool fresh =
      s.context().now_ms - request.value("at_ms", std::int64_t{0}) <= kStateRequestMs;
  const std::string name = Lower(Str(request, "state_name"));
  const std::string type = Str(request, "state_type");
  const bool matches = (!name.empty() && name == Lower(Str(now, "name"))) ||
                       (!type.empty() && type == Str(now, "type"));
  if (!fresh || matches) s.state().erase("state_request");
  return fresh && matches ? "<@" + Str(request, "user") + ">" : "";
}

// The Slack person who asked for the assignee or priority change (`change`) just reported, as a
// mention; empty when nobody asked for one lately. Used once.
std::string ChangeRequestedBy(Step& s, const std::string& change) {
  const std::string key = change + "_request";
  const json request = s.state().value(key, json());
  if (!request.is_object()) return "";
  s.state().erase(key);
  const bool fresh =
      s.context().now_ms - request.value("at_ms", std::int64_t{0}) <= kStateRequestMs;
  return fresh ? "<@" + Str(request, "user") + ">" : "";
}

void OnStateRequest(Step& s, const Event& event) {
  if (!s.Filed() || Str(event.data, "user").empty()) return;
  const std::string change = Str(event.data, "change");
  if (change == "assignee" || change == "priority") {
    s.state()[change + "_request"] = {{"user", Str(event.data, "user")},
                                      {"at_ms", s.context().now_ms}};
    s.decision.note = change + " change asked for by " + Str(event.data, "user");
    return;
  }
  s.state()["state_request"] = {{"user", Str(event.data, "user")},
                                {"state_name", Str(event.data, "state_name")},
                                {"state_type", Str(event.data, "state_type")},
                                {"at_ms", s.context().now_ms}};
  s.decision.note = "move asked for by " + Str(event.data, "user");
}

void OnLinearIssue(Step& s, const Event& event) {
  if (!s.Filed()) return;
  const json& incoming = event.data.contains("issue") ? event.data["issue"] : json::object();
  json& issue = s.state()["issue"];
  const std::string identifier = Str(issue, "identifier");
  const std::string actor = Str(event.data, "actor");
  // Linear may deliver (and re-deliver) an older version of the issue after a newer one: a
  // delivery older than what the card shows would move it back. Same-format ISO 8601 times
  // order as text.
  const std::string updated_at = Str(incoming, "updated_at");
  if (!updated_at.empty()) {
    if (updated_at < Str(issue, "updated_at")) return;
    issue["updated_at"] = updated_at;
  }
  bool changed = false;
  if (incoming.contains("state") && incoming["state"].is_object() &&
      Str(incoming["state"], "name") != Str(issue["state"], "name")) {
    issue["state"] = incoming["state"];
    // Our own move for someone in Slack: Linear names the API key's user, the line names them.
    const std::string by = RequestedBy(s, issue["state"]);
    std::string line = StateLine(identifier, issue, by.empty() ? actor : by);
    // Our own move after a merge: say which PR closed it.
    const std::string closing = s.state().value("closing_by", "");
    if (!closing.empty() && Str(issue["state"], "type") == "completed") {
      line += ": closed by " + closing;
    }
    s.Tell(line);
    changed = true;
  }
  if (incoming.contains("assignee")) {
    const std::string before = issue["assignee"].is_object() ? Str(issue["assignee"], "id") : "";
    const std::string after =
        incoming["assignee"].is_object() ? Str(incoming["assignee"], "id") : "";
    const json assign = s.state().value("assign", json());
    // Linear's webhook for our own assignment may come ahead of the update's result, which says
    // it in the thread (once): this only records it.
    const bool ours = assign.is_object() && !after.empty() && Str(assign, "linear_user") == after;
    if (before != after) {
      issue["assignee"] = incoming["assignee"];
      if (!ours) {
        s.state().erase("assignee_slack");  // someone else in Linear: no Slack id known
        // Our own change for someone in Slack: Linear names the API key's user, the line them.
        const std::string asked = ChangeRequestedBy(s, "assignee");
        const std::string by = asked.empty() ? actor : asked;
        const std::string suffix = by.empty() ? "" : " by " + by;
        s.Tell(after.empty() ? "*" + identifier + "* " +
                                   (by.empty() ? "is unassigned now" : "unassigned" + suffix)
                             : "*" + identifier + "* assigned to " +
                                   Str(incoming["assignee"], "name") + suffix);
        changed = true;
      }
    }
  }
  if (incoming.contains("priority") && incoming["priority"].is_number_integer() &&
      incoming["priority"] != issue.value("priority", 0)) {
    issue["priority"] = incoming["priority"];
    const std::string by = ChangeRequestedBy(s, "priority");
    s.Tell("*" + identifier + "* priority is *" +
           present::PriorityName(incoming["priority"].get<int>()) + "*" +
           (by.empty() ? "" : " (set by " + by + ")"));
    changed = true;
  }
  if (!Str(incoming, "title").empty() && Str(incoming, "title") != Str(issue, "title")) {
    issue["title"] = incoming["title"];
    changed = true;
  }
  if (changed) s.UpdateCard();
}

// A Linear comment edited or deleted in Linear: the reply that mirrors it follows (chat.update).
// A comment the thread never showed (made before the run watched, or while the card was on its
// way) is ignored.
void OnLinearCommentChanged(Step& s, const json& comment, const std::string& action) {
  const std::string id = Str(comment, "id");
  json& mirrors = s.state()["linear_replies"];
  if (!mirrors.is_object() || !mirrors.contains(id)) {
    if (mirrors.is_null()) s.state().erase("linear_replies");
    s.decision.note = "comment " + action + " for a comment the thread never showed: ignored";
    return;
  }
  json& mirror = mirrors[id];
  if (mirror.value("deleted", false)) {
    s.decision.note = "comment " + action + " after its deletion: ignored";
    return;
  }
  // Linear may deliver (and re-deliver) an older edit after a newer one; same-format ISO 8601
  // times order as text. A removal is final whatever its time.
  const std::string updated_at = Str(comment, "updated_at");
  if (action != "remove" && !updated_at.empty()) {
    if (updated_at < Str(mirror, "updated_at")) {
      s.decision.note = "an older edit of the comment, delivered late: ignored";
      return;
    }
    mirror["updated_at"] = updated_at;
  }
  if (action == "remove") {
    mirror["deleted"] = true;
  } else {
    if (Str(mirror, "body") == Str(comment, "body")) return;  // a redelivery, or no text change
    mirror["body"] = Str(comment, "body");
  }
  if (Str(mirror, "ts").empty()) {
    mirror["pending"] = true;  // applied when the reply is posted (OnCommentReplyPosted)
    return;
  }
  UpdateCommentMirror(s, id);
  s.decision.note = action == "remove" ? "comment deleted in Linear: reply marked"
                                       : "comment edited in Linear: reply updated";
}

void OnLinearComment(Step& s, const Event& event) {
  if (!s.Filed()) return;
  const json& comment = event.data.contains("comment") ? event.data["comment"] : json::object();
  // Our own comment (a synced Slack reply) coming back, created, edited or deleted from Slack:
  // the thread already shows it, no echo. An edit in Linear of a comment made from Slack is not
  // mirrored either: the Slack message is the person's, and only they can edit it.
  const json own = s.state().value("own_comments", json::array());
  if (std::find(own.begin(), own.end(), json(Str(comment, "id"))) != own.end()) {
    s.decision.note = "own comment: not echoed";
    return;
  }
  const std::string action = Str(event.data, "action");
  if (action == "update" || action == "remove") return OnLinearCommentChanged(s, comment, action);
  const std::string id = Str(comment, "id");
  if (s.state()["linear_replies"].is_object() && s.state()["linear_replies"].contains(id)) {
    s.decision.note = "comment already in the thread";
    return;
  }
  if (s.state()["linear_replies"].is_null()) s.state().erase("linear_replies");
  const std::string identifier = Str(s.state()["issue"], "identifier");
  const std::string line =
      LinearCommentLine(Str(comment, "user"), identifier, Str(comment, "body"));
  if (!s.HasCard() || id.empty()) {
    s.Tell(line);  // held for the card; its edits will not be followed
    return;
  }
  // A reply of its own (not merged with other lines by the coalescer), so that a later edit or
  // deletion in Linear updates exactly this message. Lines held for coalescing go first, in
  // order.
  auto coalescer = present::CoalescerState::FromJson(s.state().value("coalescer", json::object()));
  std::vector<present::ThreadEvent> held = std::move(coalescer.pending);
  coalescer = present::CoalescerState{};
  s.state()["coalescer"] = coalescer.ToJson();
  s.PostReply(held);
  present::ThreadEvent event_line;
  event_line.at_ms = s.context().now_ms;
  event_line.text = line;
  json message = present::RenderThreadReply({event_line});
  effects::SlackPostMessage reply;
  reply.channel = Str(s.state()["card"], "channel");
  reply.thread_ts = Str(s.state()["card"], "ts");
  reply.text = message.value("text", "");
  reply.blocks = message.value("blocks", json::array());
  const std::string step = s.NextStep("comment-reply");
  s.state()["comment_posts"][step] = id;
  s.state()["linear_replies"][id] = {{"user", Str(comment, "user")},
                                     {"body", Str(comment, "body")},
                                     {"updated_at", Str(comment, "updated_at")},
                                     {"ts", ""}};
  s.Effect(step, s.SlackKey(), std::move(reply));
}

void OnAssignClicked(Step& s, const Event& event) {
  const std::string user = Str(event.data, "user");
  if (!s.Filed()) {
    s.Ephemeral(user, "The issue is not filed in Linear yet; try again in a moment.");
    return;
  }
  if (s.state().contains("assign") && s.state()["assign"].is_object()) return;  // under way
  s.state()["assign"] = {{"user", user}};
  s.Effect(s.NextStep("assign-email"), s.SlackKey(), effects::SlackUserInfo{user});
}

void OnTimer(Step& s, const DecideContext& context, const Event& event) {
  if (Str(event.data, "name") != kFlushTimer) return;
  auto coalescer = present::CoalescerState::FromJson(s.state().value("coalescer", json::object()));
  s.PostReply(present::Flush(coalescer, context.now_ms));
  s.state()["coalescer"] = coalescer.ToJson();
}

}  // namespace

std::string IssueUuidFor(const std::string& run_id) {
  return integrations::linear::UuidFromKey(run_id + "/create");
}

Decision FileIssueWorkflow::Decide(const DecideContext& context, const json& state,
                                   const Event& event) const {
  Step s(context, state);
  if (event.type == "start") {
    OnStart(s, context, event);
  } else if (event.type == engine::kEffectDone) {
    OnEffectDone(s, context, event);
  } else if (event.type == engine::kEffectDead) {
    OnEffectDead(s, event);
  } else if (event.type == engine::kEffectDeferred) {
    OnEffectDeferred(s, event);
  } else if (event.type == kLinearIssueEvent) {
    OnLinearIssue(s, event);
  } else if (event.type == kLinearCommentEvent) {
    OnLinearComment(s, event);
  } else if (event.type == kSlackAssignEvent) {
    OnAssignClicked(s, event);
  } else if (event.type == kGitHubPrEvent) {
    OnPullRequest(s, event);
  } else if (event.type == kGitHubReviewEvent) {
    OnPullRequestReview(s, event);
  } else if (event.type == kGitHubChecksEvent) {
    OnPullRequestChecks(s, event);
  } else if (event.type == kSlackStateRequestEvent) {
    OnStateRequest(s, event);
  } else if (event.type == kSlackLinkRequestEvent) {
    OnLinkRequest(s, event);
  } else if (event.type == kSlackReplyEvent) {
    OnSlackReply(s, event);
  } else if (event.type == kSlackReplyEditEvent) {
    OnSlackReplyEdit(s, event);
  } else if (event.type == kSlackReplyDeleteEvent) {
    OnSlackReplyDelete(s, event);
  } else if (event.type == engine::kTimerFired) {
    OnTimer(s, context, event);
  }
  return std::move(s.decision);
}

}  // namespace contexten::workflows::builtin
