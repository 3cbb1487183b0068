#include "runtime/walk_forward.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace osprey {

namespace {

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();

std::string window_name(size_t k) {
  std::string s = "walk-forward window ";
  s += std::to_string(k);
  return s;
}

/// The settings every layout needs; returns the step.
int64_t check_lengths(const wf_settings& s) {
  if (s.in_sample <= 0)
    throw std::invalid_argument("walk-forward: the in-sample length must be above 0");
  if (s.out_of_sample <= 0)
    throw std::invalid_argument("walk-forward: the out-of-sample length must be above 0");
  if (s.step < 0)
    throw std::invalid_argument("walk-forward: the step must not be negative");
  int64_t step = s.step == 0 ? s.out_of_sample : s.step;
  if (step < s.out_of_sample)
    throw std::invalid_argument(
      "walk-forward: a step shorter than the out-of-sample length would make the "
      "out-of-sample windows overlap");
  return step;
}

double metric_of(const std::map<std::string, double>& m, const std::string& name, size_t window,
                 const char* side) {
  auto it = m.find(name);
  if (it == m.end()) {
    std::string e = window_name(window);
    e += ": the ";
    e += side;
    e += " metrics have no \"";
    e += name;
    e += "\"";
    throw std::invalid_argument(e);
  }
  return it->second;
}

std::string fmt(double v) {
  std::ostringstream o;
  o << std::setprecision(6) << v;
  return o.str();
}

} // namespace

std::vector<wf_window> plan_walk_forward(size_t bars, const wf_settings& s) {
  if (s.unit != wf_unit::bars)
    throw std::invalid_argument(
      "walk-forward: windows by time span need the bars' timestamps");
  int64_t step = check_lengths(s);
  auto is = static_cast<size_t>(s.in_sample), oos = static_cast<size_t>(s.out_of_sample);
  if (bars < is + oos) {
    std::string e = "walk-forward: the data has ";
    e += std::to_string(bars);
    e += " bars, fewer than in-sample + out-of-sample = ";
    e += std::to_string(is + oos);
    throw std::invalid_argument(e);
  }
  std::vector<wf_window> out;
  for (size_t k = 0;; ++k) {
    wf_window w;
    w.index = k;
    size_t shift = k * static_cast<size_t>(step);
    w.is_begin = s.anchored ? 0 : shift;
    w.is_end = is + shift;
    w.oos_begin = w.is_end;
    w.oos_end = w.oos_begin + oos;
    if (w.oos_end > bars)
      break;
    out.push_back(w);
  }
  return out;
}

std::vector<wf_window> plan_walk_forward(const std::vector<int64_t>& t, const wf_settings& s) {
  if (s.unit == wf_unit::bars)
    return plan_walk_forward(t.size(), s);
  int64_t step = check_lengths(s);
  if (t.empty())
    throw std::invalid_argument("walk-forward: there are no bars");
  for (size_t i = 1; i < t.size(); ++i)
    if (t[i] <= t[i - 1]) {
      std::string e = "walk-forward: the timestamps are not strictly ascending at bar ";
      e += std::to_string(i);
      throw std::invalid_argument(e);
    }
  auto index_at = [&t](int64_t time) {
    return static_cast<size_t>(std::lower_bound(t.begin(), t.end(), time) - t.begin());
  };
  const int64_t t0 = t.front();
  std::vector<wf_window> out;
  for (size_t k = 0;; ++k) {
    int64_t shift = static_cast<int64_t>(k) * step;
    int64_t is_start = s.anchored ? t0 : t0 + shift;
    int64_t is_stop = t0 + s.in_sample + shift;
    int64_t oos_stop = is_stop + s.out_of_sample;
    wf_window w;
    w.index = k;
    w.is_begin = index_at(is_start);
    w.is_end = index_at(is_stop);
    w.oos_begin = w.is_end;
    w.oos_end = index_at(oos_stop);
    if (w.oos_begin >= t.size())
      break; // the out-of-sample span starts after the last bar
    if (w.is_end == w.is_begin) {
      std::string e = window_name(k);
      e += ": the in-sample span has no bars";
      throw std::invalid_argument(e);
    }
    if (w.oos_end == w.oos_begin) {
      std::string e = window_name(k);
      e += ": the out-of-sample span has no bars";
      throw std::invalid_argument(e);
    }
    out.push_back(w);
  }
  if (out.empty()) {
    std::string e = "walk-forward: the data spans ";
    e += std::to_string(t.back() - t0);
    e += " ns, not enough for an in-sample span of ";
    e += std::to_string(s.in_sample);
    e += " ns followed by any out-of-sample bar";
    throw std::invalid_argument(e);
  }
  return out;
}

std::vector<double> stitch_equity(const std::vector<std::vector<double>>& curves, double start) {
  std::vector<double> out;
  for (size_t k = 0; k < curves.size(); ++k) {
    const auto& c = curves[k];
    if (c.empty() || !(c.front() > 0) || !std::isfinite(c.front())) {
      std::string e = window_name(k);
      e += ": the out-of-sample equity curve is empty or does not start above 0";
      throw std::invalid_argument(e);
    }
    double level = out.empty() ? (start > 0 ? start : c.front()) : out.back();
    double scale = level / c.front();
    // The first point of a later curve is where the previous one ended.
    for (size_t i = out.empty() ? 0 : 1; i < c.size(); ++i)
      out.push_back(c[i] * scale);
  }
  return out;
}

std::vector<wf_param_stability> parameter_stability(const std::vector<param_set>& chosen) {
  std::vector<wf_param_stability> out;
  if (chosen.empty())
    return out;
  for (const auto& v : chosen.front().values) {
    wf_param_stability st;
    st.name = v.name;
    std::vector<double> xs;
    const std::string* previous = nullptr;
    for (size_t k = 0; k < chosen.size(); ++k) {
      const param_value* found = nullptr;
      for (const auto& x : chosen[k].values)
        if (x.name == v.name)
          found = &x;
      if (!found) {
        std::string e = window_name(k);
        e += ": the chosen parameters have no \"";
        e += v.name;
        e += "\"";
        throw std::invalid_argument(e);
      }
      xs.push_back(found->number);
      if (previous && *previous != found->text)
        ++st.changes;
      previous = &found->text;
    }
    double sum = 0;
    for (double x : xs)
      sum += x;
    st.mean = sum / static_cast<double>(xs.size());
    double ss = 0;
    for (double x : xs)
      ss += (x - st.mean) * (x - st.mean);
    st.stddev = xs.size() > 1 ? std::sqrt(ss / static_cast<double>(xs.size() - 1)) : 0.0;
    st.cv = st.mean != 0 ? st.stddev / std::abs(st.mean) : nan_v;
    out.push_back(std::move(st));
  }
  return out;
}

wf_report run_walk_forward(const std::vector<wf_window>& windows, const wf_optimiser& optimise,
                           const wf_evaluator& evaluate, const wf_settings& s) {
  if (windows.empty())
    throw std::invalid_argument("walk-forward: there are no windows");
  wf_report r;
  std::vector<std::vector<double>> curves;
  std::vector<param_set> chosen;
  double is_sum = 0, oos_sum = 0;
  for (const auto& w : windows) {
    wf_window_report wr;
    wr.window = w;
    auto in = optimise(w);
    auto out = evaluate(w, in.params);
    wr.params = std::move(in.params);
    wr.in_sample = std::move(in.metrics);
    wr.out_of_sample = std::move(out.metrics);
    double is = metric_of(wr.in_sample, s.metric, w.index, "in-sample");
    double oos = metric_of(wr.out_of_sample, s.metric, w.index, "out-of-sample");
    if (s.per_bar) {
      is /= static_cast<double>(w.is_end - w.is_begin);
      oos /= static_cast<double>(w.oos_end - w.oos_begin);
    }
    wr.efficiency = is != 0 ? oos / is : nan_v;
    is_sum += is;
    oos_sum += oos;
    curves.push_back(std::move(out.equity));
    chosen.push_back(wr.params);
    r.windows.push_back(std::move(wr));
  }
  auto n = static_cast<double>(windows.size());
  r.mean_in_sample = is_sum / n;
  r.mean_out_of_sample = oos_sum / n;
  r.efficiency = r.mean_in_sample != 0 ? r.mean_out_of_sample / r.mean_in_sample : nan_v;
  r.stitched_equity = stitch_equity(curves, s.initial_equity);
  size_t at = 0;
  for (size_t k = 0; k < curves.size(); ++k) {
    r.window_starts.push_back(at == 0 ? 0 : at - 1);
    at += curves[k].size() - (k == 0 ? 0 : 1);
  }
  r.stability = parameter_stability(chosen);
  return r;
}

std::string format_walk_forward_text(const wf_report& r, const wf_settings& s) {
  std::ostringstream o;
  o << "walk-forward: " << r.windows.size() << " windows (" << (s.anchored ? "anchored" : "rolling")
    << "), metric " << s.metric << (s.per_bar ? " per bar" : "") << "\n";
  for (const auto& w : r.windows) {
    o << "  #" << w.window.index << " is [" << w.window.is_begin << "," << w.window.is_end
      << ") oos [" << w.window.oos_begin << "," << w.window.oos_end << ") "
      << w.params.to_string() << " is " << fmt(w.in_sample.at(s.metric)) << " oos "
      << fmt(w.out_of_sample.at(s.metric)) << " efficiency " << fmt(w.efficiency) << "\n";
  }
  o << "efficiency " << fmt(r.efficiency) << " (mean oos " << fmt(r.mean_out_of_sample)
    << " / mean is " << fmt(r.mean_in_sample) << ")\n";
  if (!r.stitched_equity.empty())
    o << "stitched equity " << fmt(r.stitched_equity.front()) << " -> "
      << fmt(r.stitched_equity.back()) << "\n";
  for (const auto& p : r.stability)
    o << "  " << p.name << ": mean " << fmt(p.mean) << " sd " << fmt(p.stddev) << " cv "
      << fmt(p.cv) << " changes " << p.changes << "\n";
  return o.str();
}

} // namespace osprey
