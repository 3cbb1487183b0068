#pragma once

// A rate limit in event time: the ring of the last N accepted event times.
// One more event is over the rate when the ring is full and its oldest entry
// is still inside the window. Sized once at configuration, so checking and
// recording never allocate.

#include <algorithm>
#include <cstdint>
#include <vector>

namespace osprey {

/// At most `max_events` events in any `window_ns` of event time.
class rate_window {
public:
  /// Sets the limit and forgets every recorded event.
  void configure(uint32_t max_events, int64_t window_ns) {
    max_events_ = max_events;
    window_ns_ = window_ns;
    times_.assign(std::max<uint32_t>(max_events, 1), 0);
    next_ = count_ = 0;
  }

  /// Returns true when one more event at `ts` would go over the rate.
  bool full_at(int64_t ts) const noexcept {
    return count_ >= times_.size() && ts - times_[next_] < window_ns_;
  }

  /// Records an accepted event at `ts` (event times never go backwards).
  void record(int64_t ts) noexcept {
    times_[next_] = ts;
    next_ = next_ + 1 == times_.size() ? 0 : next_ + 1;
    if (count_ < times_.size())
      ++count_;
  }

  /// Returns the configured maximum per window.
  uint32_t max_events() const noexcept { return max_events_; }

  int64_t window_ns() const noexcept { return window_ns_; }

private:
  std::vector<int64_t> times_{0};
  size_t next_ = 0;
  size_t count_ = 0;
  uint32_t max_events_ = 0;
  int64_t window_ns_ = 0;
};

} // namespace osprey
