#include "integrations/linear/webhook_verify.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/crypto.hpp"

namespace contexten::integrations::linear {
namespace {

core::Status Reject(std::string_view reason) {
  return core::Unexpected(
      core::MakeError(core::ErrorKind::kUnauthorized, "linear webhook: " + std::string(reason)));
}

core::Status Invalid(std::string_view reason) {
  return core::Unexpected(
      core::MakeError(core::ErrorKind::kInvalidInput, "linear webhook: " + std::string(reason)));
}

}  // namespace

core::Status VerifyLinearSignature(std::string_view secret, std::string_view raw_body,
                                   std::string_view signature_header) {
  if (signature_header.empty()) return Reject("missing Linear-Signature");
  auto provided = core::HexDecode(signature_header);
  if (!provided.has_value()) return Reject("Linear-Signature is not hex");
  if (!core::ConstantTimeEquals(core::HmacSha256(secret, raw_body), *provided)) {
    return Reject("signature mismatch");
  }
  return core::Ok();
}

core::Status CheckLinearTimestamp(std::string_view raw_body, const core::Clock& clock,
                                  std::chrono::seconds window) {
  const auto body = nlohmann::json::parse(raw_body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) return Invalid("body is not a JSON object");
  const auto it = body.find("webhookTimestamp");
  if (it == body.end() || it->is_null()) return Invalid("missing webhookTimestamp");
  // The schema types it as Float; deliveries carry an integer count of milliseconds.
  if (it->is_number_integer() || it->is_number_unsigned()) {
    return CheckLinearTimestampMs(it->get<int64_t>(), clock, window);
  }
  if (it->is_number_float() && std::isfinite(it->get<double>()) &&
      std::fabs(it->get<double>()) < 9.0e15) {
    return CheckLinearTimestampMs(static_cast<int64_t>(it->get<double>()), clock, window);
  }
  return Invalid("webhookTimestamp is not a number");
}

core::Status CheckLinearTimestampMs(int64_t webhook_timestamp_ms, const core::Clock& clock,
                                    std::chrono::seconds window) {
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock.WallNow().time_since_epoch())
          .count();
  // Computed in unsigned space so that absurd timestamps cannot overflow.
  const uint64_t skew_ms =
      now_ms > webhook_timestamp_ms
          ? static_cast<uint64_t>(now_ms) - static_cast<uint64_t>(webhook_timestamp_ms)
          : static_cast<uint64_t>(webhook_timestamp_ms) - static_cast<uint64_t>(now_ms);
  const auto window_ms = static_cast<uint64_t>(window.count()) * 1000;
  if (skew_ms > window_ms) {
    return Reject("webhookTimestamp is " + std::to_string(skew_ms / 1000) +
                  " s from now; window is " + std::to_string(window.count()) + " s");
  }
  return core::Ok();
}

std::string SignLinearPayload(std::string_view secret, std::string_view raw_body) {
  return core::HmacSha256Hex(secret, raw_body);
}

}  // namespace contexten::integrations::linear
