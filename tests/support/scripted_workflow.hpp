#pragma once
// A workflow for engine and relay tests whose decisions are written in its events: "start" and
// any event may carry {effects: [...], wait_for: [...], timers: [{name, in_ms}], finish: bool,
// fail_with: "text" (throws)}. Its state records every event it saw, in order.

#include <stdexcept>

#include "workflows/engine/workflow.hpp"

namespace contexten::testing {

class ScriptedWorkflow final : public workflows::engine::Workflow {
 public:
  std::string_view type() const override { return "scripted"; }

  workflows::engine::Decision Decide(const workflows::engine::DecideContext& context,
                                     const nlohmann::json& state,
                                     const workflows::engine::Event& event) const override {
    using nlohmann::json;
    workflows::engine::Decision d;
    d.state = state.is_object() ? state : json{{"seen", json::array()}};
    json seen = {{"type", event.type}};
    if (event.data.contains("result")) seen["result"] = event.data["result"];
    if (event.data.contains("error")) seen["error"] = event.data["error"];
    if (event.data.contains("step")) seen["step"] = event.data["step"];
    if (event.data.contains("name")) seen["name"] = event.data["name"];
    d.state["seen"].push_back(seen);
    if (event.data.contains("fail_with")) {
      throw std::runtime_error(event.data["fail_with"].get<std::string>());
    }
    for (const auto& e : event.data.value("effects", json::array())) {
      d.effects.push_back(
          {e.value("step", ""), e.value("order_key", ""),
           workflows::engine::effects::Raw{e.value("lane", "slack"), e.value("kind", "test"),
                                           e.value("args", json::object())}});
    }
    for (const auto& k : event.data.value("wait_for", json::array())) d.wait_for.push_back(k);
    for (const auto& t : event.data.value("timers", json::array())) {
      d.timers.push_back({t.value("name", ""), context.now_ms + t.value("in_ms", 0)});
    }
    for (const auto& l : event.data.value("links", json::array())) {
      d.links.push_back(
          {l.value("from", ""), l.value("to", ""), l.value("kind", "references"), json::object()});
    }
    if (event.data.value("finish", false))
      d.outcome = workflows::engine::Decision::Outcome::kCompleted;
    return d;
  }
};

}  // namespace contexten::testing
