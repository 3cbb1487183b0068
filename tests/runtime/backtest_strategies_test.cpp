// Backtests of the strategies beyond one rule set: the portfolio rebalancer
// and rule entries whose exits the venue holds as bracket legs.

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "runtime/backtest_command.hpp"
#include "runtime/journal_reader.hpp"

using namespace osprey;

namespace {

const std::string market = std::string{OSPREY_SHARED_DATA} + "/market/";

std::string scratch(const std::string& name) {
  return (std::filesystem::temp_directory_path()
          / ("osprey-bts-" + std::to_string(::getpid()) + "-" + name))
    .string();
}

} // namespace

TEST(backtest_strategies, the_rebalancer_trades_a_portfolio_from_the_first_full_window_after_from) {
  std::vector<std::string> files;
  for (const char* s : {"AAPL", "IBM", "KO", "MSFT"})
    files.push_back(market + s + "_daily_2012-2014.csv");
  if (!std::filesystem::exists(files[0]))
    FAIL() << "shared market data not found at " << market;
  backtest_options o;
  o.data = files;
  o.progress = false;
  o.journal_path = scratch("rebalance.journal");
  o.overrides = {"rules.strategy=\"rebalance\"", "rebalance.method=\"min_variance\"",
                 "rebalance.lookback=40", "rebalance.period=21"};
  o.from_ns = *parse_backtest_time("2013-01-01", false);
  auto run = run_backtest(o, std::cerr);
  ASSERT_FALSE(run.trades.empty());
  for (auto& t : run.trades)
    EXPECT_GE(t.entry_ts_ns, *o.from_ns) << t.symbol;
  auto journal = read_journal(o.journal_path);
  std::set<uint32_t> bought;
  size_t intents = 0;
  for (auto& m : journal.messages)
    if (auto i = m.as<fb::OrderIntent>()) {
      ++intents;
      EXPECT_EQ(i->reason(), fb::IntentReason::Rebalance);
      EXPECT_GE(m.ts_event(), *o.from_ns) << "warm-up bars only fill the windows";
      if (i->side() == fb::Side::Buy)
        bought.insert(i->symbol());
    }
  EXPECT_GE(intents, 4u);
  EXPECT_EQ(bought.size(), 4u) << "a long-only portfolio of all four";
  std::filesystem::remove(o.journal_path);
}

TEST(backtest_strategies, bracket_exits_close_positions_through_the_venues_legs) {
  auto goog = market + "GOOG_daily_2004-2013.csv";
  if (!std::filesystem::exists(goog))
    FAIL() << "shared market data not found at " << market;
  backtest_options o;
  o.data = {goog};
  o.progress = false;
  o.journal_path = scratch("bracket.journal");
  o.overrides = {"rules.strategy=\"custom\"", "rules.entry=\"crosses_above(close, sma(close, 20))\"",
                 "rules.stop=\"5%\"", "rules.target=\"8%\"", "rules.size=\"100 shares\"",
                 "rules.opposite=\"ignore\"", "rules.exits=\"bracket\""};
  auto run = run_backtest(o, std::cerr);
  ASSERT_GE(run.trades.size(), 5u);
  auto journal = read_journal(o.journal_path);
  std::set<uint64_t> legs;
  for (auto& m : journal.messages)
    if (auto s = m.as<fb::SubmitOrder>(); s && s->order_class() == fb::OrderClass::Bracket) {
      EXPECT_GT(s->take_profit_limit(), s->stop_loss_stop());
      EXPECT_EQ(s->take_profit_limit() % 10'000, 0) << "on the cent grid";
      legs.insert(s->take_profit_id());
      legs.insert(s->stop_loss_id());
    }
  ASSERT_FALSE(legs.empty());
  // Every sell is a leg's fill (but a position still open at the end,
  // which the run closes itself), and never more than the position.
  size_t leg_fills = 0, sells = 0;
  for (auto& m : journal.messages)
    if (auto f = m.as<fb::OrderFilled>(); f && f->side() == fb::Side::Sell) {
      ++sells;
      leg_fills += legs.count(f->client_order_id());
    }
  EXPECT_EQ(leg_fills, sells);
  for (auto& t : run.trades) {
    EXPECT_EQ(t.qty.shares(), 100);
    EXPECT_EQ(t.side, trade_side::long_side) << "a leg never sells beyond the position";
  }
  std::filesystem::remove(o.journal_path);
}
