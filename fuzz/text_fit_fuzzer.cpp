// Truncation to Slack's limits: CountChars, TruncateUtf8, TruncateForSlack and the presenter's
// FitEscaped, with their documented guarantees checked on every input. The first two bytes are
// the limit (0..4095), the rest the user's text.

#include <string>

#include "fuzz/fuzz_support.hpp"
#include "integrations/slack/block_kit/truncate.hpp"
#include "workflows/present/fit_text.hpp"

using namespace contexten::integrations::slack::blocks;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::size_t max_chars = ((std::size_t{data[0]} << 8) | data[1]) & 0x0fff;
  const std::string_view text = contexten::fuzz::AsText(data + 2, size - 2);
  const std::size_t chars = CountChars(text);
  FUZZ_CHECK(chars <= text.size());

  const std::string cut = TruncateUtf8(text, max_chars);
  FUZZ_CHECK(CountChars(cut) <= max_chars);
  FUZZ_CHECK(text.substr(0, cut.size()) == cut);  // a prefix
  if (chars <= max_chars) FUZZ_CHECK(cut == text);

  const std::string fitted = TruncateForSlack(text, max_chars);
  FUZZ_CHECK(CountChars(fitted) <= max_chars);
  if (chars <= max_chars) FUZZ_CHECK(fitted == text);

  const std::string escaped = contexten::workflows::present::FitEscaped(text, max_chars);
  FUZZ_CHECK(CountChars(escaped) <= max_chars);
  return 0;
}
