#pragma once
// The decision helper of a workflow that owns one Slack message edited in place (its "root": an
// alert, a request card) and replies in that message's thread. Until the root's post has come back
// with its ts, edits mark it stale and replies queue in state; RootPosted applies both, so nothing
// is lost to the outbox's ordering (DESIGN.md §3: effects go out through the outbox relay).
//
// State it keeps: root {channel, ts}, root_stale, pending_replies, seq (step numbering).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "workflows/engine/workflow.hpp"

namespace contexten::workflows::builtin {

class RootedThread {
 public:
  // `update_prefix` names the edit steps ("alert-update" -> "alert-update-3").
  RootedThread(const engine::DecideContext& context, const nlohmann::json& state,
               std::string update_prefix);
  virtual ~RootedThread() = default;
  RootedThread(const RootedThread&) = delete;
  RootedThread& operator=(const RootedThread&) = delete;

  nlohmann::json& state() { return decision.state; }
  bool HasRoot();
  // Order keys: replies and ephemerals in the run's lane; root edits in their own.
  std::string SlackKey();
  std::string CardKey();
  // "slack_thread:<channel>/<ts>" of the root; only with HasRoot().
  std::string ThreadKey();
  // A fresh step name "<prefix>-<n>" (n counts in state, so steps stay unique across events).
  std::string NextStep(const std::string& prefix);
  void Effect(std::string step, std::string order_key, engine::EffectAction action);

  // Edits the root to RenderRoot(); before the root exists, remembers to do so once it does.
  void UpdateRoot();
  // A reply in the root's thread; before the root exists, queued in state.
  void Tell(const std::string& text, nlohmann::json blocks = nlohmann::json());
  // An ephemeral note to `user` in the channel (in the thread once the root exists).
  void Ephemeral(const std::string& user, const std::string& text);
  // The root's post came back ({channel, ts}): records it, then applies a stale edit and the
  // queued replies in order.
  void RootPosted(const nlohmann::json& result);

  const std::string& run_id() const { return context_.run_id; }
  std::int64_t now_ms() const { return context_.now_ms; }

  engine::Decision decision;

 protected:
  // The root message as it should read now ({text, blocks}).
  virtual nlohmann::json RenderRoot() = 0;

 private:
  const engine::DecideContext& context_;
  std::string update_prefix_;
};

}  // namespace contexten::workflows::builtin
