#include "integrations/slack/block_kit/modal.hpp"

#include <utility>

#include "integrations/slack/block_kit/validate.hpp"

namespace contexten::integrations::slack::blocks {

Modal::Modal(std::string title) : title_(std::move(title)) {}

Modal& Modal::Submit(std::string text) {
  submit_ = std::move(text);
  return *this;
}

Modal& Modal::Close(std::string text) {
  close_ = std::move(text);
  return *this;
}

Modal& Modal::Add(Block block) {
  blocks_.push_back(std::move(block));
  return *this;
}

Modal& Modal::PrivateMetadata(std::string metadata) {
  private_metadata_ = std::move(metadata);
  return *this;
}

Modal& Modal::CallbackId(std::string callback_id) {
  callback_id_ = std::move(callback_id);
  return *this;
}

Modal& Modal::ExternalId(std::string external_id) {
  external_id_ = std::move(external_id);
  return *this;
}

Modal& Modal::ClearOnClose(bool clear) {
  clear_on_close_ = clear;
  return *this;
}

Modal& Modal::NotifyOnClose(bool notify) {
  notify_on_close_ = notify;
  return *this;
}

core::Result<nlohmann::json> Modal::Build() const {
  nlohmann::json out{{"type", "modal"}, {"title", PlainText(title_).ToJson()}};
  if (submit_) out["submit"] = PlainText(*submit_).ToJson();
  if (close_) out["close"] = PlainText(*close_).ToJson();
  out["blocks"] = ToJson(blocks_);
  if (private_metadata_) out["private_metadata"] = *private_metadata_;
  if (callback_id_) out["callback_id"] = *callback_id_;
  if (external_id_) out["external_id"] = *external_id_;
  if (clear_on_close_) out["clear_on_close"] = true;
  if (notify_on_close_) out["notify_on_close"] = true;
  if (auto status = Validate(out, Surface::kModal); !status) return status.error();
  return out;
}

HomeView& HomeView::Add(Block block) {
  blocks_.push_back(std::move(block));
  return *this;
}

HomeView& HomeView::PrivateMetadata(std::string metadata) {
  private_metadata_ = std::move(metadata);
  return *this;
}

HomeView& HomeView::CallbackId(std::string callback_id) {
  callback_id_ = std::move(callback_id);
  return *this;
}

core::Result<nlohmann::json> HomeView::Build() const {
  nlohmann::json out{{"type", "home"}, {"blocks", ToJson(blocks_)}};
  if (private_metadata_) out["private_metadata"] = *private_metadata_;
  if (callback_id_) out["callback_id"] = *callback_id_;
  if (auto status = Validate(out, Surface::kHome); !status) return status.error();
  return out;
}

}  // namespace contexten::integrations::slack::blocks
