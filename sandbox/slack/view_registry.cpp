#include "sandbox/slack/view_registry.hpp"

#include <cstdio>

namespace contexten::sandbox {
namespace {

using nlohmann::json;

core::Unexpected SlackCode(core::ErrorKind kind, const std::string& code) {
  return core::Unexpected(core::MakeError(kind, code));
}

std::string Base36(std::uint64_t n, std::size_t width) {
  static constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string out;
  do {
    out.insert(out.begin(), kDigits[n % 36]);
    n /= 36;
  } while (n > 0);
  while (out.size() < width) out.insert(out.begin(), '0');
  return out;
}

}  // namespace

ViewRegistry::ViewRegistry(const core::Clock& clock, ViewRegistryOptions options)
    : clock_(clock), options_(std::move(options)) {}

std::string ViewRegistry::IssueTrigger(const std::string& user) {
  std::lock_guard lock(mu_);
  const auto wall =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.WallNow().time_since_epoch()).count();
  // Slack's shape: "<digits>.<digits>.<hex>".
  const std::uint64_t n = ++next_trigger_;
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%lld.%llu.%016llx", static_cast<long long>(wall),
                static_cast<unsigned long long>(n),
                static_cast<unsigned long long>(n * 0x9E3779B97F4A7C15ULL));
  triggers_[buf] = Trigger{user, clock_.Now(), false};
  return buf;
}

core::Result<std::string> ViewRegistry::Exchange(const std::string& trigger_id) {
  auto it = triggers_.find(trigger_id);
  if (trigger_id.empty() || it == triggers_.end()) {
    return SlackCode(core::ErrorKind::kInvalidInput, "invalid_trigger_id");
  }
  if (it->second.used) return SlackCode(core::ErrorKind::kConflict, "exchanged_trigger_id");
  if (clock_.Now() - it->second.issued > options_.trigger_life) {
    return SlackCode(core::ErrorKind::kConflict, "expired_trigger_id");
  }
  it->second.used = true;
  return it->second.user;
}

std::string ViewRegistry::NewHash() {
  const auto wall =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.WallNow().time_since_epoch()).count();
  return std::to_string(wall) + "." + Base36(++next_id_ * 7919 + 104729, 8);
}

SandboxView ViewRegistry::Store(const std::string& user, const json& view, int depth,
                                const std::string& root_id, const std::string& previous_id,
                                const std::string& id) {
  SandboxView stored;
  // Not "V" + Base36(...): GCC 12 at -O3 reports a false-positive -Wrestrict for that operator+
  // (GCC bug 105329), which fails Release builds under -Werror.
  stored.id = id.empty() ? std::string("V").append(Base36(++next_id_, 10)) : id;
  stored.user = user;
  stored.depth = depth;
  stored.hash = NewHash();
  stored.callback_id = view.value("callback_id", "");
  json full = view;
  for (auto& [key, value] : options_.view_defaults.items()) full[key] = value;
  full["id"] = stored.id;
  full["hash"] = stored.hash;
  full["callback_id"] = stored.callback_id;
  full["state"] = json{{"values", json::object()}};
  full["root_view_id"] = root_id.empty() ? stored.id : root_id;
  full["previous_view_id"] = previous_id.empty() ? json() : json(previous_id);
  if (!full.contains("private_metadata")) full["private_metadata"] = "";
  if (!full.contains("external_id")) full["external_id"] = "";
  if (!full.contains("clear_on_close")) full["clear_on_close"] = false;
  if (!full.contains("notify_on_close")) full["notify_on_close"] = false;
  stored.view = std::move(full);
  return stored;
}

core::Result<SandboxView> ViewRegistry::Open(const std::string& trigger_id, const json& view) {
  std::lock_guard lock(mu_);
  auto user = Exchange(trigger_id);
  if (!user) return core::Unexpected(user.error());
  auto& stack = stacks_[*user];
  stack.clear();
  stack.push_back(Store(*user, view, 1, "", ""));
  return stack.back();
}

core::Result<SandboxView> ViewRegistry::Push(const std::string& trigger_id, const json& view) {
  std::lock_guard lock(mu_);
  auto it = triggers_.find(trigger_id);
  if (it != triggers_.end() && !it->second.used) {
    auto stack = stacks_.find(it->second.user);
    if (stack != stacks_.end() && static_cast<int>(stack->second.size()) >= options_.max_stack) {
      return SlackCode(core::ErrorKind::kConflict, "push_limit_reached");
    }
  }
  auto user = Exchange(trigger_id);
  if (!user) return core::Unexpected(user.error());
  auto& stack = stacks_[*user];
  const std::string root = stack.empty() ? "" : stack.front().id;
  const std::string previous = stack.empty() ? "" : stack.back().id;
  stack.push_back(Store(*user, view, static_cast<int>(stack.size()) + 1, root, previous));
  return stack.back();
}

std::vector<SandboxView>* ViewRegistry::StackOf(const std::string& view_id, std::size_t* index) {
  for (auto& [user, stack] : stacks_) {
    for (std::size_t i = 0; i < stack.size(); ++i) {
      if (stack[i].id == view_id) {
        *index = i;
        return &stack;
      }
    }
  }
  return nullptr;
}

core::Result<SandboxView> ViewRegistry::Update(const std::string& view_id,
                                               const std::string& external_id, const json& view,
                                               const std::string& hash) {
  std::lock_guard lock(mu_);
  std::size_t index = 0;
  std::vector<SandboxView>* stack = nullptr;
  if (!view_id.empty()) {
    stack = StackOf(view_id, &index);
  } else if (!external_id.empty()) {
    for (auto& [user, s] : stacks_) {
      for (std::size_t i = 0; i < s.size() && !stack; ++i) {
        if (s[i].view.value("external_id", "") == external_id) {
          stack = &s;
          index = i;
        }
      }
    }
  }
  if (!stack) return SlackCode(core::ErrorKind::kNotFound, "not_found");
  auto& old = (*stack)[index];
  if (!hash.empty() && hash != old.hash)
    return SlackCode(core::ErrorKind::kConflict, "hash_conflict");
  SandboxView updated = Store(old.user, view, old.depth, old.view.value("root_view_id", ""),
                              old.view["previous_view_id"].is_string()
                                  ? old.view["previous_view_id"].get<std::string>()
                                  : "",
                              old.id);
  old = std::move(updated);
  return old;
}

std::optional<SandboxView> ViewRegistry::Find(const std::string& view_id) const {
  std::lock_guard lock(mu_);
  for (const auto& [user, stack] : stacks_) {
    for (const auto& v : stack) {
      if (v.id == view_id) return v;
    }
  }
  return std::nullopt;
}

std::vector<SandboxView> ViewRegistry::OpenViews(const std::string& user) const {
  std::lock_guard lock(mu_);
  std::vector<SandboxView> out;
  for (const auto& [owner, stack] : stacks_) {
    if (!user.empty() && owner != user) continue;
    out.insert(out.end(), stack.begin(), stack.end());
  }
  return out;
}

std::optional<SandboxView> ViewRegistry::TopView(const std::string& user) const {
  std::lock_guard lock(mu_);
  auto it = stacks_.find(user);
  if (it == stacks_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::optional<SandboxView> ViewRegistry::SetErrors(const std::string& view_id, const json& errors) {
  std::lock_guard lock(mu_);
  std::size_t index = 0;
  auto* stack = StackOf(view_id, &index);
  if (!stack) return std::nullopt;
  (*stack)[index].errors = errors;
  return (*stack)[index];
}

std::optional<SandboxView> ViewRegistry::Replace(const std::string& view_id, const json& view) {
  std::lock_guard lock(mu_);
  std::size_t index = 0;
  auto* stack = StackOf(view_id, &index);
  if (!stack) return std::nullopt;
  auto& old = (*stack)[index];
  const json previous = old.view.value("previous_view_id", json());
  old = Store(old.user, view, old.depth, old.view.value("root_view_id", ""),
              previous.is_string() ? previous.get<std::string>() : "", old.id);
  return old;
}

std::vector<SandboxView> ViewRegistry::CloseTop(const std::string& view_id) {
  std::lock_guard lock(mu_);
  std::size_t index = 0;
  auto* stack = StackOf(view_id, &index);
  if (!stack) return {};
  std::vector<SandboxView> closed(stack->begin() + static_cast<std::ptrdiff_t>(index),
                                  stack->end());
  stack->resize(index);
  return closed;
}

std::vector<SandboxView> ViewRegistry::CloseAll(const std::string& user) {
  std::lock_guard lock(mu_);
  auto it = stacks_.find(user);
  if (it == stacks_.end()) return {};
  auto closed = std::move(it->second);
  stacks_.erase(it);
  return closed;
}

}  // namespace contexten::sandbox
