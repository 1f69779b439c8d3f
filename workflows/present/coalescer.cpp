#include "workflows/present/coalescer.hpp"

#include <algorithm>
#include <utility>

#include "integrations/slack/block_kit/limits.hpp"
#include "integrations/slack/block_kit/message.hpp"
#include "integrations/slack/block_kit/truncate.hpp"

namespace contexten::workflows::present {
namespace {

namespace blocks = integrations::slack::blocks;
namespace limits = integrations::slack::blocks::limits;
using nlohmann::json;

std::string StringMember(const json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::int64_t> IntMember(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

std::string ReplaceCount(std::string text, std::size_t n) {
  const std::string count = std::to_string(n);
  for (auto pos = text.find("{n}"); pos != std::string::npos; pos = text.find("{n}", pos)) {
    text.replace(pos, 3, count);
    pos += count.size();
  }
  return text;
}

// One output line per event, or per group of events sharing a key.
std::vector<std::string> Lines(const std::vector<ThreadEvent>& events) {
  std::vector<std::string> lines;
  std::vector<bool> used(events.size(), false);
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (used[i]) continue;
    const auto& key = events[i].coalesce_key;
    if (key.empty()) {
      lines.push_back(events[i].text);
      continue;
    }
    std::vector<const ThreadEvent*> group;
    for (std::size_t j = i; j < events.size(); ++j) {
      if (!used[j] && events[j].coalesce_key == key) {
        used[j] = true;
        group.push_back(&events[j]);
      }
    }
    // The newest template wins: a later event knows the most about the burst.
    std::string merged;
    for (const auto* e : group) {
      if (!e->merged_text.empty()) merged = e->merged_text;
    }
    if (group.size() > 1 && !merged.empty()) {
      lines.push_back(ReplaceCount(merged, group.size()));
    } else {
      for (const auto* e : group) lines.push_back(e->text);
    }
  }
  return lines;
}

}  // namespace

json CoalescerState::ToJson() const {
  json pending_json = json::array();
  for (const auto& e : pending) {
    pending_json.push_back({{"at_ms", e.at_ms},
                            {"text", e.text},
                            {"coalesce_key", e.coalesce_key},
                            {"merged_text", e.merged_text}});
  }
  json out = {{"pending", std::move(pending_json)}};
  out["flush_due_ms"] = flush_due_ms ? json(*flush_due_ms) : json(nullptr);
  return out;
}

CoalescerState CoalescerState::FromJson(const json& in) {
  CoalescerState state;
  if (!in.is_object()) return state;
  state.flush_due_ms = IntMember(in, "flush_due_ms");
  const auto it = in.find("pending");
  if (it != in.end() && it->is_array()) {
    for (const auto& e : *it) {
      if (!e.is_object()) continue;
      state.pending.push_back(ThreadEvent{IntMember(e, "at_ms").value_or(0),
                                          StringMember(e, "text"), StringMember(e, "coalesce_key"),
                                          StringMember(e, "merged_text")});
    }
  }
  // Held events with no due time would never be posted: make them due now.
  if (!state.pending.empty() && !state.flush_due_ms) state.flush_due_ms = 0;
  return state;
}

CoalesceDecision Coalesce(CoalescerState& state, ThreadEvent event, std::int64_t now_ms,
                          std::int64_t window_ms) {
  CoalesceDecision decision;
  if (event.coalesce_key.empty()) {
    decision.post_now = std::move(state.pending);
    decision.post_now.push_back(std::move(event));
    state.pending.clear();
    state.flush_due_ms.reset();
    return decision;
  }
  const bool first = !state.flush_due_ms.has_value();
  if (first) state.flush_due_ms = event.at_ms + window_ms;
  state.pending.push_back(std::move(event));
  if (now_ms >= *state.flush_due_ms) {
    decision.post_now = Flush(state, now_ms);
  } else if (first) {
    decision.set_timer_ms = state.flush_due_ms;
  }
  return decision;
}

std::vector<ThreadEvent> Flush(CoalescerState& state, std::int64_t now_ms) {
  if (!state.flush_due_ms || now_ms < *state.flush_due_ms) return {};
  std::vector<ThreadEvent> due = std::move(state.pending);
  state.pending.clear();
  state.flush_due_ms.reset();
  return due;
}

json RenderThreadReply(const std::vector<ThreadEvent>& events) {
  const auto lines = Lines(events);
  // Lines are packed into as few sections as fit Slack's section limit; a line longer than
  // that is cut. Past the message's block limit the rest is summarised in the last block.
  std::vector<std::string> sections;
  std::size_t dropped = 0;
  for (const auto& raw : lines) {
    if (raw.empty()) continue;  // Slack refuses a section with empty text
    if (dropped > 0) {          // keep order: nothing after the first dropped line is shown
      ++dropped;
      continue;
    }
    const std::string line = blocks::TruncateForSlack(raw, limits::kSectionText);
    if (!sections.empty() && blocks::CountChars(sections.back()) + 1 + blocks::CountChars(line) <=
                                 limits::kSectionText) {
      sections.back() += "\n" + line;
    } else if (sections.size() + 1 < limits::kMessageBlocks) {
      sections.push_back(line);
    } else {
      ++dropped;
    }
  }
  blocks::Message message;
  std::string fallback = lines.empty() ? std::string() : lines.front();
  if (lines.size() > 1) fallback += " (+" + std::to_string(lines.size() - 1) + " more)";
  message.Text(blocks::TruncateForSlack(fallback, 3000));
  for (auto& text : sections) message.Add(blocks::Section::Markdown(std::move(text)));
  if (dropped > 0) {
    message.Add(blocks::Context().AddText(
        blocks::Mrkdwn("_and " + std::to_string(dropped) + " more updates_")));
  }
  auto built = message.Build();
  if (!built) return json{{"text", message.size() > 0 ? fallback : std::string()}};
  return std::move(*built);
}

}  // namespace contexten::workflows::present
