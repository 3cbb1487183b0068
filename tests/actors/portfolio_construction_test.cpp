#include "actors/portfolio_construction.hpp"

#include <cmath>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "../support/thrown_by.hpp"

using namespace osprey;

namespace {

moments make_moments(std::vector<double> mean, std::vector<double> cov) {
  moments m;
  m.assets = mean.size();
  m.mean = std::move(mean);
  m.cov = std::move(cov);
  return m;
}

/// Two assets: volatility 20% and 10%, correlation 0.3.
moments two_assets(double mu1 = 0.08, double mu2 = 0.05) {
  return make_moments({mu1, mu2}, {0.04, 0.006, 0.006, 0.01});
}

/// Three correlated assets.
moments three_assets() {
  return make_moments({0.10, 0.07, 0.04}, {0.0625, 0.012, 0.004,  //
                                           0.012, 0.0324, 0.0036, //
                                           0.004, 0.0036, 0.0100});
}

portfolio_settings with(portfolio_method m, double cap = 1) {
  portfolio_settings s;
  s.method = m;
  s.cap = cap;
  return s;
}

using test::thrown_by;

void expect_feasible(const std::vector<double>& w, double cap) {
  double sum = 0;
  for (double x : w) {
    EXPECT_GE(x, 0.0);
    EXPECT_LE(x, cap + 1e-12);
    sum += x;
  }
  EXPECT_NEAR(sum, 1.0, 1e-12);
}

/// The KKT conditions of maximising over the capped simplex: free weights
/// share one gradient level; weights at 0 have a gradient no higher, weights
/// at the cap no lower.
void expect_kkt(const std::vector<double>& w, const std::vector<double>& grad, double cap,
                double tol) {
  double level = NAN;
  for (size_t i = 0; i < w.size(); ++i)
    if (w[i] > 1e-9 && w[i] < cap - 1e-9) {
      if (std::isnan(level))
        level = grad[i];
      EXPECT_NEAR(grad[i], level, tol) << "asset " << i;
    }
  // Without a free weight any level between the two groups will do.
  double highest_at_zero = -INFINITY, lowest_at_cap = INFINITY;
  for (size_t i = 0; i < w.size(); ++i) {
    if (w[i] <= 1e-9)
      highest_at_zero = std::max(highest_at_zero, grad[i]);
    if (w[i] >= cap - 1e-9)
      lowest_at_cap = std::min(lowest_at_cap, grad[i]);
  }
  EXPECT_LE(highest_at_zero, lowest_at_cap + tol);
  if (!std::isnan(level)) {
    EXPECT_LE(highest_at_zero, level + tol);
    EXPECT_GE(lowest_at_cap, level - tol);
  }
}

std::vector<double> times(const moments& m, const std::vector<double>& w) {
  std::vector<double> out(m.assets, 0.0);
  for (size_t i = 0; i < m.assets; ++i)
    for (size_t j = 0; j < m.assets; ++j)
      out[i] += m.cov_at(i, j) * w[j];
  return out;
}

} // namespace

TEST(portfolio_construction, estimates_sample_mean_and_covariance_with_n_minus_1) {
  return_matrix r{3, 2, {0.1, 0.2, 0.3, 0.0, 0.2, 0.1}};
  auto m = estimate_moments(r);
  EXPECT_NEAR(m.mean[0], 0.2, 1e-15);
  EXPECT_NEAR(m.mean[1], 0.1, 1e-15);
  EXPECT_NEAR(m.cov_at(0, 0), 0.01, 1e-15);
  EXPECT_NEAR(m.cov_at(1, 1), 0.01, 1e-15);
  EXPECT_NEAR(m.cov_at(0, 1), -0.01, 1e-15);
  EXPECT_EQ(m.cov_at(0, 1), m.cov_at(1, 0));
  auto shrunk = estimate_moments(r, 0.5);
  EXPECT_NEAR(shrunk.cov_at(0, 1), -0.005, 1e-15);
  EXPECT_NEAR(shrunk.cov_at(0, 0), 0.01, 1e-15);
}

TEST(portfolio_construction, refuses_bad_inputs_with_clear_errors) {
  return_matrix few{2, 2, {0.1, 0.2, 0.3, 0.0}};
  EXPECT_NE(thrown_by([&] { estimate_moments(few); }).find("fewer than assets + 1"),
            std::string::npos);
  return_matrix with_nan{3, 2, {0.1, 0.2, 0.3, NAN, 0.2, 0.1}};
  EXPECT_NE(thrown_by([&] { estimate_moments(with_nan); }).find("asset 1 in period 1"),
            std::string::npos);
  EXPECT_NE(thrown_by([] { construct_portfolio(three_assets(), with(portfolio_method::min_variance, 0.3)); })
              .find("cannot sum to 1"),
            std::string::npos);
  // Perfectly anti-correlated: singular for minimum variance, fine once shrunk.
  return_matrix r{3, 2, {0.1, 0.2, 0.3, 0.0, 0.2, 0.1}};
  EXPECT_NE(thrown_by([&] { construct_portfolio(r, with(portfolio_method::min_variance)); })
              .find("singular"),
            std::string::npos);
  auto s = with(portfolio_method::min_variance);
  s.shrinkage = 0.5;
  auto p = construct_portfolio(r, s);
  EXPECT_NEAR(p.weights[0], 0.5, 1e-9);
  auto mv = with(portfolio_method::mean_variance);
  mv.risk_aversion = 0;
  EXPECT_NE(thrown_by([&] { construct_portfolio(two_assets(), mv); }).find("risk aversion"),
            std::string::npos);
  auto nan_mean = two_assets(NAN, 0.05);
  EXPECT_NE(thrown_by([&] { construct_portfolio(nan_mean, with(portfolio_method::min_variance)); })
              .find("mean return of asset 0"),
            std::string::npos);
  EXPECT_NE(thrown_by([] { parse_portfolio_method("hrp"); }).find("known:"), std::string::npos);
}

TEST(portfolio_construction, projection_onto_the_capped_simplex_is_exact) {
  auto w = project_capped_simplex({0.5, 0.5, 0.5}, 1);
  for (double x : w)
    EXPECT_NEAR(x, 1.0 / 3, 1e-15);
  w = project_capped_simplex({2, 0, 0}, 0.6);
  EXPECT_NEAR(w[0], 0.6, 1e-15);
  EXPECT_NEAR(w[1], 0.2, 1e-15);
  EXPECT_NEAR(w[2], 0.2, 1e-15);
  w = project_capped_simplex({0.3, -5, 0.9}, 1);
  EXPECT_NEAR(w[0], 0.2, 1e-15);
  EXPECT_EQ(w[1], 0.0);
  EXPECT_NEAR(w[2], 0.8, 1e-15);
}

TEST(portfolio_construction, two_asset_min_variance_matches_the_closed_form) {
  auto m = two_assets();
  // w1 = (s2^2 - s12) / (s1^2 + s2^2 - 2 s12) = 0.004 / 0.038.
  auto p = construct_portfolio(m, with(portfolio_method::min_variance));
  EXPECT_TRUE(p.converged);
  EXPECT_NEAR(p.weights[0], 0.004 / 0.038, 1e-9);
  EXPECT_NEAR(p.weights[1], 1 - 0.004 / 0.038, 1e-9);
  expect_feasible(p.weights, 1);
  EXPECT_NEAR(p.expected_return, p.weights[0] * 0.08 + p.weights[1] * 0.05, 1e-15);
  double var = 0.04 * p.weights[0] * p.weights[0] + 0.01 * p.weights[1] * p.weights[1] +
               2 * 0.006 * p.weights[0] * p.weights[1];
  EXPECT_NEAR(p.volatility, std::sqrt(var), 1e-15);
  EXPECT_NEAR(p.sharpe, p.expected_return / p.volatility, 1e-12);
  // At the minimum variance every risk contribution equals its weight.
  EXPECT_NEAR(p.risk_contributions[0], p.weights[0], 1e-8);
}

TEST(portfolio_construction, a_binding_cap_holds_the_weight_at_the_cap) {
  auto p = construct_portfolio(two_assets(), with(portfolio_method::min_variance, 0.6));
  EXPECT_NEAR(p.weights[1], 0.6, 1e-12);
  EXPECT_NEAR(p.weights[0], 0.4, 1e-12);
  auto q = construct_portfolio(three_assets(), with(portfolio_method::min_variance, 0.5));
  expect_feasible(q.weights, 0.5);
  EXPECT_NEAR(q.weights[2], 0.5, 1e-12);
  auto g = times(three_assets(), q.weights);
  for (auto& x : g)
    x *= -2;
  expect_kkt(q.weights, g, 0.5, 1e-12);
}

TEST(portfolio_construction, mean_variance_satisfies_the_optimality_conditions) {
  auto m = three_assets();
  for (double lambda : {0.5, 2.0, 5.0, 50.0}) {
    for (double cap : {1.0, 0.45}) {
      auto s = with(portfolio_method::mean_variance, cap);
      s.risk_aversion = lambda;
      auto p = construct_portfolio(m, s);
      SCOPED_TRACE(lambda);
      SCOPED_TRACE(cap);
      EXPECT_TRUE(p.converged);
      expect_feasible(p.weights, cap);
      auto g = times(m, p.weights);
      for (size_t i = 0; i < g.size(); ++i)
        g[i] = m.mean[i] - lambda * g[i];
      expect_kkt(p.weights, g, cap, 1e-12);
    }
  }
  // Almost no risk aversion: all in the highest mean.
  auto s = with(portfolio_method::mean_variance);
  s.risk_aversion = 1e-6;
  EXPECT_NEAR(construct_portfolio(m, s).weights[0], 1.0, 1e-12);
}

TEST(portfolio_construction, two_asset_risk_parity_weights_by_inverse_volatility) {
  auto p = construct_portfolio(two_assets(), with(portfolio_method::risk_parity));
  EXPECT_NEAR(p.weights[0], 1.0 / 3, 1e-10);
  EXPECT_NEAR(p.risk_contributions[0], 0.5, 1e-10);
  EXPECT_NEAR(p.risk_contributions[1], 0.5, 1e-10);
}

TEST(portfolio_construction, risk_parity_equalises_risk_contributions) {
  auto p = construct_portfolio(three_assets(), with(portfolio_method::risk_parity));
  expect_feasible(p.weights, 1);
  for (double rc : p.risk_contributions)
    EXPECT_NEAR(rc, 1.0 / 3, 1e-10);
  // Check the contributions directly, not through the report.
  auto sw = times(three_assets(), p.weights);
  for (size_t i = 1; i < 3; ++i)
    EXPECT_NEAR(p.weights[i] * sw[i], p.weights[0] * sw[0], 1e-12);
}

TEST(portfolio_construction, capped_risk_parity_equalises_the_uncapped_assets) {
  // The low-volatility asset would take about half; cap it at 0.4.
  auto m = three_assets();
  auto free_p = construct_portfolio(m, with(portfolio_method::risk_parity));
  ASSERT_GT(free_p.weights[2], 0.4);
  auto p = construct_portfolio(m, with(portfolio_method::risk_parity, 0.4));
  expect_feasible(p.weights, 0.4);
  EXPECT_NEAR(p.weights[2], 0.4, 1e-12);
  EXPECT_NEAR(p.risk_contributions[0], p.risk_contributions[1], 1e-10);
  EXPECT_LT(p.risk_contributions[2], p.risk_contributions[0]);
}

TEST(portfolio_construction, max_sharpe_matches_the_tangency_portfolio_when_interior) {
  auto m = three_assets();
  auto s = with(portfolio_method::max_sharpe);
  s.risk_free = 0.01;
  auto p = construct_portfolio(m, s);
  // Tangency: w proportional to Σ^-1 (mu - rf); check Σ w ∝ (mu - rf).
  auto sw = times(m, p.weights);
  for (size_t i = 0; i < 3; ++i)
    ASSERT_GT(p.weights[i], 0.01);
  double k = sw[0] / (m.mean[0] - 0.01);
  for (size_t i = 1; i < 3; ++i)
    EXPECT_NEAR(sw[i] / (m.mean[i] - 0.01), k, 1e-12);
}

TEST(portfolio_construction, max_sharpe_beats_a_brute_force_grid_over_the_simplex) {
  auto m = make_moments({0.12, 0.06, 0.05}, {0.09, 0.02, 0.001,  //
                                             0.02, 0.04, -0.004, //
                                             0.001, -0.004, 0.0225});
  for (double cap : {1.0, 0.5, 0.4}) {
    auto s = with(portfolio_method::max_sharpe, cap);
    s.risk_free = 0.02;
    auto p = construct_portfolio(m, s);
    SCOPED_TRACE(cap);
    expect_feasible(p.weights, cap);
    double best = -1e9;
    std::vector<double> best_w;
    const int steps = 400;
    for (int a = 0; a <= steps; ++a)
      for (int b = 0; a + b <= steps; ++b) {
        std::vector<double> w{a / double(steps), b / double(steps), (steps - a - b) / double(steps)};
        if (w[0] > cap + 1e-12 || w[1] > cap + 1e-12 || w[2] > cap + 1e-12)
          continue;
        double sh = describe_portfolio(m, w, 0.02).sharpe;
        if (sh > best) {
          best = sh;
          best_w = w;
        }
      }
    EXPECT_GE(p.sharpe, best - 1e-12);
    // The Sharpe gradient satisfies the optimality conditions.
    auto sw = times(m, p.weights);
    double var = p.volatility * p.volatility, ex = p.expected_return - 0.02;
    std::vector<double> g(3);
    for (size_t i = 0; i < 3; ++i)
      g[i] = m.mean[i] / p.volatility - ex * sw[i] / (var * p.volatility);
    expect_kkt(p.weights, g, cap, 1e-10);
    EXPECT_LT(p.sharpe - best, 1e-3); // the grid is fine enough to come close
    for (size_t i = 0; i < 3; ++i)
      EXPECT_NEAR(p.weights[i], best_w[i], 0.01);
  }
}

TEST(portfolio_construction, max_sharpe_refuses_when_nothing_beats_the_risk_free_rate) {
  auto s = with(portfolio_method::max_sharpe);
  s.risk_free = 0.2;
  EXPECT_NE(thrown_by([&] { construct_portfolio(three_assets(), s); }).find("risk-free"),
            std::string::npos);
}

TEST(portfolio_construction, builds_from_a_return_matrix) {
  // Deterministic pseudo-returns for 4 assets over 60 periods.
  return_matrix r{60, 4, {}};
  uint64_t x = 12345;
  for (size_t i = 0; i < 240; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    r.values.push_back(((x >> 11) * 0x1.0p-53 - 0.5) * 0.1 + 0.002 * (i % 4));
  }
  for (auto method : {portfolio_method::mean_variance, portfolio_method::min_variance,
                      portfolio_method::risk_parity, portfolio_method::max_sharpe}) {
    auto p = construct_portfolio(r, with(method, 0.5));
    SCOPED_TRACE(to_string(method));
    EXPECT_EQ(parse_portfolio_method(to_string(method)), method);
    expect_feasible(p.weights, 0.5);
    EXPECT_NEAR(std::accumulate(p.risk_contributions.begin(), p.risk_contributions.end(), 0.0),
                1.0, 1e-12);
  }
}
