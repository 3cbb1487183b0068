#pragma once

// Portfolio construction from a history of asset returns: the sample mean
// and covariance (optionally shrunk toward the diagonal), then long-only
// weights with a per-asset cap by mean-variance, minimum variance, risk
// parity or maximum Sharpe. The solvers are small and exact enough for tens
// of assets: projected gradient ascent onto the capped simplex (exact
// projection) with a backtracking line search, and cyclical coordinate
// descent on Spinu's convex risk-parity problem. docs/OPTIMISATION.md gives
// the formulas. All figures are per period (no annualisation).

#include <cstddef>
#include <string_view>
#include <vector>

namespace osprey {

/// Returns of T periods × N assets, row-major: values[t * assets + i].
struct return_matrix {
  size_t periods = 0;
  size_t assets = 0;
  std::vector<double> values;

  double at(size_t t, size_t i) const { return values[t * assets + i]; }
};

/// The sample mean vector and covariance matrix (N × N, row-major).
struct moments {
  size_t assets = 0;
  std::vector<double> mean;
  std::vector<double> cov;

  double cov_at(size_t i, size_t j) const { return cov[i * assets + j]; }
};

/// Returns the sample mean and the sample covariance (divided by T - 1),
/// shrunk as (1 - shrinkage) * S + shrinkage * diag(S). Throws
/// std::invalid_argument on a NaN or infinite return (naming the period and
/// asset), fewer periods than assets + 1, a shape mismatch or a shrinkage
/// outside [0, 1].
moments estimate_moments(const return_matrix& returns, double shrinkage = 0);

enum class portfolio_method { mean_variance, min_variance, risk_parity, max_sharpe };

/// Parses "mean_variance", "min_variance", "risk_parity", "max_sharpe";
/// throws std::invalid_argument listing them.
portfolio_method parse_portfolio_method(std::string_view text);
/// Returns the name parse_portfolio_method accepts.
const char* to_string(portfolio_method m);

/// How to build the portfolio.
struct portfolio_settings {
  portfolio_method method = portfolio_method::min_variance;
  double risk_aversion = 1; ///< mean_variance: lambda in w'mu - (lambda/2) w'Σw; > 0.
  double risk_free = 0;     ///< per-period risk-free rate for Sharpe.
  double cap = 1;           ///< 0 <= w_i <= cap; cap * N must reach 1.
  double shrinkage = 0;     ///< used when the input is a return matrix.
  size_t max_iterations = 200000;
  double tolerance = 1e-13; ///< stop when no weight moves more than this.
};

/// The chosen weights and what they give.
struct portfolio_result {
  portfolio_method method = portfolio_method::min_variance;
  std::vector<double> weights;  ///< long-only, capped, summing to 1.
  double expected_return = 0;   ///< w'mu.
  double volatility = 0;        ///< sqrt(w'Σw).
  double sharpe = 0;            ///< (w'mu - risk_free) / volatility; 0 at zero volatility.
  std::vector<double> risk_contributions; ///< w_i (Σw)_i / w'Σw; they sum to 1.
  size_t iterations = 0;
  bool converged = false;
};

/// Estimates the moments (with settings.shrinkage) and builds the portfolio.
portfolio_result construct_portfolio(const return_matrix& returns,
                                     const portfolio_settings& settings);

/// Builds the portfolio from given moments. Throws std::invalid_argument on
/// NaN moments, caps that cannot sum to 1 (cap * N < 1), a non-positive risk
/// aversion, a singular covariance for min_variance / risk_parity /
/// max_sharpe, or (max_sharpe) no feasible portfolio above the risk-free rate.
portfolio_result construct_portfolio(const moments& m, const portfolio_settings& settings);

/// Returns the figures of given weights (expected return, volatility,
/// Sharpe, risk contributions).
portfolio_result describe_portfolio(const moments& m, const std::vector<double>& weights,
                                    double risk_free);

/// Returns the point of {0 <= w_i <= cap, sum w = 1} nearest to v
/// (Euclidean projection). Requires cap * v.size() >= 1.
std::vector<double> project_capped_simplex(const std::vector<double>& v, double cap);

} // namespace osprey
