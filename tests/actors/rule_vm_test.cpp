#include "actors/rule_vm.hpp"

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

using namespace osprey::rules;
namespace ind = osprey::ind;

namespace {

constexpr int64_t day_ns = 86'400'000'000'000;

// A short series whose every value below is computed by hand.
//  i  open  high   low  close  volume
const ind::bar_input bars[] = {
  {10.0, 11.0, 9.0, 10.0, 100},  // 0
  {10.5, 12.0, 10.0, 11.0, 200}, // 1
  {11.0, 13.0, 10.5, 12.0, 300}, // 2
  {12.5, 12.8, 11.0, 11.5, 400}, // 3
  {11.0, 12.0, 10.0, 10.0, 1000}, // 4
  {10.0, 14.0, 9.5, 13.0, 500},  // 5
};
constexpr int bar_count = 6;

// The truth of a rule on every bar.
std::vector<int> truth(std::string_view text, const fundamentals* extra = nullptr) {
  auto r = compile_rules(text);
  EXPECT_TRUE(r.ok()) << r.error().text();
  if (!r)
    return {};
  rule_runner run{r.value()};
  std::vector<int> out;
  for (int i = 0; i < bar_count; ++i) {
    run.step(bars[i], (i + 1) * day_ns, extra);
    out.push_back(run.entry() ? 1 : 0);
  }
  return out;
}

// Evaluates a number program with its own history (rule_runner's state is private).
double value_at(std::string_view text, int bar) {
  auto r = compile_expression(text, value_type::number);
  EXPECT_TRUE(r.ok()) << r.error().text();
  if (!r)
    return -12345;
  auto& c = r.value();
  ind::indicator_set set{c.indicators()};
  std::vector<double> cols(set.width());
  rule_state state{c};
  bar_view view;
  for (int i = 0; i <= bar; ++i) {
    set.update(bars[i], i, cols.data());
    view = bar_view{bars[i].open, bars[i].high, bars[i].low, bars[i].close, bars[i].volume,
                    (i + 1) * day_ns, cols, nullptr};
    state.push(view);
  }
  return evaluate_value(c.entry, view, state);
}

} // namespace

TEST(rule_vm, arithmetic_follows_precedence) {
  EXPECT_DOUBLE_EQ(value_at("close - open * 2", 5), -7.0);
  EXPECT_DOUBLE_EQ(value_at("(close - open) * 2", 5), 6.0);
  EXPECT_DOUBLE_EQ(value_at("-close / 2 + 1", 5), -5.5);
  EXPECT_DOUBLE_EQ(value_at("abs(open - close) + min(high, low) + max(1, 2)", 5), 3 + 9.5 + 2);
  EXPECT_TRUE(std::isnan(value_at("close / (open - 10)", 5))) << "dividing by zero is missing";
}

TEST(rule_vm, fields_and_look_backs_read_the_right_bar) {
  EXPECT_DOUBLE_EQ(value_at("close[1]", 5), 10.0);
  EXPECT_DOUBLE_EQ(value_at("high[5]", 5), 11.0);
  EXPECT_DOUBLE_EQ(value_at("(close - open)[2]", 5), -1.0);
  EXPECT_DOUBLE_EQ(value_at("volume[1][1]", 5), 400.0);
  EXPECT_TRUE(std::isnan(value_at("close[1]", 0))) << "no bar before the first";
  EXPECT_TRUE(std::isnan(value_at("high[6]", 5)));
}

TEST(rule_vm, indicator_functions_match_hand_computed_values) {
  EXPECT_TRUE(std::isnan(value_at("sma(close, 3)", 1)));
  EXPECT_DOUBLE_EQ(value_at("sma(close, 3)", 2), 11.0);
  EXPECT_DOUBLE_EQ(value_at("sma(close, 3)", 5), 11.5);
  EXPECT_DOUBLE_EQ(value_at("sma(close, 3)[1]", 5), (12 + 11.5 + 10) / 3.0);
  EXPECT_NEAR(value_at("avg(volume, 3)", 4), 1700.0 / 3, 1e-9);
  EXPECT_DOUBLE_EQ(value_at("sma(volume, 2)", 5), 750.0);
  EXPECT_DOUBLE_EQ(value_at("highest(high, 3)", 4), 13.0);
  EXPECT_DOUBLE_EQ(value_at("highest(high, 3)[1]", 5), 13.0);
  EXPECT_DOUBLE_EQ(value_at("highest(high, 3)", 5), 14.0);
  EXPECT_DOUBLE_EQ(value_at("lowest(low, 2)", 5), 9.5);
  EXPECT_DOUBLE_EQ(value_at("lowest(low, 2)[1]", 5), 10.0);
  EXPECT_NEAR(value_at("gap_pct", 3), 100.0 * 0.5 / 12.0, 1e-12);
  EXPECT_TRUE(std::isnan(value_at("gap_pct", 0)));
  EXPECT_NEAR(value_at("volume_ratio(3)", 4), 1000.0 / 300.0, 1e-12);
  EXPECT_TRUE(std::isnan(value_at("volume_ratio(3)", 2)));
  EXPECT_DOUBLE_EQ(value_at("ema(close, 2)", 1), 10.5);
  EXPECT_DOUBLE_EQ(value_at("ema(close, 2)", 2), 11.5);
  // rsi(2): changes +1 +1 -0.5; seed gain 1, loss 0 -> 100 at bar 2; then
  // gain (1 + 0) / 2 = 0.5, loss (0 + 0.5) / 2 = 0.25, RS 2 -> 66.67.
  EXPECT_DOUBLE_EQ(value_at("rsi(2)", 2), 100.0);
  EXPECT_NEAR(value_at("rsi(2)", 3), 100.0 - 100.0 / 3.0, 1e-9);
  EXPECT_DOUBLE_EQ(value_at("roc(2)", 2), 20.0);
}

TEST(rule_vm, rules_are_false_while_warming_up) {
  EXPECT_EQ(truth("close > close[1]"), (std::vector<int>{0, 1, 1, 0, 0, 1}));
  EXPECT_EQ(truth("not (close <= close[1])"), (std::vector<int>{0, 1, 1, 0, 0, 1}));
  EXPECT_EQ(truth("close > sma(close, 3)"), (std::vector<int>{0, 0, 1, 0, 0, 1}));
  EXPECT_EQ(truth("close > highest(high, 3)[1]"), (std::vector<int>{0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(truth("high > highest(high, 3)[1]"), (std::vector<int>{0, 0, 0, 0, 0, 1}));
}

TEST(rule_vm, crosses_count_an_exactly_equal_previous_bar_as_below) {
  // close: 10 11 12 11.5 10 13 against 11.
  EXPECT_EQ(truth("crosses_above(close, 11)"), (std::vector<int>{0, 0, 1, 0, 0, 1}));
  EXPECT_EQ(truth("crosses_below(close, 11)"), (std::vector<int>{0, 0, 0, 0, 1, 0}));
  // Touching is not crossing: 10 -> 11 ends equal.
  EXPECT_EQ(truth("crosses_above(close, 11)[3]"), (std::vector<int>{0, 0, 0, 0, 0, 1}));
  // Warm-up: the cross needs both bars of both sides.
  EXPECT_EQ(truth("crosses_above(close, sma(close, 2))"), (std::vector<int>{0, 0, 0, 0, 0, 1}));
}

TEST(rule_vm, a_missing_fundamental_makes_comparisons_unknown_and_rules_false) {
  EXPECT_EQ(truth("pe < 15"), (std::vector<int>{0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(truth("not (pe < 15)"), (std::vector<int>{0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(truth("pe != 3"), (std::vector<int>{0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(truth("pe < 15 or close > 11"), (std::vector<int>{0, 0, 1, 1, 0, 1}));
  EXPECT_EQ(truth("pe < 15 and close > 0"), (std::vector<int>{0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(truth("pe > 15 and close < 0"), (std::vector<int>{0, 0, 0, 0, 0, 0}));
  fundamentals f;
  f.pe = 12;
  f.sentiment = 0.4;
  EXPECT_EQ(truth("pe < 15 and sentiment > 0.3", &f), (std::vector<int>{1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(truth("pe < 15 and mentions > 0", &f), (std::vector<int>{0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(truth("pe < 15 and pe[1] < 15", &f), (std::vector<int>{0, 1, 1, 1, 1, 1}));
}

TEST(rule_vm, trace_lists_every_comparison_with_its_values) {
  auto r = compile_rules("close > sma(close, 3) and volume > 2 * avg(volume, 2) or pe < 15");
  ASSERT_TRUE(r.ok());
  rule_runner run{r.value()};
  for (int i = 0; i <= 4; ++i)
    run.step(bars[i], (i + 1) * day_ns);
  rule_trace trace;
  EXPECT_FALSE(run.entry(&trace));
  ASSERT_EQ(trace.count, 3);
  EXPECT_DOUBLE_EQ(trace.items[0].left, 10.0);
  EXPECT_NEAR(trace.items[0].right, 33.5 / 3, 1e-12);
  EXPECT_EQ(trace.items[0].result, 0);
  EXPECT_DOUBLE_EQ(trace.items[1].right, 1400.0);
  EXPECT_EQ(trace.items[2].result, -1);
  EXPECT_EQ(explain(r.value().entry, trace),
            "close > sma(close, 3): 10 > 11.1667 false; volume > 2 * avg(volume, 2): 1000 > 1400 "
            "false; pe < 15: missing < 15 unknown");
  run.step(bars[5], 6 * day_ns);
  EXPECT_FALSE(run.entry(&trace));
  EXPECT_EQ(trace.items[0].result, 1);
  EXPECT_EQ(trace.count, 3);
}

TEST(rule_vm, evaluates_straight_from_a_signal_values_array) {
  // The signal actor's path: indicator columns computed elsewhere, read by index.
  auto r = compile_rules("rsi(14) < 30 and macd(12, 26, 9).hist > 0");
  ASSERT_TRUE(r.ok());
  double values[] = {25.0, 0.1, 0.05, 0.02}; // rsi_14, macd line, signal, hist
  rule_state state{r.value()};
  bar_view v;
  v.close = 100;
  v.indicators = values;
  state.push(v);
  EXPECT_TRUE(evaluate(r.value().entry, v, state));
  values[3] = -0.01;
  EXPECT_FALSE(evaluate(r.value().entry, v, state));
  v.indicators = {};
  EXPECT_FALSE(evaluate(r.value().entry, v, state)) << "absent columns are missing, not a crash";
}

TEST(rule_vm, state_keeps_only_the_history_it_needs) {
  auto r = compile_rules("close[3] > 0");
  ASSERT_TRUE(r.ok());
  rule_state state{r.value()};
  bar_view v;
  for (int i = 1; i <= 10; ++i) {
    v.close = i;
    state.push(v);
    if (i > 3)
      EXPECT_DOUBLE_EQ(state.past(0, 3), i - 3.0);
    else
      EXPECT_TRUE(std::isnan(state.past(0, 3)));
    EXPECT_DOUBLE_EQ(state.past(0, 0), i);
  }
  EXPECT_EQ(state.bars(), 10u);
  state.reset();
  EXPECT_TRUE(std::isnan(state.past(0, 0)));
}

TEST(rule_vm, crossover_on_real_data_matches_an_independent_recomputation) {
  // Read with a minimal reader: the actors test binary does not link the
  // adapters library that holds csv_replay.
  std::string path = OSPREY_SHARED_DATA "/market/GOOG_daily_2004-2013.csv";
  std::ifstream in{path};
  if (!in)
    FAIL() << path << " is absent";
  std::vector<ind::bar_input> data;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::stringstream ss{line};
    std::string date, f[5];
    std::getline(ss, date, ',');
    for (auto& x : f)
      std::getline(ss, x, ',');
    data.push_back({std::stod(f[0]), std::stod(f[1]), std::stod(f[2]), std::stod(f[3]), std::stod(f[4])});
  }
  ASSERT_GT(data.size(), 2000u);
  auto r = compile_rules("crosses_above(sma(close, 10), sma(close, 30)) and volume > avg(volume, 20)");
  ASSERT_TRUE(r.ok());
  rule_runner run{r.value()};
  auto mean = [&](size_t t, size_t n, auto get) {
    double s = 0;
    for (size_t k = t + 1 - n; k <= t; ++k)
      s += get(data[k]);
    return s / static_cast<double>(n);
  };
  auto close = [](const ind::bar_input& b) { return b.close; };
  auto volume = [](const ind::bar_input& b) { return b.volume; };
  size_t matches = 0, fired = 0;
  for (size_t t = 0; t < data.size(); ++t) {
    run.step(data[t], static_cast<int64_t>(t + 1) * day_ns);
    bool got = run.entry();
    bool want = false;
    if (t >= 30) {
      bool now = mean(t, 10, close) > mean(t, 30, close);
      bool before = mean(t - 1, 10, close) <= mean(t - 1, 30, close);
      want = now && before && data[t].volume > mean(t, 20, volume);
    }
    EXPECT_EQ(got, want) << "bar " << t;
    matches += got == want;
    fired += got;
  }
  EXPECT_EQ(matches, data.size());
  EXPECT_GT(fired, 10u);
}

TEST(rule_vm, literals_fold_into_operations_with_the_same_values) {
  // bar 5: open 10, high 14, low 9.5, close 13, volume 500.
  EXPECT_DOUBLE_EQ(value_at("close - 3", 5), 10.0);
  EXPECT_DOUBLE_EQ(value_at("3 - close", 5), -10.0);
  EXPECT_DOUBLE_EQ(value_at("2 * close + 1", 5), 27.0);
  EXPECT_DOUBLE_EQ(value_at("close / 4", 5), 3.25);
  EXPECT_DOUBLE_EQ(value_at("52 / close", 5), 4.0);
  EXPECT_DOUBLE_EQ(value_at("1 + 2 * 3 - close", 5), -6.0);
  EXPECT_TRUE(std::isnan(value_at("close / 0", 5))) << "dividing by a literal zero is missing";
  EXPECT_TRUE(std::isnan(value_at("1 / 0 + close", 5))) << "folded 1 / 0 is missing too";
  auto folded = compile_expression("2 * 3 * close", value_type::number);
  ASSERT_TRUE(folded.ok());
  EXPECT_EQ(folded.value().entry.ops.size(), 2u) << "2 * 3 is computed once, then one fused multiply";
}

TEST(rule_vm, a_literal_on_the_left_of_a_comparison_keeps_its_side_in_the_trace) {
  auto r = compile_rules("12 < close and 20 >= high");
  ASSERT_TRUE(r.ok());
  rule_runner run{r.value()};
  for (int i = 0; i < bar_count; ++i)
    run.step(bars[i], (i + 1) * day_ns);
  rule_trace trace;
  EXPECT_TRUE(run.entry(&trace));
  EXPECT_EQ(explain(r.value().entry, trace),
            "12 < close: 12 < 13 true; 20 >= high: 20 >= 14 true");
  EXPECT_EQ(truth("12 < close"), (std::vector<int>{0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(truth("11.5 <= close"), (std::vector<int>{0, 0, 1, 1, 0, 1}));
}

TEST(rule_vm, and_or_cut_short_without_a_trace_give_the_full_answer) {
  // Without a trace `and` stops at a false left side, `or` at a true one;
  // unknowns still propagate as in full evaluation.
  EXPECT_EQ(truth("close > 100 and pe < 15"), (std::vector<int>(bar_count, 0)));
  EXPECT_EQ(truth("close > 0 or pe < 15"), (std::vector<int>(bar_count, 1)));
  EXPECT_EQ(truth("pe < 15 or close > 100"), (std::vector<int>(bar_count, 0)));
  EXPECT_EQ(truth("not (close > 100 and pe < 15)"), (std::vector<int>(bar_count, 1)));
  EXPECT_EQ(truth("not (close > 0 and pe < 15)"), (std::vector<int>(bar_count, 0)));
  EXPECT_EQ(truth("(close > 11 and volume > 250) or (close < 10.5 and volume < 150)"),
            (std::vector<int>{1, 0, 1, 1, 0, 1}));
  // With a trace every comparison runs, so the explanation is complete.
  auto r = compile_rules("close > 100 and volume > 0 and high > 0");
  ASSERT_TRUE(r.ok());
  rule_runner run{r.value()};
  run.step(bars[0], day_ns);
  rule_trace trace;
  EXPECT_FALSE(run.entry(&trace));
  EXPECT_EQ(trace.count, 3);
}
