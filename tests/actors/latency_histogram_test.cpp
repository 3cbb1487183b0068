#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "actors/latency_histogram.hpp"

using namespace osprey;

namespace {

constexpr double percentiles[] = {0,  0.001, 0.1, 1,    5,    10,    25,     50,
                                  75, 90,    95,  99,   99.5, 99.9,  99.99, 100};

// Returns latencies spread log-uniformly from 1 ns to 60 s.
std::vector<int64_t> log_uniform_samples(size_t n, uint32_t seed) {
  std::mt19937_64 rng{seed};
  std::uniform_real_distribution<double> exponent{0.0, std::log(60e9)};
  std::vector<int64_t> out(n);
  for (auto& v : out)
    v = static_cast<int64_t>(std::exp(exponent(rng)));
  return out;
}

// The nearest-rank percentile of sorted samples.
int64_t exact_percentile(const std::vector<int64_t>& sorted, double p) {
  if (p <= 0)
    return sorted.front();
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

latency_histogram histogram_of(const std::vector<int64_t>& samples) {
  latency_histogram h;
  for (auto v : samples)
    h.record(v);
  return h;
}

} // namespace

TEST(latency_histogram, reports_zeros_when_empty) {
  latency_histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.percentile(50), 0);
}

TEST(latency_histogram, matches_exact_percentiles_within_its_precision) {
  auto samples = log_uniform_samples(200'000, 42);
  const auto h = histogram_of(samples);
  std::ranges::sort(samples);
  for (double p : percentiles) {
    const int64_t exact = exact_percentile(samples, p);
    const int64_t got = h.percentile(p);
    const double tolerance = static_cast<double>(exact) * latency_histogram::relative_precision;
    EXPECT_LE(std::abs(static_cast<double>(got - exact)), tolerance)
      << "p" << p << ": exact " << exact << ", histogram " << got;
  }
}

TEST(latency_histogram, is_exact_below_128_ns) {
  std::vector<int64_t> samples;
  for (int64_t v = 0; v < 128; ++v)
    for (int64_t k = 0; k <= v % 5; ++k)
      samples.push_back(v);
  const auto h = histogram_of(samples);
  for (double p : percentiles)
    EXPECT_EQ(h.percentile(p), exact_percentile(samples, p)) << "p" << p;
}

TEST(latency_histogram, keeps_count_min_max_and_mean_exact) {
  const auto samples = log_uniform_samples(50'000, 7);
  const auto h = histogram_of(samples);
  uint64_t sum = 0;
  for (auto v : samples)
    sum += static_cast<uint64_t>(v);
  EXPECT_EQ(h.count(), samples.size());
  EXPECT_EQ(h.min(), *std::ranges::min_element(samples));
  EXPECT_EQ(h.max(), *std::ranges::max_element(samples));
  EXPECT_DOUBLE_EQ(h.mean(), static_cast<double>(sum) / static_cast<double>(samples.size()));
  EXPECT_EQ(h.percentile(0), h.min());
  EXPECT_EQ(h.percentile(100), h.max());
}

TEST(latency_histogram, never_answers_outside_the_recorded_range) {
  latency_histogram h;
  h.record(1'000'003);
  h.record(1'000'003);
  for (double p : percentiles)
    EXPECT_EQ(h.percentile(p), 1'000'003) << "p" << p;
  h.record(1'000'020); // same bucket, larger
  EXPECT_GE(h.percentile(1), 1'000'003);
  EXPECT_LE(h.percentile(99), 1'000'020);
}

TEST(latency_histogram, merging_equals_recording_both) {
  const auto a = log_uniform_samples(30'000, 1);
  auto b = log_uniform_samples(20'000, 2);
  for (auto& v : b)
    v /= 1'000; // a second, faster population
  auto merged = histogram_of(a);
  merged.merge(histogram_of(b));
  latency_histogram both = histogram_of(a);
  for (auto v : b)
    both.record(v);
  EXPECT_EQ(merged.count(), both.count());
  EXPECT_EQ(merged.min(), both.min());
  EXPECT_EQ(merged.max(), both.max());
  EXPECT_DOUBLE_EQ(merged.mean(), both.mean());
  for (double p : percentiles)
    EXPECT_EQ(merged.percentile(p), both.percentile(p)) << "p" << p;

  latency_histogram empty;
  merged.merge(empty);
  EXPECT_EQ(merged.count(), both.count());
  EXPECT_EQ(merged.min(), both.min());
  empty.merge(both);
  EXPECT_EQ(empty.percentile(50), both.percentile(50));
  EXPECT_EQ(empty.min(), both.min());
}

TEST(latency_histogram, clamps_negative_values_to_zero_and_huge_ones_to_the_top) {
  latency_histogram h;
  h.record(-5);
  h.record(std::numeric_limits<int64_t>::min());
  h.record(std::numeric_limits<int64_t>::max());
  h.record(latency_histogram::max_value + 1);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), latency_histogram::max_value);
  EXPECT_EQ(h.percentile(25), 0);
  EXPECT_EQ(h.percentile(100), latency_histogram::max_value);
  EXPECT_GE(h.percentile(75),
            latency_histogram::max_value
              - static_cast<int64_t>(latency_histogram::max_value
                                     * latency_histogram::relative_precision));
  EXPECT_DOUBLE_EQ(h.mean(), static_cast<double>(latency_histogram::max_value) / 2);
}

TEST(latency_histogram, reset_forgets_and_a_copy_is_an_independent_snapshot) {
  latency_histogram h;
  h.record(500);
  const latency_histogram snapshot = h;
  h.record(9'000);
  EXPECT_EQ(snapshot.count(), 1u);
  EXPECT_EQ(snapshot.max(), 500);
  h.reset();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(50), 0);
  h.record(7);
  EXPECT_EQ(h.min(), 7);
  EXPECT_EQ(h.max(), 7);
}
