// osprey optimize: parameter search and walk-forward over real backtests.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "runtime/config.hpp"
#include "runtime/optimize_command.hpp"

using namespace osprey;

namespace {

const std::string goog = std::string{OSPREY_SHARED_DATA} + "/market/GOOG_daily_2004-2013.csv";

#define NEED_GOOG()                                                                             \
  if (!std::filesystem::exists(goog))                                                           \
  FAIL() << "shared market data not found: " << goog

optimize_options grid_on_goog(size_t workers) {
  optimize_options o;
  o.base.data = {goog};
  o.base.progress = false;
  o.params = "strategy.volume_factor=1.0..1.5:0.5,signal.high_period=10..20:10";
  o.method = "grid";
  o.objective = "total_return";
  o.search.workers = workers;
  return o;
}

std::string scratch(const std::string& name) {
  std::string file = "osprey-opt-";
  file += std::to_string(::getpid());
  file += '-';
  file += name;
  return (std::filesystem::temp_directory_path() / file).string();
}

} // namespace

TEST(config_space, keeps_the_settings_names_and_the_value_syntax) {
  auto cs = parse_config_space("strategy.volume_factor=1..3:0.5, signal.high_period=10..40:5");
  ASSERT_EQ(cs.keys.size(), 2u);
  EXPECT_EQ(cs.keys[0], "strategy.volume_factor");
  EXPECT_EQ(cs.keys[1], "signal.high_period");
  EXPECT_EQ(cs.space.params[0].kind, param_kind::real);
  EXPECT_EQ(cs.space.params[0].value_count(), 5u);
  EXPECT_EQ(cs.space.params[1].kind, param_kind::integer);
  EXPECT_EQ(cs.space.params[1].value_count(), 7u);

  auto first = first_values(cs);
  auto over = trial_overrides({"risk.max_position=5"}, first, cs);
  ASSERT_EQ(over.size(), 3u);
  EXPECT_EQ(over[0], "risk.max_position=5");
  EXPECT_EQ(over[1], "strategy.volume_factor=1");
  EXPECT_EQ(over[2], "signal.high_period=10");
  name_by_keys(first, cs);
  EXPECT_EQ(set_line(first), "--set strategy.volume_factor=1 --set signal.high_period=10");
}

TEST(config_space, errors_name_the_setting_as_typed) {
  try {
    parse_config_space("strategy.volume_factor=3..1");
    FAIL() << "a reversed range was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string{e.what()}.find("strategy.volume_factor=3..1"), std::string::npos)
      << e.what();
  }
  EXPECT_THROW(parse_config_space("volume_factor=1..3"), std::invalid_argument);
  EXPECT_THROW(parse_config_space(""), std::invalid_argument);
}

TEST(walk_forward_spec, reads_bars_and_refuses_nonsense) {
  auto s = parse_walk_forward_spec("500:100", false);
  EXPECT_EQ(s.in_sample, 500);
  EXPECT_EQ(s.out_of_sample, 100);
  EXPECT_EQ(s.step, 0);
  auto a = parse_walk_forward_spec("300:50:100", true);
  EXPECT_TRUE(a.anchored);
  EXPECT_EQ(a.step, 100);
  EXPECT_THROW(parse_walk_forward_spec("500", false), std::invalid_argument);
  EXPECT_THROW(parse_walk_forward_spec("500:0", false), std::invalid_argument);
  EXPECT_THROW(parse_walk_forward_spec("5x:10", false), std::invalid_argument);
}

TEST(optimize_backtests, an_unknown_setting_fails_with_the_configs_error_before_any_trial) {
  optimize_options o;
  o.base.data = {"/nonexistent/never-read.csv"}; // a trial would fail on the file instead
  o.params = "strategy.volume_factr=1..2";
  try {
    optimize_backtests(o);
    FAIL() << "an unknown setting was accepted";
  } catch (const config_error& e) {
    EXPECT_NE(std::string{e.what()}.find("volume_factr"), std::string::npos) << e.what();
  }
  std::ostringstream out, err;
  EXPECT_EQ(optimize_command(o, out, err), 2);
  EXPECT_NE(err.str().find("volume_factr"), std::string::npos) << err.str();
  EXPECT_TRUE(out.str().empty());
}

TEST(optimize_backtests, the_best_trial_is_what_a_direct_backtest_with_its_settings_gives) {
  NEED_GOOG();
  auto r = optimize_backtests(grid_on_goog(2));
  ASSERT_EQ(r.trials.size(), 4u);
  ASSERT_TRUE(r.best);
  auto& best = r.best_trial();
  EXPECT_EQ(best.params.values[0].name, "strategy.volume_factor");
  // The settings really vary the backtest: not every trial is the same.
  bool differs = false;
  for (auto& t : r.trials)
    differs |= t.metrics.at("total_return") != best.metrics.at("total_return");
  EXPECT_TRUE(differs);

  backtest_options direct;
  direct.data = {goog};
  direct.progress = false;
  for (auto& v : best.params.values)
    direct.overrides.push_back(v.name + "=" + v.text);
  std::ostringstream ignored;
  auto run = run_backtest(direct, ignored);
  auto m = search_metrics(run);
  EXPECT_EQ(m, best.metrics);
  EXPECT_EQ(best.metrics.at("trades"), static_cast<double>(run.trades.size()));
  for (auto& t : r.trials)
    EXPECT_LE(t.metrics.at("total_return"), best.metrics.at("total_return"));
}

TEST(optimize_backtests, one_and_four_workers_give_identical_results) {
  NEED_GOOG();
  auto one = optimize_backtests(grid_on_goog(1));
  auto four = optimize_backtests(grid_on_goog(4));
  ASSERT_EQ(one.trials.size(), four.trials.size());
  for (size_t i = 0; i < one.trials.size(); ++i) {
    EXPECT_EQ(one.trials[i].params.to_string(), four.trials[i].params.to_string());
    EXPECT_EQ(one.trials[i].metrics, four.trials[i].metrics) << "trial " << i;
  }
  EXPECT_EQ(one.ranking, four.ranking);
  EXPECT_EQ(format_search_json(one), format_search_json(four));
}

TEST(optimize_command, prints_the_ranking_and_a_ready_set_line) {
  NEED_GOOG();
  std::ostringstream out, err;
  ASSERT_EQ(optimize_command(grid_on_goog(2), out, err), 0) << err.str();
  EXPECT_NE(out.str().find("best: --set strategy.volume_factor="), std::string::npos)
    << out.str();
  auto j = grid_on_goog(2);
  j.json = true;
  std::ostringstream jout;
  ASSERT_EQ(optimize_command(j, jout, err), 0) << err.str();
  EXPECT_EQ(jout.str().rfind("{\"search\":{", 0), 0u) << jout.str().substr(0, 200);
  EXPECT_NE(jout.str().find("\"best_set\":\"--set strategy.volume_factor="), std::string::npos);
}

TEST(optimize_command, a_constraint_nothing_meets_exits_1) {
  NEED_GOOG();
  auto o = grid_on_goog(2);
  o.constraints = "trades>=100000";
  std::ostringstream out, err;
  EXPECT_EQ(optimize_command(o, out, err), 1);
  EXPECT_NE(err.str().find("no trial is feasible"), std::string::npos) << err.str();
}

TEST(history_csv, round_trips_the_bars_exactly) {
  NEED_GOOG();
  backtest_options o;
  o.data = {goog};
  auto h = load_bar_history(o);
  ASSERT_GT(h.times.size(), 2000u);
  auto path = scratch("round-trip.csv");
  write_history_csv(path, h, h.times[100], h.times[199]);
  backtest_options w;
  w.data = {path};
  auto back = load_bar_history(w);
  std::filesystem::remove(path);
  ASSERT_EQ(back.bars.size(), 100u);
  EXPECT_EQ(back.symbols, h.symbols);
  for (size_t i = 0; i < back.bars.size(); ++i) {
    auto& a = h.bars[100 + i];
    auto& b = back.bars[i];
    EXPECT_EQ(a.ts_ns, b.ts_ns);
    EXPECT_EQ(a.open, b.open);
    EXPECT_EQ(a.high, b.high);
    EXPECT_EQ(a.low, b.low);
    EXPECT_EQ(a.close, b.close);
    EXPECT_EQ(a.volume, b.volume);
    EXPECT_EQ(a.interval_s, b.interval_s);
  }
}

TEST(walk_forward_backtests, lays_out_the_windows_and_stitches_from_the_starting_cash) {
  NEED_GOOG();
  auto o = grid_on_goog(2);
  o.walk_forward = "1000:250";
  std::ostringstream log;
  auto r = walk_forward_backtests(o, log);
  // 2148 bars: windows start every 250 bars while 1000 + 250 fit: k = 0..3.
  EXPECT_EQ(r.times.size(), 2148u);
  ASSERT_EQ(r.windows.size(), 4u);
  ASSERT_EQ(r.report.windows.size(), 4u);
  EXPECT_EQ(r.windows[3].oos_end, 2000u);
  ASSERT_FALSE(r.report.stitched_equity.empty());
  EXPECT_DOUBLE_EQ(r.report.stitched_equity.front(), r.starting_cash);
  EXPECT_GT(r.starting_cash, 0);
  // Each out-of-sample curve has its opening point and one point per bar.
  EXPECT_EQ(r.report.stitched_equity.size(), 1u + 4u * 250u);
  ASSERT_EQ(r.report.stability.size(), 2u);
  EXPECT_EQ(r.report.stability[0].name, "strategy.volume_factor");
  for (auto& w : r.report.windows)
    EXPECT_EQ(w.params.values.size(), 2u);
  EXPECT_NE(log.str().find("window 3"), std::string::npos);

  std::ostringstream text, json;
  write_walk_forward_text(text, r);
  EXPECT_NE(text.str().find("stitched out-of-sample equity"), std::string::npos) << text.str();
  write_walk_forward_json(json, r);
  EXPECT_EQ(json.str().rfind("{\"in_sample_bars\":1000", 0), 0u) << json.str().substr(0, 200);
}

TEST(walk_forward_backtests, plans_over_the_union_of_several_files_bar_times) {
  NEED_GOOG();
  const std::string ko = std::string{OSPREY_SHARED_DATA} + "/market/KO_daily_2012-2014.csv";
  if (!std::filesystem::exists(ko))
    FAIL() << "shared market data not found: " << ko;
  backtest_options both;
  both.data = {goog, ko};
  auto h = load_bar_history(both);
  ASSERT_EQ(h.symbols.size(), 2u);
  backtest_options g;
  g.data = {goog};
  auto goog_times = load_bar_history(g).times.size();
  EXPECT_GT(h.times.size(), goog_times); // KO runs on past GOOG's last day
  EXPECT_LT(h.times.size(), h.bars.size()); // shared days count once

  auto o = grid_on_goog(2);
  o.base.data = {goog, ko};
  o.params = "signal.high_period=10..20:10";
  o.walk_forward = "300:100:150";
  o.anchored = true;
  std::ostringstream log;
  auto r = walk_forward_backtests(o, log);
  ASSERT_FALSE(r.windows.empty());
  EXPECT_EQ(r.windows.back().is_begin, 0u);
  EXPECT_EQ(r.times.size(), h.times.size());
  EXPECT_DOUBLE_EQ(r.report.stitched_equity.front(), r.starting_cash);
}
