#include "actors/rule_compiler.hpp"

#include <string>

#include <gtest/gtest.h>

using namespace osprey::rules;
namespace ind = osprey::ind;

namespace {

std::string error_of(std::string_view text) {
  auto r = compile_rules(text);
  return r ? std::string{"(compiled)"} : r.error().text();
}

// The first line of the error: "line:col: message".
std::string headline(std::string_view text) {
  auto e = error_of(text);
  return e.substr(0, e.find('\n'));
}

std::vector<std::string> spec_texts(const compiled_rules& c) {
  std::vector<std::string> out;
  for (auto& s : c.indicators())
    out.push_back(s.text);
  return out;
}

} // namespace

TEST(rule_compiler, collects_each_indicator_once_in_column_order) {
  auto r = compile_rules(
    "entry: close > sma(close, 50) and rsi(14) < 70 and volume > 1.5 * avg(volume, 20)\n"
    "       and close > highest(high, 20)[1] and gap_pct < 5 and sma(50) > sma(close, 50)[3]\n"
    "exit: crosses_below(close, sma(close, 50)) or macd(12, 26, 9).signal > 0\n"
    "stop: 2 * atr(14)\n");
  ASSERT_TRUE(r.ok()) << r.error().text();
  auto& c = r.value();
  EXPECT_EQ(spec_texts(c), (std::vector<std::string>{"sma:50", "rsi:14", "avg:volume:20",
                                                     "highest:high:20", "gap", "macd:12:26:9",
                                                     "atr:14"}));
  EXPECT_EQ(c.width, 9);
  EXPECT_EQ(c.max_lookback, 3);
  // sma:50 is read in the past (3 bars for the entry, 1 for the cross),
  // highest:high:20 one bar back, and the close one bar back for the cross.
  ASSERT_EQ(c.rings.size(), 3u);
  EXPECT_EQ(c.rings[0].source, series_source::column);
  EXPECT_EQ(c.rings[0].index, 3);
  EXPECT_EQ(c.rings[0].depth, 1);
  EXPECT_EQ(c.rings[1].index, 0);
  EXPECT_EQ(c.rings[1].depth, 3);
  EXPECT_EQ(c.rings[2].source, series_source::field);
  EXPECT_EQ(c.rings[2].index, static_cast<uint16_t>(ind::bar_field::close));
  EXPECT_EQ(c.entry.comparisons.size(), 6u);
  EXPECT_EQ(c.entry.comparisons[3].text, "close > highest(high, 20)[1]");
  EXPECT_EQ(c.exit.comparisons[0].text, "crosses_below(close, sma(close, 50))");
  EXPECT_EQ(c.exit.comparisons[0].op, "crosses_below");
  ASSERT_TRUE(c.stop);
  EXPECT_FALSE(c.stop->is_percent);
  EXPECT_EQ(c.stop->distance.type, value_type::number);
}

TEST(rule_compiler, maps_functions_to_catalog_entries) {
  auto specs_of = [](std::string_view text) {
    auto r = compile_rules(text);
    EXPECT_TRUE(r.ok()) << r.error().text();
    return r ? spec_texts(r.value()) : std::vector<std::string>{};
  };
  EXPECT_EQ(specs_of("ema(close, 20) > ema(20) and wma(5) > 0 and stdev(10) > zscore(close, 10)"),
            (std::vector<std::string>{"ema:20", "wma:5", "stdev:10", "zscore:10"}));
  EXPECT_EQ(specs_of("avg(close, 20) == sma(20) and lowest(low, 10) < highest(close, 5)"),
            (std::vector<std::string>{"sma:20", "lowest:low:10", "highest:close:5"}));
  EXPECT_EQ(specs_of("volume_ratio > 2 and volume_ratio(10) > 2 and vwap < close and obv > obv()[1]"),
            (std::vector<std::string>{"volratio:20", "volratio:10", "vwap", "obv"}));
  EXPECT_EQ(specs_of("bb(20, 2).lower > close and bb(20, 2.5).upper > close and stoch(14, 3, 3).d < 20"),
            (std::vector<std::string>{"bb:20:2", "bb:20:2.5", "stoch:14:3:3"}));
  EXPECT_EQ(specs_of("adx(14) > 25 and adx(14).plus_di > adx(14).minus_di and roc(10) > 0 and rvwap(20) < close"),
            (std::vector<std::string>{"adx:14", "roc:10", "rvwap:20"}));
  EXPECT_EQ(specs_of("sma(volume, 20) > 0 and pe < 15 and abs(gap_pct) < max(1, min(2, 3))"),
            (std::vector<std::string>{"avg:volume:20", "gap"}));
}

TEST(rule_compiler, reads_stops_targets_and_sizes) {
  auto r = compile_rules("entry: close > 1\nsize: risk 1%\nstop: 5%\ntarget: 3 * atr(14)");
  ASSERT_TRUE(r.ok()) << r.error().text();
  auto& c = r.value();
  ASSERT_TRUE(c.stop && c.target && c.size);
  EXPECT_TRUE(c.stop->is_percent);
  EXPECT_DOUBLE_EQ(c.stop->fraction, 0.05);
  EXPECT_FALSE(c.target->is_percent);
  EXPECT_EQ(c.target->distance.text, "3 * atr(14)");
  EXPECT_EQ(c.size->kind, sizing_kind::risk_percent);
  EXPECT_TRUE(c.exit.empty());
}

TEST(rule_compiler, a_bare_expression_is_the_entry_rule) {
  auto r = compile_rules("rsi(14) < 30");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.value().entry.empty());
  EXPECT_EQ(r.value().entry.text, "rsi(14) < 30");
}

TEST(rule_compiler, compiles_number_expressions_for_screens) {
  auto r = compile_expression("close / sma(close, 50) - 1", value_type::number);
  ASSERT_TRUE(r.ok()) << r.error().text();
  EXPECT_EQ(r.value().entry.type, value_type::number);
  auto bad = compile_expression("close > 1", value_type::number);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().text(),
            "1:1: the entry expression must be a number, but it is true/false\nclose > 1\n^");
}

TEST(rule_compiler, type_errors_say_which_side_is_wrong) {
  EXPECT_EQ(error_of("close + (open > 1) > 3"),
            "1:7: \"+\" needs numbers on both sides, but the right side is true/false\nclose + (open > 1) > 3\n      ^");
  EXPECT_EQ(error_of("rsi(14) and close > 1"),
            "1:9: \"and\" joins true/false conditions, but the left side is a number (compare it, e.g. rsi(14) < 30)\nrsi(14) and close > 1\n        ^");
  EXPECT_EQ(error_of("(close > 1) < 3"),
            "1:13: \"<\" compares numbers, but the left side is true/false\n(close > 1) < 3\n            ^");
  EXPECT_EQ(error_of("not close"),
            "1:1: \"not\" needs a true/false condition, but this is a number (compare it, e.g. not (rsi(14) > 70))\nnot close\n^");
  EXPECT_EQ(error_of("-(close > 1)"),
            "1:1: \"-\" needs a number, but this is true/false\n-(close > 1)\n^");
  EXPECT_EQ(error_of("entry: close\n"),
            "1:8: the entry rule must be true or false, but it is a number (compare it, e.g. close > sma(close, 50))\nentry: close\n       ^");
  EXPECT_EQ(error_of("entry: close > 1\nstop: close > 2"),
            "2:7: the stop must be a number (a price distance like 2 * atr(14), or a percent like 5%), but it is true/false\nstop: close > 2\n      ^");
  EXPECT_EQ(error_of("crosses_above(close > 1, 2)"),
            "1:21: the arguments of crosses_above must be numbers, but this is true/false\ncrosses_above(close > 1, 2)\n                    ^");
}

TEST(rule_compiler, unknown_names_suggest_the_nearest_known_one) {
  EXPECT_EQ(error_of("clsoe > 1"),
            "1:1: unknown name \"clsoe\" (did you mean \"close\"?)\nclsoe > 1\n^");
  EXPECT_EQ(error_of("rsl(14) < 30"),
            "1:1: unknown function \"rsl\" (did you mean \"rsi\"?)\nrsl(14) < 30\n^");
  EXPECT_EQ(error_of("close > banana"), "1:9: unknown name \"banana\"\nclose > banana\n        ^");
  EXPECT_EQ(error_of("rsi < 30"),
            "1:1: \"rsi\" is a function: write it with its arguments, like rsi(14)\nrsi < 30\n^");
  EXPECT_EQ(error_of("close > eps_surprise"),
            "1:9: unknown name \"eps_surprise\" (did you mean \"eps_surprise_pct\"?)\nclose > eps_surprise\n        ^");
}

TEST(rule_compiler, wrong_arguments_are_named) {
  EXPECT_EQ(headline("rsi(14, 2, 3) < 30"),
            "1:1: \"rsi\" takes 1 or 2 arguments (rsi(PERIOD) or rsi(close, PERIOD)), got 3 arguments");
  EXPECT_EQ(headline("macd(12, 26) > 0"),
            "1:1: \"macd\" takes 3 arguments (FAST, SLOW, SIGNAL), got 2 arguments");
  EXPECT_EQ(headline("highest(20) > 0"), "1:1: \"highest\" takes 2 arguments (FIELD, PERIOD), got 1 argument");
  EXPECT_EQ(headline("crosses_above(close) "), "1:1: \"crosses_above\" takes 2 arguments (a, b), got 1 argument");
  EXPECT_EQ(headline("rsi(0) < 30"), "1:5: the period of rsi must be a whole number from 1 to 100000");
  EXPECT_EQ(headline("sma(close, 2.5) < 30"), "1:12: the period of sma must be a whole number from 1 to 100000");
  EXPECT_EQ(headline("highest(price, 20) > 0"), "1:9: the first argument of highest must be a bar field (open high low close volume)");
  EXPECT_EQ(headline("ema(volume, 20) > 0"), "1:5: \"ema\" reads the close only (write ema(close, N) or ema(N))");
  EXPECT_EQ(headline("bb(20, 2) > close"), "1:1: \"bb\" has several columns: pick one with .upper, .middle or .lower");
  EXPECT_EQ(headline("macd(12, 26, 9).sig > 0"), "1:17: \"macd\" has no column \"sig\" (write .line, .signal or .hist)");
  EXPECT_EQ(headline("rsi(14).value > 0"), "1:9: \"rsi\" has one value, no columns to pick (only macd, bb, adx and stoch have columns)");
  EXPECT_EQ(headline("close.high > 0"), "1:7: only indicator calls have columns, like macd(12, 26, 9).signal");
  EXPECT_EQ(headline("bb(20, 0).upper > 0"), "1:8: argument 2 of bb must be a positive number");
  EXPECT_EQ(headline("gap_pct(3) > 0"), "1:1: \"gap_pct\" takes no arguments, got 1 argument");
}

TEST(rule_compiler, percent_literals_belong_to_size_stop_and_target) {
  EXPECT_EQ(error_of("gap_pct > 3%"),
            "1:11: a percent like 3% is only allowed in size:, stop: and target: (gap_pct and the other _pct values are already in percent points: write 3)\ngap_pct > 3%\n          ^");
  EXPECT_EQ(headline("entry: close > 1\nstop: 0%"), "2:7: a stop percent must be above 0% and below 100%");
}

TEST(rule_compiler, sizing_needs_what_it_depends_on) {
  EXPECT_EQ(error_of("entry: close > 1\nsize: risk 1%"),
            "2:7: risk sizing needs a stop: section (the risk is the distance to the stop)\nsize: risk 1%\n      ^");
  EXPECT_EQ(headline("exit: close > 1"), "1:1: the rules have no entry: or short_entry: section");
  EXPECT_EQ(error_of("short_entry: close < 1\nshort_exit: close > 2"), "(compiled)");
}

TEST(rule_compiler, look_back_beyond_the_limit_is_refused_even_when_summed) {
  EXPECT_EQ(headline("close[600][400] > 0"), "(compiled)");
  EXPECT_EQ(headline("close[600][401] > 0"), "1:6: a look-back of 1001 bars is beyond the limit of 1000");
  EXPECT_EQ(headline("crosses_above(close, open)[999]"), "(compiled)");
  EXPECT_EQ(headline("crosses_above(close, open)[1000]"),
            "1:1: a look-back of 1001 bars is beyond the limit of 1000");
}

TEST(rule_compiler, programs_beyond_the_op_limit_are_refused) {
  // close + open + open ... > 0: each term is 2 ops (a literal would fold
  // into the add), the comparison with 0 one more.
  std::string text = "close";
  for (int i = 0; i < 300; ++i)
    text += "+open";
  text += " > 0";
  EXPECT_EQ(headline(text), "1:1: the entry rule compiles to 602 operations, more than the limit of 512");
  std::string fits = "close";
  for (int i = 0; i < 250; ++i)
    fits += "+open";
  fits += " > 0";
  EXPECT_EQ(headline(fits), "(compiled)");
}

TEST(rule_compiler, rebases_columns_onto_the_signal_extras) {
  auto r = compile_rules("rsi(14) < 30 and close > sma(close, 50)[1]");
  ASSERT_TRUE(r.ok());
  auto c = r.value();
  auto extras = ind::parse_indicator_list("macd:12:26:9,sma:50,atr:14,rsi:14");
  EXPECT_TRUE(rebase_onto(c, extras).empty());
  EXPECT_EQ(c.width, 6);
  EXPECT_EQ(c.rings[0].index, 3);  // sma_50 is column 3 of the extras
  bool reads_rsi_at_5 = false;
  for (auto& o : c.entry.ops)
    reads_rsi_at_5 |= o.code == opcode::column && o.index == 5;
  EXPECT_TRUE(reads_rsi_at_5);
  auto d = r.value();
  EXPECT_EQ(rebase_onto(d, ind::parse_indicator_list("sma:50")), (std::vector<std::string>{"rsi:14"}));
  EXPECT_EQ(d.specs.size(), 2u);
}
