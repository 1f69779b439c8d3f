#pragma once
// View builders: a modal (views.open/update/push) and a Home tab (views.publish). Build()
// refuses a view that breaks a Block Kit limit.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "integrations/slack/block_kit/blocks.hpp"

namespace contexten::integrations::slack::blocks {

class Modal {
 public:
  explicit Modal(std::string title);
  Modal& Submit(std::string text);
  Modal& Close(std::string text);
  Modal& Add(Block block);
  Modal& PrivateMetadata(std::string metadata);
  Modal& CallbackId(std::string callback_id);
  Modal& ExternalId(std::string external_id);
  Modal& ClearOnClose(bool clear = true);
  Modal& NotifyOnClose(bool notify = true);
  std::size_t size() const { return blocks_.size(); }

  // The view object {"type": "modal", ...}, or kInvalidInput naming the offending path.
  core::Result<nlohmann::json> Build() const;

 private:
  std::string title_;
  std::optional<std::string> submit_;
  std::optional<std::string> close_;
  std::vector<Block> blocks_;
  std::optional<std::string> private_metadata_;
  std::optional<std::string> callback_id_;
  std::optional<std::string> external_id_;
  bool clear_on_close_ = false;
  bool notify_on_close_ = false;
};

class HomeView {
 public:
  HomeView() = default;
  HomeView& Add(Block block);
  HomeView& PrivateMetadata(std::string metadata);
  HomeView& CallbackId(std::string callback_id);
  std::size_t size() const { return blocks_.size(); }

  core::Result<nlohmann::json> Build() const;

 private:
  std::vector<Block> blocks_;
  std::optional<std::string> private_metadata_;
  std::optional<std::string> callback_id_;
};

}  // namespace contexten::integrations::slack::blocks
