#include "integrations/slack/block_kit/truncate.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace contexten::integrations::slack::blocks {
namespace {

struct CodePoint {
  std::size_t offset = 0;  // byte offset of the first byte
  std::size_t length = 1;  // bytes
  char32_t value = 0;      // U+FFFD for an invalid byte
};

// Decodes one code point at `offset`; an invalid or truncated sequence yields one byte.
CodePoint DecodeAt(std::string_view text, std::size_t offset) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
  CodePoint cp{offset, 1, 0xFFFD};
  const std::uint8_t lead = byte(offset);
  std::size_t length = 0;
  char32_t value = 0;
  char32_t min_value = 0;
  if (lead < 0x80) {
    cp.value = lead;
    return cp;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2;
    value = lead & 0x1F;
    min_value = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    value = lead & 0x0F;
    min_value = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    value = lead & 0x07;
    min_value = 0x10000;
  } else {
    return cp;
  }
  if (offset + length > text.size()) return cp;
  for (std::size_t i = 1; i < length; ++i) {
    const std::uint8_t next = byte(offset + i);
    if ((next & 0xC0) != 0x80) return cp;
    value = (value << 6) | (next & 0x3F);
  }
  if (value < min_value || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return cp;
  cp.length = length;
  cp.value = value;
  return cp;
}

std::vector<CodePoint> Decode(std::string_view text) {
  std::vector<CodePoint> out;
  out.reserve(text.size());
  for (std::size_t offset = 0; offset < text.size();) {
    out.push_back(DecodeAt(text, offset));
    offset += out.back().length;
  }
  return out;
}

// Code points that attach to the one before them: cutting just before one would strip a
// modifier from its base (a thumbs-up losing its skin tone, an e losing its accent).
bool AttachesToPrevious(char32_t c) {
  return c == 0x200D ||                     // zero width joiner
         (c >= 0xFE00 && c <= 0xFE0F) ||    // variation selectors
         (c >= 0x1F3FB && c <= 0x1F3FF) ||  // skin-tone modifiers
         (c >= 0x0300 && c <= 0x036F) ||    // combining diacritical marks
         (c >= 0x20D0 && c <= 0x20FF) ||    // combining marks for symbols (keycaps)
         (c >= 0xE0020 && c <= 0xE007F);    // tag characters (subdivision flags)
}

bool IsSpace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
         c == 0x3000;  // ideographic space
}

// Largest cut <= `count` (in code points) that does not split a cluster.
std::size_t SafeCut(const std::vector<CodePoint>& cps, std::size_t count) {
  std::size_t cut = std::min(count, cps.size());
  while (cut > 0 && cut < cps.size() &&
         (AttachesToPrevious(cps[cut].value) || cps[cut - 1].value == 0x200D)) {
    --cut;
  }
  return cut;
}

std::string_view Prefix(std::string_view text, const std::vector<CodePoint>& cps,
                        std::size_t count) {
  if (count >= cps.size()) return text;
  return text.substr(0, cps[count].offset);
}

}  // namespace

std::size_t CountChars(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t offset = 0; offset < text.size(); ++count) {
    offset += DecodeAt(text, offset).length;
  }
  return count;
}

std::string TruncateUtf8(std::string_view text, std::size_t max_chars) {
  const auto cps = Decode(text);
  if (cps.size() <= max_chars) return std::string(text);
  return std::string(Prefix(text, cps, SafeCut(cps, max_chars)));
}

std::string TruncateForSlack(std::string_view text, std::size_t max_chars,
                             std::string_view ellipsis) {
  const auto cps = Decode(text);
  if (cps.size() <= max_chars) return std::string(text);
  const std::size_t ellipsis_chars = CountChars(ellipsis);
  if (ellipsis_chars >= max_chars) return TruncateUtf8(text, max_chars);
  const std::size_t budget = max_chars - ellipsis_chars;

  std::size_t cut = SafeCut(cps, budget);
  // A cut that already falls on a word boundary needs no search.
  const bool at_boundary = cut < cps.size() && IsSpace(cps[cut].value);
  if (!at_boundary) {
    const std::size_t window = std::min<std::size_t>(budget / 2, 80);
    for (std::size_t i = cut; i > 0 && cut - i < window; --i) {
      if (IsSpace(cps[i - 1].value)) {
        cut = i - 1;
        break;
      }
    }
  }
  while (cut > 0 && IsSpace(cps[cut - 1].value)) --cut;
  std::string out(Prefix(text, cps, cut));
  out.append(ellipsis);
  return out;
}

}  // namespace contexten::integrations::slack::blocks
