#include "runtime/screen_command.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <ostream>
#include <stdexcept>

#include "actors/rule_language.hpp"
#include "adapters/csv_fields.hpp"
#include "adapters/csv_replay.hpp"
#include "runtime/json_text.hpp"
#include "runtime/rule_fundamentals.hpp"

namespace osprey {

namespace {

constexpr int64_t ns_per_day = 86'400'000'000'000;
constexpr size_t all_bars = std::numeric_limits<size_t>::max();

size_t period(int p) noexcept {
  return p < 1 ? 1 : static_cast<size_t>(p);
}

// Bars until a recursive average's seed weighs less than `tol`: the seed is
// multiplied by `keep` at every bar.
size_t tail(double keep, double tol) noexcept {
  if (!(keep > 0.0) || tol >= 1.0)
    return 0;
  return static_cast<size_t>(std::ceil(std::log(tol) / std::log(keep)));
}

size_t ema_tail(int n, double tol) noexcept {
  return tail(1.0 - 2.0 / (static_cast<double>(period(n)) + 1.0), tol);
}

size_t wilder_tail(int n, double tol) noexcept {
  return tail(1.0 - 1.0 / static_cast<double>(period(n)), tol);
}

size_t saturating_add(size_t a, size_t b) noexcept {
  return a > all_bars - b ? all_bars : a + b;
}

std::string number_text(double v) {
  if (std::isnan(v))
    return "missing";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 6);
  return ec == std::errc{} ? std::string(buf, end) : std::string{"?"};
}

std::string json_number(double v) {
  if (!std::isfinite(v))
    return "null";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, end) : std::string{"null"};
}

// Which side of the first comparison ranks by default: the left, unless it
// is a constant ("30 > rsi(14)" ranks by the RSI).
bool rank_by_right(const rules::program& p) {
  if (p.comparisons.empty())
    return false;
  auto parsed = rules::parse_rules(p.comparisons[0].text);
  if (!parsed || parsed.value().sections.empty())
    return false;
  auto& nodes = parsed.value().nodes;
  auto& root = nodes[parsed.value().sections[0].root];
  if (root.kind != rules::node_kind::binary || root.args.empty())
    return false;
  auto* left = &nodes[root.args[0]];
  while (left->kind == rules::node_kind::negate && !left->args.empty())
    left = &nodes[left->args[0]];
  return left->kind == rules::node_kind::number;
}

// The rule and the rank expression read one indicator set: both are rebased
// onto the union of their indicators.
struct screen_plan {
  rules::compiled_rules rule;
  std::optional<rules::compiled_rules> rank;
};

screen_plan plan_of(const rules::compiled_rules& rule, const rules::compiled_rules* rank) {
  screen_plan plan{rule, std::nullopt};
  if (!rank)
    return plan;
  plan.rank = *rank;
  auto specs = rule.specs;
  auto names = ind::columns_of(specs);
  for (auto& s : rank->specs) {
    bool have = false;
    for (auto& c : s.columns)
      have = have || std::find(names.begin(), names.end(), c) != names.end();
    if (!have) {
      specs.push_back(s);
      names.insert(names.end(), s.columns.begin(), s.columns.end());
    }
  }
  rules::rebase_onto(plan.rule, specs);
  rules::rebase_onto(*plan.rank, specs);
  return plan;
}

bool before(const screen_row& a, const screen_row& b, bool ascending) {
  bool an = std::isnan(a.rank), bn = std::isnan(b.rank);
  if (an != bn)
    return bn; // missing ranks last
  if (!an && a.rank != b.rank)
    return ascending ? a.rank < b.rank : a.rank > b.rank;
  return a.symbol < b.symbol;
}

int order_of(screen_status s) noexcept {
  switch (s) {
  case screen_status::passed: return 0;
  case screen_status::failed: return 1;
  default: return 2;
  }
}

} // namespace

size_t ready_bars(const ind::indicator_spec& s) noexcept {
  using k = ind::indicator_kind;
  switch (s.kind) {
  case k::sma:
  case k::ema:
  case k::wma:
  case k::stdev:
  case k::zscore:
  case k::bb:
  case k::atr:
  case k::rvwap:
  case k::avg:
  case k::highest:
  case k::lowest: return period(s.p1);
  case k::rsi:
  case k::roc:
  case k::volratio:
  case k::breakout:
  case k::rvol: return period(s.p1) + 1;
  case k::macd: return std::max(period(s.p1), period(s.p2)) + period(s.p3) - 1;
  case k::adx: return 2 * period(s.p1);
  case k::stoch: return period(s.p1) + period(s.p2) + period(s.p3) - 2;
  case k::gap: return 2;
  case k::obv:
  case k::vwap: return 1;
  }
  return 1;
}

size_t warmup_bars(const ind::indicator_spec& s, double tol) noexcept {
  using k = ind::indicator_kind;
  if (!(tol > 0.0))
    return all_bars;
  size_t ready = ready_bars(s);
  switch (s.kind) {
  case k::ema: return ready + ema_tail(s.p1, tol);
  case k::rsi:
  case k::atr: return ready + wilder_tail(s.p1, tol);
  // The directional movement is smoothed, then the DX: two tails in a row.
  case k::adx: return ready + 2 * wilder_tail(s.p1, tol);
  // The signal EMA reads the line, which converges with the slower EMA.
  case k::macd:
    return ready + ema_tail(std::max(s.p1, s.p2), tol) + ema_tail(s.p3, tol);
  // A running total from the first bar: no window gives the same value.
  case k::obv: return all_bars;
  default: return ready;
  }
}

screen_window window_of(const rules::compiled_rules& rule, const rules::compiled_rules* rank,
                        double tolerance) noexcept {
  screen_window w;
  size_t ready = 1, feed = 1;
  int lookback = rule.max_lookback;
  auto add = [&](const rules::compiled_rules& r) {
    for (auto& s : r.specs) {
      ready = std::max(ready, ready_bars(s));
      feed = std::max(feed, warmup_bars(s, tolerance));
      w.whole_sessions = w.whole_sessions || s.kind == ind::indicator_kind::vwap;
    }
  };
  add(rule);
  if (rank) {
    add(*rank);
    lookback = std::max(lookback, rank->max_lookback);
  }
  auto back = static_cast<size_t>(std::max(lookback, 0));
  w.needs = ready + back;
  w.feeds = tolerance > 0.0 ? saturating_add(feed, back) : all_bars;
  return w;
}

const rules::program& screened_program(const rules::compiled_rules& rule) noexcept {
  return rule.entry.empty() ? rule.short_entry : rule.entry;
}

int64_t screen_day(int64_t ts) noexcept {
  // The session key rule_runner uses: a bar closing at midnight belongs to
  // the day it closed.
  int64_t t = ts - 1;
  return t / ns_per_day - (t % ns_per_day < 0 ? 1 : 0);
}

screen_result screen(const std::vector<symbol_bars>& universe, const rules::compiled_rules& rule,
                     const screen_options& opts) {
  screen_result out;
  auto plan = plan_of(rule, opts.rank);
  const auto& prog = screened_program(plan.rule);
  const auto window = window_of(plan.rule, plan.rank ? &*plan.rank : nullptr, opts.tolerance);
  out.needs = window.needs;
  out.feeds = window.feeds;
  const bool right_side = rank_by_right(prog);

  // One history and one values buffer, reused from symbol to symbol.
  rules::rule_state state{plan.rule};
  rules::rule_state rank_state = plan.rank ? rules::rule_state{*plan.rank} : rules::rule_state{};
  std::vector<double> values(plan.rule.width, rules::missing);
  rules::bar_view view;
  view.indicators = std::span<const double>{values.data(), values.size()};
  rules::rule_trace trace;
  rules::fundamentals extra;

  out.rows.reserve(universe.size());
  for (auto& sym : universe) {
    screen_row row;
    row.symbol = sym.symbol;
    auto& bars = sym.bars;
    size_t end = bars.size(); // one past the screened bar
    if (opts.day) {
      end = static_cast<size_t>(
        std::upper_bound(bars.begin(), bars.end(), *opts.day,
                         [](int64_t day, const screen_bar& b) { return day < screen_day(b.ts); })
        - bars.begin());
    }
    if (end == 0) {
      row.status = screen_status::no_bar;
      out.rows.push_back(std::move(row));
      continue;
    }
    row.ts = bars[end - 1].ts;
    if (end < window.needs) {
      row.status = screen_status::not_enough_history;
      row.needs = window.needs;
      row.has = end;
      out.rows.push_back(std::move(row));
      continue;
    }
    size_t begin = end > window.feeds ? end - window.feeds : 0;
    if (window.whole_sessions)
      while (begin > 0 && screen_day(bars[begin - 1].ts) == screen_day(bars[begin].ts))
        --begin;

    ind::indicator_set indicators{plan.rule.specs};
    state.reset();
    rank_state.reset();
    for (size_t i = begin; i < end; ++i) {
      auto& b = bars[i];
      indicators.update(b.bar, screen_day(b.ts), values.data());
      view.open = b.bar.open;
      view.high = b.bar.high;
      view.low = b.bar.low;
      view.close = b.bar.close;
      view.volume = b.bar.volume;
      view.ts = b.ts;
      view.extra = nullptr;
      if (!sym.reports.empty()) {
        extra = rules::fundamentals{};
        fundamentals_on(sym.reports, screen_day(b.ts) * ns_per_day, b.bar.close, extra);
        view.extra = &extra;
      }
      state.push(view);
      if (plan.rank)
        rank_state.push(view);
    }
    bool passed = rules::evaluate(prog, view, state, &trace);
    row.status = passed ? screen_status::passed : screen_status::failed;
    row.values.assign(trace.items.begin(), trace.items.begin() + trace.count);
    if (plan.rank) {
      row.rank = rules::evaluate_value(plan.rank->entry, view, rank_state);
    } else {
      for (auto& t : row.values)
        if (t.slot == 0)
          row.rank = right_side ? t.right : t.left;
    }
    out.rows.push_back(std::move(row));
  }

  for (auto& r : out.rows)
    ++(r.status == screen_status::passed   ? out.passed
       : r.status == screen_status::failed ? out.failed
                                           : out.skipped);
  std::sort(out.rows.begin(), out.rows.end(), [&](const screen_row& a, const screen_row& b) {
    int oa = order_of(a.status), ob = order_of(b.status);
    if (oa != ob)
      return oa < ob;
    if (oa == 2)
      return a.symbol < b.symbol;
    return before(a, b, opts.ascending);
  });
  return out;
}

std::optional<int64_t> parse_screen_date(const std::string& text) noexcept {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-')
    return std::nullopt;
  auto d = csv::parse_date_time(text);
  if (!d || d->has_time)
    return std::nullopt;
  return d->day_ns / ns_per_day;
}

std::string format_screen_date(int64_t day) {
  return csv::format_time(day * ns_per_day).substr(0, 10);
}

void attach_fundamentals(std::vector<symbol_bars>& universe, const std::vector<std::string>& paths,
                         std::ostream& err) {
  for (auto& path : paths) {
    auto read = read_fundamentals(path);
    for (auto& p : read.problems)
      err << "osprey screen: skipped " << p << '\n';
    for (auto& row : read.rows) {
      auto at = std::lower_bound(universe.begin(), universe.end(), row.symbol,
                                 [](const symbol_bars& s, const std::string& name) {
                                   return s.symbol < name;
                                 });
      if (at != universe.end() && at->symbol == row.symbol)
        at->reports.push_back(row);
    }
  }
  for (auto& s : universe)
    std::stable_sort(s.reports.begin(), s.reports.end(),
                     [](const fundamentals_row& a, const fundamentals_row& b) { return a.date < b.date; });
}

std::vector<symbol_bars> load_screen_bars(const std::vector<std::string>& paths, std::ostream& err) {
  symbol_table symbols;
  auto result = read_all_csv(paths, csv_replay_options{}, symbols);
  for (auto& p : result.report.problems)
    err << "osprey screen: skipped " << p << "\n";
  auto skipped = result.report.skipped();
  if (skipped > result.report.problems.size())
    err << "osprey screen: skipped " << skipped - result.report.problems.size()
        << " more rows\n";
  std::map<std::string, std::vector<screen_bar>> by_symbol;
  for (auto& m : result.messages) {
    auto b = m.as<fb::Bar>();
    if (!b)
      continue; // trades and quotes are not screened
    by_symbol[symbols.name(symbol_id{b->symbol()})].push_back(
      screen_bar{m.ts_event(),
                 ind::bar_input{price{b->open()}.dollars(), price{b->high()}.dollars(),
                                price{b->low()}.dollars(), price{b->close()}.dollars(),
                                shares_from_nanos(b->volume())}});
  }
  std::vector<symbol_bars> out;
  out.reserve(by_symbol.size());
  for (auto& [name, bars] : by_symbol)
    out.push_back(symbol_bars{name, std::move(bars), {}});
  return out;
}

namespace {

std::string skip_reason(const screen_row& r, const std::optional<int64_t>& day) {
  if (r.status == screen_status::no_bar) {
    std::string s = "no bar";
    if (day) {
      s += " on or before ";
      s += format_screen_date(*day);
    }
    return s;
  }
  std::string s = "not enough history (needs ";
  s += std::to_string(r.needs);
  s += " bars, has ";
  s += std::to_string(r.has);
  s += ")";
  return s;
}

bool shown(const screen_row& r, bool all) {
  return all || r.status == screen_status::passed;
}

bool skipped(const screen_row& r) {
  return r.status == screen_status::no_bar || r.status == screen_status::not_enough_history;
}

// "rsi(14) < 30: 27.3 < 30", with " false"/" unknown" when it did not hold.
std::string value_text(const rules::program& p, const rules::traced_comparison& t) {
  if (t.slot >= p.comparisons.size())
    return {};
  auto& c = p.comparisons[t.slot];
  std::string s = c.text;
  s += ": ";
  s += number_text(t.left);
  s += ' ';
  s += c.op;
  s += ' ';
  s += number_text(t.right);
  if (t.result != 1)
    s += t.result == 0 ? " false" : " unknown";
  return s;
}

// A passing row shows what held; a failing one what did not (the why).
std::string values_text(const rules::program& p, const screen_row& r) {
  std::string s;
  bool passed = r.status == screen_status::passed;
  for (auto& t : r.values) {
    if ((t.result == 1) != passed)
      continue;
    if (!s.empty())
      s += "; ";
    s += value_text(p, t);
  }
  return s;
}

const char* status_text(screen_status s) noexcept {
  switch (s) {
  case screen_status::passed: return "pass";
  case screen_status::failed: return "fail";
  default: return "skipped";
  }
}

} // namespace

void print_screen_text(const screen_result& r, const rules::compiled_rules& rule, size_t top,
                       bool all, std::ostream& out, const std::optional<int64_t>& day) {
  const auto& prog = screened_program(rule);
  std::vector<std::array<std::string, 5>> table;
  table.push_back({"symbol", "date", "result", "rank", all ? "values / why" : "values"});
  size_t listed = 0;
  for (auto& row : r.rows) {
    if (!shown(row, all) || skipped(row))
      continue;
    if (top && listed == top)
      break;
    ++listed;
    table.push_back({row.symbol, format_screen_date(screen_day(row.ts)), status_text(row.status),
                     number_text(row.rank), values_text(prog, row)});
  }
  std::array<size_t, 4> width{};
  for (auto& line : table)
    for (size_t c = 0; c < width.size(); ++c)
      width[c] = std::max(width[c], line[c].size());
  for (auto& line : table) {
    std::string s;
    for (size_t c = 0; c < width.size(); ++c) {
      s += line[c];
      s.append(width[c] - line[c].size() + 2, ' ');
    }
    s += line[4];
    while (!s.empty() && s.back() == ' ')
      s.pop_back();
    out << s << '\n';
  }
  for (auto& row : r.rows)
    if (skipped(row))
      out << "skipped " << row.symbol << ": " << skip_reason(row, day) << '\n';
  out << r.passed << " of " << r.rows.size() << " symbols passed (" << r.failed << " failed, "
      << r.skipped << " skipped)\n";
}

void print_screen_json(const screen_result& r, const rules::compiled_rules& rule, size_t top,
                       bool all, std::ostream& out, const std::optional<int64_t>& day) {
  const auto& prog = screened_program(rule);
  out << '[';
  size_t listed = 0;
  for (auto& row : r.rows) {
    if (!shown(row, all))
      continue;
    if (top && listed == top)
      break;
    out << (listed++ ? ",\n " : "\n ");
    out << "{\"symbol\": " << json_string(row.symbol) << ", \"date\": ";
    if (row.status == screen_status::no_bar)
      out << "null";
    else
      out << json_string(format_screen_date(screen_day(row.ts)));
    out << ", \"passed\": " << (row.status == screen_status::passed ? "true" : "false")
        << ", \"rank\": " << json_number(row.rank);
    if (skipped(row))
      out << ", \"skipped\": " << json_string(skip_reason(row, day));
    out << ", \"values\": [";
    for (size_t i = 0; i < row.values.size(); ++i) {
      auto& t = row.values[i];
      if (t.slot >= prog.comparisons.size())
        continue;
      out << (i ? ", " : "") << "{\"text\": " << json_string(prog.comparisons[t.slot].text)
          << ", \"left\": " << json_number(t.left) << ", \"right\": " << json_number(t.right)
          << ", \"result\": "
          << (t.result == 1 ? "true" : t.result == 0 ? "false" : "null") << '}';
    }
    out << "]}";
  }
  out << (listed ? "\n]\n" : "]\n");
}

int screen_command(const screen_command_options& opts, std::ostream& out, std::ostream& err,
                   const llm_env& env) {
  const char* me = "osprey screen: ";
  if (opts.rule.empty() == opts.phrase.empty()) {
    err << me << "give exactly one of --rule and --phrase\n";
    return 2;
  }
  if (opts.data.empty()) {
    err << me << "no data files (--data FILE...)\n";
    return 2;
  }
  for (auto& f : opts.data)
    if (!std::filesystem::is_regular_file(f)) {
      err << me << "data file " << f << " does not exist or is not a file\n";
      return 2;
    }
  std::optional<int64_t> day;
  if (!opts.date.empty()) {
    day = parse_screen_date(opts.date);
    if (!day) {
      err << me << "--date \"" << opts.date << "\" is not a date (YYYY-MM-DD)\n";
      return 2;
    }
  }
  if (!(opts.tolerance >= 0.0 && opts.tolerance < 1.0)) {
    err << me << "--tolerance must be at least 0 and below 1\n";
    return 2;
  }

  std::string text = opts.rule;
  if (!opts.phrase.empty()) {
    auto llm = resolve_llm_endpoint(opts.llm, env);
    if (!llm.ok()) {
      err << me << llm.error << '\n';
      return 2;
    }
    auto t = translate_phrase_or_ask_llm(opts.phrase, llm.endpoint);
    if (!t.ok) {
      err << me << "could not translate the phrase: " << t.message << '\n';
      return 2;
    }
    text = t.rule;
    // Shown before it is used, with the translator that made it.
    (opts.json ? err : out) << shown_rule(t, llm.endpoint.has_value()) << '\n';
  }
  auto rule = rules::compile_rules(text);
  if (!rule) {
    err << me << "the rule does not compile:\n" << rule.error().text() << '\n';
    return 2;
  }
  std::optional<rules::compiled_rules> rank;
  if (!opts.rank.empty()) {
    auto r = rules::compile_expression(opts.rank, rules::value_type::number);
    if (!r) {
      err << me << "the --rank expression does not compile:\n" << r.error().text() << '\n';
      return 2;
    }
    rank = std::move(r.value());
  }

  std::vector<symbol_bars> universe;
  try {
    universe = load_screen_bars(opts.data, err);
  } catch (const std::exception& e) {
    err << me << e.what() << '\n';
    return 2;
  }
  if (universe.empty()) {
    err << me << "the data files hold no bars: the universe is empty\n";
    return 2;
  }
  try {
    attach_fundamentals(universe, opts.fundamentals, err);
  } catch (const std::exception& e) {
    err << me << e.what() << '\n';
    return 2;
  }

  screen_options so;
  so.day = day;
  so.rank = rank ? &*rank : nullptr;
  so.ascending = opts.ascending;
  so.tolerance = opts.tolerance;
  auto result = screen(universe, rule.value(), so);
  size_t no_bar = 0;
  for (auto& r : result.rows)
    no_bar += r.status == screen_status::no_bar;
  if (no_bar == result.rows.size()) {
    err << me << "no symbol has a bar on or before " << opts.date << " (the data starts later)\n";
    return 1;
  }
  if (opts.json) {
    print_screen_json(result, rule.value(), opts.top, opts.all, out, day);
    for (auto& r : result.rows)
      if (skipped(r) && !opts.all)
        err << me << "skipped " << r.symbol << ": " << skip_reason(r, day) << '\n';
  } else {
    print_screen_text(result, rule.value(), opts.top, opts.all, out, day);
  }
  return 0;
}

} // namespace osprey
