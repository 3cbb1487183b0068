#pragma once

// The small, pure parsers under the CSV replay adapter: splitting a line into
// fields, exact decimal-to-micros conversion, calendar dates and times to
// nanoseconds, and UTF-8 validation. Plain functions over string_views, no
// allocation, so each is unit-testable and cheap on the replay's hot path.

#include <array>
#include <cstdio>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace osprey::csv {

inline constexpr int64_t ns_per_second = 1'000'000'000;
inline constexpr int64_t ns_per_day = 86'400 * ns_per_second;

/// Most fields a row may have; a longer row is reported as a wrong count.
inline constexpr size_t max_fields = 32;

/// The fields of one line, as views into the line's bytes.
struct fields {
  std::array<std::string_view, max_fields> at{};
  size_t count = 0;
  bool too_many = false;
};

/// Returns `s` without surrounding spaces, tabs and double quotes.
constexpr std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"')
    s = s.substr(1, s.size() - 2);
  return s;
}

/// Splits `line` at commas outside double quotes into trimmed fields.
/// Doubled quotes inside a quoted field stay doubled (market files never use
/// them; the views must not be rewritten).
inline void split(std::string_view line, fields& out) noexcept {
  out.count = 0;
  out.too_many = false;
  if (line.find('"') == std::string_view::npos) {
    // No quotes (nearly every row): jump from comma to comma.
    size_t start = 0;
    while (true) {
      auto comma = line.find(',', start);
      auto end = comma == std::string_view::npos ? line.size() : comma;
      if (out.count == max_fields) {
        out.too_many = true;
        return;
      }
      out.at[out.count++] = trim(line.substr(start, end - start));
      if (comma == std::string_view::npos)
        return;
      start = comma + 1;
    }
  }
  size_t start = 0;
  bool quoted = false;
  for (size_t i = 0; i <= line.size(); ++i) {
    if (i < line.size()) {
      char c = line[i];
      if (c == '"')
        quoted = !quoted;
      if (c != ',' || quoted)
        continue;
    }
    if (out.count == max_fields) {
      out.too_many = true;
      return;
    }
    out.at[out.count++] = trim(line.substr(start, i - start));
    start = i + 1;
  }
}

/// Returns `a * b / c` rounded half away from zero (c != 0), in 128 bits so
/// price adjustments cannot overflow.
constexpr int64_t mul_div_round(int64_t a, int64_t b, int64_t c) noexcept {
  __int128 n = static_cast<__int128>(a) * b;
  __int128 d = c;
  if (d < 0) {
    n = -n;
    d = -d;
  }
  __int128 q = n / d, r = n % d;
  if (2 * (r < 0 ? -r : r) >= d)
    q += n < 0 ? -1 : 1;
  return static_cast<int64_t>(q);
}

/// Parses a plain decimal ("123.4567", "-0.5", "+7", "12.") into millionths
/// without going through double: "123.4567" gives 123456700. Digits past the
/// sixth decimal round half away from zero ("0.0000005" gives 1). Returns
/// nullopt for anything else (exponents, spaces, empty, over ~9.2e12).
constexpr std::optional<int64_t> parse_micros(std::string_view s) noexcept {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+'))
    negative = s[i++] == '-';
  int64_t whole = 0;
  size_t int_digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (++int_digits > 12)
      return std::nullopt; // keeps whole * 1e6 far below 2^63
    whole = whole * 10 + (s[i++] - '0');
  }
  int64_t frac = 0;
  size_t frac_digits = 0;
  bool round_up = false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (frac_digits < 6)
        frac = frac * 10 + (s[i] - '0');
      else if (frac_digits == 6)
        round_up = s[i] >= '5'; // the digits after the 7th cannot change it
      ++frac_digits;
      ++i;
    }
  }
  if (i != s.size() || int_digits + frac_digits == 0)
    return std::nullopt;
  for (size_t k = frac_digits; k < 6; ++k)
    frac *= 10;
  int64_t v = whole * 1'000'000 + frac + (round_up ? 1 : 0);
  return negative ? -v : v;
}

/// Parses a 64-bit integer with an optional leading '-' (nanosecond times
/// have 19 digits); nullopt on anything else or on overflow.
constexpr std::optional<int64_t> parse_int(std::string_view s) noexcept {
  bool negative = !s.empty() && s[0] == '-';
  if (negative)
    s.remove_prefix(1);
  if (s.empty() || s.size() > 19)
    return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9')
      return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0'); // 19 digits fit in uint64
  }
  if (v > static_cast<uint64_t>(INT64_MAX))
    return std::nullopt;
  auto signed_v = static_cast<int64_t>(v);
  return negative ? -signed_v : signed_v;
}

/// Returns days since 1970-01-01 of a proleptic Gregorian date.
constexpr int64_t days_from_civil(int64_t y, unsigned m, unsigned d) noexcept {
  // Count from 0000-03-01 so that the leap day falls at the end of a year.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146'097 + static_cast<int64_t>(doe) - 719'468;
}

/// Returns the number of days in month `m` of year `y`.
constexpr unsigned days_in_month(int64_t y, unsigned m) noexcept {
  constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

/// A calendar date and, when the text had one, a time of day.
struct date_time {
  int64_t day_ns = 0;  ///< Midnight UTC of the date, nanoseconds since epoch.
  int64_t time_ns = 0; ///< Time of day, nanoseconds after midnight.
  bool has_time = false;
};

namespace detail {

constexpr bool digits(std::string_view s, size_t at, size_t n, unsigned& out) noexcept {
  if (at + n > s.size())
    return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

} // namespace detail

/// Parses a time of day "HH:MM", "HH:MM:SS", "HH:MM:SS.fffffffff" or a
/// compact "HHMM" / "HHMMSS" into nanoseconds after midnight.
constexpr std::optional<int64_t> parse_time_of_day(std::string_view s) noexcept {
  unsigned h = 0, m = 0, sec = 0;
  size_t i = 0;
  if (!detail::digits(s, 0, 2, h))
    return std::nullopt;
  bool colons = s.size() > 2 && s[2] == ':';
  i = colons ? 3 : 2;
  if (!detail::digits(s, i, 2, m))
    return std::nullopt;
  i += 2;
  if (i < s.size() && (!colons || s[i] == ':')) {
    if (colons)
      ++i;
    if (!detail::digits(s, i, 2, sec))
      return std::nullopt;
    i += 2;
  }
  int64_t frac = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int64_t scale = 100'000'000;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      frac += (s[i] - '0') * scale; // digits past nanoseconds are dropped
      scale /= 10;
      ++i;
    }
    if (i == start)
      return std::nullopt;
  }
  if (i != s.size() || h > 23 || m > 59 || sec > 59)
    return std::nullopt;
  return (int64_t{h} * 3600 + m * 60 + sec) * ns_per_second + frac;
}

/// Parses "YYYY-MM-DD", "YYYY/MM/DD" or "YYYYMMDD", optionally followed by a
/// time ("T" or a space, or directly after a compact date: "199706011928"),
/// and an optional trailing "Z".
constexpr std::optional<date_time> parse_date_time(std::string_view s) noexcept {
  if (!s.empty() && s.back() == 'Z')
    s.remove_suffix(1);
  unsigned y = 0, m = 0, d = 0;
  size_t i = 0;
  if (!detail::digits(s, 0, 4, y))
    return std::nullopt;
  bool separated = s.size() > 4 && (s[4] == '-' || s[4] == '/');
  if (separated) {
    if (!detail::digits(s, 5, 2, m) || s.size() < 8 || s[7] != s[4]
        || !detail::digits(s, 8, 2, d))
      return std::nullopt;
    i = 10;
  } else {
    if (!detail::digits(s, 4, 2, m) || !detail::digits(s, 6, 2, d))
      return std::nullopt;
    i = 8;
  }
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
    return std::nullopt;
  date_time out;
  out.day_ns = days_from_civil(y, m, d) * ns_per_day;
  if (i == s.size())
    return out;
  if (s[i] == 'T' || s[i] == ' ')
    ++i;
  else if (separated)
    return std::nullopt;
  auto t = parse_time_of_day(s.substr(i));
  if (!t)
    return std::nullopt;
  out.time_ns = *t;
  out.has_time = true;
  return out;
}

/// Returns true when `s` is well-formed UTF-8 (no overlongs, no surrogates).
constexpr bool valid_utf8(std::string_view s) noexcept {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : 0;
    // 0x80..0xC1 never start a sequence; above 0xF4 is past U+10FFFF.
    if (n == 0 || c > 0xF4 || i + n >= s.size())
      return false;
    unsigned cp = c & (0x3F >> n);
    for (size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80)
        return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)))
        || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
      return false;
    i += n + 1;
  }
  return true;
}

/// Formats nanoseconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ" (with
/// ".fffffffff" when not whole seconds), for problem reports.
inline std::string format_time(int64_t ns) {
  int64_t days = ns / ns_per_day - (ns % ns_per_day < 0 ? 1 : 0);
  int64_t rem = ns - days * ns_per_day;
  // Inverse of days_from_civil.
  int64_t z = days + 719'468;
  int64_t era = (z >= 0 ? z : z - 146'096) / 146'097;
  auto doe = static_cast<unsigned>(z - era * 146'097);
  unsigned yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  auto secs = rem / ns_per_second;
  auto frac = rem % ns_per_second;
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                             static_cast<long long>(y), m, d,
                             static_cast<long long>(secs / 3600),
                             static_cast<long long>(secs / 60 % 60),
                             static_cast<long long>(secs % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (frac != 0) {
    n = std::snprintf(buf, sizeof buf, ".%09lld", static_cast<long long>(frac));
    out.append(buf, static_cast<size_t>(n));
  }
  out += 'Z';
  return out;
}

} // namespace osprey::csv
