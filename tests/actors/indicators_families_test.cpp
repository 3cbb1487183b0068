// Tests of the indicator families (trend, volatility, momentum, volume,
// levels) against independent references: hand-computed cases, and on real
// market data a straightforward O(N)-per-bar recomputation written here with
// a different formulation from the incremental one.

#include "actors/indicators_levels.hpp"
#include "actors/indicators_momentum.hpp"
#include "actors/indicators_trend.hpp"
#include "actors/indicators_volatility.hpp"
#include "actors/indicators_volume.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#ifndef OSPREY_SHARED_DATA
#error "OSPREY_SHARED_DATA must name the shared data folder (set by CMake)"
#endif

namespace ind = osprey::ind;

namespace {

constexpr double na = std::numeric_limits<double>::quiet_NaN();
using series = std::vector<double>;

// ---- a tiny CSV reader for the shared market files --------------------------

// One file's bars, plus a session key per bar (the date as yyyymmdd).
struct market_file {
  std::vector<ind::bar_input> bars;
  std::vector<std::int64_t> day;
  std::vector<std::string> date;
  std::string error;   // empty on success
  bool missing = false; // the file is absent (skip rather than fail)
};

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream ss{line};
  std::string cell;
  while (std::getline(ss, cell, ','))
    cells.push_back(cell);
  return cells;
}

// Reads any of the shared layouts by header name: date, open, high, low,
// close, volume (other columns ignored).
market_file load_market(const std::string& name) {
  market_file f;
  const std::string path = std::string{OSPREY_SHARED_DATA} + "/market/" + name;
  std::ifstream in{path};
  if (!in) {
    f.error = "cannot open market data file ";
    f.error += path;
    f.missing = true;
    return f;
  }
  std::string line;
  std::getline(in, line);
  auto header = split(line);
  // The futures file's header omits the Time column its rows carry after
  // the date; peek at the first row and name it.
  const auto first_row = in.tellg();
  std::string peek;
  std::getline(in, peek);
  in.seekg(first_row);
  if (split(peek).size() == header.size() + 1
      && peek.find(':') != std::string::npos)
    header.insert(header.begin() + 1, "time");
  std::map<std::string, std::size_t> column;
  for (std::size_t i = 0; i < header.size(); ++i)
    column[lower(header[i])] = i;
  for (const char* want : {"date", "open", "high", "low", "close", "volume"}) {
    if (column.count(want) == 0) {
      f.error = path;
      f.error += ": no column '";
      f.error += want;
      f.error += "' in header '";
      f.error += line;
      f.error += "'";
      return f;
    }
  }
  for (int line_no = 2; std::getline(in, line); ++line_no) {
    if (line.empty())
      continue;
    const auto cells = split(line);
    auto number = [&](const char* name, double& out) {
      const std::string& cell = cells.at(column[name]);
      char* end = nullptr;
      out = std::strtod(cell.c_str(), &end);
      if (cell.empty() || *end != '\0') {
        f.error = path;
        f.error += ":";
        f.error += std::to_string(line_no);
        f.error += ": bad number '";
        f.error += cell;
        f.error += "' in column ";
        f.error += name;
        return false;
      }
      return true;
    };
    if (cells.size() != header.size()) {
      f.error = path;
      f.error += ":";
      f.error += std::to_string(line_no);
      f.error += ": wrong number of columns";
      return f;
    }
    ind::bar_input b;
    if (!number("open", b.open) || !number("high", b.high)
        || !number("low", b.low) || !number("close", b.close)
        || !number("volume", b.volume))
      return f;
    std::string digits;
    for (char c : cells[column["date"]])
      if (std::isdigit(static_cast<unsigned char>(c)))
        digits += c;
    f.bars.push_back(b);
    f.day.push_back(std::stoll(digits));
    f.date.push_back(cells[column["date"]]);
  }
  if (f.bars.size() < 300) {
    f.error = path;
    f.error += " is too short to test on";
  }
  return f;
}

series column_of(const std::vector<ind::bar_input>& bars,
                 double ind::bar_input::*field) {
  series out;
  for (const auto& b : bars)
    out.push_back(b.*field);
  return out;
}

// ---- naive references (O(N) per bar, written independently) -----------------

series naive_wma(const series& x, int n) {
  series out(x.size(), na);
  for (std::size_t i = n - 1; i < x.size(); ++i) {
    double num = 0, den = 0;
    for (int w = 1; w <= n; ++w) { // weight w on x[i - n + w]
      num += w * x[i - n + w];
      den += w;
    }
    out[i] = num / den;
  }
  return out;
}

// EMA seeded by the mean of the first n inputs, from index `first` on.
series naive_ema_from(const series& x, int n, std::size_t first) {
  series out(x.size(), na);
  if (x.size() < first + n)
    return out;
  double e = 0;
  for (std::size_t i = first; i < first + n; ++i)
    e += x[i];
  e /= n;
  out[first + n - 1] = e;
  for (std::size_t i = first + n; i < x.size(); ++i)
    out[i] = e = e + (x[i] - e) * 2.0 / (n + 1);
  return out;
}

struct window_stats {
  double mean, sd;
};

// Two-pass mean and population standard deviation of x[i-n+1 .. i].
window_stats two_pass(const series& x, std::size_t i, int n) {
  double sum = 0;
  for (std::size_t j = i + 1 - n; j <= i; ++j)
    sum += x[j];
  const double mean = sum / n;
  double ss = 0;
  for (std::size_t j = i + 1 - n; j <= i; ++j)
    ss += (x[j] - mean) * (x[j] - mean);
  return {mean, std::sqrt(ss / n)};
}

series naive_sd(const series& x, int n) {
  series out(x.size(), na);
  for (std::size_t i = n - 1; i < x.size(); ++i)
    out[i] = two_pass(x, i, n).sd;
  return out;
}

series naive_true_range(const std::vector<ind::bar_input>& b) {
  series tr;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 0) {
      tr.push_back(b[i].high - b[i].low);
      continue;
    }
    const double pc = b[i - 1].close;
    tr.push_back(std::max(b[i].high, pc) - std::min(b[i].low, pc));
  }
  return tr;
}

// Wilder's original running-total form: S = S - S/N + x, ATR = S / N.
series naive_atr(const std::vector<ind::bar_input>& b, int n) {
  const series tr = naive_true_range(b);
  series out(b.size(), na);
  double total = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i < static_cast<std::size_t>(n)) {
      total += tr[i];
      if (i + 1 == static_cast<std::size_t>(n))
        out[i] = total / n;
      continue;
    }
    total = total - total / n + tr[i];
    out[i] = total / n;
  }
  return out;
}

struct adx_series {
  series plus_di, minus_di, adx;
};

// Wilder's ADX with running totals (TR14, +DM14, -DM14): a different
// formulation from the averages in the header.
adx_series naive_adx(const std::vector<ind::bar_input>& b, int n) {
  adx_series out{series(b.size(), na), series(b.size(), na),
                 series(b.size(), na)};
  double tr_n = 0, p_n = 0, m_n = 0, adx = 0;
  std::vector<double> dx;
  for (std::size_t i = 1; i < b.size(); ++i) {
    const double up = b[i].high - b[i - 1].high;
    const double down = b[i - 1].low - b[i].low;
    const double pdm = (up > down && up > 0) ? up : 0;
    const double mdm = (down > up && down > 0) ? down : 0;
    const double pc = b[i - 1].close;
    const double tr = std::max(b[i].high, pc) - std::min(b[i].low, pc);
    if (i <= static_cast<std::size_t>(n)) {
      tr_n += tr;
      p_n += pdm;
      m_n += mdm;
      if (i < static_cast<std::size_t>(n))
        continue;
    } else {
      tr_n = tr_n - tr_n / n + tr;
      p_n = p_n - p_n / n + pdm;
      m_n = m_n - m_n / n + mdm;
    }
    const double pdi = tr_n > 0 ? 100 * p_n / tr_n : 0;
    const double mdi = tr_n > 0 ? 100 * m_n / tr_n : 0;
    out.plus_di[i] = pdi;
    out.minus_di[i] = mdi;
    dx.push_back(pdi + mdi > 0 ? 100 * std::abs(pdi - mdi) / (pdi + mdi) : 0);
    if (dx.size() < static_cast<std::size_t>(n))
      continue;
    if (dx.size() == static_cast<std::size_t>(n)) {
      for (double d : dx)
        adx += d;
      adx /= n;
    } else {
      adx = (adx * (n - 1) + dx.back()) / n;
    }
    out.adx[i] = adx;
  }
  return out;
}

// Mean of x[i-n+1 .. i] where all are present (not NaN), else NaN.
series naive_window_mean(const series& x, int n) {
  series out(x.size(), na);
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (i + 1 < static_cast<std::size_t>(n))
      continue;
    double sum = 0;
    for (std::size_t j = i + 1 - n; j <= i; ++j)
      sum += x[j];
    out[i] = sum / n; // NaN propagates from an unready input
  }
  return out;
}

struct stochastic_series {
  series k, d;
};

stochastic_series naive_stochastic(const std::vector<ind::bar_input>& b, int n,
                                   int smooth, int d_period) {
  series raw(b.size(), na);
  for (std::size_t i = n - 1; i < b.size(); ++i) {
    double hh = -std::numeric_limits<double>::infinity();
    double ll = std::numeric_limits<double>::infinity();
    for (std::size_t j = i + 1 - n; j <= i; ++j) {
      hh = std::max(hh, b[j].high);
      ll = std::min(ll, b[j].low);
    }
    raw[i] = hh > ll ? 100 * (b[i].close - ll) / (hh - ll) : 50;
  }
  const series k = naive_window_mean(raw, smooth);
  return {k, naive_window_mean(k, d_period)};
}

// ---- comparison -------------------------------------------------------------

testing::AssertionResult close_to(double actual, double expected,
                                  double rel = 1e-9, double abs = 1e-12) {
  if (std::isnan(expected)) {
    if (std::isnan(actual))
      return testing::AssertionSuccess();
    return testing::AssertionFailure() << "expected NaN, got " << actual;
  }
  if (std::abs(actual - expected) <= rel * std::abs(expected) + abs)
    return testing::AssertionSuccess();
  return testing::AssertionFailure()
         << std::setprecision(17) << "got " << actual << ", expected "
         << expected;
}

// Feeds every item with `feed`, then checks `ready()` flips exactly at item
// warm_up - 1, value() is NaN before, and each output (a getter and its
// expected series) at every item.
template <class Indicator, class Feed, class... Outputs>
void expect_outputs(Indicator& indicator, std::size_t size, int warm_up,
                    Feed feed, double rel, double abs,
                    const Outputs&... outputs) {
  for (std::size_t i = 0; i < size; ++i) {
    feed(indicator, i);
    ASSERT_EQ(indicator.ready(), static_cast<int>(i) + 1 >= warm_up)
      << "item " << i;
    if (!indicator.ready()) {
      ASSERT_TRUE(std::isnan(indicator.value())) << "item " << i;
    }
    bool ok = true;
    std::size_t which = 0;
    (
      [&] {
        ++which;
        if (!ok)
          return;
        const auto r = close_to(outputs.first(indicator), outputs.second.at(i),
                                rel, abs);
        if (!r) {
          ADD_FAILURE() << "output " << which << ", item " << i << ": "
                        << r.message();
          ok = false;
        }
      }(),
      ...);
    if (!ok)
      return;
  }
}

template <class Indicator>
using output = std::pair<double (*)(const Indicator&), series>;

class families_on_real_data : public testing::TestWithParam<std::string> {
protected:
  void SetUp() override {
    data_ = load_market(GetParam());
    if (data_.missing)
      FAIL() << "shared market data unavailable: " << data_.error;
    ASSERT_TRUE(data_.error.empty()) << data_.error;
    close_ = column_of(data_.bars, &ind::bar_input::close);
    volume_ = column_of(data_.bars, &ind::bar_input::volume);
  }

  const std::vector<ind::bar_input>& bars() const {
    return data_.bars;
  }

  market_file data_;
  series close_, volume_;
};

const int periods[] = {1, 2, 3, 5, 14, 20, 50};

} // namespace

// ---- real data: every indicator at every bar against a naive recomputation --

TEST_P(families_on_real_data, wma_matches_explicit_weighted_sum) {
  for (int n : periods) {
    ind::wma w{n};
    expect_outputs(
      w, close_.size(), n, [&](auto& x, std::size_t i) { x.update(close_[i]); },
      1e-9, 1e-12,
      output<ind::wma>{[](const ind::wma& x) { return x.value(); },
                       naive_wma(close_, n)});
  }
}

TEST_P(families_on_real_data, macd_matches_ema_recursions_of_line_and_signal) {
  for (auto [fast, slow, sig] : {std::array{12, 26, 9}, std::array{3, 5, 2},
                                 std::array{5, 3, 1}}) {
    const std::size_t longest = std::max(fast, slow);
    const series ef = naive_ema_from(close_, fast, 0);
    const series es = naive_ema_from(close_, slow, 0);
    series line(close_.size(), na);
    for (std::size_t i = longest - 1; i < close_.size(); ++i)
      line[i] = ef[i] - es[i];
    const series signal = naive_ema_from(line, sig, longest - 1);
    series hist(close_.size(), na);
    for (std::size_t i = 0; i < close_.size(); ++i)
      hist[i] = line[i] - signal[i];
    ind::macd m{fast, slow, sig};
    // Differences of nearby EMAs: an absolute floor relative to the price.
    expect_outputs(
      m, close_.size(), static_cast<int>(longest) + sig - 1,
      [&](auto& x, std::size_t i) { x.update(close_[i]); }, 1e-9, 1e-9,
      output<ind::macd>{[](const ind::macd& x) { return x.line(); }, line},
      output<ind::macd>{[](const ind::macd& x) { return x.signal(); }, signal},
      output<ind::macd>{[](const ind::macd& x) { return x.histogram(); },
                        hist});
  }
}

TEST_P(families_on_real_data, rolling_stdev_matches_two_pass_population_sd) {
  for (int n : periods) {
    ind::rolling_stdev s{n};
    expect_outputs(
      s, close_.size(), n, [&](auto& x, std::size_t i) { x.update(close_[i]); },
      1e-9, 1e-9,
      output<ind::rolling_stdev>{
        [](const ind::rolling_stdev& x) { return x.value(); },
        naive_sd(close_, n)},
      output<ind::rolling_stdev>{
        [](const ind::rolling_stdev& x) { return x.mean(); },
        naive_window_mean(close_, n)});
  }
}

TEST_P(families_on_real_data, zscore_matches_two_pass_window) {
  for (int n : {2, 5, 20, 50}) {
    series expected(close_.size(), na);
    for (std::size_t i = n - 1; i < close_.size(); ++i) {
      const auto st = two_pass(close_, i, n);
      expected[i] = st.sd > 0 ? (close_[i] - st.mean) / st.sd : 0.0;
    }
    ind::zscore z{n};
    // A z-score divides by a small sd: allow for the rounding of the mean.
    expect_outputs(
      z, close_.size(), n, [&](auto& x, std::size_t i) { x.update(close_[i]); },
      1e-7, 1e-7,
      output<ind::zscore>{[](const ind::zscore& x) { return x.value(); },
                          expected});
  }
}

TEST_P(families_on_real_data, bollinger_uses_sma_and_population_sd) {
  for (auto [n, k] : {std::pair{20, 2.0}, std::pair{10, 1.5}}) {
    series mid(close_.size(), na), up(close_.size(), na),
      lo(close_.size(), na);
    for (std::size_t i = n - 1; i < close_.size(); ++i) {
      const auto st = two_pass(close_, i, n);
      mid[i] = st.mean;
      up[i] = st.mean + k * st.sd;
      lo[i] = st.mean - k * st.sd;
    }
    ind::bollinger b{n, k};
    expect_outputs(
      b, close_.size(), n, [&](auto& x, std::size_t i) { x.update(close_[i]); },
      1e-9, 1e-9,
      output<ind::bollinger>{[](const ind::bollinger& x) { return x.middle(); },
                             mid},
      output<ind::bollinger>{[](const ind::bollinger& x) { return x.upper(); },
                             up},
      output<ind::bollinger>{[](const ind::bollinger& x) { return x.lower(); },
                             lo});
  }
}

TEST_P(families_on_real_data, atr_matches_wilder_running_total) {
  for (int n : periods) {
    ind::atr a{n};
    expect_outputs(
      a, bars().size(), n,
      [&](auto& x, std::size_t i) { x.update(bars()[i]); }, 1e-9, 1e-12,
      output<ind::atr>{[](const ind::atr& x) { return x.value(); },
                       naive_atr(bars(), n)});
  }
}

TEST_P(families_on_real_data, adx_and_dis_match_wilder_running_totals) {
  for (int n : periods) {
    const auto ref = naive_adx(bars(), n);
    ind::adx a{n};
    expect_outputs(
      a, bars().size(), 2 * n,
      [&](auto& x, std::size_t i) { x.update(bars()[i]); }, 1e-8, 1e-8,
      output<ind::adx>{[](const ind::adx& x) { return x.plus_di(); },
                       ref.plus_di},
      output<ind::adx>{[](const ind::adx& x) { return x.minus_di(); },
                       ref.minus_di},
      output<ind::adx>{[](const ind::adx& x) { return x.value(); }, ref.adx});
  }
}

TEST_P(families_on_real_data, stochastic_matches_window_scan_and_averages) {
  for (auto [n, smooth, d] :
       {std::array{14, 1, 3}, std::array{14, 3, 3}, std::array{5, 2, 4},
        std::array{1, 1, 1}}) {
    const auto ref = naive_stochastic(bars(), n, smooth, d);
    ind::stochastic s{n, smooth, d};
    expect_outputs(
      s, bars().size(), n + smooth + d - 2,
      [&](auto& x, std::size_t i) { x.update(bars()[i]); }, 1e-9, 1e-9,
      output<ind::stochastic>{[](const ind::stochastic& x) { return x.k(); },
                              ref.k},
      output<ind::stochastic>{[](const ind::stochastic& x) { return x.d(); },
                              ref.d});
  }
}

TEST_P(families_on_real_data, obv_matches_a_signed_volume_total) {
  series expected(bars().size());
  double total = 0;
  for (std::size_t i = 0; i < bars().size(); ++i) {
    if (i > 0 && close_[i] != close_[i - 1])
      total += close_[i] > close_[i - 1] ? volume_[i] : -volume_[i];
    expected[i] = total;
  }
  ind::obv o;
  expect_outputs(
    o, bars().size(), 1, [&](auto& x, std::size_t i) { x.update(bars()[i]); },
    0.0, 0.0,
    output<ind::obv>{[](const ind::obv& x) { return x.value(); }, expected});
}

TEST_P(families_on_real_data, session_vwap_restarts_each_day) {
  // Per-day sums recomputed from the session's first bar each time.
  series expected(bars().size(), na);
  std::size_t start = 0;
  for (std::size_t i = 0; i < bars().size(); ++i) {
    if (data_.day[i] != data_.day[start])
      start = i;
    double pv = 0, v = 0;
    for (std::size_t j = start; j <= i; ++j) {
      pv += (bars()[j].high + bars()[j].low + bars()[j].close) / 3
            * bars()[j].volume;
      v += bars()[j].volume;
    }
    expected[i] = v > 0 ? pv / v : na;
  }
  ind::session_vwap s;
  for (std::size_t i = 0; i < bars().size(); ++i) {
    s.update(bars()[i], data_.day[i]);
    ASSERT_EQ(s.ready(), !std::isnan(expected[i])) << "bar " << i;
    ASSERT_TRUE(close_to(s.value(), expected[i])) << "bar " << i;
  }
}

TEST_P(families_on_real_data, rolling_vwap_matches_window_sums) {
  for (int n : periods) {
    series expected(bars().size(), na);
    for (std::size_t i = n - 1; i < bars().size(); ++i) {
      double pv = 0, v = 0;
      for (std::size_t j = i + 1 - n; j <= i; ++j) {
        pv += (bars()[j].high + bars()[j].low + bars()[j].close) / 3
              * bars()[j].volume;
        v += bars()[j].volume;
      }
      expected[i] = v > 0 ? pv / v : na;
    }
    ind::rolling_vwap r{n};
    for (std::size_t i = 0; i < bars().size(); ++i) {
      r.update(bars()[i]);
      ASSERT_EQ(r.ready(), !std::isnan(expected[i])) << "bar " << i;
      ASSERT_TRUE(close_to(r.value(), expected[i])) << "bar " << i;
    }
  }
}

TEST_P(families_on_real_data, realized_volatility_matches_sd_of_log_returns) {
  series returns;
  for (std::size_t i = 1; i < close_.size(); ++i)
    returns.push_back(std::log(close_[i] / close_[i - 1]));
  for (int n : {2, 5, 20, 50}) {
    const series sd = naive_sd(returns, n);
    series expected(close_.size(), na);
    for (std::size_t i = 1; i < close_.size(); ++i)
      expected[i] = sd[i - 1] * std::sqrt(252.0);
    ind::realized_volatility v{n, 252.0};
    expect_outputs(
      v, close_.size(), n + 1,
      [&](auto& x, std::size_t i) { x.update(close_[i]); }, 1e-8, 1e-12,
      output<ind::realized_volatility>{
        [](const ind::realized_volatility& x) { return x.value(); },
        expected});
  }
}

TEST_P(families_on_real_data, breakout_compares_close_with_prior_window) {
  for (int n : periods) {
    ind::breakout b{n};
    for (std::size_t i = 0; i < bars().size(); ++i) {
      b.update(bars()[i]);
      if (i < static_cast<std::size_t>(n)) {
        ASSERT_FALSE(b.ready()) << "bar " << i;
        ASSERT_TRUE(std::isnan(b.value()));
        ASSERT_FALSE(b.up() || b.down());
        continue;
      }
      double hh = bars()[i - n].high, ll = bars()[i - n].low;
      for (std::size_t j = i - n; j < i; ++j) {
        hh = std::max(hh, bars()[j].high);
        ll = std::min(ll, bars()[j].low);
      }
      ASSERT_TRUE(b.ready());
      ASSERT_EQ(b.prior_high(), hh) << "bar " << i;
      ASSERT_EQ(b.prior_low(), ll) << "bar " << i;
      ASSERT_EQ(b.up(), bars()[i].close > hh) << "bar " << i;
      ASSERT_EQ(b.down(), bars()[i].close < ll) << "bar " << i;
      ASSERT_EQ(b.value(), b.up() ? 1.0 : (b.down() ? -1.0 : 0.0));
    }
  }
}

TEST_P(families_on_real_data, gap_volume_ratio_and_roc_match_direct_formulas) {
  for (int n : periods) {
    ind::gap_percent g;
    ind::volume_ratio vr{n};
    ind::rate_of_change roc{n};
    for (std::size_t i = 0; i < bars().size(); ++i) {
      g.update(bars()[i]);
      vr.update(bars()[i]);
      roc.update(close_[i]);
      const double gap =
        i > 0 ? (bars()[i].open / close_[i - 1] - 1) * 100 : na;
      ASSERT_TRUE(close_to(g.value(), gap)) << "bar " << i;
      double prior = na;
      if (i >= static_cast<std::size_t>(n)) {
        prior = 0;
        for (std::size_t j = i - n; j < i; ++j)
          prior += volume_[j];
        prior /= n;
      }
      ASSERT_EQ(vr.ready(), i >= static_cast<std::size_t>(n)) << "bar " << i;
      ASSERT_TRUE(close_to(vr.prior_average(), prior)) << "bar " << i;
      ASSERT_TRUE(close_to(vr.value(), prior > 0 ? volume_[i] / prior : na))
        << "bar " << i;
      ASSERT_EQ(roc.ready(), i >= static_cast<std::size_t>(n)) << "bar " << i;
      ASSERT_TRUE(close_to(
        roc.value(),
        i >= static_cast<std::size_t>(n) ? (close_[i] - close_[i - n])
                                               / close_[i - n]
                                         : na))
        << "bar " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(market, families_on_real_data,
                         testing::Values("AAPL_daily_2012-2014.csv",
                                         "ORCL_daily_1995-2014.csv",
                                         "STOXX50_futures_1min_2006-01.csv"),
                         [](const auto& info) {
                           return info.param.substr(0, info.param.find('_'));
                         });

TEST(relative_strength, matches_gross_return_ratio_of_aapl_against_msft) {
  const auto aapl = load_market("AAPL_daily_2012-2014.csv");
  const auto msft = load_market("MSFT_daily_2012-2014.csv");
  if (aapl.missing || msft.missing)
    FAIL() << "shared market data unavailable: " << aapl.error << " "
                 << msft.error;
  ASSERT_TRUE(aapl.error.empty() && msft.error.empty())
    << aapl.error << " " << msft.error;
  // Join on the date so the pairs are the same trading day.
  std::map<std::string, double> msft_close;
  for (std::size_t i = 0; i < msft.bars.size(); ++i)
    msft_close[msft.date[i]] = msft.bars[i].close;
  series s, b;
  for (std::size_t i = 0; i < aapl.bars.size(); ++i) {
    auto it = msft_close.find(aapl.date[i]);
    if (it == msft_close.end())
      continue;
    s.push_back(aapl.bars[i].close);
    b.push_back(it->second);
  }
  ASSERT_GT(s.size(), 700u);
  for (int n : periods) {
    ind::relative_strength rs{n};
    for (std::size_t i = 0; i < s.size(); ++i) {
      rs.update(s[i], b[i]);
      const bool full = i >= static_cast<std::size_t>(n);
      ASSERT_EQ(rs.ready(), full) << "bar " << i;
      const double rsym = full ? s[i] / s[i - n] - 1 : na;
      const double rben = full ? b[i] / b[i - n] - 1 : na;
      ASSERT_TRUE(close_to(rs.symbol_return(), rsym, 1e-9, 1e-14));
      ASSERT_TRUE(close_to(rs.benchmark_return(), rben, 1e-9, 1e-14));
      ASSERT_TRUE(close_to(rs.value(), full ? (s[i] * b[i - n])
                                                / (s[i - n] * b[i])
                                            : na));
    }
  }
}

// ---- hand-computed examples -------------------------------------------------

TEST(wma, weighs_the_newest_value_most_in_a_hand_example) {
  ind::wma w{3};
  const series x{1, 2, 3, 4, 10};
  // (1*1 + 2*2 + 3*3)/6 = 14/6; (1*2 + 2*3 + 3*4)/6 = 20/6;
  // (1*3 + 2*4 + 3*10)/6 = 41/6.
  const series expected{na, na, 14.0 / 6, 20.0 / 6, 41.0 / 6};
  for (std::size_t i = 0; i < x.size(); ++i) {
    w.update(x[i]);
    EXPECT_TRUE(close_to(w.value(), expected[i], 1e-15, 0)) << i;
  }
}

TEST(macd, follows_the_hand_computed_2_3_2_example) {
  // EMA2 (alpha 2/3): -, 1.5, 2.5, 3.5, 31/6. EMA3 (alpha 1/2): -, -, 2, 3,
  // 4.5. Line: -, -, 0.5, 0.5, 2/3. Signal EMA2 of the line, seeded by the
  // mean of its first two values: 0.5 at the 4th price, then
  // 0.5 + 2/3 * (2/3 - 0.5) = 11/18. Histogram: 0, then 1/18.
  ind::macd m{2, 3, 2};
  const series x{1, 2, 3, 4, 6};
  const series line{na, na, 0.5, 0.5, 2.0 / 3};
  const series signal{na, na, na, 0.5, 11.0 / 18};
  const series hist{na, na, na, 0.0, 1.0 / 18};
  for (std::size_t i = 0; i < x.size(); ++i) {
    m.update(x[i]);
    EXPECT_EQ(m.line_ready(), i >= 2) << i;
    EXPECT_EQ(m.ready(), i >= 3) << i;
    EXPECT_TRUE(close_to(m.line(), line[i], 1e-12, 1e-15)) << i;
    EXPECT_TRUE(close_to(m.signal(), signal[i], 1e-12, 1e-15)) << i;
    EXPECT_TRUE(close_to(m.histogram(), hist[i], 1e-12, 1e-15)) << i;
    EXPECT_TRUE(close_to(m.value(), hist[i], 1e-12, 1e-15)) << i;
  }
}

TEST(macd, default_12_26_9_signal_is_ready_after_34_prices) {
  ind::macd m;
  for (int i = 1; i <= 40; ++i) {
    m.update(100 + std::sin(i));
    EXPECT_EQ(m.line_ready(), i >= 26) << i;
    EXPECT_EQ(m.ready(), i >= 34) << i;
    EXPECT_EQ(std::isnan(m.signal()), i < 34) << i;
  }
}

TEST(bollinger, textbook_population_example_is_five_plus_minus_four) {
  // {2,4,4,4,5,5,7,9}: mean 5, population sd 2 (sample sd would be 2.138).
  ind::bollinger b{8, 2.0};
  for (double x : {2, 4, 4, 4, 5, 5, 7, 9})
    b.update(x);
  EXPECT_DOUBLE_EQ(b.middle(), 5.0);
  EXPECT_DOUBLE_EQ(b.stdev(), 2.0);
  EXPECT_DOUBLE_EQ(b.upper(), 9.0);
  EXPECT_DOUBLE_EQ(b.lower(), 1.0);
}

TEST(zscore, of_three_after_one_and_two_is_sqrt_three_halves) {
  ind::zscore z{3};
  z.update(1);
  z.update(2);
  EXPECT_TRUE(std::isnan(z.value()));
  z.update(3); // mean 2, sd sqrt(2/3): z = 1 / sqrt(2/3)
  EXPECT_NEAR(z.value(), std::sqrt(1.5), 1e-15);
  for (int i = 0; i < 3; ++i)
    z.update(7);
  EXPECT_EQ(z.value(), 0.0); // constant window
}

TEST(atr, seeds_with_the_mean_true_range_then_smooths_wilder_style) {
  // N=3. TR: 2 (first bar: high - low), max(2, 2, 0) = 2, max(2, 1.5, .5)
  // = 2 -> seed 2. Gap bar (14, 13, 13.5) after close 11: max(1, 3, 2) = 3
  // -> (2 * 2 + 3) / 3 = 7/3.
  ind::atr a{3};
  a.update({9, 10, 8, 9, 100});
  a.update({10, 11, 9, 10.5, 100});
  EXPECT_FALSE(a.ready());
  EXPECT_TRUE(std::isnan(a.value()));
  a.update({10.5, 12, 10, 11, 100});
  EXPECT_DOUBLE_EQ(a.value(), 2.0);
  a.update({14, 14, 13, 13.5, 100});
  EXPECT_DOUBLE_EQ(a.value(), 7.0 / 3);
}

TEST(adx, with_period_one_reads_the_last_movement) {
  ind::adx a{1};
  a.update({9, 10, 8, 9, 1});
  EXPECT_FALSE(a.di_ready());
  // up = 2, down = -1: +DM 2; TR = max(3, 3, 0) = 3; +DI 66.67, -DI 0, DX 100.
  a.update({9, 12, 9, 11, 1});
  EXPECT_TRUE(a.ready());
  EXPECT_NEAR(a.plus_di(), 200.0 / 3, 1e-12);
  EXPECT_EQ(a.minus_di(), 0.0);
  EXPECT_EQ(a.value(), 100.0);
  // up = -1, down = 2: -DM 2; TR = max(4, 0, 4) = 4: -DI 50 -> DX 100.
  a.update({11, 11, 7, 8, 1});
  EXPECT_EQ(a.plus_di(), 0.0);
  EXPECT_EQ(a.minus_di(), 50.0);
  EXPECT_EQ(a.value(), 100.0);
  // Inside bar: no movement either way, DX 0.
  a.update({8, 10, 8, 9, 1});
  EXPECT_EQ(a.value(), 0.0);
}

TEST(stochastic, hand_example_with_d_over_two) {
  ind::stochastic s{3, 1, 2};
  s.update({0, 10, 8, 9, 1});
  s.update({0, 11, 9, 10, 1});
  EXPECT_TRUE(std::isnan(s.k()));
  s.update({0, 12, 10, 11, 1}); // HH 12, LL 8: 100 * 3/4 = 75
  EXPECT_DOUBLE_EQ(s.k(), 75.0);
  EXPECT_FALSE(s.ready());
  EXPECT_TRUE(std::isnan(s.value()));
  s.update({0, 11, 9, 9.5, 1}); // HH 12, LL 9: 100 * 0.5/3
  EXPECT_DOUBLE_EQ(s.k(), 50.0 / 3);
  EXPECT_DOUBLE_EQ(s.d(), (75.0 + 50.0 / 3) / 2);
  EXPECT_TRUE(s.ready());
}

TEST(stochastic, is_fifty_when_the_range_is_zero) {
  ind::stochastic s{2, 1, 1};
  s.update({5, 5, 5, 5, 1});
  s.update({5, 5, 5, 5, 1});
  EXPECT_EQ(s.value(), 50.0);
}

TEST(obv, adds_volume_on_up_closes_and_subtracts_on_down_closes) {
  ind::obv o;
  EXPECT_TRUE(std::isnan(o.value()));
  const series close{10, 11, 11, 10.5, 12}, vol{100, 200, 300, 400, 500};
  const series expected{0, 200, 200, -200, 300};
  for (std::size_t i = 0; i < close.size(); ++i) {
    o.update({close[i], close[i], close[i], close[i], vol[i]});
    EXPECT_EQ(o.value(), expected[i]) << i;
  }
}

TEST(session_vwap, restarts_when_the_session_key_changes) {
  ind::session_vwap v;
  v.update({0, 12, 9, 9, 0}, 1); // no volume yet: not ready
  EXPECT_FALSE(v.ready());
  EXPECT_TRUE(std::isnan(v.value()));
  v.update({0, 11, 9, 10, 100}, 1); // typical 10
  v.update({0, 14, 11, 11, 300}, 1); // typical 12
  EXPECT_DOUBLE_EQ(v.value(), (10 * 100 + 12 * 300) / 400.0);
  v.update({0, 21, 19, 20, 50}, 2); // new session: only this bar
  EXPECT_DOUBLE_EQ(v.value(), 20.0);
  v.new_session();
  EXPECT_FALSE(v.ready());
  v.update({0, 31, 29, 30, 10});
  EXPECT_DOUBLE_EQ(v.value(), 30.0);
}

TEST(rolling_vwap, weighs_the_last_n_bars_by_volume) {
  ind::rolling_vwap v{2};
  v.update({0, 10, 10, 10, 100});
  EXPECT_FALSE(v.ready());
  v.update({0, 20, 20, 20, 300});
  EXPECT_DOUBLE_EQ(v.value(), (1000 + 6000) / 400.0);
  v.update({0, 30, 30, 30, 100});
  EXPECT_DOUBLE_EQ(v.value(), (6000 + 3000) / 400.0);
  v.update({0, 30, 30, 30, 0});
  v.update({0, 30, 30, 30, 0}); // no volume in the window: no VWAP
  EXPECT_FALSE(v.ready());
  EXPECT_TRUE(std::isnan(v.value()));
}

TEST(realized_volatility, is_half_the_spread_of_two_log_returns) {
  ind::realized_volatility v{2, 4.0};
  v.update(100);
  v.update(110);
  EXPECT_FALSE(v.ready());
  v.update(99);
  // Population sd of two values is half their distance; scaled by sqrt(4).
  EXPECT_NEAR(v.value(),
              std::abs(std::log(1.1) - std::log(0.9)) / 2 * 2, 1e-15);
  v.update(-5); // not a price: ignored
  v.update(0);
  EXPECT_NEAR(v.value(),
              std::abs(std::log(1.1) - std::log(0.9)) / 2 * 2, 1e-15);
}

TEST(rate_of_change, is_the_n_bar_return) {
  ind::rate_of_change r{2};
  r.update(100);
  r.update(105);
  EXPECT_FALSE(r.ready());
  r.update(121);
  EXPECT_NEAR(r.value(), 0.21, 1e-15);
  EXPECT_NEAR(r.percent(), 21.0, 1e-12);
  r.update(84); // against 105
  EXPECT_NEAR(r.value(), -0.2, 1e-15);
}

TEST(relative_strength, above_one_when_the_symbol_outperforms) {
  ind::relative_strength rs{1};
  rs.update(100, 50);
  EXPECT_FALSE(rs.ready());
  rs.update(110, 51); // +10% against +2%
  EXPECT_NEAR(rs.value(), 1.1 / 1.02, 1e-15);
  EXPECT_NEAR(rs.return_ratio(), 0.1 / 0.02, 1e-12);
  rs.update(110, 51); // both flat: return ratio undefined
  EXPECT_EQ(rs.value(), 1.0);
  EXPECT_TRUE(std::isnan(rs.return_ratio()));
  rs.update(na, 60); // half-missing pair: ignored as a whole
  rs.update(121, 0);
  EXPECT_EQ(rs.value(), 1.0);
}

TEST(breakout, flags_a_close_above_the_prior_high) {
  ind::breakout b{2};
  b.update({0, 10, 8, 9, 1});
  b.update({0, 11, 9, 10, 1});
  EXPECT_FALSE(b.ready());
  b.update({0, 12, 10, 11.5, 1}); // prior high 11
  EXPECT_TRUE(b.up());
  EXPECT_EQ(b.value(), 1.0);
  EXPECT_EQ(b.high(), 12.0);
  b.update({0, 12, 8, 8.5, 1}); // prior low 9
  EXPECT_TRUE(b.down());
  EXPECT_EQ(b.value(), -1.0);
  b.update({0, 12, 9, 11, 1}); // inside the prior 12 / 8 range
  EXPECT_EQ(b.value(), 0.0);
}

TEST(gap_percent, compares_the_open_with_the_previous_close) {
  ind::gap_percent g;
  g.update({100, 101, 99, 100, 1});
  EXPECT_FALSE(g.ready());
  g.update({103, 104, 102, 103, 1});
  EXPECT_NEAR(g.value(), 3.0, 1e-12);
  g.update({97.85, 98, 97, 97.5, 1});
  EXPECT_NEAR(g.value(), -5.0, 1e-12);
}

TEST(volume_ratio, compares_with_the_average_of_earlier_bars) {
  ind::volume_ratio v{2};
  v.update(100.0);
  v.update(300.0);
  EXPECT_FALSE(v.ready());
  v.update(400.0); // against (100 + 300) / 2
  EXPECT_EQ(v.value(), 2.0);
  v.update(-1.0); // not a volume: ignored
  EXPECT_EQ(v.value(), 2.0);
}
