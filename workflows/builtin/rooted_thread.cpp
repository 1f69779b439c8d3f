#include "workflows/builtin/rooted_thread.hpp"

#include <utility>

#include "core/json_fields.hpp"

namespace contexten::workflows::builtin {

using core::json_fields::Str;
using nlohmann::json;
namespace effects = engine::effects;

RootedThread::RootedThread(const engine::DecideContext& context, const json& state,
                           std::string update_prefix)
    : context_(context), update_prefix_(std::move(update_prefix)) {
  decision.state = state.is_object() ? state : json::object();
}

bool RootedThread::HasRoot() { return state().contains("root") && state()["root"].is_object(); }

std::string RootedThread::SlackKey() {
  return "slack:" + Str(state(), "channel") + "/" + context_.run_id;
}

std::string RootedThread::CardKey() {
  return "slack-card:" + Str(state(), "channel") + "/" + context_.run_id;
}

std::string RootedThread::ThreadKey() {
  return "slack_thread:" + Str(state()["root"], "channel") + "/" + Str(state()["root"], "ts");
}

std::string RootedThread::NextStep(const std::string& prefix) {
  const int seq = state().value("seq", 0) + 1;
  state()["seq"] = seq;
  return prefix + "-" + std::to_string(seq);
}

void RootedThread::Effect(std::string step, std::string order_key, engine::EffectAction action) {
  decision.effects.push_back({std::move(step), std::move(order_key), std::move(action)});
}

void RootedThread::UpdateRoot() {
  if (!HasRoot()) {
    state()["root_stale"] = true;
    return;
  }
  json message = RenderRoot();
  Effect(NextStep(update_prefix_), CardKey(),
         effects::SlackUpdateMessage{Str(state()["root"], "channel"), Str(state()["root"], "ts"),
                                     message.value("text", ""),
                                     message.value("blocks", json::array())});
}

void RootedThread::Tell(const std::string& text, json blocks) {
  if (!HasRoot()) {
    state()["pending_replies"].push_back(text);
    return;
  }
  effects::SlackPostMessage reply;
  reply.channel = Str(state()["root"], "channel");
  reply.thread_ts = Str(state()["root"], "ts");
  reply.text = text;
  reply.blocks = std::move(blocks);
  Effect(NextStep("reply"), SlackKey(), std::move(reply));
}

void RootedThread::Ephemeral(const std::string& user, const std::string& text) {
  if (user.empty()) return;
  effects::SlackPostEphemeral note;
  note.channel = Str(state(), "channel");
  note.user = user;
  note.text = text;
  if (HasRoot()) note.thread_ts = Str(state()["root"], "ts");
  Effect(NextStep("ephemeral"), SlackKey(), std::move(note));
}

void RootedThread::RootPosted(const json& result) {
  state()["root"] = {{"channel", Str(result, "channel")}, {"ts", Str(result, "ts")}};
  if (state().value("root_stale", false)) {
    state().erase("root_stale");
    UpdateRoot();
  }
  if (state().contains("pending_replies")) {
    const json replies = state()["pending_replies"];
    state().erase("pending_replies");
    for (const auto& r : replies) Tell(r.get<std::string>());
  }
}

}  // namespace contexten::workflows::builtin
