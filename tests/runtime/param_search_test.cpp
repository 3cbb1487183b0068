#include "runtime/param_search.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "../support/thrown_by.hpp"

using namespace osprey;

namespace {

/// A smooth bowl with its maximum 0 at (x0, y0).
double bowl(double x, double y, double x0, double y0) {
  return -((x - x0) * (x - x0) + (y - y0) * (y - y0));
}

/// The objective the searches maximise: "sharpe" is the bowl at (1.3, -0.7);
/// "trades" is x + y so that constraints can cut the space.
trial_result bowl_objective(const param_set& p) {
  trial_result r;
  double x = p.number("x"), y = p.number("y");
  r.metrics["sharpe"] = bowl(x, y, 1.3, -0.7);
  r.metrics["trades"] = x + y;
  r.metrics["max_drawdown"] = std::abs(x) / 10;
  return r;
}

search_settings settings_for(search_method m, uint64_t seed, size_t workers = 1) {
  search_settings s;
  s.method = m;
  s.seed = seed;
  s.workers = workers;
  s.budget = 60;
  s.population = 12;
  s.generations = 6;
  return s;
}

using test::thrown_by;

void expect_same(const search_result& a, const search_result& b) {
  ASSERT_EQ(a.trials.size(), b.trials.size());
  for (size_t i = 0; i < a.trials.size(); ++i) {
    EXPECT_EQ(a.trials[i].params.to_string(), b.trials[i].params.to_string()) << i;
    EXPECT_EQ(a.trials[i].objective, b.trials[i].objective) << i;
    EXPECT_EQ(a.trials[i].feasible, b.trials[i].feasible) << i;
  }
  EXPECT_EQ(a.best, b.best);
  EXPECT_EQ(a.ranking, b.ranking);
}

const param_space real_space = parse_param_space("x=-5.0..5.0,y=-5.0..5.0");

} // namespace

TEST(param_search, parses_integer_real_log_and_choice_parameters) {
  auto s = parse_param_space("fast=5..50:5, slow=20..200:10,k=0.5..3.0,lr=0.001..1:log,mode=a|b|c,"
                             "h=0.1..0.5:0.1,w=1|2|5");
  ASSERT_EQ(s.params.size(), 7u);
  EXPECT_EQ(s.params[0].kind, param_kind::integer);
  EXPECT_EQ(s.params[0].value_count(), 10u);
  EXPECT_EQ(s.params[1].value_count(), 19u);
  EXPECT_EQ(s.params[2].kind, param_kind::real);
  EXPECT_EQ(s.params[2].value_count(), 0u);
  EXPECT_TRUE(s.params[3].log_scale);
  EXPECT_EQ(s.params[4].kind, param_kind::choice);
  EXPECT_EQ(s.params[4].choices, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(s.params[5].kind, param_kind::real);
  EXPECT_EQ(s.params[5].value_count(), 5u);
  EXPECT_EQ(s.params[6].value_count(), 3u);
}

TEST(param_search, parse_errors_name_the_entry) {
  EXPECT_NE(thrown_by([] { parse_param_space("fast=5..50:5,slow=20.."); }).find("\"slow=20..\""),
            std::string::npos);
  EXPECT_NE(thrown_by([] { parse_param_space("fast=50..5"); }).find("low bound is above"),
            std::string::npos);
  EXPECT_NE(thrown_by([] { parse_param_space("fast=5..50:0"); }).find("step"), std::string::npos);
  EXPECT_NE(thrown_by([] { parse_param_space("lr=0..1:log"); }).find("log scale"),
            std::string::npos);
  EXPECT_NE(thrown_by([] { parse_param_space("fast"); }).find("\"fast\""), std::string::npos);
  EXPECT_NE(thrown_by([] { parse_param_space("a=1..2,a=3..4"); }).find("twice"),
            std::string::npos);
  EXPECT_NE(thrown_by([] { parse_param_space("m=a||b"); }).find("empty choice"),
            std::string::npos);
  EXPECT_NE(thrown_by([] { parse_param_space("1x=1..2"); }).find("name"), std::string::npos);
  EXPECT_THROW(parse_param_space(""), std::invalid_argument);
}

TEST(param_search, objective_refuses_unknown_metric_and_lists_known_ones) {
  auto known = default_metric_names();
  auto msg = thrown_by([&] { parse_objective("sharp", known); });
  EXPECT_NE(msg.find("unknown metric \"sharp\""), std::string::npos);
  EXPECT_NE(msg.find("calmar"), std::string::npos);
  auto o = parse_objective("-max_drawdown", known);
  EXPECT_TRUE(o.minimise);
  EXPECT_EQ(o.metric, "max_drawdown");
}

TEST(param_search, constraints_parse_and_check) {
  auto known = default_metric_names();
  auto cs = parse_constraints("max_drawdown <= 0.2, trades>=10, sharpe > 0", known);
  ASSERT_EQ(cs.size(), 3u);
  EXPECT_EQ(cs[0].to_string(), "max_drawdown <= 0.2");
  EXPECT_EQ(cs[1].rel, metric_constraint::relation::greater_equal);
  EXPECT_EQ(cs[2].rel, metric_constraint::relation::greater);
  EXPECT_TRUE(cs[0].satisfied_by({{"max_drawdown", 0.2}}));
  EXPECT_FALSE(cs[0].satisfied_by({{"max_drawdown", 0.21}}));
  EXPECT_FALSE(cs[0].satisfied_by({})); // a missing metric fails
  EXPECT_FALSE(cs[2].satisfied_by({{"sharpe", 0.0}}));
  EXPECT_NE(thrown_by([&] { parse_constraints("drawdown <= 0.2", known); }).find("known:"),
            std::string::npos);
  EXPECT_NE(thrown_by([&] { parse_constraints("trades = 10", known); }).find("\"trades = 10\""),
            std::string::npos);
  EXPECT_NE(thrown_by([&] { parse_constraints("trades >= ten", known); }).find("number"),
            std::string::npos);
}

TEST(param_search, grid_enumerates_in_declared_order_last_fastest) {
  search_settings s;
  auto pts = grid_points(parse_param_space("a=1..2,m=x|y,k=0.0..1.0"), s);
  ASSERT_EQ(pts.size(), 2u * 2u * 5u);
  EXPECT_EQ(pts[0].to_string(), "a=1,m=x,k=0");
  EXPECT_EQ(pts[1].to_string(), "a=1,m=x,k=0.25");
  EXPECT_EQ(pts[5].to_string(), "a=1,m=y,k=0");
  EXPECT_EQ(pts.back().to_string(), "a=2,m=y,k=1");
}

TEST(param_search, grid_refuses_more_points_than_the_limit_unless_allowed) {
  search_settings s;
  s.max_grid_trials = 100;
  auto space = parse_param_space("a=1..11,b=1..10");
  EXPECT_NE(thrown_by([&] { grid_points(space, s); }).find("110 points"), std::string::npos);
  s.allow_large_grid = true;
  EXPECT_EQ(grid_points(space, s).size(), 110u);
}

TEST(param_search, grid_finds_the_maximum_exactly) {
  auto space = parse_param_space("x=-10..10,y=-10..10");
  auto f = [](const param_set& p) {
    trial_result r;
    r.metrics["sharpe"] = bowl(p.number("x"), p.number("y"), 3, -4);
    return r;
  };
  auto r = run_search(space, f, settings_for(search_method::grid, 1, 2));
  ASSERT_EQ(r.trials.size(), 441u);
  ASSERT_TRUE(r.best);
  EXPECT_EQ(r.best_trial().params.to_string(), "x=3,y=-4");
  EXPECT_EQ(r.best_trial().objective, 0.0);
  EXPECT_EQ(r.feasible_count, 441u);
}

TEST(param_search, random_tpe_and_genetic_get_close_within_a_fixed_budget) {
  for (auto m : {search_method::random, search_method::tpe, search_method::genetic}) {
    auto r = run_search(real_space, bowl_objective, settings_for(m, 7));
    ASSERT_TRUE(r.best) << to_string(m);
    // Seed 7 happens to be a poor one for random (-1.71); TPE and genetic
    // both reach -0.0006.
    double tolerance = m == search_method::random ? 2.0 : 0.01;
    EXPECT_GT(r.best_trial().objective, -tolerance) << to_string(m);
  }
}

TEST(param_search, tpe_beats_random_on_average_over_seeds) {
  double tpe_sum = 0, random_sum = 0;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    tpe_sum += run_search(real_space, bowl_objective, settings_for(search_method::tpe, seed))
                 .best_trial()
                 .objective;
    random_sum += run_search(real_space, bowl_objective, settings_for(search_method::random, seed))
                    .best_trial()
                    .objective;
  }
  EXPECT_GT(tpe_sum / 6, random_sum / 6);
}

TEST(param_search, one_and_four_workers_give_identical_results) {
  for (auto m : {search_method::grid, search_method::random, search_method::tpe,
                 search_method::genetic}) {
    auto space = m == search_method::grid ? parse_param_space("x=-5..5,y=-5..5") : real_space;
    auto a = run_search(space, bowl_objective, settings_for(m, 3, 1));
    auto b = run_search(space, bowl_objective, settings_for(m, 3, 4));
    SCOPED_TRACE(to_string(m));
    expect_same(a, b);
  }
}

TEST(param_search, the_same_seed_repeats_and_another_seed_differs) {
  auto a = run_search(real_space, bowl_objective, settings_for(search_method::tpe, 11, 2));
  auto b = run_search(real_space, bowl_objective, settings_for(search_method::tpe, 11, 2));
  auto c = run_search(real_space, bowl_objective, settings_for(search_method::tpe, 12, 2));
  expect_same(a, b);
  EXPECT_NE(a.trials[0].params.to_string(), c.trials[0].params.to_string());
}

TEST(param_search, genetic_runs_population_plus_children_of_each_generation) {
  auto s = settings_for(search_method::genetic, 5);
  auto r = run_search(real_space, bowl_objective, s);
  EXPECT_EQ(r.trials.size(), s.population + (s.generations - 1) * (s.population - s.elite));
}

TEST(param_search, infeasible_trials_rank_below_feasible_ones) {
  auto s = settings_for(search_method::grid, 1, 2);
  s.constraints = parse_constraints("trades >= 2", default_metric_names());
  auto r = run_search(parse_param_space("x=-5..5,y=-5..5"), bowl_objective, s);
  ASSERT_TRUE(r.best);
  // The unconstrained lattice optimum (1, -1) has x + y = 0; with x + y >= 2
  // the best is (2, 0) at -0.98 ((3, -1) and (1, 1) give -2.98).
  EXPECT_EQ(r.best_trial().params.to_string(), "x=2,y=0");
  EXPECT_NEAR(r.best_trial().objective, -(0.7 * 0.7 + 0.7 * 0.7), 1e-12);
  bool seen_infeasible = false;
  for (size_t idx : r.ranking) {
    if (!r.trials[idx].feasible)
      seen_infeasible = true;
    else
      EXPECT_FALSE(seen_infeasible) << "a feasible trial ranked after an infeasible one";
  }
  EXPECT_TRUE(seen_infeasible);
  EXPECT_LT(r.feasible_count, r.trials.size());
}

TEST(param_search, minimising_a_metric_negates_the_objective) {
  auto s = settings_for(search_method::grid, 1, 1);
  s.objective = parse_objective("-max_drawdown", default_metric_names());
  auto r = run_search(parse_param_space("x=-5..5,y=0..1"), bowl_objective, s);
  EXPECT_EQ(r.best_trial().params.number("x"), 0.0);
  EXPECT_EQ(r.best_trial().objective, -0.0);
}

TEST(param_search, a_throwing_objective_makes_an_infeasible_trial_with_its_error) {
  auto f = [](const param_set& p) -> trial_result {
    if (p.number("x") == 2)
      throw std::runtime_error("no data");
    trial_result r;
    r.metrics["sharpe"] = p.number("x");
    return r;
  };
  auto r = run_search(parse_param_space("x=1..2"), f, settings_for(search_method::grid, 1, 2));
  ASSERT_EQ(r.trials.size(), 2u);
  EXPECT_FALSE(r.trials[1].feasible);
  EXPECT_EQ(r.trials[1].error, "no data");
  EXPECT_EQ(r.best, std::optional<size_t>{0});
}

TEST(param_search, no_feasible_trial_leaves_no_best) {
  auto s = settings_for(search_method::grid, 1, 1);
  s.constraints = parse_constraints("trades >= 100", default_metric_names());
  auto r = run_search(parse_param_space("x=0..2,y=0..2"), bowl_objective, s);
  EXPECT_FALSE(r.best);
  EXPECT_THROW(r.best_trial(), std::logic_error);
  EXPECT_NE(format_search_text(r).find("no feasible trial"), std::string::npos);
}

TEST(param_search, choices_and_numbers_decode_and_format) {
  auto f = [](const param_set& p) {
    trial_result r;
    r.metrics["sharpe"] = (p.text("mode") == "b" ? 10 : 0) + p.number("w");
    return r;
  };
  auto r = run_search(parse_param_space("mode=a|b,w=1|2|5"), f,
                      settings_for(search_method::grid, 1, 1));
  EXPECT_EQ(r.best_trial().params.to_string(), "mode=b,w=5");
  EXPECT_EQ(r.best_trial().objective, 15.0);
  auto json = format_search_json(r);
  EXPECT_NE(json.find("\"params\":{\"mode\":\"b\",\"w\":5}"), std::string::npos) << json;
  EXPECT_NE(json.find("\"best\":5"), std::string::npos) << json;
  auto text = format_search_text(r, 3);
  EXPECT_NE(text.find("best #5: mode=b,w=5"), std::string::npos) << text;
}

TEST(param_search, log_scale_reals_stay_inside_their_range) {
  auto f = [](const param_set& p) {
    trial_result r;
    r.metrics["sharpe"] = -std::abs(std::log10(p.number("lr")) + 2);
    return r;
  };
  auto s = settings_for(search_method::random, 4, 2);
  auto r = run_search(parse_param_space("lr=0.0001..1:log"), f, s);
  for (const auto& t : r.trials) {
    EXPECT_GE(t.params.number("lr"), 0.0001 * (1 - 1e-12));
    EXPECT_LE(t.params.number("lr"), 1.0 * (1 + 1e-12));
  }
  EXPECT_GT(r.best_trial().objective, -0.2);
}

TEST(param_search, refuses_bad_settings) {
  auto s = settings_for(search_method::genetic, 1);
  s.elite = s.population;
  EXPECT_THROW(run_search(real_space, bowl_objective, s), std::invalid_argument);
  s = settings_for(search_method::tpe, 1);
  s.tpe_gamma = 1.5;
  EXPECT_THROW(run_search(real_space, bowl_objective, s), std::invalid_argument);
  EXPECT_EQ(parse_search_method("bayes"), search_method::tpe);
  EXPECT_THROW(parse_search_method("anneal"), std::invalid_argument);
}
