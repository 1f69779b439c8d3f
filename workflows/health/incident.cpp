#include "workflows/health/incident.hpp"

#include <algorithm>
#include <ctime>

#include "core/json_fields.hpp"
#include "workflows/present/button.hpp"

namespace contexten::workflows::health {
namespace {

using core::json_fields::Str;
using engine::DecideContext;
using engine::Decision;
using engine::Event;
using nlohmann::json;
namespace effects = engine::effects;

constexpr char kGroupTimer[] = "group";
constexpr char kRemindTimer[] = "remind";
constexpr char kEscalateTimer[] = "escalate";

constexpr char kIdle[] = "idle";
constexpr char kPending[] = "pending";  // waiting out the grouping delay, nothing posted
constexpr char kPosted[] = "posted";    // the root exists (or is on its way)
constexpr char kClosing[] = "closing";  // recovered before the root's ts came back

std::string UtcClock(std::int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buffer;
}

std::string StatusWord(const std::string& status) {
  if (status == kStatusDegraded) return "degraded";
  if (status == kStatusOpen) return "open";
  if (status == kStatusHalfOpen) return "half-open";
  if (status == kStatusOk) return "ok";
  return status;
}

std::string Emoji(const std::string& status, bool recovered) {
  if (recovered) return ":large_green_circle:";
  if (status == kStatusOpen) return ":red_circle:";
  if (status == kStatusHalfOpen) return ":large_orange_circle:";
  return ":large_yellow_circle:";
}

class Step {
 public:
  Step(const DecideContext& context, const json& state, const IncidentOptions& options)
      : context_(context), options_(options) {
    decision.state = state.is_object() ? state : json::object();
    if (!decision.state.contains("phase")) decision.state["phase"] = kIdle;
  }

  json& state() { return decision.state; }
  std::string Phase() { return state().value("phase", std::string(kIdle)); }
  std::int64_t Now() const { return context_.now_ms; }
  bool HasRoot() { return state().contains("root") && state()["root"].is_object(); }
  bool RootPosting() { return state().value("root_posting", false); }
  int Episode() { return state().value("episode", 0); }

  std::string NextStep(const std::string& prefix) {
    const int seq = state().value("seq", 0) + 1;
    state()["seq"] = seq;
    return prefix + "-" + std::to_string(seq);
  }
  std::string PostKey() { return "slack:incident/" + context_.run_id; }
  // Root edits go in order among themselves, never behind a reply's pacing wait.
  std::string RootKey() { return "slack-root:incident/" + context_.run_id; }

  void Effect(std::string step, std::string order_key, engine::EffectAction action) {
    decision.effects.push_back({std::move(step), std::move(order_key), std::move(action)});
  }

  bool Silenced() {
    return state().value("silenced_recovered", false) ||
           state().value("silenced_until_ms", std::int64_t{0}) > Now();
  }

  void Reply(std::string text) {
    if (HasRoot()) {
      effects::SlackPostMessage reply;
      reply.channel = Str(state()["root"], "channel");
      reply.thread_ts = Str(state()["root"], "ts");
      reply.text = std::move(text);
      Effect(NextStep("reply"), PostKey(), std::move(reply));
    } else if (RootPosting()) {
      state()["waiting_replies"].push_back(std::move(text));  // sent once the root's ts is known
    }
  }

  void UpdateRoot() {
    if (HasRoot()) {
      json message = RenderIncidentRoot(state(), context_.run_id, Now());
      Effect(NextStep("root-update"), RootKey(),
             effects::SlackUpdateMessage{Str(state()["root"], "channel"),
                                         Str(state()["root"], "ts"), message.value("text", ""),
                                         message.value("blocks", json::array())});
    } else if (RootPosting()) {
      state()["root_stale"] = true;
    }
  }

  std::string Evidence() {
    std::string text = "*Evidence* (" + StatusWord(state().value("status", "")) +
                       "): " + state().value("detail", std::string("no detail"));
    const auto errors = state().value("errors", std::int64_t{0});
    if (errors > 0) text += "\nErrors: " + std::to_string(errors);
    const std::string last = state().value("last_error", "");
    if (!last.empty()) text += "\nLast error: `" + last + "`";
    const auto queued = state().value("queued", std::int64_t{0});
    if (queued > 0) text += "\nQueued effects waiting: " + std::to_string(queued);
    return text;
  }

  void StartEpisode() {
    state()["phase"] = kPending;
    state()["episode"] = Episode() + 1;
    state()["since_ms"] = Now();
    state()["max_queued"] = state().value("queued", std::int64_t{0});
    if (options_.grouping_delay.count() <= 0) return PostRoot();
    decision.timers.push_back({kGroupTimer, Now() + options_.grouping_delay.count()});
    decision.note = "problem seen; waiting the grouping delay";
  }

  void PostRoot() {
    state()["phase"] = kPosted;
    decision.note = "incident posted";
    if (!options_.oncall_group.empty() && options_.oncall_after.count() > 0) {
      decision.timers.push_back(
          {kEscalateTimer,
           std::max(Now() + 1, state().value("since_ms", Now()) + options_.oncall_after.count())});
    }
    if (options_.reminder_interval.count() > 0) {
      decision.timers.push_back({kRemindTimer, Now() + options_.reminder_interval.count()});
    }
    if (options_.ops_channel.empty()) return;  // tracked, not posted
    json message = RenderIncidentRoot(state(), context_.run_id, Now());
    effects::SlackPostMessage post;
    post.channel = options_.ops_channel;
    post.text = message.value("text", "");
    post.blocks = message.value("blocks", json::array());
    Effect("root-" + std::to_string(Episode()), PostKey(), std::move(post));
    state()["root_posting"] = true;
    state()["waiting_replies"] = json::array();
    Reply(Evidence());
  }

  void EndEpisode() {
    for (const char* key :
         {"root", "root_posting", "root_stale", "waiting_replies", "recovered_ms", "acked_by",
          "silenced_until_ms", "silenced_recovered", "escalated", "since_ms", "max_queued"}) {
      state().erase(key);
    }
    state()["phase"] = kIdle;
    decision.cancel_timers = {kRemindTimer, kEscalateTimer};
  }

  void Recover() {
    state()["recovered_ms"] = Now();
    const auto lasted = Now() - state().value("since_ms", Now());
    std::string text = Emoji(kStatusOk, true) + " Recovered after " + HumanDuration(lasted) + ".";
    const auto replayed = state().value("max_queued", std::int64_t{0});
    // The queue's high-water mark: what waited for it, replayed in order from now on.
    text += replayed > 0 ? " " + std::to_string(replayed) +
                               " queued effect(s) waited for it and are replayed in order."
                         : " Nothing was waiting on it.";
    Reply(std::move(text));
    UpdateRoot();
    decision.note = "recovered";
    if (!HasRoot() && RootPosting()) {
      state()["phase"] = kClosing;  // finished once the root's ts is known
      decision.cancel_timers = {kRemindTimer, kEscalateTimer};
      return;
    }
    EndEpisode();
  }

  void OnRootDone(const json& result) {
    state()["root"] = {{"channel", Str(result, "channel")}, {"ts", Str(result, "ts")}};
    state()["root_posting"] = false;
    if (state().value("root_stale", false)) {
      state().erase("root_stale");
      UpdateRoot();
    }
    json waiting = state().value("waiting_replies", json::array());
    state()["waiting_replies"] = json::array();
    for (auto& text : waiting) {
      if (text.is_string()) Reply(text.get<std::string>());
    }
    if (Phase() == kClosing) FinishClosing();
  }

  void OnRootDead() {
    state()["root_posting"] = false;
    state()["waiting_replies"] = json::array();
    state().erase("root_stale");
    if (Phase() == kClosing) FinishClosing();
  }

  void FinishClosing() {
    EndEpisode();
    // A problem that came back while the recovery was on its way is a new episode.
    if (state().value("status", std::string(kStatusOk)) != kStatusOk) StartEpisode();
  }

  Decision decision;

 private:
  const DecideContext& context_;
  const IncidentOptions& options_;
};

void OnSample(Step& s, const Event& event) {
  const std::string previous = s.state().value("status", std::string(kStatusOk));
  const std::string status =
      Str(event.data, "status").empty() ? std::string(kStatusOk) : Str(event.data, "status");
  s.state()["integration"] = Str(event.data, "integration");
  s.state()["check"] = Str(event.data, "check");
  s.state()["status"] = status;
  s.state()["detail"] = Str(event.data, "detail");
  s.state()["errors"] = event.data.value("errors", std::int64_t{0});
  s.state()["last_error"] = Str(event.data, "last_error");
  const auto queued = event.data.value("queued", std::int64_t{0});
  s.state()["queued"] = queued;
  if (s.Phase() != kIdle) {
    s.state()["max_queued"] = std::max(queued, s.state().value("max_queued", std::int64_t{0}));
  }

  const std::string phase = s.Phase();
  if (status == kStatusOk) {
    if (phase == kPending) {
      // Healed within the grouping delay: nobody hears of it.
      s.EndEpisode();
      s.decision.cancel_timers.push_back(kGroupTimer);
      s.decision.note = "healed within the grouping delay";
    } else if (phase == kPosted) {
      s.Recover();
    }
    return;
  }
  if (phase == kIdle) return s.StartEpisode();
  if (phase == kPosted && previous != status) {
    s.UpdateRoot();
    s.Reply("Now *" + StatusWord(status) + "*: " + Str(event.data, "detail"));
  }
}

void OnTimer(Step& s, const Event& event, const IncidentOptions& options) {
  const std::string name = Str(event.data, "name");
  if (name == kGroupTimer) {
    if (s.Phase() == kPending) s.PostRoot();
  } else if (name == kRemindTimer) {
    if (s.Phase() != kPosted) return;
    if (!s.Silenced()) {
      s.Reply("Still *" + StatusWord(s.state().value("status", "")) + "* after " +
              HumanDuration(s.Now() - s.state().value("since_ms", s.Now())) + ". " +
              s.state().value("detail", std::string()));
    }
    s.decision.timers.push_back({kRemindTimer, s.Now() + options.reminder_interval.count()});
  } else if (name == kEscalateTimer) {
    if (s.Phase() != kPosted || s.state().contains("acked_by") || s.Silenced() ||
        s.state().value("escalated", false) || options.oncall_group.empty()) {
      return;
    }
    s.state()["escalated"] = true;
    s.Reply("<!subteam^" + options.oncall_group + "> this incident has been unacknowledged for " +
            HumanDuration(s.Now() - s.state().value("since_ms", s.Now())) + ".");
  }
}

bool SameEpisode(Step& s, const Event& event) {
  // A click on an older episode's root must not acknowledge the current one.
  return !event.data.contains("episode") || event.data.value("episode", 0) == s.Episode();
}

void OnAck(Step& s, const Event& event) {
  if (s.Phase() != kPosted || !SameEpisode(s, event) || s.state().contains("acked_by")) return;
  const std::string user = Str(event.data, "user");
  s.state()["acked_by"] = user;
  s.decision.cancel_timers = {kEscalateTimer};
  s.UpdateRoot();
  s.Reply("Acknowledged by <@" + user + ">.");
}

void OnSilence(Step& s, const Event& event, const IncidentOptions& options) {
  if (s.Phase() != kPosted || !SameEpisode(s, event)) return;
  const std::string user = Str(event.data, "user");
  if (Str(event.data, "until") == "recovered") {
    s.state()["silenced_recovered"] = true;
    s.Reply("Silenced by <@" + user + "> until it recovers: no reminders or on-call mentions.");
  } else {
    const std::int64_t until = s.Now() + options.silence_for.count();
    s.state()["silenced_until_ms"] = until;
    s.Reply("Silenced by <@" + user + "> until " + UtcClock(until) + ".");
  }
  s.UpdateRoot();
}

}  // namespace

std::string IncidentRunId(std::string_view integration, std::string_view check) {
  return "incident:" + std::string(integration) + ":" + std::string(check);
}

json RenderIncidentRoot(const json& state, const std::string& run_id, std::int64_t now_ms) {
  (void)now_ms;
  const bool recovered = state.contains("recovered_ms");
  const std::string status = state.value("status", std::string(kStatusOk));
  const std::string integration = state.value("integration", std::string("?"));
  const std::string check = state.value("check", std::string("?"));
  const std::string word = recovered ? "recovered" : StatusWord(status);
  const std::int64_t since = state.value("since_ms", now_ms);

  std::string headline =
      Emoji(status, recovered) + " *" + integration + "* (" + check + "): " + word;
  std::string body = "Since " + UtcClock(since);
  if (recovered) {
    body += ", lasted " + HumanDuration(state.value("recovered_ms", now_ms) - since);
  }
  const std::string detail = state.value("detail", std::string());
  if (!recovered && !detail.empty()) body += "\n" + detail;

  json blocks = json::array();
  blocks.push_back(
      {{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", headline + "\n" + body}}}});
  std::vector<std::string> notes;
  if (state.contains("acked_by"))
    notes.push_back("Acknowledged by <@" + Str(state, "acked_by") + ">");
  if (state.value("silenced_recovered", false)) {
    notes.push_back("Silenced until recovered");
  } else if (state.contains("silenced_until_ms")) {
    notes.push_back("Silenced until " + UtcClock(state.value("silenced_until_ms", now_ms)));
  }
  if (!notes.empty()) {
    std::string joined;
    for (const auto& n : notes) joined += (joined.empty() ? "" : " · ") + n;
    blocks.push_back(
        {{"type", "context"}, {"elements", json::array({{{"type", "mrkdwn"}, {"text", joined}}})}});
  }
  if (!recovered) {
    const std::string value = run_id + "#" + std::to_string(state.value("episode", 0));
    json buttons = json::array();
    if (!state.contains("acked_by")) {
      buttons.push_back(present::ButtonJson("Acknowledge", kIncidentAckAction, value,
                                            present::ButtonStyle::kPrimary));
    }
    buttons.push_back(present::ButtonJson("Silence 1 h", kIncidentSilenceHourAction, value));
    buttons.push_back(
        present::ButtonJson("Silence until recovered", kIncidentSilenceRecoveredAction, value));
    blocks.push_back({{"type", "actions"}, {"block_id", "incident"}, {"elements", buttons}});
  }
  return {{"text", integration + " (" + check + "): " + word}, {"blocks", blocks}};
}

engine::Decision IncidentWorkflow::Decide(const DecideContext& context, const json& state,
                                          const Event& event) const {
  Step s(context, state, options_);
  if (event.type == kHealthSampleEvent) {
    OnSample(s, event);
  } else if (event.type == engine::kTimerFired) {
    OnTimer(s, event, options_);
  } else if (event.type == kIncidentAckEvent) {
    OnAck(s, event);
  } else if (event.type == kIncidentSilenceEvent) {
    OnSilence(s, event, options_);
  } else if (event.type == engine::kEffectDone || event.type == engine::kEffectDead) {
    const std::string step = Str(event.data, "step");
    if (step.rfind("root-", 0) == 0 && step.rfind("root-update", 0) != 0) {
      if (event.type == engine::kEffectDone) {
        s.OnRootDone(event.data.contains("result") ? event.data["result"] : json::object());
      } else {
        s.OnRootDead();
      }
    }
  }
  return std::move(s.decision);
}

}  // namespace contexten::workflows::health
