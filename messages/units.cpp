#include "messages/units.hpp"

#include <cinttypes>
#include <climits>
#include <cstdio>

namespace osprey {

namespace {

std::string format_micros(int64_t micros) {
  char buf[32];
  auto mag = micros < 0 ? -static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
  std::snprintf(buf, sizeof buf, "%s%" PRIu64 ".%06" PRIu64, micros < 0 ? "-" : "",
                mag / micros_per_dollar, mag % micros_per_dollar);
  return buf;
}

} // namespace

std::string to_string(money m) {
  return format_micros(m.micros);
}

std::string to_string(price p) {
  return format_micros(p.micros);
}

std::string to_string(quantity q) {
  auto mag = q.nanos < 0 ? -static_cast<uint64_t>(q.nanos) : static_cast<uint64_t>(q.nanos);
  char buf[40];
  int n = std::snprintf(buf, sizeof buf, "%s%" PRIu64, q.nanos < 0 ? "-" : "",
                        mag / nanos_per_share);
  if (auto frac = mag % nanos_per_share) {
    n += std::snprintf(buf + n, sizeof buf - n, ".%09" PRIu64, frac);
    while (buf[n - 1] == '0')
      --n;
  }
  return std::string(buf, static_cast<size_t>(n));
}

std::optional<quantity> parse_quantity(std::string_view text) noexcept {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+'))
    negative = text[i++] == '-';
  uint64_t whole = 0, frac = 0;
  int whole_digits = 0, frac_digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++whole_digits) {
    whole = whole * 10 + static_cast<uint64_t>(text[i] - '0');
    if (whole > static_cast<uint64_t>(INT64_MAX / nanos_per_share))
      return std::nullopt;
  }
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++frac_digits) {
      if (frac_digits == 9)
        return std::nullopt;
      frac = frac * 10 + static_cast<uint64_t>(text[i] - '0');
    }
  }
  if (i != text.size() || whole_digits + frac_digits == 0)
    return std::nullopt;
  for (int d = frac_digits; d < 9; ++d)
    frac *= 10;
  int64_t nanos = 0;
  if (__builtin_add_overflow(static_cast<int64_t>(whole) * nanos_per_share,
                             static_cast<int64_t>(frac), &nanos))
    return std::nullopt;
  return quantity::from_nanos(negative ? -nanos : nanos);
}

} // namespace osprey
