// Cost of one indicator update, alone and for the full set the signal actor
// runs per bar. Each iteration resets the indicators and feeds the same
// pre-generated price series; each indicator's sum of ready values is checked
// against a naive recomputation made outside the timed loop, so a wrong answer
// cannot pass as a fast one. Bar-based indicators are fed a pre-generated bar
// series the same way. The "ten per symbol" benchmark runs a signal-actor-like
// workload: ten indicators per symbol, bars interleaved across symbols.

#include "actors/indicators.hpp"
#include "actors/indicators_levels.hpp"
#include "actors/indicators_momentum.hpp"
#include "actors/indicators_trend.hpp"
#include "actors/indicators_volatility.hpp"
#include "actors/indicators_volume.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
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

// ---- bars, and naive references for the bar-based families -----------------

using bar = ind::bar_input;
constexpr int atr_period = 14;
constexpr int bars_per_session = 390; // one US trading day of minute bars

// Bars around the same kind of random walk: an opening gap, a close, a range
// around both and a volume (fixed seed).
const std::vector<bar>& bars() {
  static const std::vector<bar> series = [] {
    std::mt19937_64 rng{67890};
    std::normal_distribution<double> step{0.0, 0.01};
    std::uniform_real_distribution<double> u{0.0, 1.0};
    std::vector<bar> b(series_length);
    double close = 100.0;
    for (auto& v : b) {
      v.open = close * std::exp(0.1 * step(rng));
      v.close = v.open * std::exp(step(rng));
      v.high = std::max(v.open, v.close) * (1 + 0.004 * u(rng));
      v.low = std::min(v.open, v.close) * (1 - 0.004 * u(rng));
      v.volume = 1e5 * (0.5 + u(rng));
      close = v.close;
    }
    return b;
  }();
  return series;
}

std::vector<double> closes_of(const std::vector<bar>& b) {
  std::vector<double> c;
  for (const auto& x : b)
    c.push_back(x.close);
  return c;
}

double naive_wma_sum(const std::vector<double>& x, int n) {
  double total = 0;
  for (std::size_t i = n - 1; i < x.size(); ++i) {
    double num = 0;
    for (int w = 1; w <= n; ++w)
      num += w * x[i - n + w];
    total += num / (n * (n + 1) / 2.0);
  }
  return total;
}

// EMA series (NaN before the seed) starting at index `first`.
std::vector<double> naive_ema_series(const std::vector<double>& x, int n,
                                     std::size_t first) {
  std::vector<double> out(x.size(), std::nan(""));
  double e = 0;
  for (std::size_t i = first; i < x.size(); ++i) {
    if (i < first + n) {
      e += x[i] / n;
      if (i + 1 < first + n)
        continue;
    } else {
      e += (x[i] - e) * 2.0 / (n + 1);
    }
    out[i] = e;
  }
  return out;
}

double naive_macd_sum(const std::vector<double>& x) {
  const auto f = naive_ema_series(x, 12, 0), s = naive_ema_series(x, 26, 0);
  std::vector<double> line(x.size(), 0.0);
  for (std::size_t i = 25; i < x.size(); ++i)
    line[i] = f[i] - s[i];
  const auto sig = naive_ema_series(line, 9, 25);
  double total = 0;
  for (std::size_t i = 33; i < x.size(); ++i)
    total += line[i] - sig[i];
  return total;
}

// Mean and population sd of x[i-n+1 .. i], two passes.
std::pair<double, double> naive_moments(const std::vector<double>& x,
                                        std::size_t i, int n) {
  double m = 0;
  for (std::size_t j = i + 1 - n; j <= i; ++j)
    m += x[j] / n;
  double ss = 0;
  for (std::size_t j = i + 1 - n; j <= i; ++j)
    ss += (x[j] - m) * (x[j] - m);
  return {m, std::sqrt(ss / n)};
}

double naive_stdev_sum(const std::vector<double>& x, int n) {
  double total = 0;
  for (std::size_t i = n - 1; i < x.size(); ++i)
    total += naive_moments(x, i, n).second;
  return total;
}

double naive_zscore_sum(const std::vector<double>& x, int n) {
  double total = 0;
  for (std::size_t i = n - 1; i < x.size(); ++i) {
    const auto [m, sd] = naive_moments(x, i, n);
    total += sd > 0 ? (x[i] - m) / sd : 0.0;
  }
  return total;
}

double naive_realized_vol_sum(const std::vector<double>& p, int n,
                              double per_year) {
  std::vector<double> r;
  for (std::size_t i = 1; i < p.size(); ++i)
    r.push_back(std::log(p[i] / p[i - 1]));
  return naive_stdev_sum(r, n) * std::sqrt(per_year);
}

double naive_roc_sum(const std::vector<double>& x, int n) {
  double total = 0;
  for (std::size_t i = n; i < x.size(); ++i)
    total += x[i] / x[i - n] - 1;
  return total;
}

double true_range_at(const std::vector<bar>& b, std::size_t i) {
  if (i == 0)
    return b[0].high - b[0].low;
  return std::max(b[i].high, b[i - 1].close)
         - std::min(b[i].low, b[i - 1].close);
}

double naive_atr_sum(const std::vector<bar>& b, int n) {
  double a = 0, total = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i < static_cast<std::size_t>(n)) {
      a += true_range_at(b, i) / n;
      if (i + 1 < static_cast<std::size_t>(n))
        continue;
    } else {
      a = (a * (n - 1) + true_range_at(b, i)) / n;
    }
    total += a;
  }
  return total;
}

double naive_adx_sum(const std::vector<bar>& b, int n) {
  double tr = 0, p = 0, m = 0, adx = 0, total = 0;
  int dxs = 0;
  for (std::size_t i = 1; i < b.size(); ++i) {
    const double up = b[i].high - b[i - 1].high;
    const double down = b[i - 1].low - b[i].low;
    const double pdm = up > down && up > 0 ? up : 0;
    const double mdm = down > up && down > 0 ? down : 0;
    if (i <= static_cast<std::size_t>(n)) {
      tr += true_range_at(b, i);
      p += pdm;
      m += mdm;
      if (i < static_cast<std::size_t>(n))
        continue;
    } else {
      tr = tr - tr / n + true_range_at(b, i);
      p = p - p / n + pdm;
      m = m - m / n + mdm;
    }
    const double dx = p + m > 0 ? 100 * std::abs(p - m) / (p + m) : 0;
    if (dxs < n) {
      adx += dx / n;
      if (++dxs < n)
        continue;
    } else {
      adx = (adx * (n - 1) + dx) / n;
    }
    total += adx;
  }
  return total;
}

// Sum of %K (smoothed over `smooth`) wherever %D over `dn` is ready.
double naive_stochastic_sum(const std::vector<bar>& b, int n, int smooth,
                            int dn) {
  std::vector<double> raw(b.size(), 0.0);
  for (std::size_t i = n - 1; i < b.size(); ++i) {
    double hh = b[i].high, ll = b[i].low;
    for (std::size_t j = i + 1 - n; j <= i; ++j) {
      hh = std::max(hh, b[j].high);
      ll = std::min(ll, b[j].low);
    }
    raw[i] = hh > ll ? 100 * (b[i].close - ll) / (hh - ll) : 50;
  }
  double total = 0;
  for (std::size_t i = n + smooth + dn - 3; i < b.size(); ++i) {
    double k = 0;
    for (std::size_t j = i + 1 - smooth; j <= i; ++j)
      k += raw[j] / smooth;
    total += k;
  }
  return total;
}

double naive_obv_sum(const std::vector<bar>& b) {
  double obv = 0, total = 0;
  for (std::size_t i = 1; i < b.size(); ++i) {
    if (b[i].close != b[i - 1].close)
      obv += b[i].close > b[i - 1].close ? b[i].volume : -b[i].volume;
    total += obv;
  }
  return total;
}

double typical(const bar& x) {
  return (x.high + x.low + x.close) / 3;
}

double naive_session_vwap_sum(const std::vector<bar>& b) {
  double total = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    double pv = 0, v = 0;
    for (std::size_t j = i - i % bars_per_session; j <= i; ++j) {
      pv += typical(b[j]) * b[j].volume;
      v += b[j].volume;
    }
    total += pv / v;
  }
  return total;
}

double naive_rolling_vwap_sum(const std::vector<bar>& b, int n) {
  double total = 0;
  for (std::size_t i = n - 1; i < b.size(); ++i) {
    double pv = 0, v = 0;
    for (std::size_t j = i + 1 - n; j <= i; ++j) {
      pv += typical(b[j]) * b[j].volume;
      v += b[j].volume;
    }
    total += pv / v;
  }
  return total;
}

double naive_volume_ratio_sum(const std::vector<bar>& b, int n) {
  double total = 0;
  for (std::size_t i = n; i < b.size(); ++i) {
    double avg = 0;
    for (std::size_t j = i - n; j < i; ++j)
      avg += b[j].volume / n;
    total += b[i].volume / avg;
  }
  return total;
}

double naive_breakout_sum(const std::vector<bar>& b, int n) {
  double total = 0;
  for (std::size_t i = n; i < b.size(); ++i) {
    double hh = b[i - n].high, ll = b[i - n].low;
    for (std::size_t j = i - n; j < i; ++j) {
      hh = std::max(hh, b[j].high);
      ll = std::min(ll, b[j].low);
    }
    total += b[i].close > hh ? 1 : (b[i].close < ll ? -1 : 0);
  }
  return total;
}

double naive_gap_sum(const std::vector<bar>& b) {
  double total = 0;
  for (std::size_t i = 1; i < b.size(); ++i)
    total += 100 * (b[i].open - b[i - 1].close) / b[i - 1].close;
  return total;
}

// Relative strength of the close against the open as a stand-in benchmark.
double naive_relative_strength_sum(const std::vector<bar>& b, int n) {
  double total = 0;
  for (std::size_t i = n; i < b.size(); ++i)
    total += (b[i].close / b[i - n].close) / (b[i].open / b[i - n].open);
  return total;
}

// ---- adapters feeding bars to indicators with other inputs ------------------

// Session VWAP keyed by the bar's position: a new session every
// bars_per_session bars.
struct session_vwap_by_position {
  ind::session_vwap vwap;
  std::int64_t position = 0;
  void update(const bar& b) noexcept {
    vwap.update(b, position++ / bars_per_session);
  }
  bool ready() const noexcept {
    return vwap.ready();
  }
  double value() const noexcept {
    return vwap.value();
  }
  void reset() noexcept {
    vwap.reset();
    position = 0;
  }
};

// Relative strength of the close against the open (two closes per bar).
struct relative_strength_of_close {
  ind::relative_strength rs;
  void update(const bar& b) noexcept {
    rs.update(b.close, b.open);
  }
  bool ready() const noexcept {
    return rs.ready();
  }
  double value() const noexcept {
    return rs.value();
  }
  void reset() noexcept {
    rs.reset();
  }
};


// ---- the timed pass ---------------------------------------------------------

// Resets the indicators, feeds the inputs, and sums each one's ready values.
template <class Input, class... Indicators>
std::array<double, sizeof...(Indicators)>
feed(const std::vector<Input>& xs, Indicators&... indicators) {
  (indicators.reset(), ...);
  std::array<double, sizeof...(Indicators)> sums{};
  for (const Input& x : xs) {
    std::size_t i = 0;
    (indicators.update(x), ...);
    ((sums[i++] += indicators.ready() ? indicators.value() : 0.0), ...);
  }
  return sums;
}

// True when `actual` matches the naive `expected` checksum; the +1 keeps
// sums near zero (a MACD histogram) from demanding more than the rounding.
bool matches(double actual, double expected) {
  return std::abs(actual - expected) <= 1e-12 * std::abs(expected)
         || std::abs(actual - expected) <= 1e-9 * (std::abs(expected) + 1.0);
}

// Times `feed` over `xs` and checks every indicator's checksum.
template <class Input, class... Indicators>
void run_on(benchmark::State& state, const std::vector<Input>& xs,
            const std::array<double, sizeof...(Indicators)>& expected,
            Indicators... indicators) {
  bool ok = true;
  for (auto _ : state) {
    const auto sums = feed(xs, indicators...);
    benchmark::DoNotOptimize(sums);
    for (std::size_t i = 0; i < sums.size(); ++i)
      ok &= matches(sums[i], expected[i]);
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

// Times the indicators over the price series.
template <class... Indicators>
void run(benchmark::State& state,
         const std::array<double, sizeof...(Indicators)>& expected,
         Indicators... indicators) {
  run_on(state, prices(), expected, indicators...);
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

// ---- the families, one update each ------------------------------------------

void BM_indicators_wma_update(benchmark::State& state) {
  run(state, {naive_wma_sum(prices(), window)}, ind::wma{window});
}

void BM_indicators_macd_update(benchmark::State& state) {
  run(state, {naive_macd_sum(prices())}, ind::macd{12, 26, 9});
}

void BM_indicators_rolling_stdev_update(benchmark::State& state) {
  run(state, {naive_stdev_sum(prices(), window)}, ind::rolling_stdev{window});
}

void BM_indicators_zscore_update(benchmark::State& state) {
  run(state, {naive_zscore_sum(prices(), window)}, ind::zscore{window});
}

void BM_indicators_bollinger_update(benchmark::State& state) {
  run(state, {naive_sma_sum(prices(), window)}, ind::bollinger{window, 2.0});
}

void BM_indicators_realized_volatility_update(benchmark::State& state) {
  run(state, {naive_realized_vol_sum(prices(), window, 252.0)},
      ind::realized_volatility{window, 252.0});
}

void BM_indicators_rate_of_change_update(benchmark::State& state) {
  run(state, {naive_roc_sum(prices(), window)}, ind::rate_of_change{window});
}

void BM_indicators_atr_update(benchmark::State& state) {
  run_on(state, bars(), {naive_atr_sum(bars(), atr_period)},
         ind::atr{atr_period});
}

void BM_indicators_adx_update(benchmark::State& state) {
  run_on(state, bars(), {naive_adx_sum(bars(), atr_period)},
         ind::adx{atr_period});
}

void BM_indicators_stochastic_update(benchmark::State& state) {
  run_on(state, bars(), {naive_stochastic_sum(bars(), 14, 3, 3)},
         ind::stochastic{14, 3, 3});
}

void BM_indicators_obv_update(benchmark::State& state) {
  run_on(state, bars(), {naive_obv_sum(bars())}, ind::obv{});
}

void BM_indicators_session_vwap_update(benchmark::State& state) {
  run_on(state, bars(), {naive_session_vwap_sum(bars())},
         session_vwap_by_position{});
}

void BM_indicators_rolling_vwap_update(benchmark::State& state) {
  run_on(state, bars(), {naive_rolling_vwap_sum(bars(), window)},
         ind::rolling_vwap{window});
}

void BM_indicators_volume_ratio_update(benchmark::State& state) {
  run_on(state, bars(), {naive_volume_ratio_sum(bars(), window)},
         ind::volume_ratio{window});
}

void BM_indicators_breakout_update(benchmark::State& state) {
  run_on(state, bars(), {naive_breakout_sum(bars(), window)},
         ind::breakout{window});
}

void BM_indicators_gap_percent_update(benchmark::State& state) {
  run_on(state, bars(), {naive_gap_sum(bars())}, ind::gap_percent{});
}

void BM_indicators_relative_strength_update(benchmark::State& state) {
  run_on(state, bars(), {naive_relative_strength_sum(bars(), window)},
         relative_strength_of_close{ind::relative_strength{window}});
}

// ---- ten indicators per symbol, bars interleaved across symbols -------------

constexpr int symbol_count = 100;
constexpr std::size_t symbol_phase = 41; // each symbol starts elsewhere

// What a signal actor might keep per symbol.
struct ten_indicators {
  ind::sma sma{window};
  ind::ema ema{window};
  ind::rsi rsi{rsi_period};
  ind::macd macd{12, 26, 9};
  ind::bollinger bands{window, 2.0};
  ind::atr atr{atr_period};
  ind::adx adx{atr_period};
  ind::volume_ratio volume{window};
  ind::breakout levels{window};
  session_vwap_by_position vwap;

  static constexpr std::size_t count = 10;

  void reset() noexcept {
    sma.reset();
    ema.reset();
    rsi.reset();
    macd.reset();
    bands.reset();
    atr.reset();
    adx.reset();
    volume.reset();
    levels.reset();
    vwap.reset();
  }

  // Updates all ten and adds their ready values to `sums`.
  void update(const bar& b, std::array<double, count>& sums) noexcept {
    sma.update(b.close);
    ema.update(b.close);
    rsi.update(b.close);
    macd.update(b.close);
    bands.update(b.close);
    atr.update(b);
    adx.update(b);
    volume.update(b);
    levels.update(b);
    vwap.update(b);
    std::size_t i = 0;
    auto add = [&](const auto& x) {
      sums[i++] += x.ready() ? x.value() : 0.0;
    };
    add(sma);
    add(ema);
    add(rsi);
    add(macd);
    add(bands);
    add(atr);
    add(adx);
    add(volume);
    add(levels);
    add(vwap);
  }
};

std::vector<bar> rotated(const std::vector<bar>& b, std::size_t by) {
  std::vector<bar> out(b.size());
  for (std::size_t i = 0; i < b.size(); ++i)
    out[i] = b[(i + by) % b.size()];
  return out;
}

std::array<double, ten_indicators::count> naive_ten_sums() {
  std::array<double, ten_indicators::count> sums{};
  for (int s = 0; s < symbol_count; ++s) {
    const auto b = rotated(bars(), s * symbol_phase);
    const auto c = closes_of(b);
    const double one[] = {naive_sma_sum(c, window),
                          naive_ema_sum(c, window),
                          naive_rsi_sum(c, rsi_period),
                          naive_macd_sum(c),
                          naive_sma_sum(c, window),
                          naive_atr_sum(b, atr_period),
                          naive_adx_sum(b, atr_period),
                          naive_volume_ratio_sum(b, window),
                          naive_breakout_sum(b, window),
                          naive_session_vwap_sum(b)};
    for (std::size_t i = 0; i < sums.size(); ++i)
      sums[i] += one[i];
  }
  return sums;
}

void BM_indicators_ten_per_symbol(benchmark::State& state) {
  static const auto expected = naive_ten_sums();
  const auto& b = bars();
  std::vector<ten_indicators> symbols(symbol_count);
  bool ok = true;
  for (auto _ : state) {
    for (auto& s : symbols)
      s.reset();
    std::array<double, ten_indicators::count> sums{};
    // Bar t of every symbol before bar t + 1 of any, as a feed delivers them.
    for (std::size_t t = 0; t < b.size(); ++t) {
      std::size_t phase = t;
      for (auto& s : symbols) {
        s.update(b[phase % b.size()], sums);
        phase += symbol_phase;
      }
    }
    benchmark::DoNotOptimize(sums);
    for (std::size_t i = 0; i < sums.size(); ++i)
      ok &= matches(sums[i], expected[i]);
  }
  if (!ok) {
    state.SkipWithError("checksum does not match the naive recomputation");
    return;
  }
  const auto bar_updates = state.iterations() * b.size() * symbol_count;
  state.SetItemsProcessed(bar_updates);
  state.counters["bar_updates_per_s"] = benchmark::Counter(
    static_cast<double>(bar_updates), benchmark::Counter::kIsRate);
}

} // namespace

BENCHMARK(BM_indicators_sma_update);
BENCHMARK(BM_indicators_ema_update);
BENCHMARK(BM_indicators_rsi_update);
BENCHMARK(BM_indicators_rolling_max_update);
BENCHMARK(BM_indicators_all_update);
BENCHMARK(BM_indicators_wma_update);
BENCHMARK(BM_indicators_macd_update);
BENCHMARK(BM_indicators_rolling_stdev_update);
BENCHMARK(BM_indicators_zscore_update);
BENCHMARK(BM_indicators_bollinger_update);
BENCHMARK(BM_indicators_realized_volatility_update);
BENCHMARK(BM_indicators_rate_of_change_update);
BENCHMARK(BM_indicators_atr_update);
BENCHMARK(BM_indicators_adx_update);
BENCHMARK(BM_indicators_stochastic_update);
BENCHMARK(BM_indicators_obv_update);
BENCHMARK(BM_indicators_session_vwap_update);
BENCHMARK(BM_indicators_rolling_vwap_update);
BENCHMARK(BM_indicators_volume_ratio_update);
BENCHMARK(BM_indicators_breakout_update);
BENCHMARK(BM_indicators_gap_percent_update);
BENCHMARK(BM_indicators_relative_strength_update);
BENCHMARK(BM_indicators_ten_per_symbol);

BENCHMARK_MAIN();
