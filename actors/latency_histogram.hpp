#pragma once

// A log-linear histogram of latencies in nanoseconds (HdrHistogram-style).
//
// Values below 128 ns have a bucket each. Above that, each power-of-two range
// [2^k, 2^(k+1)) is cut into 64 equal buckets of width 2^(k-6), so a bucket is
// at most 1/64 of its lower bound wide; percentile() answers with the bucket's
// middle, which is within 1/128 (0.8 %) of the true sample. The range ends at
// max_value (2^36 - 1 ns, about 68.7 s); larger values are recorded as
// max_value and negative ones as 0.
//
// All storage is one fixed array: no allocation after construction, no locks.
// One actor owns it; it is copied whole when sent as a snapshot.

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace osprey {

namespace latency_buckets {

// Group 0 holds 0..63, one value per bucket; group g >= 1 holds
// [2^(g+5), 2^(g+6)) in 64 buckets of width 2^(g-1).
inline constexpr int sub_bits = 6;
inline constexpr int64_t sub_count = int64_t{1} << sub_bits;
inline constexpr int64_t max_value = (int64_t{1} << 36) - 1;
inline constexpr int groups = std::bit_width(static_cast<uint64_t>(max_value)) - sub_bits + 1;
inline constexpr size_t count = static_cast<size_t>(groups * sub_count);

/// Returns the bucket holding `v` (0 <= v <= max_value).
constexpr size_t index_of(int64_t v) noexcept {
  if (v < sub_count)
    return static_cast<size_t>(v);
  const int k = std::bit_width(static_cast<uint64_t>(v)) - 1; // v in [2^k, 2^(k+1))
  const int64_t sub = (v >> (k - sub_bits)) - sub_count;
  return static_cast<size_t>((k - sub_bits + 1) * sub_count + sub);
}

/// Returns how many values bucket `i` holds.
constexpr int64_t width_of(size_t i) noexcept {
  const auto g = static_cast<int>(i / sub_count);
  return g == 0 ? 1 : int64_t{1} << (g - 1);
}

/// Returns the smallest value bucket `i` holds.
constexpr int64_t lowest_in(size_t i) noexcept {
  const auto g = static_cast<int>(i / sub_count);
  const auto sub = static_cast<int64_t>(i % sub_count);
  return g == 0 ? sub : (sub_count + sub) << (g - 1);
}

static_assert(index_of(max_value) == count - 1);
static_assert(lowest_in(index_of(1000)) <= 1000
              && 1000 < lowest_in(index_of(1000)) + width_of(index_of(1000)));
static_assert(width_of(index_of(max_value)) * 64 <= lowest_in(index_of(max_value)));

} // namespace latency_buckets

class latency_histogram {
public:
  /// The largest value kept apart from others (about 68.7 s in ns).
  static constexpr int64_t max_value = latency_buckets::max_value;

  /// The largest relative error of a percentile against the true sample.
  static constexpr double relative_precision = 1.0 / 128;

  /// Adds one latency of `ns` nanoseconds, clamped to [0, max_value].
  void record(int64_t ns) noexcept {
    const int64_t v = std::clamp<int64_t>(ns, 0, max_value);
    ++counts_[latency_buckets::index_of(v)];
    ++count_;
    sum_ += static_cast<uint64_t>(v);
    min_ = std::min(min_, v);
    max_ = std::max(max_, v);
  }

  /// Returns how many values were recorded.
  uint64_t count() const noexcept { return count_; }

  /// Returns the smallest recorded value (after clamping), 0 when empty.
  int64_t min() const noexcept { return count_ ? min_ : 0; }

  /// Returns the largest recorded value (after clamping), 0 when empty.
  int64_t max() const noexcept { return count_ ? max_ : 0; }

  /// Returns the exact mean of the recorded values, 0 when empty.
  double mean() const noexcept {
    return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0;
  }

  /// Returns the nearest-rank `p`-th percentile (p in [0, 100]) within
  /// relative_precision, never below min() or above max(); 0 when empty.
  int64_t percentile(double p) const noexcept {
    if (count_ == 0)
      return 0;
    if (!(p > 0)) // also catches NaN
      return min_;
    if (p >= 100)
      return max_;
    // The nearest rank: the smallest value with at least p% of samples <= it.
    auto rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
    rank = std::clamp<uint64_t>(rank, 1, count_);
    uint64_t seen = 0;
    for (size_t i = 0; i < buckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) {
        const int64_t mid =
          latency_buckets::lowest_in(i) + (latency_buckets::width_of(i) - 1) / 2;
        return std::clamp(mid, min_, max_);
      }
    }
    return max_; // unreachable: the counts sum to count_
  }

  /// Adds every value recorded in `other`, as if recorded here.
  void merge(const latency_histogram& other) noexcept {
    for (size_t i = 0; i < buckets; ++i)
      counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }

  /// Forgets every recorded value.
  void reset() noexcept { *this = latency_histogram{}; }

private:
  static constexpr size_t buckets = latency_buckets::count;

  std::array<uint64_t, buckets> counts_{};
  uint64_t count_ = 0;
  // At most 2^36 per value, so the sum overflows only after 2^28 values at
  // the very top of the range; realistic latencies leave far more headroom.
  uint64_t sum_ = 0;
  int64_t min_ = std::numeric_limits<int64_t>::max();
  int64_t max_ = 0;
};

} // namespace osprey
