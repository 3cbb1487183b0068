// [[strategies]]: strategies side by side, each on its own symbols, and the
// single [rules]/[strategy] configuration as one slot.

#include <gtest/gtest.h>

#include "runtime/config.hpp"
#include "../support/config_errors.hpp"

using namespace osprey;

namespace {

const std::string market = "[market]\nsymbols = [\"AAPL\", \"MSFT\", \"NVDA\", \"KO\"]\n";

using test::config_error_of;

} // namespace

TEST(config_strategies, a_breakout_and_a_template_each_read_their_own_keys_and_symbols) {
  auto c = parse_config(market + "[strategy]\nposition_notional = 5000\n"
                                 "[[strategies]]\n"
                                 "name = \"breakouts\"\n"
                                 "kind = \"breakout\"\n"
                                 "symbols = [\"AAPL\", \"MSFT\"]\n"
                                 "volume_factor = 2.5\n"
                                 "[[strategies]]\n"
                                 "name = \"trend\"\n"
                                 "symbols = [\"NVDA\"]\n"
                                 "strategy = \"trend\"\n"
                                 "fast = 3\n"
                                 "slow = 7\n"
                                 "long_short = true\n",
                        "test.toml");
  ASSERT_EQ(c.strategies.size(), 2u);
  auto& b = c.strategies[0];
  EXPECT_EQ(b.name, "breakouts");
  EXPECT_EQ(b.kind, strategy_kind::breakout);
  EXPECT_EQ(b.symbols, (std::vector<std::string>{"AAPL", "MSFT"}));
  EXPECT_DOUBLE_EQ(b.breakout.volume_factor, 2.5);
  EXPECT_EQ(b.breakout.position_notional.micros, 5'000 * micros_per_dollar); // from [strategy]
  auto& t = c.strategies[1];
  EXPECT_EQ(t.kind, strategy_kind::rules);
  EXPECT_EQ(t.rules.strategy, "trend");
  EXPECT_TRUE(t.rules.long_short);
  EXPECT_NE(t.rules.text.find("sma(close, 3)"), std::string::npos) << t.rules.text;
  EXPECT_NE(t.rules.text.find("sma(close, 7)"), std::string::npos) << t.rules.text;
  EXPECT_EQ(strategy_slots(c).size(), 2u);
}

TEST(config_strategies, rules_written_out_make_a_custom_slot) {
  auto c = parse_config(market + "[[strategies]]\nname = \"dip\"\nsymbols = [\"KO\"]\n"
                                 "entry = \"rsi(14) < 30\"\nexit = \"rsi(14) > 70\"\n",
                        "test.toml");
  ASSERT_EQ(c.strategies.size(), 1u);
  EXPECT_EQ(c.strategies[0].rules.strategy, "custom");
  EXPECT_NE(c.strategies[0].rules.text.find("entry: rsi(14) < 30"), std::string::npos);
}

TEST(config_strategies, a_strategy_without_symbols_trades_every_symbol) {
  auto c = parse_config(market + "[[strategies]]\nname = \"all\"\nkind = \"breakout\"\n",
                        "test.toml");
  ASSERT_EQ(c.strategies.size(), 1u);
  EXPECT_TRUE(c.strategies[0].symbols.empty());
}

TEST(config_strategies, the_single_rules_section_is_one_slot_of_every_symbol) {
  auto c = parse_config("[rules]\nstrategy = \"trend\"\n", "test.toml");
  EXPECT_TRUE(c.strategies.empty());
  auto slots = strategy_slots(c);
  ASSERT_EQ(slots.size(), 1u);
  EXPECT_EQ(slots[0].name, "trend");
  EXPECT_EQ(slots[0].kind, strategy_kind::rules);
  EXPECT_TRUE(slots[0].symbols.empty());
  EXPECT_EQ(slots[0].rules.text, c.rules.text);
}

TEST(config_strategies, without_rules_the_one_slot_is_the_breakout_with_the_strategy_section) {
  auto c = parse_config("[strategy]\nvolume_factor = 3\n", "test.toml");
  c.strategy.trailing_stop = 0.05; // changed after reading, as tools do: the slot follows
  auto slots = strategy_slots(c);
  ASSERT_EQ(slots.size(), 1u);
  EXPECT_EQ(slots[0].name, "breakout");
  EXPECT_EQ(slots[0].kind, strategy_kind::breakout);
  EXPECT_DOUBLE_EQ(slots[0].breakout.volume_factor, 3);
  EXPECT_DOUBLE_EQ(slots[0].breakout.trailing_stop, 0.05);
}

TEST(config_strategies, refuses_two_strategies_trading_the_same_symbol) {
  EXPECT_EQ(config_error_of(market + "[[strategies]]\nname = \"a\"\nkind = \"breakout\"\n"
                              "symbols = [\"AAPL\", \"MSFT\"]\n"
                              "[[strategies]]\nname = \"b\"\nkind = \"breakout\"\n"
                              "symbols = [\"NVDA\", \"MSFT\"]\n"),
            "test.toml:10: strategies.b.symbols: strategies \"a\" and \"b\" both trade \"MSFT\" "
            "(a symbol has one strategy: positions are kept per symbol)");
}

TEST(config_strategies, refuses_a_strategy_of_every_symbol_beside_another) {
  auto e = config_error_of(market + "[[strategies]]\nname = \"all\"\nkind = \"breakout\"\n"
                             "[[strategies]]\nname = \"trend\"\nstrategy = \"trend\"\n"
                             "symbols = [\"KO\"]\n");
  EXPECT_EQ(e, "test.toml:9: strategies.trend.symbols: strategies \"all\" and \"trend\" both "
               "trade \"KO\" (a symbol has one strategy: positions are kept per symbol; "
               "\"all\" has no symbols, so it trades every one)");
}

TEST(config_strategies, refuses_a_duplicate_name) {
  EXPECT_EQ(config_error_of(market + "[[strategies]]\nname = \"a\"\nkind = \"breakout\"\n"
                              "symbols = [\"AAPL\"]\n"
                              "[[strategies]]\nname = \"a\"\nkind = \"breakout\"\n"
                              "symbols = [\"KO\"]\n"),
            "test.toml:8: strategies.a.name: strategy \"a\" is defined twice");
}

TEST(config_strategies, refuses_a_symbol_that_is_not_traded) {
  EXPECT_EQ(config_error_of(market + "[[strategies]]\nname = \"a\"\nkind = \"breakout\"\n"
                              "symbols = [\"AAPL\", \"TSLA\"]\n"),
            "test.toml:6: strategies.a.symbols: strategy \"a\": \"TSLA\" is not a traded "
            "symbol (traded: AAPL, MSFT, NVDA, KO)");
}

TEST(config_strategies, refuses_a_symbol_listed_twice) {
  EXPECT_EQ(config_error_of(market + "[[strategies]]\nname = \"a\"\nkind = \"breakout\"\n"
                              "symbols = [\"KO\", \"KO\"]\n"),
            "test.toml:6: strategies.a.symbols: strategy \"a\" lists \"KO\" twice");
}

TEST(config_strategies, refuses_an_unknown_kind) {
  EXPECT_EQ(config_error_of(market + "[[strategies]]\nname = \"a\"\nkind = \"pairs\"\n"),
            "test.toml:5: strategies.a.kind: unknown kind \"pairs\" (known: \"breakout\", "
            "\"rules\", \"rebalance\")");
}

TEST(config_strategies, a_rebalancer_slot_reads_its_settings_over_the_rebalance_section) {
  auto c = parse_config(market + "[rebalance]\nperiod = 5\n[[strategies]]\nname = \"pf\"\n"
                                 "kind = \"rebalance\"\nmethod = \"risk_parity\"\nlookback = 30\n",
                        "test.toml");
  ASSERT_EQ(c.strategies.size(), 1u);
  auto& p = c.strategies[0].rebalance;
  EXPECT_EQ(c.strategies[0].kind, strategy_kind::rebalance);
  EXPECT_EQ(p.portfolio.method, portfolio_method::risk_parity);
  EXPECT_EQ(p.lookback, 30u);
  EXPECT_EQ(p.period, 5u) << "from [rebalance]";
  EXPECT_NE(config_error_of(market + "[[strategies]]\nname = \"pf\"\nkind = \"rebalance\"\n"
                              "method = \"best\"\n")
              .find("test.toml:6: strategies.pf.method: "),
            std::string::npos);
  EXPECT_NE(config_error_of(market + "[[strategies]]\nname = \"pf\"\nkind = \"rebalance\"\n"
                              "lookback = 3\n")
              .find("lookback"),
            std::string::npos)
    << "a window too short for the symbols' covariance is refused";
}

TEST(config_strategies, the_single_strategy_can_be_the_rebalancer) {
  auto c = parse_config(market + "[rules]\nstrategy = \"rebalance\"\n[rebalance]\ncap = 0.5\n",
                        "test.toml");
  auto slots = strategy_slots(c);
  ASSERT_EQ(slots.size(), 1u);
  EXPECT_EQ(slots[0].kind, strategy_kind::rebalance);
  EXPECT_DOUBLE_EQ(slots[0].rebalance.portfolio.cap, 0.5);
  EXPECT_NE(config_error_of(market + "[rules]\nstrategy = \"rebalance\"\nentry = \"close > 1\"\n")
              .find("the rebalancing strategy takes no rules"),
            std::string::npos);
}

TEST(config_strategies, bracket_exits_are_read_and_checked_against_the_rules) {
  auto c = parse_config(market + "[rules]\nentry = \"close > open\"\nstop = \"5%\"\n"
                                 "opposite = \"ignore\"\nexits = \"bracket\"\n",
                        "test.toml");
  EXPECT_TRUE(c.rules.bracket_exits);
  EXPECT_NE(config_error_of(market + "[rules]\nentry = \"close > open\"\nexit = \"close < open\"\n"
                              "stop = \"5%\"\nopposite = \"ignore\"\nexits = \"bracket\"\n")
              .find("rules.exits: with bracket exits the venue closes the position"),
            std::string::npos);
  EXPECT_NE(config_error_of(market + "[rules]\nentry = \"close > open\"\nexits = \"venue\"\n")
              .find("rules.exits: expected one of"),
            std::string::npos);
}

TEST(config_strategies, fractional_sizing_is_read_for_every_kind_and_refused_with_brackets) {
  auto c = parse_config(market + "[strategy]\nfractional = true\n[rebalance]\nfractional = true\n"
                                 "[rules]\nentry = \"close > open\"\nfractional = true\n",
                        "test.toml");
  EXPECT_TRUE(c.strategy.fractional);
  EXPECT_TRUE(c.rebalance.fractional);
  EXPECT_TRUE(c.rules.fractional);
  EXPECT_FALSE(default_config().rules.fractional);
  EXPECT_NE(config_error_of(market + "[rules]\nentry = \"close > open\"\nstop = \"5%\"\n"
                              "opposite = \"ignore\"\nexits = \"bracket\"\nfractional = true\n")
              .find("rules.fractional: fractional entries cannot carry bracket exits"),
            std::string::npos);
  EXPECT_NE(config_error_of(market + "[risk]\nmax_position = 0.5\nmax_order_quantity = 0\n")
              .find("risk.max_order_quantity: must be between"),
            std::string::npos);
  auto r = parse_config(market + "[risk]\nmax_position = 2.5\n", "test.toml");
  EXPECT_EQ(r.risk.max_position, *parse_quantity("2.5"));
}

TEST(config_strategies, refuses_a_strategy_without_a_name) {
  EXPECT_EQ(config_error_of(market + "[[strategies]]\nkind = \"breakout\"\n"),
            "test.toml:3: strategies.name: required: each strategy needs a unique name");
  EXPECT_EQ(config_error_of(market + "[[strategies]]\nname = \"\"\nkind = \"breakout\"\n"),
            "test.toml:4: strategies.name: expected a non-empty string");
}

TEST(config_strategies, refuses_the_keys_of_another_kind) {
  EXPECT_EQ(config_error_of(market + "[[strategies]]\nname = \"a\"\nkind = \"breakout\"\n"
                              "entry = \"close > 1\"\n"),
            "test.toml:6: strategies.a.entry: unknown key");
  EXPECT_EQ(config_error_of(market + "[[strategies]]\nname = \"t\"\nstrategy = \"trend\"\n"
                              "volume_factor = 2\n"),
            "test.toml:6: strategies.t.volume_factor: unknown key");
}

TEST(config_strategies, refuses_a_rules_slot_without_rules) {
  EXPECT_EQ(config_error_of(market + "[[strategies]]\nname = \"a\"\n"),
            "test.toml:3: strategies.a.strategy: no rules: name a template (strategy = "
            "\"trend\"), write entry = ..., or set kind = \"breakout\"");
}

TEST(config_strategies, refuses_rules_that_do_not_compile_naming_the_strategy) {
  auto e = config_error_of(market + "[[strategies]]\nname = \"bad\"\nentry = \"rsi(14) <\"\n");
  EXPECT_EQ(e.rfind("test.toml:5: strategies.bad.entry: the rules do not compile:", 0), 0u) << e;
}

TEST(config_strategies, refuses_an_unknown_template) {
  auto e = config_error_of(market + "[[strategies]]\nname = \"a\"\nstrategy = \"nope\"\n");
  EXPECT_EQ(e.rfind("test.toml:5: strategies.a.strategy: unknown strategy \"nope\"", 0), 0u) << e;
}

TEST(config_strategies, refuses_rules_beside_strategies) {
  EXPECT_EQ(config_error_of("[rules]\nstrategy = \"trend\"\n[[strategies]]\nname = \"a\"\n"
                     "kind = \"breakout\"\n"),
            "test.toml:1: rules: [rules] and [[strategies]] cannot be combined: move the rules "
            "into a [[strategies]] table");
}

TEST(config_strategies, refuses_strategies_that_are_not_tables) {
  EXPECT_EQ(config_error_of("strategies = [\"a\"]\n"),
            "test.toml:1: strategies: expected [[strategies]] tables, one per strategy");
}

TEST(config_strategies, the_check_names_both_strategies_for_slots_built_in_code) {
  strategy_slot a, b;
  a.name = "a";
  a.symbols = {"AAPL"};
  b.name = "b";
  b.symbols = {"AAPL"};
  try {
    check_strategy_slots({a, b}, {"AAPL"});
    FAIL() << "no error";
  } catch (const config_error& e) {
    EXPECT_NE(std::string{e.what()}.find("strategies \"a\" and \"b\" both trade \"AAPL\""),
              std::string::npos)
      << e.what();
  }
  EXPECT_NO_THROW(check_strategy_slots({a}, {"AAPL"}));
}
