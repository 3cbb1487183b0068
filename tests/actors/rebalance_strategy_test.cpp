// The rebalancing strategy: its decisions as plain functions over its state,
// then the actor on CAF's deterministic test coordinator, on real closes.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "actors/rebalance_strategy.hpp"
#include "messages/msg_builder.hpp"
#include "../support/deterministic_system.hpp"
#include "../support/vector_sink.hpp"

using namespace osprey;

namespace {

/// A close that wanders differently for each symbol, so the covariance of
/// a few symbols over a short window is not singular.
int64_t synthetic_close(uint32_t symbol, int64_t step) {
  double s = static_cast<double>(step);
  double d = 100 + 7 * std::sin(0.9 * s * (symbol + 1) + symbol) + 3 * std::cos(1.7 * s + 2.0 * symbol)
             + 0.2 * s * (symbol % 2 == 0 ? 1 : -1);
  return price::from_dollars(d).micros;
}

/// The closes of one of the shared daily files, first `rows` days.
std::vector<int64_t> daily_closes(const std::string& name, size_t rows) {
  std::string path = OSPREY_SHARED_DATA;
  path += "/market/";
  path += name;
  std::ifstream in(path);
  std::vector<int64_t> out;
  std::string line;
  std::getline(in, line); // header: date,open,high,low,close,...
  while (out.size() < rows && std::getline(in, line)) {
    std::stringstream fields(line);
    std::string f;
    for (int col = 0; col <= 4; ++col)
      std::getline(fields, f, ',');
    out.push_back(price::from_dollars(std::stod(f)).micros);
  }
  return out;
}

/// The return matrix of closes[s][first .. first + count), written apart from
/// the strategy's own window code.
return_matrix returns_of(const std::vector<std::vector<int64_t>>& closes, size_t first,
                         size_t count) {
  return_matrix r;
  r.assets = closes.size();
  r.periods = count - 1;
  for (size_t t = 1; t < count; ++t)
    for (auto& c : closes)
      r.values.push_back(static_cast<double>(c[first + t]) / static_cast<double>(c[first + t - 1])
                         - 1);
  return r;
}

/// Symbol ids 0 .. n - 1.
std::vector<uint32_t> every(uint32_t n) {
  std::vector<uint32_t> ids(n);
  for (uint32_t i = 0; i < n; ++i)
    ids[i] = i;
  return ids;
}

int64_t target_shares(double equity_micros, double cash_buffer, double weight,
                      int64_t close_micros) {
  return static_cast<int64_t>(std::floor(equity_micros * (1 - cash_buffer) * weight
                                          / static_cast<double>(close_micros)
                                        + 1e-9));
}

struct rebalance_fixture : ::testing::Test {
  rebalance_state st;
  msg_builder b;
  int64_t t = 0;
  uint32_t n = 0;

  void init(uint32_t symbols, size_t lookback, size_t period,
            portfolio_method method = portfolio_method::min_variance) {
    rebalance_params p;
    p.lookback = lookback;
    p.period = period;
    p.portfolio.method = method;
    n = symbols;
    init_rebalance(st, p, every(symbols), money{100'000 * micros_per_dollar});
  }
  /// One step: a synthetic bar of every symbol at the next time.
  std::vector<rebalance_order> step() {
    ++t;
    std::vector<rebalance_order> out;
    for (uint32_t i = 0; i < n; ++i)
      for (auto& o : on_bar(st, i, t, price{synthetic_close(i, t)}))
        out.push_back(o);
    return out;
  }
  /// Every order in flight ends (filled in full).
  void settle_all() {
    for (uint32_t i = 0; i < n; ++i)
      on_report(st, b.order_filled({}, client_order_id{1}, symbol_id{i}, fb::Side::Buy,
                                   quantity{1}, price{1}, quantity{1}, quantity{0}, money{}));
  }
  void hold(uint32_t symbol, int64_t qty) {
    position_values v;
    v.qty = quantity::of_shares(qty);
    on_report(st, b.position_changed({}, symbol_id{symbol}, v));
  }
  void cash(money c) {
    portfolio_values v;
    v.cash = c;
    on_report(st, b.portfolio_snapshot({}, v));
  }
};

} // namespace

TEST(close_window, keeps_the_last_closes_oldest_first) {
  close_window w{3};
  EXPECT_EQ(w.last(), 0);
  w.push(1);
  w.push(2);
  EXPECT_FALSE(w.full());
  EXPECT_EQ(w.at(0), 1);
  EXPECT_EQ(w.last(), 2);
  w.push(3);
  w.push(4);
  w.push(5);
  EXPECT_TRUE(w.full());
  EXPECT_EQ(w.size(), 3u);
  EXPECT_EQ(w.at(0), 3);
  EXPECT_EQ(w.at(1), 4);
  EXPECT_EQ(w.at(2), 5);
  EXPECT_EQ(w.last(), 5);
}

TEST(rebalance_params, validation_names_the_field_that_cannot_work) {
  auto refused = [](rebalance_params p, uint32_t symbols) -> std::string {
    try {
      validate(p, symbols);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  };
  rebalance_params ok;
  EXPECT_EQ(refused(ok, 10), "");
  auto p = ok;
  p.lookback = 5; // 4 returns for 4 symbols: the covariance needs 5
  EXPECT_NE(refused(p, 4).find("lookback"), std::string::npos);
  EXPECT_NE(refused(p, 4).find("at least 6 closes"), std::string::npos);
  EXPECT_EQ(refused(p, 3), "");
  p = ok;
  p.period = 0;
  EXPECT_NE(refused(p, 2).find("period"), std::string::npos);
  p = ok;
  p.drift = 1;
  EXPECT_NE(refused(p, 2).find("drift"), std::string::npos);
  p = ok;
  p.cash_buffer = -0.1;
  EXPECT_NE(refused(p, 2).find("cash_buffer"), std::string::npos);
  p = ok;
  p.portfolio.cap = 0.2; // 3 x 0.2 < 1
  EXPECT_NE(refused(p, 3).find("cap"), std::string::npos);
  EXPECT_EQ(refused(p, 5), "");
  p = ok;
  p.portfolio.risk_aversion = 0;
  EXPECT_NE(refused(p, 2).find("risk_aversion"), std::string::npos);
  p = ok;
  p.portfolio.shrinkage = 1.5;
  EXPECT_NE(refused(p, 2).find("shrinkage"), std::string::npos);
  EXPECT_NE(refused(ok, 0).find("universe"), std::string::npos);
}

TEST_F(rebalance_fixture, a_step_waits_for_every_symbols_bar_of_its_time) {
  init(3, 6, 2);
  on_bar(st, 0, 10, price::from_dollars(10));
  on_bar(st, 2, 10, price::from_dollars(30));
  EXPECT_EQ(st.stats.steps, 0u);
  EXPECT_EQ(st.windows[0].size(), 0u);
  on_bar(st, 1, 10, price::from_dollars(20));
  EXPECT_EQ(st.stats.steps, 1u);
  EXPECT_EQ(st.stats.incomplete_steps, 0u);
  EXPECT_EQ(st.windows[1].last(), price::from_dollars(20).micros);
  EXPECT_EQ(st.windows[2].last(), price::from_dollars(30).micros);
}

TEST_F(rebalance_fixture, a_later_time_commits_an_incomplete_step_with_the_last_close) {
  init(2, 6, 2);
  on_bar(st, 0, 10, price::from_dollars(10));
  on_bar(st, 1, 10, price::from_dollars(20));
  on_bar(st, 0, 11, price::from_dollars(11)); // symbol 1 has no bar at 11
  EXPECT_EQ(st.stats.steps, 1u);
  on_bar(st, 0, 12, price::from_dollars(12));
  EXPECT_EQ(st.stats.steps, 2u);
  EXPECT_EQ(st.stats.incomplete_steps, 1u);
  EXPECT_EQ(st.windows[0].last(), price::from_dollars(11).micros);
  EXPECT_EQ(st.windows[1].size(), 2u);
  EXPECT_EQ(st.windows[1].last(), price::from_dollars(20).micros); // carried forward
}

TEST_F(rebalance_fixture, a_bar_older_than_the_step_or_of_a_committed_step_is_stale) {
  init(2, 6, 2);
  on_bar(st, 0, 10, price::from_dollars(10));
  on_bar(st, 1, 10, price::from_dollars(20));
  on_bar(st, 1, 10, price::from_dollars(21)); // the step of 10 has committed
  on_bar(st, 0, 9, price::from_dollars(9));
  on_bar(st, 7, 11, price::from_dollars(9)); // not a symbol of the universe
  EXPECT_EQ(st.stats.stale_bars, 3u);
  EXPECT_EQ(st.step_seen, 0u);
  EXPECT_EQ(st.windows[1].last(), price::from_dollars(20).micros);
}

TEST_F(rebalance_fixture, a_shard_of_symbols_trades_by_symbol_id_and_ignores_the_others) {
  rebalance_params p;
  p.lookback = 5;
  p.portfolio.cap = 0.6; // both symbols hold something
  std::vector<uint32_t> shard{7, 3};
  init_rebalance(st, p, shard, money{100'000 * micros_per_dollar});
  EXPECT_EQ(slot_of(st, 7), 0);
  EXPECT_EQ(slot_of(st, 3), 1);
  EXPECT_EQ(slot_of(st, 5), -1);
  EXPECT_EQ(slot_of(st, 700), -1);
  std::vector<rebalance_order> orders;
  for (int64_t day = 1; day <= 5; ++day) {
    on_bar(st, 5, day, price{synthetic_close(2, day)}); // not ours: no step waits for it
    on_bar(st, 7, day, price{synthetic_close(0, day)});
    for (auto& o : on_bar(st, 3, day, price{synthetic_close(1, day)}))
      orders.push_back(o);
  }
  EXPECT_EQ(st.stats.steps, 5u);
  EXPECT_EQ(st.stats.stale_bars, 5u);
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_EQ(orders[0].symbol, 7u);
  EXPECT_EQ(orders[1].symbol, 3u);
  EXPECT_EQ(orders[1].close.micros, synthetic_close(1, 5));
  // Reports of another strategy's symbol change nothing here.
  position_values v;
  v.qty = quantity{50};
  on_report(st, b.position_changed({}, symbol_id{5}, v));
  on_report(st, b.position_changed({}, symbol_id{3}, v));
  EXPECT_EQ(st.qty, (std::vector<int64_t>{0, quantity{50}.nanos}));
  EXPECT_EQ(st.pending, (std::vector<uint8_t>{1, 1}));
  on_report(st, b.order_rejected({}, client_order_id{1}, symbol_id{7}, fb::Side::Buy,
                                 quantity{1}, "no"));
  EXPECT_EQ(st.pending, (std::vector<uint8_t>{0, 1}));
  std::vector<uint32_t> twice{1, 2, 1};
  EXPECT_THROW(init_rebalance(st, p, twice, money{}), std::invalid_argument);
}

TEST_F(rebalance_fixture, rebalances_when_every_window_is_full_then_every_period_steps) {
  init(2, 6, 3);
  std::vector<int64_t> rebalanced_at;
  for (int i = 0; i < 14; ++i) {
    auto before = st.stats.rebalances;
    step();
    if (st.stats.rebalances != before)
      rebalanced_at.push_back(t);
    settle_all();
  }
  EXPECT_EQ(rebalanced_at, (std::vector<int64_t>{6, 9, 12}));
  EXPECT_EQ(st.stats.steps, 14u);
  EXPECT_EQ(st.stats.construction_failures, 0u);
}

TEST_F(rebalance_fixture, an_order_in_flight_defers_the_rebalance_to_the_next_step) {
  init(2, 6, 3);
  for (int i = 0; i < 5; ++i)
    step();
  auto first = step();
  ASSERT_FALSE(first.empty()); // all cash: it buys
  EXPECT_EQ(st.stats.rebalances, 1u);
  step();
  step();
  EXPECT_TRUE(step().empty()); // due at 9, but the buys are still working
  EXPECT_EQ(st.stats.deferred, 1u);
  EXPECT_EQ(st.stats.rebalances, 1u);
  settle_all();
  step();
  EXPECT_EQ(st.stats.rebalances, 2u); // at 10, then every 3 steps from there
  settle_all();
  for (int i = 0; i < 3; ++i)
    step();
  EXPECT_EQ(st.stats.rebalances, 3u);
}

namespace {

/// Positions of whole shares, as plan_rebalance takes them (nano-shares).
std::vector<int64_t> in_nanos(std::initializer_list<int64_t> shares) {
  std::vector<int64_t> out;
  for (auto n : shares)
    out.push_back(quantity::of_shares(n).nanos);
  return out;
}

} // namespace

TEST(plan_rebalance, targets_whole_shares_of_the_investable_equity) {
  std::vector<double> w{0.5, 0.3, 0.2};
  std::vector<int64_t> closes{price::from_dollars(100).micros, price::from_dollars(50).micros,
                              price::from_dollars(20).micros};
  auto qty = in_nanos({0, 0, 0});
  std::vector<rebalance_order> out;
  plan_rebalance(w, closes, qty, money{100'000 * micros_per_dollar}, 0.02, 0.02, false, out);
  // $98,000 investable: $49,000 / $100, $29,400 / $50, $19,600 / $20.
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].qty.shares(), 490);
  EXPECT_EQ(out[1].qty.shares(), 588);
  EXPECT_EQ(out[2].qty.shares(), 980);
  for (auto& o : out) {
    EXPECT_EQ(o.side, fb::Side::Buy);
    EXPECT_EQ(o.reason, fb::IntentReason::Rebalance);
  }
  EXPECT_DOUBLE_EQ(out[0].target_weight, 0.49);
  EXPECT_EQ(out[2].close, price::from_dollars(20));
}

TEST(plan_rebalance, rounds_each_target_down_to_a_whole_share) {
  std::vector<double> w{1.0};
  std::vector<int64_t> closes{price::from_dollars(33).micros};
  auto qty = in_nanos({0});
  std::vector<rebalance_order> out;
  plan_rebalance(w, closes, qty, money{1'000 * micros_per_dollar}, 0, 0.1, false, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].qty.shares(), 27); // $900 / $33 = 27.27
}

TEST(plan_rebalance, the_cash_buffer_stays_out_of_the_market) {
  std::vector<double> w{0.25, 0.25, 0.25, 0.25};
  std::vector<int64_t> closes{price::from_dollars(13.37).micros, price::from_dollars(71.1).micros,
                              price::from_dollars(250.05).micros, price::from_dollars(3.3).micros};
  auto qty = in_nanos({0, 0, 0, 0});
  for (double buffer : {0.0, 0.02, 0.1, 0.5}) {
    std::vector<rebalance_order> out;
    money equity{1'000'000 * micros_per_dollar};
    plan_rebalance(w, closes, qty, equity, 0.02, buffer, false, out);
    int64_t spent = 0, slack = 0;
    for (auto& o : out) {
      spent += (o.close * o.qty).micros;
      slack += o.close.micros;
    }
    auto investable = static_cast<double>(equity.micros) * (1 - buffer);
    EXPECT_LE(spent, investable) << "buffer " << buffer;
    // Each target falls short by less than one share.
    EXPECT_GT(static_cast<double>(spent + slack), investable) << "buffer " << buffer;
  }
}

TEST(plan_rebalance, trades_only_the_symbols_drifting_beyond_the_threshold) {
  // Equity $100,000 with $2,000 cash; targets (buffer 2%): 49%, 29.4%, 19.6%.
  std::vector<double> w{0.5, 0.3, 0.2};
  std::vector<int64_t> closes{price::from_dollars(100).micros, price::from_dollars(100).micros,
                              price::from_dollars(100).micros};
  // Weights now 50.5% (drift 1.5%), 26% (drift 3.4%), 21.5% (drift 1.9%).
  auto qty = in_nanos({505, 260, 215});
  std::vector<rebalance_order> out;
  plan_rebalance(w, closes, qty, money{2'000 * micros_per_dollar}, 0.02, 0.02, false, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].symbol, 1u);
  EXPECT_EQ(out[0].side, fb::Side::Buy);
  EXPECT_EQ(out[0].qty.shares(), 294 - 260);
  out.clear();
  plan_rebalance(w, closes, qty, money{2'000 * micros_per_dollar}, 0.01, 0.02, false, out);
  EXPECT_EQ(out.size(), 3u); // every drift is above 1%
}

TEST(plan_rebalance, sells_come_before_buys) {
  // Symbol 0 is under its target, symbols 1 and 2 over theirs.
  std::vector<double> w{0.6, 0.2, 0.2};
  std::vector<int64_t> closes{price::from_dollars(10).micros, price::from_dollars(20).micros,
                              price::from_dollars(40).micros};
  auto qty = in_nanos({1000, 1500, 750}); // $10,000, $30,000, $30,000
  std::vector<rebalance_order> out;
  plan_rebalance(w, closes, qty, money{30'000 * micros_per_dollar}, 0.02, 0.0, false, out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].side, fb::Side::Sell);
  EXPECT_EQ(out[0].symbol, 1u);
  EXPECT_EQ(out[0].qty.shares(), 500); // to 1000 shares = $20,000
  EXPECT_EQ(out[0].reason, fb::IntentReason::Rebalance);
  EXPECT_EQ(out[1].side, fb::Side::Sell);
  EXPECT_EQ(out[1].symbol, 2u);
  EXPECT_EQ(out[1].qty.shares(), 250);
  EXPECT_EQ(out[2].side, fb::Side::Buy);
  EXPECT_EQ(out[2].symbol, 0u);
  EXPECT_EQ(out[2].qty.shares(), 5000); // to 6000 shares = $60,000
}

TEST(plan_rebalance, a_weight_of_zero_sells_the_whole_position_and_no_equity_trades_nothing) {
  std::vector<double> w{1.0, 0.0};
  std::vector<int64_t> closes{price::from_dollars(10).micros, price::from_dollars(10).micros};
  auto qty = in_nanos({0, 100});
  std::vector<rebalance_order> out;
  plan_rebalance(w, closes, qty, money{0}, 0.02, 0.0, false, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].side, fb::Side::Sell);
  EXPECT_EQ(out[0].qty.shares(), 100);
  EXPECT_EQ(out[1].qty.shares(), 100);
  out.clear();
  plan_rebalance(w, closes, in_nanos({0, 0}), money{0}, 0.02, 0.0, false, out);
  EXPECT_TRUE(out.empty());
}

TEST(plan_rebalance, fractional_targets_spend_the_investable_equity_to_the_nano_share) {
  std::vector<double> w{0.5, 0.5};
  std::vector<int64_t> closes{price::from_dollars(333).micros, price::from_dollars(7).micros};
  auto qty = in_nanos({0, 0});
  std::vector<rebalance_order> whole, fractional;
  plan_rebalance(w, closes, qty, money{1'000 * micros_per_dollar}, 0, 0, false, whole);
  plan_rebalance(w, closes, qty, money{1'000 * micros_per_dollar}, 0, 0, true, fractional);
  // $500 each: 1 whole share of the $333 stock, 1.501501501 fractional.
  ASSERT_EQ(whole.size(), 2u);
  EXPECT_EQ(whole[0].qty, quantity{1});
  EXPECT_EQ(whole[1].qty, quantity{71});
  ASSERT_EQ(fractional.size(), 2u);
  EXPECT_EQ(fractional[0].qty, *parse_quantity("1.501501501"));
  EXPECT_EQ(fractional[1].qty, *parse_quantity("71.428571428"));
  money spent;
  for (auto& o : fractional)
    spent += o.close * o.qty;
  EXPECT_LE(spent.micros, 1'000 * micros_per_dollar);
  EXPECT_GT(spent.micros, 1'000 * micros_per_dollar - 1'000); // within a tenth of a cent
}

TEST_F(rebalance_fixture, a_singular_covariance_skips_the_rebalance_and_is_counted) {
  init(2, 6, 3);
  // Two symbols that move in lockstep: their covariance is singular.
  for (int i = 1; i <= 6; ++i) {
    auto close = price{synthetic_close(0, i)};
    on_bar(st, 0, i, close);
    auto orders = on_bar(st, 1, i, price{close.micros * 2});
    EXPECT_TRUE(orders.empty());
  }
  EXPECT_EQ(st.stats.construction_failures, 1u);
  EXPECT_EQ(st.stats.rebalances, 0u);
  EXPECT_NE(st.stats.last_failure.find("singular"), std::string::npos) << st.stats.last_failure;
  EXPECT_EQ(st.countdown, 3u); // the next try is a period later
  EXPECT_EQ(st.pending[0] + st.pending[1], 0);
}

TEST_F(rebalance_fixture, recovery_from_the_journal_rebuilds_the_same_state) {
  init(3, 6, 4, portfolio_method::risk_parity);
  std::vector<msg> journal;
  for (int64_t day = 1; day <= 20; ++day) {
    for (uint32_t i = 0; i < n; ++i) {
      signal_values v;
      v.close = price{synthetic_close(i, day)};
      auto m = b.signal({static_cast<uint64_t>(day * 10 + i), day, day}, symbol_id{i}, v);
      journal.push_back(m);
      auto s = m.as<fb::Signal>();
      // What the actor does with a Signal, and what the order manager says back.
      for (auto& o : on_bar(st, s->symbol(), m.ts_event(), price{s->close()})) {
        position_values p;
        p.qty = quantity::from_nanos(st.qty[o.symbol]) + (o.side == fb::Side::Buy ? o.qty : -o.qty);
        journal.push_back(b.position_changed({}, symbol_id{o.symbol}, p));
        journal.push_back(b.order_filled({}, client_order_id{1}, symbol_id{o.symbol}, o.side,
                                         o.qty, o.close, o.qty, quantity{0}, money{}));
        portfolio_values pv;
        pv.cash = money{st.cash.micros
                        - (o.side == fb::Side::Buy ? 1 : -1) * (o.close * o.qty).micros};
        journal.push_back(b.portfolio_snapshot({}, pv));
        if (day < 18) // the last orders stay in flight
          for (size_t k = journal.size() - 3; k < journal.size(); ++k)
            on_report(st, journal[k]);
        else
          journal.resize(journal.size() - 3);
      }
    }
  }
  ASSERT_GE(st.stats.rebalances, 3u);
  ASSERT_GT(st.stats.intents, 0u);

  rebalance_state again;
  init_rebalance(again, st.params, st.universe, money{100'000 * micros_per_dollar});
  for (auto& m : journal)
    recover(again, m);
  EXPECT_EQ(again.qty, st.qty);
  EXPECT_EQ(again.cash, st.cash);
  EXPECT_EQ(again.pending, st.pending);
  EXPECT_EQ(again.countdown, st.countdown);
  EXPECT_EQ(again.weights, st.weights);
  EXPECT_EQ(again.stats.steps, st.stats.steps);
  EXPECT_EQ(again.stats.rebalances, st.stats.rebalances);
  EXPECT_EQ(again.stats.intents, st.stats.intents);
  for (uint32_t i = 0; i < n; ++i)
    for (size_t k = 0; k < st.windows[i].size(); ++k)
      EXPECT_EQ(again.windows[i].at(k), st.windows[i].at(k));
}

namespace {

const std::vector<std::string> daily_files{"AAPL_daily_2012-2014.csv", "IBM_daily_2012-2014.csv",
                                           "KO_daily_2012-2014.csv", "MSFT_daily_2012-2014.csv"};

std::vector<std::vector<int64_t>> load_daily(size_t rows) {
  std::vector<std::vector<int64_t>> out;
  for (auto& f : daily_files) {
    out.push_back(daily_closes(f, rows));
    EXPECT_EQ(out.back().size(), rows) << f;
  }
  return out;
}

} // namespace

TEST_F(rebalance_fixture, weights_on_real_closes_are_construct_portfolio_over_the_same_window) {
  // Jan-May 2012: no split in any of the four.
  auto closes = load_daily(100);
  ASSERT_EQ(closes.size(), 4u);
  rebalance_params p;
  p.lookback = 60;
  p.period = 20;
  p.portfolio.method = portfolio_method::risk_parity;
  p.portfolio.cap = 0.4;
  p.portfolio.shrinkage = 0.1;
  n = 4;
  init_rebalance(st, p, every(n), money{100'000 * micros_per_dollar});
  auto day = [&](size_t d) {
    std::vector<rebalance_order> out;
    for (uint32_t i = 0; i < n; ++i)
      for (auto& o : on_bar(st, i, static_cast<int64_t>(d + 1), price{closes[i][d]}))
        out.push_back(o);
    return out;
  };
  for (size_t d = 0; d < 59; ++d)
    EXPECT_TRUE(day(d).empty());
  auto first = day(59);
  auto expected = construct_portfolio(returns_of(closes, 0, 60), p.portfolio);
  ASSERT_EQ(st.stats.rebalances, 1u);
  for (uint32_t i = 0; i < n; ++i)
    EXPECT_NEAR(st.weights[i], expected.weights[i], 1e-12) << daily_files[i];
  EXPECT_LE(*std::max_element(st.weights.begin(), st.weights.end()), 0.4 + 1e-12);
  ASSERT_EQ(first.size(), 4u); // all cash: every symbol is a buy
  int64_t spent = 0;
  for (uint32_t i = 0; i < n; ++i) {
    EXPECT_EQ(first[i].symbol, i);
    EXPECT_EQ(first[i].side, fb::Side::Buy);
    EXPECT_EQ(first[i].qty.shares(), target_shares(1e11, 0.02, expected.weights[i], closes[i][59]));
    EXPECT_EQ(first[i].close.micros, closes[i][59]);
    hold(i, first[i].qty.shares());
    spent += first[i].qty.shares() * closes[i][59];
  }
  settle_all();
  cash(money{100'000 * micros_per_dollar - spent});

  for (size_t d = 60; d < 79; ++d)
    EXPECT_TRUE(day(d).empty());
  auto second = day(79);
  ASSERT_EQ(st.stats.rebalances, 2u);
  auto again = construct_portfolio(returns_of(closes, 20, 60), p.portfolio);
  for (uint32_t i = 0; i < n; ++i)
    EXPECT_NEAR(st.weights[i], again.weights[i], 1e-12) << daily_files[i];
  // Every trade is a symbol beyond the drift, sells first, by the difference.
  __int128 equity = 100'000 * micros_per_dollar - spent;
  for (uint32_t i = 0; i < n; ++i)
    equity += __int128{first[i].qty.whole_shares()} * closes[i][79];
  ASSERT_FALSE(second.empty()); // the weights moved past the drift in 20 days
  bool buying = false;
  for (auto& o : second) {
    buying = buying || o.side == fb::Side::Buy;
    EXPECT_EQ(o.side, buying ? fb::Side::Buy : fb::Side::Sell) << "a sell after a buy";
    auto target = target_shares(static_cast<double>(equity), 0.02, again.weights[o.symbol],
                                closes[o.symbol][79]);
    auto held = first[o.symbol].qty.shares();
    EXPECT_EQ(o.qty.shares(), std::llabs(target - held)) << daily_files[o.symbol];
    double weight = static_cast<double>(held) * static_cast<double>(closes[o.symbol][79])
                    / static_cast<double>(equity);
    EXPECT_GT(std::fabs(weight - 0.98 * again.weights[o.symbol]), 0.02);
  }
}

TEST_F(rebalance_fixture, every_method_on_real_closes_is_construct_portfolio_of_the_returns) {
  auto closes = load_daily(40);
  ASSERT_EQ(closes.size(), 4u);
  for (auto method : {portfolio_method::min_variance, portfolio_method::risk_parity,
                      portfolio_method::mean_variance, portfolio_method::max_sharpe}) {
    rebalance_params p;
    p.lookback = 40;
    p.portfolio.method = method;
    p.portfolio.risk_aversion = 50;
    p.portfolio.cap = 0.6;
    n = 4;
    init_rebalance(st, p, every(n), money{100'000 * micros_per_dollar});
    for (size_t d = 0; d < 40; ++d)
      for (uint32_t i = 0; i < n; ++i)
        on_bar(st, i, static_cast<int64_t>(d + 1), price{closes[i][d]});
    ASSERT_EQ(st.stats.rebalances, 1u) << to_string(method) << ": " << st.stats.last_failure;
    auto expected = construct_portfolio(returns_of(closes, 0, 40), p.portfolio);
    for (uint32_t i = 0; i < n; ++i)
      EXPECT_NEAR(st.weights[i], expected.weights[i], 1e-12)
        << to_string(method) << " " << daily_files[i];
  }
}

TEST_F(rebalance_fixture, an_order_stays_in_flight_until_its_outcome_is_final) {
  init(2, 6, 3);
  st.pending[0] = st.pending[1] = 1;
  on_report(st, b.order_filled({}, client_order_id{1}, symbol_id{0}, fb::Side::Buy, quantity{5},
                               price{1}, quantity{5}, quantity{5}, money{}));
  EXPECT_EQ(st.pending[0], 1); // partly filled: still working
  // A denial of a command (it has a client order id) is not about our intent.
  on_report(st, b.order_denied({}, symbol_id{1}, fb::Side::Buy, quantity{1}, price{},
                               fb::DenyReason::KillSwitch, 1, 0, {client_order_id{9}, 0}));
  EXPECT_EQ(st.pending[1], 1);
  on_report(st, b.order_denied({}, symbol_id{1}, fb::Side::Buy, quantity{1}, price{},
                               fb::DenyReason::KillSwitch, 1, 0));
  EXPECT_EQ(st.pending[1], 0);
  on_report(st, b.order_rejected({}, client_order_id{1}, symbol_id{0}, fb::Side::Buy,
                                 quantity{5}, "no"));
  EXPECT_EQ(st.pending[0], 0);
}

// ---- the actor -------------------------------------------------------------

namespace {

struct rebalance_actor : ::testing::Test, test::deterministic_system {
  test::vector_sink journal;
  std::vector<msg> seen_by_risk;
  msg_builder b;
  std::vector<caf::actor_addr> actors;

  ~rebalance_actor() override {
    for (auto& a : actors)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched->run();
  }

  rebalance_stats stats_of(const rebalance_strategy_actor& a) {
    caf::scoped_actor self{*sys};
    rebalance_stats out;
    auto rh = self->request(a, caf::infinite, stats_atom::value);
    sched->run();
    rh.receive([&](rebalance_stats& s) { out = std::move(s); },
               [&](caf::error& e) { ADD_FAILURE() << sys->render(e); });
    return out;
  }
};

fb::SignalRow row_of(uint64_t seq, int64_t ts, uint32_t symbol, int64_t close) {
  return fb::SignalRow(seq, ts, symbol, true, close, close, close, close, 1000, close, close, 0,
                       0, 0, 0);
}

} // namespace

TEST_F(rebalance_actor, trades_real_closes_from_batches_and_signals_to_the_risk_controller) {
  constexpr size_t lookback = 30, period = 10;
  auto closes = load_daily(lookback + period);
  ASSERT_EQ(closes.size(), 4u);
  auto risk = sys->spawn(test::spy, &seen_by_risk);
  rebalance_strategy_settings s;
  s.params.lookback = lookback;
  s.params.period = period;
  s.params.drift = 0;
  s.params.portfolio.method = portfolio_method::min_variance;
  s.params.portfolio.cap = 0.5;
  s.universe = {0, 1, 2, 3};
  s.risk = risk;
  s.journal = &journal;
  auto strat = sys->spawn(rebalance_strategy, s);
  actors = {risk.address(), strat.address()};
  msg_actor as_strategy = strat; // what the engine holds
  sched->run();

  // The first `lookback` days in one batch, rows in time order.
  std::vector<fb::SignalRow> rows;
  for (size_t d = 0; d < lookback; ++d)
    for (uint32_t i = 0; i < 4; ++i)
      rows.push_back(row_of(rows.size() + 1, static_cast<int64_t>(d + 1), i, closes[i][d]));
  caf::anon_send(as_strategy, b.signal_batch({1, 1, 777}, rows, 0, {}));
  sched->run();

  auto expected = construct_portfolio(returns_of(closes, 0, lookback), s.params.portfolio);
  ASSERT_EQ(seen_by_risk.size(), 4u);
  int64_t spent = 0;
  std::vector<int64_t> held(4);
  for (uint32_t i = 0; i < 4; ++i) {
    auto& m = seen_by_risk[i];
    auto intent = m.as<fb::OrderIntent>();
    ASSERT_NE(intent, nullptr);
    EXPECT_EQ(intent->symbol(), i);
    EXPECT_EQ(intent->side(), fb::Side::Buy);
    EXPECT_EQ(intent->type(), fb::OrderType::Market);
    EXPECT_EQ(intent->reason(), fb::IntentReason::Rebalance);
    EXPECT_EQ(intent->trigger_price(), closes[i][lookback - 1]);
    EXPECT_EQ(shares_from_nanos(intent->quantity()),
              target_shares(1e11, 0.02, expected.weights[i], closes[i][lookback - 1]))
      << daily_files[i];
    // Traced to the row that completed the step: the last symbol's last day.
    EXPECT_EQ(m.seq(), rows.size());
    EXPECT_EQ(m.ts_event(), static_cast<int64_t>(lookback));
    EXPECT_EQ(m.ts_ingress(), 777);
    held[i] = quantity::from_nanos(intent->quantity()).whole_shares();
    spent += held[i] * closes[i][lookback - 1];
  }
  EXPECT_EQ(journal.count(fb::Payload::OrderIntent), 4u);

  // The order manager reports the fills back.
  for (uint32_t i = 0; i < 4; ++i) {
    position_values v;
    v.qty = quantity::of_shares(held[i]);
    caf::anon_send(as_strategy, b.position_changed({}, symbol_id{i}, v));
    caf::anon_send(as_strategy,
                   b.order_filled({}, client_order_id{i + 1}, symbol_id{i}, fb::Side::Buy,
                                  quantity::of_shares(held[i]), price{closes[i][lookback - 1]},
                                  quantity::of_shares(held[i]), quantity{0}, money{}));
  }
  portfolio_values pv;
  pv.cash = money{100'000 * micros_per_dollar - spent};
  caf::anon_send(as_strategy, b.portfolio_snapshot({}, pv));
  sched->run();

  // The next `period` days one Signal at a time.
  for (size_t d = lookback; d < lookback + period; ++d)
    for (uint32_t i = 0; i < 4; ++i) {
      signal_values v;
      v.close = price{closes[i][d]};
      auto ts = static_cast<int64_t>(d + 1);
      caf::anon_send(as_strategy, b.signal({1000 + d * 4 + i, ts, ts}, symbol_id{i}, v));
      sched->run();
    }
  auto last = lookback + period - 1;
  auto again = construct_portfolio(returns_of(closes, period, lookback), s.params.portfolio);
  __int128 equity = pv.cash.micros;
  for (uint32_t i = 0; i < 4; ++i)
    equity += __int128{held[i]} * closes[i][last];
  ASSERT_GT(seen_by_risk.size(), 4u);
  size_t sells = 0, buys = 0;
  for (size_t k = 4; k < seen_by_risk.size(); ++k) {
    auto intent = seen_by_risk[k].as<fb::OrderIntent>();
    ASSERT_NE(intent, nullptr);
    auto sym = intent->symbol();
    if (intent->side() == fb::Side::Sell) {
      EXPECT_EQ(buys, 0u) << "a sell after a buy";
      ++sells;
    } else {
      ++buys;
    }
    auto target = target_shares(static_cast<double>(equity), 0.02, again.weights[sym],
                                closes[sym][last]);
    EXPECT_EQ(shares_from_nanos(intent->quantity()), std::llabs(target - held[sym])) << daily_files[sym];
    EXPECT_EQ(intent->side(), target > held[sym] ? fb::Side::Buy : fb::Side::Sell);
    EXPECT_EQ(seen_by_risk[k].ts_event(), static_cast<int64_t>(last + 1));
  }
  EXPECT_GT(sells, 0u);
  EXPECT_GT(buys, 0u);

  auto st = stats_of(strat);
  EXPECT_EQ(st.steps, lookback + period);
  EXPECT_EQ(st.bars, 4 * (lookback + period));
  EXPECT_EQ(st.rebalances, 2u);
  EXPECT_EQ(st.incomplete_steps, 0u);
  EXPECT_EQ(st.construction_failures, 0u);
  EXPECT_EQ(st.intents, seen_by_risk.size());
}
