// Backtest statistics: hand-computed cases, edge cases and invariants over
// random curves.

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>
#include <stdexcept>

#include "runtime/backtest_metrics.hpp"

using namespace osprey;

namespace {

constexpr int64_t day = 86'400'000'000'000;
constexpr int64_t t0 = 1'700'000'000'000'000'000; // 2023-11-14T22:13:20Z

money dollars(double d) {
  return money{static_cast<int64_t>(std::llround(d * 1e6))};
}

equity_curve curve_of(const std::vector<double>& equity, const std::vector<double>& exposure = {}) {
  equity_curve c;
  for (size_t i = 0; i < equity.size(); ++i)
    c.push_back({t0 + static_cast<int64_t>(i) * day, dollars(equity[i]),
                 dollars(exposure.empty() ? 0 : exposure[i])});
  return c;
}

metrics_options cash(double d) {
  metrics_options o;
  o.starting_cash = dollars(d);
  return o;
}

closed_trade trade(const std::string& symbol, double entry, double exit, int64_t qty,
                   double pnl, int64_t held_days = 1) {
  closed_trade t;
  t.symbol = symbol;
  t.entry_ts_ns = t0;
  t.exit_ts_ns = t0 + held_days * day;
  t.entry_price = price::from_dollars(entry);
  t.exit_price = price::from_dollars(exit);
  t.qty = quantity::of_shares(qty);
  t.pnl = dollars(pnl);
  t.commission = dollars(1);
  return t;
}

} // namespace

// The 5-bar curve 100, 110, 99, 104.5, 115.5 (daily, starting cash 100):
//   returns r = +0.10, -0.10, +5.5/99 = +0.0555556, +11/104.5 = +0.1052632
//   mean = 0.1608187 / 4 = 0.0402047
//   sample stdev = sqrt(sum (r - mean)^2 / 3) = 0.0960921
//   Sharpe = 0.0402047 / 0.0960921 * sqrt(252) = 6.641850
//   downside deviation = sqrt((-0.10)^2 / 4) = 0.05 (all four periods counted)
//   Sortino = 0.0402047 / 0.05 * sqrt(252) = 12.764590
//   volatility = 0.0960921 * sqrt(252) = 1.525415
//   max drawdown: peak 110 (day 1) to trough 99 (day 2) = 10%, one day;
//   underwater from day 1 until 115.5 >= 110 on day 4: three days.
TEST(backtest_metrics, computes_a_hand_worked_five_bar_curve) {
  auto m = compute_metrics(curve_of({100, 110, 99, 104.5, 115.5}), {}, cash(100));
  EXPECT_NEAR(m.total_return, 0.155, 1e-12);
  EXPECT_EQ(m.periods, 4u);
  EXPECT_NEAR(m.sharpe, 6.641850, 1e-5);
  EXPECT_NEAR(m.sortino, 12.764590, 1e-5);
  EXPECT_NEAR(m.volatility, 1.525415, 1e-5);
  EXPECT_NEAR(m.max_drawdown, 0.10, 1e-12);
  EXPECT_EQ(m.max_drawdown_peak_ts_ns, t0 + day);
  EXPECT_EQ(m.max_drawdown_trough_ts_ns, t0 + 2 * day);
  EXPECT_EQ(m.max_drawdown_duration_ns, day);
  EXPECT_EQ(m.longest_underwater_ns, 3 * day);
  EXPECT_FALSE(m.underwater_at_end);
  // CAGR over 4 calendar days: 1.155^(365.25 / 4) - 1.
  EXPECT_NEAR(m.cagr, std::pow(1.155, 365.25 / 4) - 1, 1e-6 * m.cagr);
  EXPECT_NEAR(m.calmar, m.cagr / 0.10, 1e-6 * m.calmar);
}

TEST(backtest_metrics, subtracts_the_per_period_risk_free_rate_in_sharpe) {
  auto o = cash(100);
  o.risk_free_rate = 0.0252; // 0.0001 per period
  auto m = compute_metrics(curve_of({100, 110, 99, 104.5, 115.5}), {}, o);
  EXPECT_NEAR(m.sharpe, (0.0402047 - 0.0001) / 0.0960921 * std::sqrt(252.0), 1e-4);
}

TEST(backtest_metrics, counts_a_drawdown_never_recovered_until_the_end) {
  // Peak 120 on day 1, trough 90 on day 3, still below on day 4.
  auto m = compute_metrics(curve_of({100, 120, 100, 90, 110}), {}, cash(100));
  EXPECT_NEAR(m.max_drawdown, 0.25, 1e-12);
  EXPECT_EQ(m.max_drawdown_duration_ns, 2 * day);
  EXPECT_EQ(m.longest_underwater_ns, 3 * day);
  EXPECT_TRUE(m.underwater_at_end);
}

TEST(backtest_metrics, has_no_drawdown_on_a_rising_curve) {
  auto m = compute_metrics(curve_of({100, 101, 102, 104}), {}, cash(100));
  EXPECT_EQ(m.max_drawdown, 0);
  EXPECT_EQ(m.longest_underwater_ns, 0);
  EXPECT_TRUE(std::isnan(m.calmar));
  // No period below zero: no downside deviation, Sortino undefined.
  EXPECT_TRUE(std::isnan(m.sortino));
  EXPECT_TRUE(std::isfinite(m.sharpe));
}

TEST(backtest_metrics, leaves_ratios_undefined_on_a_flat_curve) {
  auto m = compute_metrics(curve_of({100, 100, 100, 100}), {}, cash(100));
  EXPECT_EQ(m.total_return, 0);
  EXPECT_EQ(m.volatility, 0);
  EXPECT_TRUE(std::isnan(m.sharpe));
  EXPECT_TRUE(std::isnan(m.sortino));
  std::ostringstream text, json;
  write_metrics_text(text, m, {});
  write_metrics_json(json, m, {}, curve_of({100, 100, 100, 100}), dollars(100));
  EXPECT_NE(text.str().find("Sharpe                       n/a"), std::string::npos) << text.str();
  EXPECT_NE(json.str().find("\"sharpe\":null"), std::string::npos);
  EXPECT_NE(json.str().find("\"sortino\":null"), std::string::npos);
}

TEST(backtest_metrics, handles_a_single_bar) {
  auto m = compute_metrics(curve_of({105}), {}, cash(100));
  EXPECT_EQ(m.periods, 0u);
  EXPECT_NEAR(m.total_return, 0.05, 1e-12);
  EXPECT_TRUE(std::isnan(m.cagr));
  EXPECT_TRUE(std::isnan(m.volatility));
  EXPECT_TRUE(std::isnan(m.sharpe));
  EXPECT_TRUE(std::isnan(m.sortino));
}

TEST(backtest_metrics, rejects_zero_starting_cash) {
  try {
    compute_metrics(curve_of({100, 101}), {}, cash(0));
    FAIL() << "zero starting cash accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string{e.what()}.find("starting cash"), std::string::npos);
  }
}

TEST(backtest_metrics, rejects_an_empty_or_unordered_curve) {
  EXPECT_THROW(compute_metrics({}, {}, cash(100)), std::invalid_argument);
  auto c = curve_of({100, 101});
  std::swap(c[0].ts_ns, c[1].ts_ns);
  EXPECT_THROW(compute_metrics(c, {}, cash(100)), std::invalid_argument);
}

TEST(backtest_metrics, reports_no_trade_statistics_without_trades) {
  auto m = compute_metrics(curve_of({100, 101}), {}, cash(100));
  EXPECT_EQ(m.trades, 0u);
  EXPECT_TRUE(std::isnan(m.win_rate));
  EXPECT_TRUE(std::isnan(m.profit_factor));
  EXPECT_FALSE(m.profit_factor_infinite);
  EXPECT_TRUE(std::isnan(m.best_trade));
  EXPECT_TRUE(std::isnan(m.average_holding_ns));
  EXPECT_EQ(m.traded_notional, 0);
  std::ostringstream text;
  write_metrics_text(text, m, {});
  EXPECT_NE(text.str().find("Trades (0)\n  none\n"), std::string::npos);
}

TEST(backtest_metrics, computes_trade_statistics) {
  std::vector<closed_trade> trades{trade("AAPL", 100, 110, 10, 99, 2),
                                   trade("AAPL", 110, 105, 10, -51, 4),
                                   trade("MSFT", 50, 53, 20, 59, 3), trade("MSFT", 50, 50, 1, 0, 1)};
  auto m = compute_metrics(curve_of({1000, 1100, 1050, 1108}), trades, cash(1000));
  EXPECT_EQ(m.trades, 4u);
  EXPECT_EQ(m.wins, 2u);
  EXPECT_EQ(m.losses, 1u);
  EXPECT_NEAR(m.win_rate, 0.5, 1e-12);
  EXPECT_NEAR(m.average_win, 79, 1e-9);
  EXPECT_NEAR(m.average_loss, -51, 1e-9);
  EXPECT_NEAR(m.profit_factor, 158.0 / 51.0, 1e-12);
  EXPECT_NEAR(m.best_trade, 99, 1e-9);
  EXPECT_NEAR(m.worst_trade, -51, 1e-9);
  EXPECT_NEAR(m.average_holding_ns, 2.5 * day, 1);
  EXPECT_NEAR(m.commission, 4, 1e-9);
  // Both legs: 2100 + 2150 + 2060 + 100.
  EXPECT_NEAR(m.traded_notional, 6410, 1e-9);
  // Average equity (1000 + 1100 + 1050 + 1108) / 4 = 1064.5 over 3 days.
  EXPECT_NEAR(m.turnover, 6410 / 1064.5, 1e-9);
  EXPECT_NEAR(m.turnover_annualised, 6410 / 1064.5 / (3 / 365.25), 1e-6);
}

TEST(backtest_metrics, flags_an_infinite_profit_factor_when_every_trade_wins) {
  std::vector<closed_trade> trades{trade("AAPL", 100, 110, 10, 99)};
  auto m = compute_metrics(curve_of({1000, 1099}), trades, cash(1000));
  EXPECT_TRUE(m.profit_factor_infinite);
  EXPECT_TRUE(std::isnan(m.profit_factor));
  std::ostringstream json, text;
  write_metrics_json(json, m, trades, curve_of({1000, 1099}), dollars(1000));
  EXPECT_NE(json.str().find("\"profit_factor\":null"), std::string::npos);
  EXPECT_NE(json.str().find("\"profit_factor_infinite\":true"), std::string::npos);
  write_metrics_text(text, m, trades);
  EXPECT_NE(text.str().find("n/a (no losing trade)"), std::string::npos);
}

TEST(backtest_metrics, measures_time_in_market_and_gross_exposure) {
  auto m = compute_metrics(curve_of({100, 100, 100, 100}, {0, 50, -100, 0}), {}, cash(100));
  EXPECT_NEAR(m.time_in_market, 0.5, 1e-12);
  EXPECT_NEAR(m.average_exposure, (0 + 0.5 + 1.0 + 0) / 4, 1e-12);
}

TEST(backtest_metrics, derives_periods_per_year_from_the_bar_interval) {
  EXPECT_NEAR(periods_per_year_for_bars(60'000'000'000), 252.0 * 390, 1e-9);
  EXPECT_NEAR(periods_per_year_for_bars(23'400'000'000'000), 252.0, 1e-9);
  EXPECT_THROW(periods_per_year_for_bars(0), std::invalid_argument);
}

TEST(backtest_metrics, writes_json_with_metrics_trades_and_equity) {
  std::vector<closed_trade> trades{trade("A\"B", 100, 110, 10, 99)};
  auto c = curve_of({1000, 1099});
  auto m = compute_metrics(c, trades, cash(1000));
  std::ostringstream json;
  write_metrics_json(json, m, trades, c, dollars(1000));
  const auto s = json.str();
  EXPECT_EQ(s.rfind("{\"metrics\":{\"start_equity\":1000.00,", 0), 0u) << s;
  EXPECT_NE(s.find(",\"trades\":[{\"symbol\":\"A\\\"B\",\"side\":\"long\""), std::string::npos) << s;
  EXPECT_NE(s.find(",\"equity\":[{\"ts_ns\":1700000000000000000,\"time\":\"2023-11-14T22:13:20Z\","
                   "\"equity\":1000.00,\"exposure\":0.00,\"drawdown\":0.000000}"),
            std::string::npos)
    << s;
  EXPECT_EQ(s.back(), '\n');
}

TEST(backtest_metrics, writes_long_durations_as_exact_nanoseconds) {
  // 300 days and 1 ns underwater: beyond what a double holds exactly.
  equity_curve c{{t0, dollars(100), {}}, {t0 + 300 * day + 1, dollars(90), {}}};
  auto m = compute_metrics(c, {}, cash(100));
  std::ostringstream json;
  write_metrics_json(json, m, {}, c, dollars(100));
  EXPECT_NE(json.str().find("\"longest_underwater_ns\":25920000000000001,"), std::string::npos)
    << json.str();
}

TEST(backtest_metrics, prints_byte_identical_output_for_identical_inputs) {
  std::vector<closed_trade> trades{trade("AAPL", 100, 110, 10, 99), trade("AAPL", 110, 100, 5, -51)};
  auto c = curve_of({1000, 1099, 1048, 1020});
  std::string first;
  for (int run = 0; run < 2; ++run) {
    std::ostringstream out;
    auto m = compute_metrics(c, trades, cash(1000));
    write_metrics_text(out, m, trades);
    write_metrics_json(out, m, trades, c, dollars(1000));
    if (run == 0)
      first = out.str();
    else
      EXPECT_EQ(out.str(), first);
  }
  EXPECT_NE(first.find("Max drawdown                 7.19%"), std::string::npos) << first;
}

TEST(backtest_metrics, formats_durations_and_never_prints_negative_zero) {
  EXPECT_EQ(format_duration(3 * day + 3'723'000'000'000), "3d 01:02:03");
  EXPECT_EQ(format_duration(59'000'000'000), "00:00:59");
  EXPECT_EQ(format_metric(-1e-12, metric_format::percent), "0.00%");
  EXPECT_EQ(format_metric(std::nan(""), metric_format::ratio), "n/a");
  EXPECT_EQ(json_number(INFINITY, 2), "null");
}

// Invariants over random positive curves: the deepest drawdown is a fraction
// in [0, 1], and scaling every amount by a constant changes no ratio.
TEST(backtest_metrics, keeps_invariants_over_random_curves) {
  std::mt19937_64 rng{20261121};
  std::normal_distribution<double> step{0.0005, 0.02};
  std::uniform_int_distribution<int> length{1, 300};
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<double> e{1000};
    const int n = length(rng);
    for (int i = 1; i < n; ++i)
      e.push_back(std::max(1.0, e.back() * (1 + step(rng))));
    std::vector<double> scaled;
    for (double x : e)
      scaled.push_back(x * 7);
    auto a = compute_metrics(curve_of(e), {}, cash(1000));
    auto b = compute_metrics(curve_of(scaled), {}, cash(7000));
    ASSERT_GE(a.max_drawdown, 0);
    ASSERT_LE(a.max_drawdown, 1);
    ASSERT_LE(a.max_drawdown_duration_ns, a.longest_underwater_ns);
    const auto same = [](double x, double y) {
      if (std::isnan(x) || std::isnan(y))
        return std::isnan(x) && std::isnan(y);
      return std::abs(x - y) <= 1e-6 * std::max(1.0, std::abs(x));
    };
    // Cents rounding of the equity makes the scaled curve differ slightly.
    ASSERT_TRUE(same(a.total_return, b.total_return)) << trial;
    ASSERT_TRUE(same(a.sharpe, b.sharpe)) << trial << " " << a.sharpe << " " << b.sharpe;
    ASSERT_TRUE(same(a.sortino, b.sortino)) << trial;
    ASSERT_TRUE(same(a.max_drawdown, b.max_drawdown)) << trial;
    ASSERT_TRUE(same(a.volatility, b.volatility)) << trial;
    ASSERT_EQ(a.longest_underwater_ns, b.longest_underwater_ns) << trial;
  }
}
