// Strategies side by side on the real actor graph (deterministic profile):
// each on its own symbols, added and removed while running, and a backtest
// of two strategies over the shared market files.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

#include "adapters/sim_broker.hpp"
#include "adapters/synthetic_market.hpp"
#include "messages/symbol_table.hpp"
#include "runtime/backtest_command.hpp"
#include "runtime/engine.hpp"
#include "runtime/journal_reader.hpp"
#include "../support/vector_sink.hpp"

using namespace osprey;

namespace {

broker_factory sim(const sim_broker_config& cfg) {
  return [cfg](msg_sink& reports) { return std::make_unique<sim_broker>(cfg, reports); };
}

engine_config quick_config() {
  auto c = default_config(); // AAPL MSFT NVDA AMZN GOOG META TSLA AMD
  c.scheduler.profile = latency_profile::deterministic;
  c.clock = clock_kind::event;
  c.strategy.volume_factor = 0; // the breakout enters on any new high
  return c;
}

strategy_slot breakout_slot(std::string name, std::vector<std::string> symbols) {
  strategy_slot s;
  s.name = std::move(name);
  s.kind = strategy_kind::breakout;
  s.symbols = std::move(symbols);
  s.breakout.volume_factor = 0;
  return s;
}

/// A rule strategy that is in the market half the time: in on an up bar,
/// out on a down bar.
strategy_slot rules_slot(std::string name, std::vector<std::string> symbols,
                         std::string text = "entry: close > open\nexit: close < open\n") {
  strategy_slot s;
  s.name = std::move(name);
  s.kind = strategy_kind::rules;
  s.symbols = std::move(symbols);
  s.rules.strategy = "custom";
  s.rules.text = std::move(text);
  return s;
}

bool is_breakout_reason(fb::IntentReason r) {
  return r == fb::IntentReason::BreakoutEntry || r == fb::IntentReason::TrailingStopExit
         || r == fb::IntentReason::ChannelLowExit;
}

bool is_rule_reason(fb::IntentReason r) {
  return r == fb::IntentReason::RuleEntry || r == fb::IntentReason::RuleExit
         || r == fb::IntentReason::StopLevel || r == fb::IntentReason::TargetLevel;
}

/// The intents of journal records [from, to), by the kind of strategy that
/// wrote them (its reasons), as symbol ids.
struct intents_seen {
  std::multiset<uint32_t> breakout, rules;
};

intents_seen intents_in(const std::vector<msg>& journal, size_t from = 0,
                        size_t to = SIZE_MAX) {
  intents_seen out;
  for (size_t i = from; i < std::min(to, journal.size()); ++i) {
    auto in = journal[i].as<fb::OrderIntent>();
    if (!in)
      continue;
    if (is_breakout_reason(in->reason()))
      out.breakout.insert(in->symbol());
    else if (is_rule_reason(in->reason()))
      out.rules.insert(in->symbol());
  }
  return out;
}

/// The symbol ids that had at least one fill in journal records [from, to).
std::set<uint32_t> filled_symbols(const std::vector<msg>& journal, size_t from = 0) {
  std::set<uint32_t> out;
  for (size_t i = from; i < journal.size(); ++i)
    if (auto f = journal[i].as<fb::OrderFilled>())
      out.insert(f->symbol());
  return out;
}

void drive(engine& eng, synthetic_market& market, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) {
    eng.inject(market.next(market.peek_time()));
    eng.drain();
  }
}

symbol_table symbols_of(const engine_config& c) {
  symbol_table t;
  for (auto& s : c.market.symbols)
    t.intern(s);
  return t;
}

template <class Set>
bool all_in(const Set& seen, std::set<uint32_t> allowed) {
  return std::all_of(seen.begin(), seen.end(), [&](uint32_t s) { return allowed.count(s); });
}

std::string add_error(engine& eng, const strategy_slot& slot) {
  try {
    eng.add_strategy(slot);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

} // namespace

TEST(engine_strategies, a_breakout_and_a_rule_strategy_trade_their_own_symbols_in_one_run) {
  auto c = quick_config();
  // AAPL MSFT NVDA (0-2) to the breakout, AMZN GOOG (3, 4) to the rules, the rest to nobody.
  c.strategies = {breakout_slot("breakouts", {"AAPL", "MSFT", "NVDA"}),
                  rules_slot("ups", {"AMZN", "GOOG"})};
  auto symbols = symbols_of(c);
  synthetic_market market{c.market, symbols};
  test::vector_sink journal;
  engine eng{c, &journal, sim(c.broker), nullptr};
  drive(eng, market, 40'000);
  auto s = eng.stats();
  eng.shutdown();

  auto items = journal.items();
  auto seen = intents_in(items);
  EXPECT_FALSE(seen.breakout.empty());
  EXPECT_FALSE(seen.rules.empty());
  EXPECT_TRUE(all_in(seen.breakout, {0, 1, 2}));
  EXPECT_TRUE(all_in(seen.rules, {3, 4}));
  // Both traded: fills on symbols of each shard, none on the unowned ones.
  auto filled = filled_symbols(items);
  EXPECT_TRUE(std::any_of(filled.begin(), filled.end(), [](uint32_t x) { return x <= 2; }));
  EXPECT_TRUE(std::any_of(filled.begin(), filled.end(), [](uint32_t x) { return x == 3 || x == 4; }));
  EXPECT_TRUE(all_in(filled, {0, 1, 2, 3, 4}));
  EXPECT_EQ(s.orders.refused_events, 0u);
}

TEST(engine_strategies, the_single_strategy_config_still_trades_every_symbol) {
  auto c = quick_config();
  auto symbols = symbols_of(c);
  synthetic_market market{c.market, symbols};
  test::vector_sink journal;
  engine eng{c, &journal, sim(c.broker), nullptr};
  ASSERT_EQ(eng.strategies().size(), 1u);
  EXPECT_EQ(eng.strategies()[0].name, "breakout");
  drive(eng, market, 40'000);
  eng.shutdown();
  auto seen = intents_in(journal.items());
  std::set<uint32_t> distinct(seen.breakout.begin(), seen.breakout.end());
  EXPECT_GE(distinct.size(), 6u); // not a shard: (nearly) all eight symbols
  EXPECT_TRUE(seen.rules.empty());
}

TEST(engine_strategies, a_strategy_added_while_running_trades_only_after_it_was_added) {
  auto c = quick_config();
  c.strategies = {breakout_slot("breakouts", {"AAPL", "MSFT"})};
  auto symbols = symbols_of(c);
  synthetic_market market{c.market, symbols};
  test::vector_sink journal;
  engine eng{c, &journal, sim(c.broker), nullptr};
  drive(eng, market, 20'000);
  auto added_at = journal.items().size();
  eng.add_strategy(rules_slot("ups", {"NVDA", "AMZN"}));
  ASSERT_EQ(eng.strategies().size(), 2u);
  EXPECT_EQ(eng.strategies()[1].name, "ups");
  drive(eng, market, 20'000);
  eng.shutdown();

  auto items = journal.items();
  auto before = intents_in(items, 0, added_at);
  auto after = intents_in(items, added_at);
  EXPECT_FALSE(before.breakout.empty());
  EXPECT_TRUE(before.rules.empty());
  EXPECT_FALSE(after.rules.empty());
  EXPECT_TRUE(all_in(after.rules, {2, 3}));
  EXPECT_FALSE(after.breakout.empty()); // the first one goes on
  EXPECT_TRUE(all_in(after.breakout, {0, 1}));
  auto filled = filled_symbols(items, added_at);
  EXPECT_TRUE(filled.count(2) || filled.count(3));
}

TEST(engine_strategies, a_removed_strategy_sends_no_more_intents_and_its_symbols_can_be_reused) {
  auto c = quick_config();
  c.strategies = {breakout_slot("breakouts", {"AAPL", "MSFT"}), rules_slot("ups", {"NVDA"})};
  auto symbols = symbols_of(c);
  synthetic_market market{c.market, symbols};
  test::vector_sink journal;
  engine eng{c, &journal, sim(c.broker), nullptr};
  drive(eng, market, 20'000);
  eng.remove_strategy("ups");
  auto removed_at = journal.items().size();
  ASSERT_EQ(eng.strategies().size(), 1u);
  drive(eng, market, 20'000);
  auto items = journal.items();
  EXPECT_FALSE(intents_in(items, 0, removed_at).rules.empty());
  auto after = intents_in(items, removed_at);
  EXPECT_TRUE(after.rules.empty());
  EXPECT_FALSE(after.breakout.empty()); // the other one goes on

  // NVDA is free again: another strategy may take it.
  auto again_at = journal.items().size();
  eng.add_strategy(rules_slot("ups again", {"NVDA"}));
  drive(eng, market, 20'000);
  eng.shutdown();
  auto later = intents_in(journal.items(), again_at);
  EXPECT_FALSE(later.rules.empty());
  EXPECT_TRUE(all_in(later.rules, {2}));
}

TEST(engine_strategies, adding_and_removing_say_what_is_wrong) {
  auto c = quick_config();
  c.strategies = {breakout_slot("breakouts", {"AAPL", "MSFT"})};
  engine eng{c, nullptr, sim(c.broker), nullptr};
  EXPECT_EQ(add_error(eng, breakout_slot("breakouts", {"NVDA"})),
            "strategy \"breakouts\" is defined twice");
  EXPECT_EQ(add_error(eng, breakout_slot("b", {"MSFT"})),
            "strategies \"breakouts\" and \"b\" both trade \"MSFT\" (a symbol has one "
            "strategy: positions are kept per symbol)");
  EXPECT_NE(add_error(eng, breakout_slot("b", {})).find("\"b\" has no symbols, so it trades every one"),
            std::string::npos);
  EXPECT_EQ(add_error(eng, breakout_slot("b", {"IBM"})).rfind("strategy \"b\": \"IBM\" is not a traded symbol", 0), 0u);
  EXPECT_EQ(add_error(eng, rules_slot("r", {"NVDA"}, "entry: close >")).rfind("strategy \"r\": the rules do not compile:", 0), 0u);
  EXPECT_EQ(add_error(eng, rules_slot("r", {"NVDA"}, "entry: rsi(7) < 30\n")),
            "strategy \"r\": the rules read rsi:7, which the signal actor does not compute: its "
            "indicators are fixed at start (add them to [signal] indicators)");
  try {
    eng.remove_strategy("nope");
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string{e.what()}, "no strategy named \"nope\" is running (running: breakouts)");
  }
  EXPECT_EQ(eng.strategies().size(), 1u); // nothing half-added
  eng.shutdown();
}

TEST(engine_strategies, a_breakout_cannot_join_when_no_breakout_ran_from_the_start) {
  auto c = quick_config();
  c.strategies = {rules_slot("r", {"AAPL"}, "entry: close > open\n")};
  engine eng{c, nullptr, sim(c.broker), nullptr};
  EXPECT_NE(add_error(eng, breakout_slot("b", {"MSFT"}))
              .find("computes the breakout's levels only when a breakout strategy runs from the start"),
            std::string::npos);
  EXPECT_EQ(eng.strategies().size(), 1u);
  eng.shutdown();
}

TEST(engine_strategies, a_rule_strategy_added_later_may_read_the_indicators_computed_from_the_start) {
  auto c = quick_config();
  c.signal.extra = ind::parse_indicator_list("rsi:7");
  c.strategies = {breakout_slot("breakouts", {"AAPL"})};
  auto symbols = symbols_of(c);
  synthetic_market market{c.market, symbols};
  test::vector_sink journal;
  engine eng{c, &journal, sim(c.broker), nullptr};
  drive(eng, market, 10'000);
  auto added_at = journal.items().size();
  eng.add_strategy(rules_slot("dips", {"MSFT", "NVDA"}, "entry: rsi(7) < 45\nexit: rsi(7) > 55\n"));
  drive(eng, market, 20'000);
  eng.shutdown();
  auto after = intents_in(journal.items(), added_at);
  EXPECT_FALSE(after.rules.empty());
  EXPECT_TRUE(all_in(after.rules, {1, 2}));
}

namespace {

const std::string market_dir = std::string{OSPREY_SHARED_DATA} + "/market/";

std::string scratch(const std::string& name) {
  return (std::filesystem::temp_directory_path()
          / ("osprey-strategies-" + std::to_string(::getpid()) + "-" + name))
    .string();
}

backtest_options quiet(std::vector<std::string> data) {
  backtest_options o;
  o.data = std::move(data);
  o.progress = false;
  return o;
}

/// The run's trades of one symbol: entry time, exit time, shares.
std::vector<std::tuple<int64_t, int64_t, int64_t>> trades_of(const backtest_run& run,
                                                             const std::string& symbol) {
  std::vector<std::tuple<int64_t, int64_t, int64_t>> out;
  for (auto& t : run.trades)
    if (t.symbol == symbol)
      out.emplace_back(t.entry_ts_ns, t.exit_ts_ns, t.qty.shares());
  return out;
}

} // namespace

TEST(engine_strategies, a_backtest_of_two_strategies_trades_each_shard_as_it_would_alone) {
  auto aapl = market_dir + "AAPL_daily_2012-2014.csv";
  auto goog = market_dir + "GOOG_daily_2004-2013.csv";
  if (!std::filesystem::exists(aapl) || !std::filesystem::exists(goog))
    FAIL() << "shared market data not found at " << market_dir;
  auto config = scratch("two.toml");
  {
    std::ofstream f{config};
    // The backtest defaults' halts off, as without a file; then the shards.
    f << "[risk]\ndaily_loss_soft = 0.0\ndaily_loss_hard = 0.0\n"
         "drawdown_soft = 0.0\ndrawdown_hard = 0.0\n"
         "[market]\nsymbols = [\"AAPL\", \"GOOG\"]\n"
         "[[strategies]]\nname = \"breakout\"\nkind = \"breakout\"\nsymbols = [\"AAPL\"]\n"
         "[[strategies]]\nname = \"trend\"\nstrategy = \"trend\"\nsize = \"100 shares\"\n"
         "symbols = [\"GOOG\"]\n";
  }
  auto both = quiet({aapl, goog});
  both.config_path = config;
  both.journal_path = scratch("two.journal");
  auto run = run_backtest(both, std::cerr);

  auto trend_alone = quiet({goog});
  trend_alone.overrides = {"rules.strategy=\"trend\"", "rules.size=\"100 shares\""};
  auto breakout_alone = quiet({aapl});
  auto expected_goog = trades_of(run_backtest(trend_alone, std::cerr), "GOOG");
  auto expected_aapl = trades_of(run_backtest(breakout_alone, std::cerr), "AAPL");
  ASSERT_GE(expected_goog.size(), 3u);
  ASSERT_GE(expected_aapl.size(), 3u);
  // A position still open at the end is closed when the run ends, and GOOG's
  // file ends before AAPL's: that one exit time differs.
  auto same_but_the_last_exit = [](auto got, auto want) {
    if (!got.empty() && got.size() == want.size())
      std::get<1>(got.back()) = std::get<1>(want.back());
    EXPECT_EQ(got, want);
  };
  same_but_the_last_exit(trades_of(run, "GOOG"), expected_goog);
  same_but_the_last_exit(trades_of(run, "AAPL"), expected_aapl);

  // Attribution: GOOG's intents are the rules', AAPL's the breakout's.
  auto journal = read_journal(both.journal_path);
  ASSERT_FALSE(journal.corrupt());
  auto goog_id = static_cast<uint32_t>(
    std::find(run.symbols.begin(), run.symbols.end(), "GOOG") - run.symbols.begin());
  auto seen = intents_in(journal.messages);
  EXPECT_FALSE(seen.rules.empty());
  EXPECT_FALSE(seen.breakout.empty());
  EXPECT_TRUE(all_in(seen.rules, {goog_id}));
  EXPECT_TRUE(all_in(seen.breakout, {1 - goog_id}));
  std::filesystem::remove(config);
  std::filesystem::remove(both.journal_path);
}

TEST(engine_strategies, a_backtest_refuses_a_shard_symbol_missing_from_the_data) {
  auto aapl = market_dir + "AAPL_daily_2012-2014.csv";
  if (!std::filesystem::exists(aapl))
    FAIL() << "shared market data not found at " << market_dir;
  auto config = scratch("missing.toml");
  {
    std::ofstream f{config};
    f << "[market]\nsymbols = [\"AAPL\", \"KO\"]\n"
         "[[strategies]]\nname = \"b\"\nkind = \"breakout\"\nsymbols = [\"KO\"]\n";
  }
  auto o = quiet({aapl});
  o.config_path = config;
  try {
    run_backtest(o, std::cerr);
    ADD_FAILURE() << "no error";
  } catch (const std::exception& e) {
    EXPECT_EQ(std::string{e.what()}, "strategy \"b\": \"KO\" is not a traded symbol (traded: AAPL)");
  }
  std::filesystem::remove(config);
}

namespace {

/// The intents of `records` after market event `after_seq`: what each
/// strategy decided, in order.
std::vector<std::tuple<uint64_t, uint32_t, int, int64_t, int>> intents_after(
  const std::vector<msg>& records, uint64_t after_seq) {
  std::vector<std::tuple<uint64_t, uint32_t, int, int64_t, int>> out;
  for (auto& m : records)
    if (auto in = m.as<fb::OrderIntent>(); in && m.seq() > after_seq)
      out.emplace_back(m.seq(), in->symbol(), static_cast<int>(in->side()), in->quantity(),
                       static_cast<int>(in->reason()));
  return out;
}

/// Runs `c` for 2n events straight, and for n events then again from the
/// first journal (a restart) for n more; returns both runs' intents after
/// the restart point.
std::pair<std::vector<std::tuple<uint64_t, uint32_t, int, int64_t, int>>,
          std::vector<std::tuple<uint64_t, uint32_t, int, int64_t, int>>>
straight_and_restarted(const engine_config& c, uint64_t n) {
  auto symbols = symbols_of(c);
  test::vector_sink straight;
  {
    synthetic_market market{c.market, symbols};
    engine eng{c, &straight, sim(c.broker), nullptr};
    drive(eng, market, 2 * n);
    eng.shutdown();
  }
  test::vector_sink first, second;
  synthetic_market market{c.market, symbols};
  {
    engine eng{c, &first, sim(c.broker), nullptr};
    drive(eng, market, n);
    eng.shutdown();
  }
  auto recovered = std::make_shared<const std::vector<msg>>(first.items());
  uint64_t last_seq = 0;
  for (auto& m : *recovered)
    last_seq = std::max(last_seq, m.seq());
  {
    engine eng{c, &second, sim(c.broker), nullptr, recovered};
    drive(eng, market, n);
    eng.shutdown();
  }
  return {intents_after(straight.items(), last_seq), intents_after(second.items(), last_seq)};
}

} // namespace

TEST(engine_strategies, each_strategy_recovers_from_its_own_symbols_and_decides_as_if_never_stopped) {
  auto c = quick_config();
  c.strategies = {breakout_slot("breakouts", {"AAPL", "MSFT"}),
                  rules_slot("ups", {"NVDA", "AMZN"})};
  auto [straight, restarted] = straight_and_restarted(c, 15'000);
  ASSERT_GT(straight.size(), 10u);
  EXPECT_EQ(restarted, straight);
}
