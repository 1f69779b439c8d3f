#include "workflows/subscriptions/feed_workflow.hpp"

#include "core/json_fields.hpp"
#include "workflows/builtin/file_issue_events.hpp"
#include "workflows/builtin/synced_reply.hpp"
#include "workflows/subscriptions/filter.hpp"

namespace contexten::workflows::subscriptions {
namespace {

using core::json_fields::Str;
using engine::Decision;
using nlohmann::json;
namespace effects = engine::effects;

std::string Link(const std::string& url, const std::string& text) {
  return url.empty() ? "*" + text + "*" : "*<" + url + "|" + text + ">*";
}

std::string Mark(const FeedEvent& e) {
  if (e.feature == "ci") return e.conclusion == "success" ? ":white_check_mark:" : ":x:";
  if (e.action == "merged") return ":twisted_rightwards_arrows:";
  if (e.action == "closed") return ":heavy_check_mark:";
  if (e.action == "approved") return ":white_check_mark:";
  if (e.action == "changes_requested") return ":warning:";
  if (e.feature == "comments") return ":speech_balloon:";
  if (e.feature == "deploys") return ":rocket:";
  if (e.feature == "releases") return ":package:";
  return ":large_blue_circle:";
}

class Step {
 public:
  Step(const engine::DecideContext& context, const json& state) : context_(context) {
    decision.state = state.is_object() ? state : json::object();
  }
  json& state() { return decision.state; }
  std::string Channel() { return Str(state()["subscription"], "channel"); }
  std::string NextStep(const std::string& prefix) {
    const int seq = state().value("seq", 0) + 1;
    state()["seq"] = seq;
    return prefix + "-" + std::to_string(seq);
  }
  // Posts share one key so a thread reads in order; root edits have their own (as file_issue).
  std::string PostKey() { return "slack:" + Channel() + "/" + context_.run_id; }
  std::string EditKey() { return "slack-card:" + Channel() + "/" + context_.run_id; }
  bool HasRoot() { return state().contains("root") && state()["root"].is_object(); }

  void Post(std::string step, std::string text, std::string thread_ts = "",
            bool broadcast = false) {
    effects::SlackPostMessage post;
    post.channel = Channel();
    post.text = std::move(text);
    post.thread_ts = std::move(thread_ts);
    post.broadcast = broadcast && !post.thread_ts.empty();
    decision.effects.push_back({std::move(step), PostKey(), std::move(post)});
  }
  void Reply(const std::string& text, bool broadcast) {
    Post(NextStep("reply"), text, Str(state()["root"], "ts"), broadcast);
  }
  void EditRoot() {
    const FeedEvent latest = FeedEventFromJson(state()["latest"]);
    decision.effects.push_back(
        {NextStep("root-edit"), EditKey(),
         effects::SlackUpdateMessage{Str(state()["root"], "channel"), Str(state()["root"], "ts"),
                                     RootText(latest), json()}});
  }

  const std::string& run_id() const { return context_.run_id; }

  Decision decision;

 private:
  const engine::DecideContext& context_;
};

bool OwnComment(Step& s, const std::string& comment_id) {
  if (comment_id.empty()) return false;
  for (const auto& id : s.state().value("own_comments", json::array())) {
    if (id == comment_id) return true;
  }
  return false;
}

void OnFeedEvent(Step& s, const engine::Event& event) {
  const Subscription sub = FromJson(event.data.value("subscription", json::object()));
  FeedEvent fe = FeedEventFromJson(event.data.value("event", json::object()));
  if (OwnComment(s, fe.comment_id)) {
    s.decision.note = "our own comment (a synced reply): not posted back";
    return;
  }
  s.state()["subscription"] = ToJson(sub);  // the latest settings (threads, broadcast)
  EntityMemory memory;
  memory.posted = s.state().value("posted", false);
  memory.last_conclusion = s.state().value("last_conclusion", "");
  const MatchResult match = Match(sub, fe, memory);
  if (fe.feature == "ci") {
    // A CI outcome that differs from the last one is a state change (failed, recovered).
    fe.state_change = !memory.last_conclusion.empty() &&
                      IsFailure(fe.conclusion) != IsFailure(memory.last_conclusion);
    if (fe.state_change && fe.conclusion == "success") fe.line = "recovered, " + fe.line;
    s.state()["last_conclusion"] = fe.conclusion;
  }
  if (!match.post) {
    s.decision.note = "not posted: " + match.reason;
    return;
  }
  s.state()["posted"] = true;
  const bool broadcast = fe.state_change && sub.broadcast_states;
  if (!sub.threads || s.state().value("no_thread", false)) {
    // Every event a message of its own, naming its entity.
    s.Post(s.NextStep("post"),
           match.as_new ? RootText(fe) : Mark(fe) + " " + Link(fe.url, fe.title) + ": " + fe.line);
    s.decision.note = "posted flat";
    return;
  }
  const bool quiet = !match.as_new && (fe.action == "labeled" || fe.action == "unlabeled");
  if (match.as_new && !s.HasRoot() && !s.state().value("root_pending", false)) {
    s.state()["latest"] = ToJson(fe);
    s.state()["root_pending"] = true;
    s.Post("root", RootText(fe));
    s.decision.note = "home thread for " + fe.entity_key;
    return;
  }
  s.state()["latest"] = ToJson(fe);
  if (s.HasRoot()) {
    s.EditRoot();
    if (!quiet) s.Reply(ReplyText(fe), broadcast);
  } else if (!quiet) {
    // The root is on its way: the reply follows it once its ts is known.
    s.state()["pending"].push_back({{"text", ReplyText(fe)}, {"broadcast", broadcast}});
  }
  s.decision.note = "in the thread of " + fe.entity_key;
}

void OnRootPosted(Step& s, const json& result) {
  s.state()["root"] = {{"channel", Str(result, "channel")}, {"ts", Str(result, "ts")}};
  s.state()["root_pending"] = false;
  const json pending = s.state().value("pending", json::array());
  s.state().erase("pending");
  if (!pending.empty()) s.EditRoot();
  for (const auto& p : pending) s.Reply(Str(p, "text"), p.value("broadcast", false));
  const FeedEvent latest = FeedEventFromJson(s.state()["latest"]);
  const std::string thread = "slack_thread:" + Str(result, "channel") + "/" + Str(result, "ts");
  s.decision.links.push_back({latest.entity_key, thread, "posted_in", {{"field", "subscription"}}});
  // Replies in the thread find this run (bot/handlers/thread_sync.hpp).
  s.decision.links.push_back({thread,
                              "contexten_run:" + s.run_id(),
                              "posted_in",
                              {{"event", s.run_id()}, {"field", "subscription"}}});
}

constexpr char kLinearIssuePrefix[] = "linear_issue:";

// A person's reply in the home thread: their name first (Slack users.info), then the comment.
void OnSlackReply(Step& s, const engine::Event& event) {
  const std::string entity = Str(s.state().value("latest", json::object()), "entity");
  if (entity.rfind(kLinearIssuePrefix, 0) != 0) {
    s.decision.note = "reply in the thread of " + entity + ": not synced";
    return;
  }
  const std::string step = s.NextStep("sync-user");
  s.state()["sync"][step] = {{"user", Str(event.data, "user")},
                             {"text", Str(event.data, "text")},
                             {"ts", Str(event.data, "ts")}};
  s.decision.effects.push_back(
      {step, "slack-user:linear:" + s.run_id(), effects::SlackUserInfo{Str(event.data, "user")}});
}

void OnSyncUser(Step& s, const std::string& step, const json& result) {
  if (!s.state().contains("sync") || !s.state()["sync"].contains(step)) return;
  const json pending = s.state()["sync"][step];
  s.state()["sync"].erase(step);
  const std::string entity = Str(s.state()["latest"], "entity");
  // Linear takes an identifier ("ENG-1") where it takes an issue's id.
  effects::LinearCreateComment comment = builtin::SyncedReplyComment(
      s.run_id(), pending, result, entity.substr(sizeof(kLinearIssuePrefix) - 1));
  s.state()["own_comments"].push_back(comment.id);
  s.decision.effects.push_back(
      {s.NextStep("sync-comment"), "linear:" + s.run_id(), std::move(comment)});
  s.decision.note = "thread reply synced to Linear";
}

}  // namespace

std::string FeedRunId(std::int64_t subscription_id, const std::string& entity_key) {
  return "feed:" + std::to_string(subscription_id) + ":" + entity_key;
}

engine::Event MakeFeedEvent(const Subscription& subscription, const FeedEvent& event,
                            const std::string& delivery_key) {
  return {kFeedEvent,
          {{"subscription", ToJson(subscription)}, {"event", ToJson(event)}},
          "delivery:" + delivery_key};
}

std::string RootText(const FeedEvent& e) {
  std::string text = Mark(e) + " " + Link(e.url, e.title);
  if (e.feature == "ci") return Mark(e) + " *" + e.title + "* " + e.line;
  text += " — " + e.line;
  if (!e.labels.empty()) {
    text += " · ";
    for (std::size_t i = 0; i < e.labels.size(); ++i) text += (i ? ", " : "") + e.labels[i];
  }
  return text;
}

std::string ReplyText(const FeedEvent& e) { return Mark(e) + " " + e.line; }

Decision FeedWorkflow::Decide(const engine::DecideContext& context, const json& state,
                              const engine::Event& event) const {
  Step s(context, state);
  if (event.type == kFeedEvent) {
    OnFeedEvent(s, event);
  } else if (event.type == engine::kEffectDone && Str(event.data, "step") == "root") {
    OnRootPosted(s, event.data.value("result", json::object()));
  } else if (event.type == builtin::kSlackReplyEvent) {
    OnSlackReply(s, event);
  } else if (event.type == engine::kEffectDone &&
             Str(event.data, "step").rfind("sync-user", 0) == 0) {
    OnSyncUser(s, Str(event.data, "step"), event.data.value("result", json::object()));
  } else if (event.type == engine::kEffectDead && Str(event.data, "step") == "root") {
    // No home thread: later events post flat rather than being lost.
    s.state()["root_pending"] = false;
    s.state()["no_thread"] = true;
    for (const auto& p : s.state().value("pending", json::array())) {
      s.Post(s.NextStep("post"), Str(p, "text"));
    }
    s.state().erase("pending");
    s.decision.note = "root not posted: " + Str(event.data, "error");
  }
  return std::move(s.decision);
}

}  // namespace contexten::workflows::subscriptions
