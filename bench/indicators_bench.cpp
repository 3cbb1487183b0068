// Cost of one indicator update, alone and for the full set the signal actor
// runs per bar. Each iteration resets the indicators and feeds the same
// pre-generated price series; each indicator's sum of ready values is checked
// against a naive recomputation made outside the timed loop, so a wrong answer
// cannot pass as a fast one.

#include "actors/indicators.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <vector>

namespace ind = osprey::ind;

namespace {

constexpr std::size_t series_length = 4096;
constexpr int window = 20;
constexpr int rsi_period = 14;

// A random walk around 100 with 1% daily volatility (fixed seed).
const std::vector<double>& prices() {
  static const std::vector<double> series = [] {
    std::mt19937_64 rng{12345};
    std::normal_distribution<double> step{0.0, 0.01};
    std::vector<double> p(series_length);
    double x = 100.0;
    for (auto& v : p)
      v = x *= std::exp(step(rng));
    return p;
  }();
  return series;
}

// ---- naive references: sums of every ready value over one pass --------------

double naive_sma_sum(const std::vector<double>& x, int n) {
  double total = 0;
  for (std::size_t i = n - 1; i < x.size(); ++i) {
    double s = 0;
    for (std::size_t j = i + 1 - n; j <= i; ++j)
      s += x[j];
    total += s / n;
  }
  return total;
}

double naive_ema_sum(const std::vector<double>& x, int n) {
  const double alpha = 2.0 / (n + 1);
  double e = 0;
  for (int i = 0; i < n; ++i)
    e += x[i] / n;
  double total = e;
  for (std::size_t i = n; i < x.size(); ++i)
    total += e = alpha * x[i] + (1 - alpha) * e;
  return total;
}

double naive_rsi_sum(const std::vector<double>& p, int n) {
  double g = 0, l = 0, total = 0;
  for (std::size_t i = 1; i < p.size(); ++i) {
    const double up = std::max(p[i] - p[i - 1], 0.0);
    const double down = std::max(p[i - 1] - p[i], 0.0);
    if (i <= static_cast<std::size_t>(n)) {
      g += up / n;
      l += down / n;
      if (i < static_cast<std::size_t>(n))
        continue;
    } else {
      g += (up - g) / n;
      l += (down - l) / n;
    }
    total += g + l == 0 ? 50.0 : 100.0 * g / (g + l);
  }
  return total;
}

double naive_extreme_sum(const std::vector<double>& x, int n, bool is_max) {
  double total = 0;
  for (std::size_t i = n - 1; i < x.size(); ++i) {
    auto first = x.begin() + (i + 1 - n), last = x.begin() + i + 1;
    total += is_max ? *std::max_element(first, last)
                    : *std::min_element(first, last);
  }
  return total;
}

// ---- the timed pass ---------------------------------------------------------

// Resets the indicators, feeds the series, and sums each one's ready values.
template <class... Indicators>
std::array<double, sizeof...(Indicators)>
feed(const std::vector<double>& xs, Indicators&... indicators) {
  (indicators.reset(), ...);
  std::array<double, sizeof...(Indicators)> sums{};
  for (double x : xs) {
    std::size_t i = 0;
    (indicators.update(x), ...);
    ((sums[i++] += indicators.ready() ? indicators.value() : 0.0), ...);
  }
  return sums;
}

// Times `feed` and checks every indicator's checksum against `expected`.
template <class... Indicators>
void run(benchmark::State& state,
         const std::array<double, sizeof...(Indicators)>& expected,
         Indicators... indicators) {
  const auto& xs = prices();
  bool ok = true;
  for (auto _ : state) {
    const auto sums = feed(xs, indicators...);
    benchmark::DoNotOptimize(sums);
    for (std::size_t i = 0; i < sums.size(); ++i)
      ok &= std::abs(sums[i] - expected[i]) <= 1e-12 * std::abs(expected[i]);
  }
  if (!ok) {
    state.SkipWithError("checksum does not match the naive recomputation");
    return;
  }
  state.SetItemsProcessed(state.iterations() * xs.size());
  // Seconds per bar fed (shown as e.g. "3.1n" = 3.1 ns per update).
  state.counters["per_update"] = benchmark::Counter(
    static_cast<double>(state.iterations() * xs.size()),
    benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_indicators_sma_update(benchmark::State& state) {
  run(state, {naive_sma_sum(prices(), window)}, ind::sma{window});
}

void BM_indicators_ema_update(benchmark::State& state) {
  run(state, {naive_ema_sum(prices(), window)}, ind::ema{window});
}

void BM_indicators_rsi_update(benchmark::State& state) {
  run(state, {naive_rsi_sum(prices(), rsi_period)}, ind::rsi{rsi_period});
}

void BM_indicators_rolling_max_update(benchmark::State& state) {
  run(state, {naive_extreme_sum(prices(), window, true)},
      ind::rolling_max{window});
}

// The five together, as the signal actor updates them on each bar.
void BM_indicators_all_update(benchmark::State& state) {
  const auto& p = prices();
  run(state,
      {naive_sma_sum(p, window), naive_ema_sum(p, window),
       naive_rsi_sum(p, rsi_period), naive_extreme_sum(p, window, true),
       naive_extreme_sum(p, window, false)}, ind::sma{window}, ind::ema{window},
      ind::rsi{rsi_period}, ind::rolling_max{window},
      ind::rolling_min{window});
}

} // namespace

BENCHMARK(BM_indicators_sma_update);
BENCHMARK(BM_indicators_ema_update);
BENCHMARK(BM_indicators_rsi_update);
BENCHMARK(BM_indicators_rolling_max_update);
BENCHMARK(BM_indicators_all_update);

BENCHMARK_MAIN();
