#include "bot/webhooks/top_level_scan.hpp"

#include <locale.h>
#include <stdlib.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <array>
#include <cmath>
#include <cstring>
#include <limits>

namespace contexten::bot::webhooks {
namespace {

// A hand-written validating pass. It runs on the I/O thread for every delivery, where a full
// nlohmann parse (even SAX) was the single largest cost: this one allocates nothing except the
// captured values and looks at each byte once. It accepts exactly what nlohmann::json::parse
// accepts (RFC 8259, UTF-8 checked, a leading UTF-8 BOM skipped, finite numbers only), except that
// nesting deeper than kMaxDepth is refused.

constexpr std::size_t kMaxDepth = 4096;  // no webhook comes near; bounds the container stack

enum class Field { kNone, kAction, kZen, kTimestamp };

// strtod that ignores the process locale (a "," decimal point would misread "1.5").
double ParseDouble(const char *text) {
  static const locale_t c_locale = ::newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(0));
  return ::strtod_l(text, nullptr, c_locale);
}

class Scanner {
 public:
  explicit Scanner(std::string_view text)
      : p_(reinterpret_cast<const unsigned char *>(text.data())), end_(p_ + text.size()) {}

  bool Run(TopLevelFields &fields) {
    fields_ = &fields;
    if (end_ - p_ >= 3 && p_[0] == 0xEF && p_[1] == 0xBB && p_[2] == 0xBF) p_ += 3;
    SkipSpace();
    if (p_ == end_ || *p_ != '{') return false;  // the root must be an object
    if (!ScanValue()) return false;
    SkipSpace();
    return p_ == end_;
  }

 private:
  // Iterative so that deep nesting cannot exhaust the thread's stack.
  bool ScanValue() {
    std::size_t depth = 0;
    while (true) {
      // Expecting a value.
      SkipSpace();
      if (p_ == end_) return false;
      const Field field = pending_field_;
      pending_field_ = Field::kNone;
      switch (*p_) {
        case '{':
          ++p_;
          if (!Push(depth, false)) return false;
          SkipSpace();
          if (p_ != end_ && *p_ == '}') {
            ++p_;
            --depth;
            break;
          }
          if (!ScanKey(depth)) return false;
          continue;
        case '[':
          ++p_;
          if (!Push(depth, true)) return false;
          SkipSpace();
          if (p_ != end_ && *p_ == ']') {
            ++p_;
            --depth;
            break;
          }
          continue;
        case '"': {
          const unsigned char *start = p_ + 1;
          bool escaped = false;
          if (!ScanString(escaped)) return false;
          if (field == Field::kAction || field == Field::kZen) {
            std::string &out = field == Field::kAction ? fields_->action : fields_->zen;
            if (!Decode(start, p_ - 1, escaped, out)) return false;
          }
          break;
        }
        case 't':
          if (!Literal("true")) return false;
          break;
        case 'f':
          if (!Literal("false")) return false;
          break;
        case 'n':
          if (!Literal("null")) return false;
          break;
        default:
          if (!ScanNumber(field)) return false;
          break;
      }
      // After a value: close containers or move to the next member/element.
      while (true) {
        if (depth == 0) return true;
        SkipSpace();
        if (p_ == end_) return false;
        const bool in_array = IsArray(depth);
        if (*p_ == ',') {
          ++p_;
          if (!in_array && !ScanKey(depth)) return false;
          break;  // next value
        }
        if (*p_ != (in_array ? ']' : '}')) return false;
        ++p_;
        --depth;
      }
    }
  }

  bool Push(std::size_t &depth, bool array) {
    if (depth >= kMaxDepth) return false;
    const std::size_t word = depth / 64;
    const std::uint64_t bit = std::uint64_t{1} << (depth % 64);
    kinds_[word] = array ? (kinds_[word] | bit) : (kinds_[word] & ~bit);
    ++depth;
    return true;
  }

  // `depth` counts open containers; the innermost is at index depth - 1.
  bool IsArray(std::size_t depth) const {
    const std::size_t index = depth - 1;
    return (kinds_[index / 64] >> (index % 64)) & 1;
  }

  // A member name and its colon; notes whether the value that follows is one we keep.
  bool ScanKey(std::size_t depth) {
    SkipSpace();
    if (p_ == end_ || *p_ != '"') return false;
    const unsigned char *start = p_ + 1;
    bool escaped = false;
    if (!ScanString(escaped)) return false;
    if (depth == 1) {
      std::string_view name(reinterpret_cast<const char *>(start),
                            static_cast<std::size_t>(p_ - 1 - start));
      std::string decoded;
      if (escaped) {
        if (!Decode(start, p_ - 1, true, decoded)) return false;
        name = decoded;
      }
      if (name == "action") {
        pending_field_ = Field::kAction;
      } else if (name == "zen") {
        pending_field_ = Field::kZen;
      } else if (name == "webhookTimestamp") {
        pending_field_ = Field::kTimestamp;
        fields_->has_webhook_timestamp = true;
      }
    }
    SkipSpace();
    if (p_ == end_ || *p_ != ':') return false;
    ++p_;
    return true;
  }

  void SkipSpace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool Literal(const char *word) {
    const std::size_t n = std::strlen(word);
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
    p_ += n;
    return true;
  }

  // At the opening quote; leaves p_ after the closing one. Checks escapes and UTF-8.
  bool ScanString(bool &escaped) {
    ++p_;
    while (true) {
      SkipPlain();
      if (p_ == end_) return false;
      const unsigned char c = *p_;
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c == '\\') {
        escaped = true;
        if (!ScanEscape()) return false;
        continue;
      }
      if (c < 0x20) return false;
      if (!ScanUtf8()) return false;
    }
  }

  // Moves past plain printable ASCII (no quote, backslash, control or non-ASCII byte), 16 bytes at
  // a time where SSE2 is available: most of a webhook body is string content.
  void SkipPlain() {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (end_ - p_ >= 16) {
      const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p_));
      // Signed compare: bytes >= 0x80 are negative, so "chunk < 0x20" flags them as well.
      const __m128i special =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)),
                       _mm_cmplt_epi8(chunk, space));
      const int mask = _mm_movemask_epi8(special);
      if (mask != 0) {
        p_ += __builtin_ctz(static_cast<unsigned>(mask));
        return;
      }
      p_ += 16;
    }
#endif
    while (p_ != end_ && *p_ >= 0x20 && *p_ < 0x80 && *p_ != '"' && *p_ != '\\') ++p_;
  }

  static int Hex(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Four hex digits after "\u" at p_ (p_ is left after them); -1 when malformed.
  long ReadHex4() {
    if (end_ - p_ < 4) return -1;
    long value = 0;
    for (int i = 0; i < 4; ++i) {
      const int digit = Hex(p_[i]);
      if (digit < 0) return -1;
      value = value * 16 + digit;
    }
    p_ += 4;
    return value;
  }

  // At the backslash. \uD800-\uDBFF must be followed by \uDC00-\uDFFF; a lone low half fails.
  bool ScanEscape() {
    ++p_;
    if (p_ == end_) return false;
    switch (*p_++) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        return true;
      case 'u': {
        const long unit = ReadHex4();
        if (unit < 0) return false;
        if (unit >= 0xDC00 && unit <= 0xDFFF) return false;
        if (unit >= 0xD800 && unit <= 0xDBFF) {
          if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
          p_ += 2;
          const long low = ReadHex4();
          if (low < 0xDC00 || low > 0xDFFF) return false;
        }
        return true;
      }
      default:
        return false;
    }
  }

  // One multi-byte UTF-8 sequence at p_ (RFC 3629: no overlongs, surrogates or > U+10FFFF).
  bool ScanUtf8() {
    const unsigned char c = *p_;
    auto in = [&](std::ptrdiff_t i, unsigned char lo, unsigned char hi) {
      return end_ - p_ > i && p_[i] >= lo && p_[i] <= hi;
    };
    std::ptrdiff_t n = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      n = in(1, 0x80, 0xBF) ? 2 : 0;
    } else if (c == 0xE0) {
      n = in(1, 0xA0, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      n = in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
    } else if (c == 0xED) {
      n = in(1, 0x80, 0x9F) && in(2, 0x80, 0xBF) ? 3 : 0;
    } else if (c == 0xF0) {
      n = in(1, 0x90, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    } else if (c >= 0xF1 && c <= 0xF3) {
      n = in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    } else if (c == 0xF4) {
      n = in(1, 0x80, 0x8F) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    }
    if (n == 0) return false;
    p_ += n;
    return true;
  }

  static void AppendUtf8(std::string &out, unsigned long cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // The string between `from` and `to` (already validated), escapes resolved.
  static bool Decode(const unsigned char *from, const unsigned char *to, bool escaped,
                     std::string &out) {
    out.clear();
    if (!escaped) {
      out.assign(reinterpret_cast<const char *>(from), static_cast<std::size_t>(to - from));
      return true;
    }
    auto hex4 = [](const unsigned char *at) {
      unsigned long v = 0;
      for (int i = 0; i < 4; ++i) v = v * 16 + static_cast<unsigned long>(Hex(at[i]));
      return v;
    };
    for (const unsigned char *q = from; q < to;) {
      if (*q != '\\') {
        out += static_cast<char>(*q++);
        continue;
      }
      const unsigned char e = q[1];
      q += 2;
      switch (e) {
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          unsigned long cp = hex4(q);
          q += 4;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            const unsigned long low = hex4(q + 2);
            q += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(out, cp);
          break;
        }
        default:  // " \ /
          out += static_cast<char>(e);
          break;
      }
    }
    return true;
  }

  static bool Digit(unsigned char c) { return c >= '0' && c <= '9'; }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, finite as a double (nlohmann refuses "number
  // overflow"). Keeps webhookTimestamp when it is an integral number of milliseconds.
  bool ScanNumber(Field field) {
    const unsigned char *start = p_;
    bool negative = false;
    if (*p_ == '-') {
      negative = true;
      ++p_;
    }
    if (p_ == end_ || !Digit(*p_)) return false;
    const unsigned char *int_start = p_;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && Digit(*p_)) ++p_;
    }
    const std::size_t int_digits = static_cast<std::size_t>(p_ - int_start);
    bool is_float = false;
    if (p_ != end_ && *p_ == '.') {
      is_float = true;
      ++p_;
      if (p_ == end_ || !Digit(*p_)) return false;
      while (p_ != end_ && Digit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      is_float = true;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !Digit(*p_)) return false;
      while (p_ != end_ && Digit(*p_)) ++p_;
    }

    // An integer that fits 64 bits stays an integer; anything else is read as a double.
    std::optional<std::int64_t> integer;
    bool fits_unsigned = false;
    if (!is_float && int_digits <= 20) {
      unsigned __int128 magnitude = 0;
      for (const unsigned char *q = int_start; q < p_; ++q) magnitude = magnitude * 10 + (*q - '0');
      constexpr auto kMax =
          static_cast<unsigned __int128>(std::numeric_limits<std::int64_t>::max());
      fits_unsigned = magnitude <= std::numeric_limits<std::uint64_t>::max();
      if (negative && magnitude <= kMax + 1) {
        integer = magnitude == kMax + 1 ? std::numeric_limits<std::int64_t>::min()
                                        : -static_cast<std::int64_t>(magnitude);
      } else if (!negative && magnitude <= kMax) {
        integer = static_cast<std::int64_t>(magnitude);
      }
    }
    const bool as_double = is_float || (!integer && !(fits_unsigned && !negative));
    double value = 0;
    if (as_double) {
      std::array<char, 64> small;
      std::string large;
      const auto length = static_cast<std::size_t>(p_ - start);
      const char *text;
      if (length < small.size()) {
        std::memcpy(small.data(), start, length);
        small[length] = '\0';
        text = small.data();
      } else {
        large.assign(reinterpret_cast<const char *>(start), length);
        text = large.c_str();
      }
      value = ParseDouble(text);
      if (!std::isfinite(value)) return false;
    }
    if (field == Field::kTimestamp) {
      if (integer) {
        fields_->webhook_timestamp_ms = *integer;
      } else if (as_double && value == std::floor(value) && std::fabs(value) < 9e15) {
        // Some senders serialise integral milliseconds as 1.7e12; accept those, not fractions.
        fields_->webhook_timestamp_ms = static_cast<std::int64_t>(value);
      }
    }
    return true;
  }

  const unsigned char *p_;
  const unsigned char *end_;
  TopLevelFields *fields_ = nullptr;
  Field pending_field_ = Field::kNone;
  std::array<std::uint64_t, kMaxDepth / 64> kinds_{};  // bit set: that level is an array
};

}  // namespace

std::optional<TopLevelFields> ScanTopLevel(std::string_view body) {
  TopLevelFields fields;
  Scanner scanner(body);
  if (!scanner.Run(fields)) return std::nullopt;
  return fields;
}

}  // namespace contexten::bot::webhooks
