#include "actors/portfolio_construction.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <string>

namespace osprey {

namespace {

using vec = std::vector<double>;

double dot(const vec& a, const vec& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i)
    s += a[i] * b[i];
  return s;
}

/// out = Σ w.
void cov_times(const moments& m, const vec& w, vec& out) {
  const size_t n = m.assets;
  out.assign(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    double s = 0;
    for (size_t j = 0; j < n; ++j)
      s += m.cov[i * n + j] * w[j];
    out[i] = s;
  }
}

/// Whether Σ is positive definite: a Cholesky factorisation whose pivots
/// stay above a tolerance relative to the largest variance.
bool positive_definite(const moments& m) {
  const size_t n = m.assets;
  double max_diag = 0;
  for (size_t i = 0; i < n; ++i)
    max_diag = std::max(max_diag, m.cov_at(i, i));
  if (!(max_diag > 0))
    return false;
  const double eps = 1e-12 * max_diag;
  vec l(n * n, 0.0);
  for (size_t j = 0; j < n; ++j) {
    double d = m.cov_at(j, j);
    for (size_t k = 0; k < j; ++k)
      d -= l[j * n + k] * l[j * n + k];
    if (!(d > eps))
      return false;
    l[j * n + j] = std::sqrt(d);
    for (size_t i = j + 1; i < n; ++i) {
      double s = m.cov_at(i, j);
      for (size_t k = 0; k < j; ++k)
        s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / l[j * n + j];
    }
  }
  return true;
}

struct solve_outcome {
  vec w;
  size_t iterations = 0;
  bool converged = false;
};

/// Maximises f over the capped simplex by projected gradient ascent with an
/// Armijo backtracking line search (the step grows after a success). For a
/// concave f (mean-variance, minimum variance) or a pseudo-concave one
/// (Sharpe where the excess return is positive) a stationary point is the
/// global maximum.
solve_outcome projected_ascent(const std::function<double(const vec&)>& f,
                               const std::function<void(const vec&, vec&)>& grad, vec w,
                               double cap, const portfolio_settings& s) {
  solve_outcome out;
  vec g(w.size()), trial(w.size());
  double fw = f(w);
  double t = 1.0;
  for (out.iterations = 0; out.iterations < s.max_iterations; ++out.iterations) {
    grad(w, g);
    bool accepted = false;
    double move = 0;
    while (t > 1e-30) {
      for (size_t i = 0; i < w.size(); ++i)
        trial[i] = w[i] + t * g[i];
      auto p = project_capped_simplex(trial, cap);
      double gain = 0;
      move = 0;
      for (size_t i = 0; i < w.size(); ++i) {
        gain += g[i] * (p[i] - w[i]);
        move = std::max(move, std::abs(p[i] - w[i]));
      }
      double fp = f(p);
      if (fp >= fw + 1e-4 * gain) {
        w = std::move(p);
        fw = fp;
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted || move <= s.tolerance) {
      // No step improves f any more: w is stationary to machine precision.
      out.converged = true;
      break;
    }
    t *= 2.0;
  }
  out.w = std::move(w);
  return out;
}

/// Maximises w'a - (lambda/2) w'Σw over the capped simplex by accelerated
/// projected gradient (FISTA) with the fixed step 1/L, L = lambda times a
/// Gershgorin bound on Σ's largest eigenvalue, and the gradient restart of
/// O'Donoghue and Candès. It never compares function values, so it
/// converges to the weights' full precision; it stops when the projected
/// gradient step from w moves no weight more than the tolerance.
solve_outcome quadratic_ascent(const moments& m, const vec& a, double lambda, vec w, double cap,
                               const portfolio_settings& s) {
  const size_t n = m.assets;
  double bound = 0;
  for (size_t i = 0; i < n; ++i) {
    double row = 0;
    for (size_t j = 0; j < n; ++j)
      row += std::abs(m.cov_at(i, j));
    bound = std::max(bound, row);
  }
  const double step = 1.0 / (lambda * std::max(bound, 1e-300));
  solve_outcome out;
  vec y = w, g(n), next(n), probe(n);
  double momentum = 1.0;
  auto gradient = [&](const vec& at, vec& grad) {
    cov_times(m, at, grad);
    for (size_t i = 0; i < n; ++i)
      grad[i] = a[i] - lambda * grad[i];
  };
  for (out.iterations = 0; out.iterations < s.max_iterations; ++out.iterations) {
    // Stationarity at w: the plain projected step moves nothing.
    gradient(w, g);
    for (size_t i = 0; i < n; ++i)
      probe[i] = w[i] + step * g[i];
    auto pw = project_capped_simplex(probe, cap);
    double residual = 0;
    for (size_t i = 0; i < n; ++i)
      residual = std::max(residual, std::abs(pw[i] - w[i]));
    if (residual <= s.tolerance) {
      out.converged = true;
      break;
    }
    gradient(y, g);
    for (size_t i = 0; i < n; ++i)
      probe[i] = y[i] + step * g[i];
    next = project_capped_simplex(probe, cap);
    double restart = 0;
    for (size_t i = 0; i < n; ++i)
      restart += (y[i] - next[i]) * (next[i] - w[i]);
    double next_momentum = 0.5 * (1 + std::sqrt(1 + 4 * momentum * momentum));
    double beta = (momentum - 1) / next_momentum;
    if (restart > 0) {
      // The momentum points uphill no more: drop it.
      next_momentum = 1.0;
      beta = 0;
    }
    for (size_t i = 0; i < n; ++i)
      y[i] = next[i] + beta * (next[i] - w[i]);
    w.swap(next);
    momentum = next_momentum;
  }
  out.w = std::move(w);
  return out;
}

/// Spinu's risk parity with some weights held at the cap: for the free
/// assets, the minimiser of 0.5 w'Σw - theta * sum log w_i (the fixed ones
/// held) by cyclical coordinate descent; each coordinate solves
/// Σ_ii w_i^2 + c_i w_i - theta = 0 with c_i = sum_{j != i} Σ_ij w_j.
size_t coordinate_descent(const moments& m, vec& w, const std::vector<bool>& fixed, double theta,
                          double tol, size_t max_cycles) {
  const size_t n = m.assets;
  size_t cycles = 0;
  for (; cycles < max_cycles; ++cycles) {
    double change = 0;
    for (size_t i = 0; i < n; ++i) {
      if (fixed[i])
        continue;
      double c = 0;
      for (size_t j = 0; j < n; ++j)
        if (j != i)
          c += m.cov_at(i, j) * w[j];
      double a = m.cov_at(i, i);
      double wi = (-c + std::sqrt(c * c + 4 * a * theta)) / (2 * a);
      change = std::max(change, std::abs(wi - w[i]) / std::max(wi, 1e-300));
      w[i] = wi;
    }
    if (change < tol)
      return cycles + 1;
  }
  return cycles;
}

solve_outcome risk_parity(const moments& m, double cap, const portfolio_settings& s) {
  const size_t n = m.assets;
  std::vector<bool> fixed(n, false);
  solve_outcome out;
  vec w(n, 1.0 / static_cast<double>(n));
  const double rel_tol = 1e-13;
  const size_t max_cycles = std::min<size_t>(s.max_iterations, 10000);
  while (true) {
    size_t n_fixed = static_cast<size_t>(std::count(fixed.begin(), fixed.end(), true));
    double target = 1.0 - cap * static_cast<double>(n_fixed);
    for (size_t i = 0; i < n; ++i)
      if (fixed[i])
        w[i] = cap;
    auto free_sum = [&](double theta) {
      out.iterations += coordinate_descent(m, w, fixed, theta, rel_tol, max_cycles);
      double sum = 0;
      for (size_t i = 0; i < n; ++i)
        if (!fixed[i])
          sum += w[i];
      return sum;
    };
    // The free weights grow with theta: bracket the target, then bisect on
    // log theta. Without fixed weights w(theta) = sqrt(theta) w(1), so one
    // solve and a rescale would do; the general path costs little more.
    double lo = 1e-30, hi = 1.0;
    while (free_sum(hi) < target && hi < 1e30)
      hi *= 4;
    for (int k = 0; k < 200; ++k) {
      double mid = std::sqrt(lo * hi);
      double sum = free_sum(mid);
      if (std::abs(sum - target) <= 1e-15 * std::max(1.0, target))
        break;
      (sum < target ? lo : hi) = mid;
      if (hi / lo < 1 + 1e-15)
        break;
    }
    // Normalise away the last rounding so the weights sum to exactly 1.
    double free_total = 0;
    for (size_t i = 0; i < n; ++i)
      if (!fixed[i])
        free_total += w[i];
    for (size_t i = 0; i < n; ++i)
      if (!fixed[i])
        w[i] *= target / free_total;
    bool grew = false;
    for (size_t i = 0; i < n; ++i)
      if (!fixed[i] && w[i] > cap * (1 + 1e-12)) {
        fixed[i] = true;
        grew = true;
      }
    if (!grew)
      break;
  }
  out.w = std::move(w);
  out.converged = true;
  return out;
}

void require_finite(const moments& m) {
  for (size_t i = 0; i < m.assets; ++i) {
    if (!std::isfinite(m.mean[i])) {
      std::string e = "portfolio: the mean return of asset ";
      e += std::to_string(i);
      e += " is not a finite number";
      throw std::invalid_argument(e);
    }
    for (size_t j = 0; j < m.assets; ++j)
      if (!std::isfinite(m.cov_at(i, j))) {
        std::string e = "portfolio: the covariance of assets ";
        e += std::to_string(i);
        e += " and ";
        e += std::to_string(j);
        e += " is not a finite number";
        throw std::invalid_argument(e);
      }
  }
}

} // namespace

std::vector<double> project_capped_simplex(const std::vector<double>& v, double cap) {
  const size_t n = v.size();
  auto sum_at = [&](double tau) {
    double s = 0;
    for (double x : v)
      s += std::clamp(x - tau, 0.0, cap);
    return s;
  };
  // sum_at falls from n * cap (>= 1) to 0 as tau rises: bisect for 1.
  double lo = *std::min_element(v.begin(), v.end()) - cap;
  double hi = *std::max_element(v.begin(), v.end());
  for (int k = 0; k < 200 && hi - lo > 0; ++k) {
    double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi)
      break;
    (sum_at(mid) > 1 ? lo : hi) = mid;
  }
  double tau = 0.5 * (lo + hi);
  // Solve exactly on the segment found: the free weights carry what the
  // capped ones do not.
  double free_v = 0, at_cap = 0;
  size_t n_free = 0;
  for (double x : v) {
    double y = x - tau;
    if (y >= cap)
      at_cap += cap;
    else if (y > 0) {
      free_v += x;
      ++n_free;
    }
  }
  if (n_free > 0)
    tau = (free_v - (1.0 - at_cap)) / static_cast<double>(n_free);
  std::vector<double> w(n);
  for (size_t i = 0; i < n; ++i)
    w[i] = std::clamp(v[i] - tau, 0.0, cap);
  return w;
}

moments estimate_moments(const return_matrix& r, double shrinkage) {
  const size_t T = r.periods, n = r.assets;
  if (n == 0)
    throw std::invalid_argument("portfolio: there are no assets");
  if (r.values.size() != T * n) {
    std::string e = "portfolio: the return matrix holds ";
    e += std::to_string(r.values.size());
    e += " values, not periods x assets = ";
    e += std::to_string(T * n);
    throw std::invalid_argument(e);
  }
  if (T < n + 1) {
    std::string e = "portfolio: ";
    e += std::to_string(T);
    e += " periods are fewer than assets + 1 = ";
    e += std::to_string(n + 1);
    e += " (the covariance would be singular)";
    throw std::invalid_argument(e);
  }
  if (!(shrinkage >= 0 && shrinkage <= 1))
    throw std::invalid_argument("portfolio: the shrinkage must be between 0 and 1");
  for (size_t t = 0; t < T; ++t)
    for (size_t i = 0; i < n; ++i)
      if (!std::isfinite(r.at(t, i))) {
        std::string e = "portfolio: the return of asset ";
        e += std::to_string(i);
        e += " in period ";
        e += std::to_string(t);
        e += " is not a finite number";
        throw std::invalid_argument(e);
      }
  moments m;
  m.assets = n;
  m.mean.assign(n, 0.0);
  for (size_t t = 0; t < T; ++t)
    for (size_t i = 0; i < n; ++i)
      m.mean[i] += r.at(t, i);
  for (auto& x : m.mean)
    x /= static_cast<double>(T);
  m.cov.assign(n * n, 0.0);
  for (size_t t = 0; t < T; ++t)
    for (size_t i = 0; i < n; ++i) {
      double di = r.at(t, i) - m.mean[i];
      for (size_t j = i; j < n; ++j)
        m.cov[i * n + j] += di * (r.at(t, j) - m.mean[j]);
    }
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i; j < n; ++j) {
      double c = m.cov[i * n + j] / static_cast<double>(T - 1);
      if (i != j)
        c *= 1 - shrinkage;
      m.cov[i * n + j] = c;
      m.cov[j * n + i] = c;
    }
  return m;
}

portfolio_method parse_portfolio_method(std::string_view text) {
  if (text == "mean_variance")
    return portfolio_method::mean_variance;
  if (text == "min_variance")
    return portfolio_method::min_variance;
  if (text == "risk_parity")
    return portfolio_method::risk_parity;
  if (text == "max_sharpe")
    return portfolio_method::max_sharpe;
  std::string e = "unknown portfolio method \"";
  e += text;
  e += "\" (known: mean_variance, min_variance, risk_parity, max_sharpe)";
  throw std::invalid_argument(e);
}

const char* to_string(portfolio_method m) {
  switch (m) {
  case portfolio_method::mean_variance:
    return "mean_variance";
  case portfolio_method::min_variance:
    return "min_variance";
  case portfolio_method::risk_parity:
    return "risk_parity";
  case portfolio_method::max_sharpe:
    return "max_sharpe";
  }
  return "?";
}

portfolio_result describe_portfolio(const moments& m, const std::vector<double>& w,
                                    double risk_free) {
  portfolio_result r;
  r.weights = w;
  vec sw;
  cov_times(m, w, sw);
  double var = dot(w, sw);
  r.expected_return = dot(w, m.mean);
  r.volatility = std::sqrt(std::max(0.0, var));
  r.sharpe = r.volatility > 0 ? (r.expected_return - risk_free) / r.volatility : 0.0;
  r.risk_contributions.assign(w.size(), 0.0);
  if (var > 0)
    for (size_t i = 0; i < w.size(); ++i)
      r.risk_contributions[i] = w[i] * sw[i] / var;
  return r;
}

portfolio_result construct_portfolio(const return_matrix& returns,
                                     const portfolio_settings& settings) {
  return construct_portfolio(estimate_moments(returns, settings.shrinkage), settings);
}

portfolio_result construct_portfolio(const moments& m, const portfolio_settings& s) {
  const size_t n = m.assets;
  if (n == 0)
    throw std::invalid_argument("portfolio: there are no assets");
  if (m.mean.size() != n || m.cov.size() != n * n)
    throw std::invalid_argument("portfolio: the moments' sizes do not match the asset count");
  require_finite(m);
  if (!(s.cap > 0) || !std::isfinite(s.cap))
    throw std::invalid_argument("portfolio: the weight cap must be above 0");
  const double cap = std::min(s.cap, 1.0);
  if (cap * static_cast<double>(n) < 1 - 1e-12) {
    std::string e = "portfolio: a cap of ";
    e += std::to_string(cap);
    e += " on ";
    e += std::to_string(n);
    e += " assets cannot sum to 1 (cap x assets < 1)";
    throw std::invalid_argument(e);
  }
  if (!std::isfinite(s.risk_free))
    throw std::invalid_argument("portfolio: the risk-free rate is not a finite number");
  if (s.method != portfolio_method::mean_variance && !positive_definite(m))
    throw std::invalid_argument(
      "portfolio: the covariance matrix is singular (an asset has no variance or is a "
      "combination of others); drop it or use shrinkage");

  const vec equal = project_capped_simplex(vec(n, 1.0 / static_cast<double>(n)), cap);
  solve_outcome sol;
  switch (s.method) {
  case portfolio_method::mean_variance:
    if (!(s.risk_aversion > 0) || !std::isfinite(s.risk_aversion))
      throw std::invalid_argument("portfolio: the risk aversion (lambda) must be above 0");
    sol = quadratic_ascent(m, m.mean, s.risk_aversion, equal, cap, s);
    break;
  case portfolio_method::min_variance:
    // Maximise -w'Σw: no linear term, lambda 2.
    sol = quadratic_ascent(m, vec(n, 0.0), 2.0, equal, cap, s);
    break;
  case portfolio_method::risk_parity:
    sol = risk_parity(m, cap, s);
    break;
  case portfolio_method::max_sharpe: {
    // Start from the highest-return feasible portfolio (fill the best
    // assets to the cap): Sharpe is pseudo-concave where the excess return
    // is positive, and the ascent never leaves that region.
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&m](size_t a, size_t b) { return m.mean[a] > m.mean[b]; });
    vec start(n, 0.0);
    double left = 1.0;
    for (size_t i : order) {
      start[i] = std::min(cap, left);
      left -= start[i];
    }
    if (!(dot(start, m.mean) > s.risk_free))
      throw std::invalid_argument(
        "portfolio: no long-only portfolio within the caps earns more than the risk-free "
        "rate, so there is no maximum Sharpe portfolio");
    const double rf = s.risk_free;
    vec sw;
    auto f = [&m, &sw, rf](const vec& w) {
      cov_times(m, w, sw);
      return (dot(w, m.mean) - rf) / std::sqrt(dot(w, sw));
    };
    auto g = [&m, rf](const vec& w, vec& out) {
      cov_times(m, w, out);
      double var = dot(w, out), sd = std::sqrt(var), ex = dot(w, m.mean) - rf;
      for (size_t i = 0; i < out.size(); ++i)
        out[i] = m.mean[i] / sd - ex * out[i] / (var * sd);
    };
    sol = projected_ascent(f, g, start, cap, s);
    // The line search compares Sharpe values, which pins the weights down
    // only to about 1e-8. Polish: the maximum Sharpe portfolio is the
    // mean-variance portfolio with lambda = excess return / variance at that
    // portfolio (their optimality conditions coincide on the simplex), and
    // the quadratic solver converges to full precision.
    for (int k = 0; k < 20; ++k) {
      vec sw;
      cov_times(m, sol.w, sw);
      double lambda = (dot(sol.w, m.mean) - rf) / dot(sol.w, sw);
      auto next = quadratic_ascent(m, m.mean, lambda, sol.w, cap, s);
      if (!next.converged || f(next.w) < f(sol.w) - 1e-14 * std::abs(f(sol.w)))
        break;
      double move = 0;
      for (size_t i = 0; i < n; ++i)
        move = std::max(move, std::abs(next.w[i] - sol.w[i]));
      sol.w = std::move(next.w);
      sol.iterations += next.iterations;
      if (move <= s.tolerance)
        break;
    }
    break;
  }
  }
  auto r = describe_portfolio(m, sol.w, s.risk_free);
  r.method = s.method;
  r.iterations = sol.iterations;
  r.converged = sol.converged;
  return r;
}

} // namespace osprey
