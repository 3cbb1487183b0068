#include "messages/units.hpp"

#include <cinttypes>
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

} // namespace osprey
