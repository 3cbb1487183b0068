// osprey backtest --from / --to: bars before the range only warm the
// indicators, bars after it are not read, and a range without bars is an
// error that names the range and the data's span.

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "adapters/csv_fields.hpp"
#include "adapters/csv_replay.hpp"
#include "messages/symbol_table.hpp"
#include "runtime/backtest_command.hpp"

using namespace osprey;

namespace {

const std::string market = std::string{OSPREY_SHARED_DATA} + "/market/";
const std::string goog = market + "GOOG_daily_2004-2013.csv";

struct bar_row {
  int64_t ts, close;
};

std::vector<bar_row> goog_bars() {
  symbol_table symbols;
  auto r = read_all_csv({goog}, csv_replay_options{}, symbols);
  std::vector<bar_row> out;
  for (auto& m : r.messages)
    if (auto b = m.as<fb::Bar>())
      out.push_back({m.ts_event(), b->close()});
  return out;
}

backtest_options trend_over_goog() {
  backtest_options o;
  o.data = {goog};
  o.progress = false;
  o.overrides = {"rules.strategy=\"trend\"", "rules.size=\"100 shares\""};
  return o;
}

} // namespace

TEST(backtest_range, trades_only_the_crosses_inside_the_range_with_warm_averages) {
  if (!std::filesystem::exists(goog))
    FAIL() << "shared market data not found at " << market;
  auto bars = goog_bars();
  auto from = *parse_backtest_time("2008-01-01", false);
  auto to = *parse_backtest_time("2012-06-30", true);
  auto sma = [&](size_t i, size_t n) {
    double s = 0;
    for (size_t k = i + 1 - n; k <= i; ++k)
      s += static_cast<double>(bars[k].close) / 1e6;
    return s / static_cast<double>(n);
  };
  // The 50/200 crosses decided on bars inside the range, from flat; the
  // averages are full from the first bar of the range (the bars before it
  // filled them).
  std::vector<std::pair<int64_t, int64_t>> expected;
  bool in = false;
  size_t last = 0;
  for (size_t i = 0; i < bars.size() && bars[i].ts <= to; ++i)
    last = i;
  for (size_t i = 200; i <= last; ++i) {
    if (bars[i].ts < from)
      continue;
    double f0 = sma(i - 1, 50), s0 = sma(i - 1, 200), f1 = sma(i, 50), s1 = sma(i, 200);
    bool next_in_range = i + 1 <= last;
    if (!in && f1 > s1 && f0 <= s0 && next_in_range) {
      expected.push_back({bars[i + 1].ts, 0});
      in = true;
    } else if (in && f1 < s1 && f0 >= s0 && next_in_range) {
      expected.back().second = bars[i + 1].ts;
      in = false;
    }
  }
  ASSERT_GE(expected.size(), 2u);
  auto o = trend_over_goog();
  o.from_ns = from;
  o.to_ns = to;
  auto run = run_backtest(o, std::cerr);
  ASSERT_EQ(run.trades.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(run.trades[i].entry_ts_ns, expected[i].first) << "trade " << i;
    EXPECT_EQ(run.trades[i].exit_ts_ns, expected[i].second ? expected[i].second : bars[last].ts)
      << "trade " << i;
  }
  EXPECT_GT(run.warm_up_bars, 800u);
  EXPECT_GE(run.curve.front().ts_ns, from - 1) << "the account starts at the range";
  EXPECT_LE(run.curve.back().ts_ns, to);
}

TEST(backtest_range, a_range_without_bars_is_an_error_naming_it_and_the_data) {
  auto o = trend_over_goog();
  o.from_ns = *parse_backtest_time("2020-01-01", false);
  std::ostringstream out, err;
  EXPECT_EQ(backtest_command(o, out, err), 1);
  EXPECT_NE(err.str().find("no bars between 2020-01-01"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("they start at 2004-08-19"), std::string::npos) << err.str();
  EXPECT_TRUE(out.str().empty()) << "no partial result is presented";

  auto backwards = trend_over_goog();
  backwards.from_ns = *parse_backtest_time("2010-01-01", false);
  backwards.to_ns = *parse_backtest_time("2009-01-01", true);
  std::ostringstream out2, err2;
  EXPECT_EQ(backtest_command(backwards, out2, err2), 1);
  EXPECT_NE(err2.str().find("is after --to"), std::string::npos) << err2.str();
}

TEST(backtest_range, dates_parse_as_utc_days_or_exact_times) {
  EXPECT_EQ(parse_backtest_time("2010-01-02", false), 1'262'390'400'000'000'000);
  EXPECT_EQ(parse_backtest_time("2010-01-02", true), 1'262'476'800'000'000'000 - 1);
  EXPECT_EQ(parse_backtest_time("2010-01-02T14:30:00", true), 1'262'442'600'000'000'000);
  EXPECT_FALSE(parse_backtest_time("2010/01/02x", false));
  EXPECT_FALSE(parse_backtest_time("yesterday", false));
  EXPECT_FALSE(parse_backtest_time("", false));
}
