#pragma once

#include <cstdint>
#include <ctime>

namespace osprey {

/// Returns the wall clock in nanoseconds since the Unix epoch. The only place
/// outside adapters that reads real time: ingress stamps and latency.
inline int64_t wall_clock_ns() noexcept {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

} // namespace osprey
