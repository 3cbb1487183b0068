// osprey backtest: history through the actors, with checks that can be made
// without the engine (the fills against the file's own bars).

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <fstream>
#include <sstream>

#include "adapters/csv_replay.hpp"
#include "messages/symbol_table.hpp"
#include "runtime/backtest_command.hpp"
#include "runtime/journal_reader.hpp"

using namespace osprey;

namespace {

const std::string market = std::string{OSPREY_SHARED_DATA} + "/market/";
const std::string goog = market + "GOOG_daily_2004-2013.csv";

std::string scratch(const std::string& name) {
  return (std::filesystem::temp_directory_path()
          / ("osprey-bt-" + std::to_string(::getpid()) + "-" + name))
    .string();
}

std::string slurp(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

backtest_options quiet(std::vector<std::string> data) {
  backtest_options o;
  o.data = std::move(data);
  o.progress = false;
  return o;
}

/// The file's bars by close time.
std::map<int64_t, std::pair<int64_t, int64_t>> opens_and_closes(const std::string& path) {
  symbol_table symbols;
  auto r = read_all_csv({path}, csv_replay_options{}, symbols);
  std::map<int64_t, std::pair<int64_t, int64_t>> out;
  for (auto& m : r.messages)
    if (auto b = m.as<fb::Bar>())
      out[m.ts_event()] = {b->open(), b->close()};
  return out;
}

/// The broker's slippage: bps against the trader, to whole cents.
int64_t slipped(int64_t px, int64_t bps, bool buy) {
  __int128 scaled = __int128{px} * (10'000 + (buy ? bps : -bps));
  __int128 den = __int128{10'000} * 10'000;
  return static_cast<int64_t>(buy ? (scaled + den - 1) / den : scaled / den) * 10'000;
}

/// Checks that the last PortfolioSnapshot in the journal at `path` has the
/// equity the run's curve shows at its time: the ledger is the order
/// manager's account, to the micro-dollar.
void expect_ledger_matches_journal(const backtest_run& run, const std::string& path) {
  auto records = read_journal(path);
  const fb::PortfolioSnapshot* last = nullptr;
  int64_t last_ts = 0;
  for (auto& m : records.messages)
    if (auto p = m.as<fb::PortfolioSnapshot>()) {
      last = p;
      last_ts = m.ts_event();
    }
  ASSERT_NE(last, nullptr);
  auto at = std::find_if(run.curve.begin(), run.curve.end(),
                         [&](const equity_point& p) { return p.ts_ns == last_ts; });
  ASSERT_NE(at, run.curve.end());
  EXPECT_EQ(at->equity.micros, last->equity());
}

} // namespace

TEST(backtest, every_fill_is_at_the_open_of_the_bar_after_the_decision) {
  if (!std::filesystem::exists(goog))
    FAIL() << "shared market data not found at " << market;
  auto run = run_backtest(quiet({goog}), std::cerr);
  auto bars = opens_and_closes(goog);
  ASSERT_GT(run.trades.size(), 10u);
  auto bps = run.config.broker.slippage_bps;
  for (auto& t : run.trades) {
    auto entry = bars.find(t.entry_ts_ns);
    ASSERT_NE(entry, bars.end());
    // Filled at that bar's open; the decision came from the bar before it.
    EXPECT_EQ(t.entry_price.micros, slipped(entry->second.first, bps, true));
    ASSERT_NE(entry, bars.begin());
    if (t.exit_ts_ns == run.curve.back().ts_ns)
      continue; // closed by the end policy at the last close
    auto exit = bars.find(t.exit_ts_ns);
    ASSERT_NE(exit, bars.end());
    EXPECT_EQ(t.exit_price.micros, slipped(exit->second.first, bps, false));
  }
}

TEST(backtest, the_same_inputs_write_byte_identical_journals) {
  if (!std::filesystem::exists(goog))
    FAIL() << "shared market data not found at " << market;
  auto a = scratch("a.journal"), b = scratch("b.journal");
  auto o = quiet({goog, market + "MSFT_daily_2012-2014.csv"});
  o.journal_path = a;
  run_backtest(o, std::cerr);
  o.journal_path = b;
  run_backtest(o, std::cerr);
  auto ja = slurp(a);
  EXPECT_GT(ja.size(), 10'000u);
  EXPECT_TRUE(ja == slurp(b)) << "two runs wrote different journals";
  std::filesystem::remove(a);
  std::filesystem::remove(b);
}

TEST(backtest, the_account_is_the_order_managers_own) {
  if (!std::filesystem::exists(goog))
    FAIL() << "shared market data not found at " << market;
  auto path = scratch("acct.journal");
  auto o = quiet({goog});
  o.journal_path = path;
  o.end = end_policy::keep_open;
  auto run = run_backtest(o, std::cerr);
  expect_ledger_matches_journal(run, path);
  std::filesystem::remove(path);
}

TEST(backtest, same_close_is_announced_as_look_ahead) {
  if (!std::filesystem::exists(goog))
    FAIL() << "shared market data not found at " << market;
  auto o = quiet({goog});
  o.fill = bar_fill::same_close;
  auto run = run_backtest(o, std::cerr);
  ASSERT_FALSE(run.warnings.empty());
  EXPECT_EQ(run.warnings[0].rfind("LOOK-AHEAD:", 0), 0u);
  auto bars = opens_and_closes(goog);
  for (auto& t : run.trades)
    EXPECT_EQ(t.entry_price.micros,
              slipped(bars.at(t.entry_ts_ns).second, run.config.broker.slippage_bps, true));
}

TEST(backtest, unusable_inputs_are_errors_that_say_why) {
  std::ostringstream out, err;
  auto o = quiet({});
  EXPECT_EQ(backtest_command(o, out, err), 1);
  EXPECT_NE(err.str().find("no data"), std::string::npos) << err.str();

  auto quotes = scratch("quotes.csv");
  std::ofstream{quotes} << "ts_event,symbol,kind,bid,bid_size,ask,ask_size\n"
                           "2024-01-02T15:00:00Z,AAA,quote,10,100,10.1,100\n";
  std::ostringstream err2;
  EXPECT_EQ(backtest_command(quiet({quotes}), out, err2), 1);
  EXPECT_NE(err2.str().find("hold no bars"), std::string::npos) << err2.str();

  auto bad = scratch("bad.csv");
  std::ofstream{bad} << "ts_event,symbol,kind,interval_s,open,high,low,close,volume\n"
                        "2024-01-02T21:00:00Z,AAA,bar,86400,1,2,1,2,100\n"
                        "2024-01-03T21:00:00Z,AAA,bar,86400,1,x,1,2,100\n"
                        "2024-01-04T21:00:00Z,AAA,bar,86400,2,3,2,3,100\n";
  auto run = run_backtest(quiet({bad}), std::cerr);
  EXPECT_EQ(run.bars, 2u);
  ASSERT_EQ(run.warnings.size(), 1u);
  EXPECT_NE(run.warnings[0].find("bad.csv:3"), std::string::npos) << run.warnings[0];
  std::filesystem::remove(quotes);
  std::filesystem::remove(bad);
}

TEST(backtest, a_moving_average_cross_trades_exactly_the_crosses_found_by_hand) {
  if (!std::filesystem::exists(goog))
    FAIL() << "shared market data not found at " << market;
  // The crosses, computed here from the file with plain sums.
  symbol_table symbols;
  auto r = read_all_csv({goog}, csv_replay_options{}, symbols);
  std::vector<std::pair<int64_t, std::pair<int64_t, int64_t>>> bars; // ts, open, close
  for (auto& m : r.messages)
    if (auto b = m.as<fb::Bar>())
      bars.push_back({m.ts_event(), {b->open(), b->close()}});
  auto sma = [&](size_t i, size_t n) {
    double s = 0;
    for (size_t k = i + 1 - n; k <= i; ++k)
      s += static_cast<double>(bars[k].second.second) / 1e6;
    return s / static_cast<double>(n);
  };
  std::vector<std::pair<int64_t, int64_t>> expected; // entry ts, exit ts (bar after each cross)
  bool in = false;
  for (size_t i = 200; i + 1 < bars.size(); ++i) {
    double f0 = sma(i - 1, 50), s0 = sma(i - 1, 200), f1 = sma(i, 50), s1 = sma(i, 200);
    if (!in && f1 > s1 && f0 <= s0) {
      expected.push_back({bars[i + 1].first, 0});
      in = true;
    } else if (in && f1 < s1 && f0 >= s0) {
      expected.back().second = bars[i + 1].first;
      in = false;
    }
  }
  ASSERT_GE(expected.size(), 3u);
  auto o = quiet({goog});
  o.overrides = {"rules.strategy=\"trend\"", "rules.size=\"100 shares\""};
  auto run = run_backtest(o, std::cerr);
  ASSERT_EQ(run.trades.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(run.trades[i].entry_ts_ns, expected[i].first) << "trade " << i;
    if (expected[i].second)
      EXPECT_EQ(run.trades[i].exit_ts_ns, expected[i].second) << "trade " << i;
    else
      EXPECT_EQ(run.trades[i].exit_ts_ns, bars.back().first); // closed at the end
    EXPECT_EQ(run.trades[i].qty.shares(), 100);
  }
}

TEST(backtest, fractional_sizing_invests_what_whole_shares_leave_over) {
  if (!std::filesystem::exists(goog))
    FAIL() << "shared market data not found at " << market;
  auto o = quiet({goog});
  o.overrides = {"rules.strategy=\"trend\"", "rules.size=\"all cash\""};
  auto whole = run_backtest(o, std::cerr);
  o.overrides.push_back("rules.fractional=true");
  auto fractional = run_backtest(o, std::cerr);
  ASSERT_FALSE(whole.trades.empty());
  ASSERT_EQ(fractional.trades.size(), whole.trades.size()); // the same decisions
  bool any_fraction = false;
  for (size_t i = 0; i < whole.trades.size(); ++i) {
    EXPECT_EQ(fractional.trades[i].entry_ts_ns, whole.trades[i].entry_ts_ns) << "trade " << i;
    EXPECT_TRUE(whole.trades[i].qty.is_whole()) << "trade " << i;
    any_fraction |= !fractional.trades[i].qty.is_whole();
  }
  EXPECT_TRUE(any_fraction);
  // The first entry spends all of the starting cash, to under a cent, at
  // the close it was sized on.
  EXPECT_GT(fractional.trades.front().qty, whole.trades.front().qty);

  // The ledger and the order manager agree to the micro-dollar on
  // fractional fills.
  auto path = scratch("fractional.journal");
  o.journal_path = path;
  o.end = end_policy::keep_open;
  expect_ledger_matches_journal(run_backtest(o, std::cerr), path);
  std::filesystem::remove(path);
}

TEST(backtest, a_rule_strategy_that_does_not_compile_says_where) {
  std::ostringstream out, err;
  auto o = quiet({goog});
  o.overrides = {"rules.strategy=\"custom\"", "rules.entry=\"rsi(14) < 30 and\""};
  EXPECT_EQ(backtest_command(o, out, err), 2);
  EXPECT_NE(err.str().find("--set rules.entry: the rules do not compile:\n2:1: expected a value"), std::string::npos)
    << err.str();
}
