#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "actors/rule_compiler.hpp"
#include "actors/rule_vm.hpp"

using namespace osprey::rules;
namespace ind = osprey::ind;

namespace {

// Joins pieces without `"literal" + std::string`, which g++ 12 flags with a
// false -Wrestrict at -O3.
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string s;
  ((s += parts), ...);
  return s;
}

// Builds random well-formed rules from the grammar, driven by one seed.
class rule_writer {
public:
  /// `opaque_literals` writes each number as `(k + 0 * close)`: the same
  /// value (close is always finite here), but no longer a literal the
  /// compiler can fold into an operation.
  explicit rule_writer(uint64_t seed, bool opaque_literals = false)
    : rng_{seed}, opaque_{opaque_literals} {
  }

  std::string boolean(int depth) {
    switch (pick(depth > 0 ? 6 : 2)) {
    case 0:
    case 1: return cat(number(depth - 1), " ", one_of({"<", "<=", ">", ">=", "==", "!="}), " ", number(depth - 1));
    case 2: return cat("crosses_", one_of({"above", "below"}), "(", number(depth - 1), ", ", number(depth - 1), ")");
    case 3: return cat(boolean(depth - 1), " ", one_of({"and", "or"}), " ", boolean(depth - 1));
    case 4: return cat("not (", boolean(depth - 1), ")");
    default: return cat("(", boolean(depth - 1), ")[", std::to_string(pick(4)), "]");
    }
  }

  std::string number(int depth) {
    switch (pick(depth > 0 ? 9 : 4)) {
    case 0: {
      auto k = cat(std::to_string(pick(200)), ".", std::to_string(pick(10)));
      return opaque_ ? cat("(", k, " + 0 * close)") : k;
    }
    case 1: return one_of({"open", "high", "low", "close", "volume", "pe", "sentiment", "gap_pct", "volume_ratio", "vwap", "obv"});
    case 2:
      return cat(one_of({"sma(close, ", "ema(", "rsi(", "avg(volume, ", "highest(high, ", "lowest(low, ",
                     "atr(", "stdev(", "volume_ratio(", "roc(", "wma(close, "}),
                 std::to_string(1 + pick(30)), ")");
    case 3: return cat("macd(", std::to_string(2 + pick(5)), ", ", std::to_string(8 + pick(10)), ", 3).", one_of({"line", "signal", "hist"}));
    case 4:
    case 5: return cat(number(depth - 1), " ", one_of({"+", "-", "*", "/"}), " ", number(depth - 1));
    case 6: return cat("-", number(depth - 1));
    case 7: return cat(one_of({"abs(", "min(1, ", "max(close, "}), number(depth - 1), ")");
    default: return cat("(", number(depth - 1), ")[", std::to_string(pick(5)), "]");
    }
  }

private:
  int pick(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }
  std::string one_of(std::initializer_list<const char*> xs) {
    return *(xs.begin() + pick(static_cast<int>(xs.size())));
  }
  std::mt19937_64 rng_;
  bool opaque_ = false;
};

ind::bar_input random_bar(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  double c = 100 + 10 * u(rng);
  return {c + u(rng), c + 2 + u(rng), c - 2 + u(rng), c, 1000 + 500 * u(rng)};
}

} // namespace

RC_GTEST_PROP(rule_property, well_formed_rules_compile_and_evaluate_within_their_bounds,
              (uint64_t seed, uint8_t depth)) {
  rule_writer w{seed};
  auto text = w.boolean(1 + depth % 4);
  auto r = compile_rules(text);
  RC_ASSERT(r.ok());
  auto& c = r.value();
  RC_ASSERT(c.entry.ops.size() <= max_ops);
  RC_ASSERT(c.entry.max_stack <= 160);
  RC_ASSERT(c.max_lookback <= max_lookback);
  rule_runner run{c};
  std::mt19937_64 rng{seed};
  fundamentals f;
  f.pe = 10;
  for (int i = 0; i < 60; ++i) {
    run.step(random_bar(rng), (i + 1) * 86'400'000'000'000LL, i % 2 ? &f : nullptr);
    rule_trace trace;
    double v = evaluate_value(c.entry, run.view(), rule_state{c}, &trace);
    // A true/false program yields true, false or unknown, never anything else.
    RC_ASSERT(std::isnan(v) || v == 0.0 || v == 1.0);
    RC_ASSERT(trace.count <= rule_trace::capacity);
    RC_ASSERT(trace.count <= c.entry.comparisons.size());
    bool b = run.entry(&trace);
    RC_ASSERT(b == (evaluate_value(c.entry, run.view(), rule_state{c}) == 1.0) || c.max_lookback > 0);
  }
}

RC_GTEST_PROP(rule_property, garbage_never_crashes_and_errors_point_inside_the_text,
              (std::vector<uint8_t> picks)) {
  static const char* pieces[] = {
    "close", "rsi(", "14", ")", "(", "[", "]", "1", ".", ",", "<", ">", "=", "!", "+", "-", "*",
    "/", "%", "$", ":", "#", " ", "\n", "and", "or", "not", "entry:", "exit:", "size:", "stop:",
    "shares", "equity", "risk", "macd(12,26,9)", ".signal", "sma(close,", "x", "é", "\t", "1000",
    "crosses_above(", "highest(high,", "3%", "gap_pct", "pe", "@", "\"", "99999999999999999999"};
  std::string text;
  for (auto p : picks)
    text += pieces[p % (sizeof pieces / sizeof *pieces)];
  auto r = compile_rules(text);
  if (r.ok())
    return;
  auto& e = r.error();
  // The position is a real spot of the text: on an existing line, at most
  // one past its end, and the printed line is that line.
  uint32_t lines = 1;
  for (char ch : text)
    lines += ch == '\n';
  RC_ASSERT(e.pos.line >= 1 && e.pos.line <= lines);
  RC_ASSERT(e.pos.column >= 1 && e.pos.column <= e.source_line.size() + 2);
  RC_ASSERT(e.pos.offset <= text.size());
  auto printed = e.text();
  auto head = cat(std::to_string(e.pos.line), ":", std::to_string(e.pos.column), ": ");
  RC_ASSERT(printed.rfind(head, 0) == 0u);
  RC_ASSERT(printed.back() == '^');
  RC_ASSERT(!e.message.empty());
}

// The fast path (literals folded into operations, `and`/`or` cut short)
// against the plain one (opaque literals, full evaluation with a trace):
// the same value on every bar once both have their history.
RC_GTEST_PROP(rule_property, folded_and_short_circuited_evaluation_matches_the_plain_one,
              (uint64_t seed, uint8_t depth)) {
  int d = 1 + depth % 4;
  auto fast_text = rule_writer{seed}.boolean(d);
  auto plain_text = rule_writer{seed, true}.boolean(d);
  auto fast = compile_rules(fast_text);
  auto plain = compile_rules(plain_text);
  RC_ASSERT(fast.ok());
  RC_ASSERT(plain.ok());
  rule_runner fast_run{fast.value()}, plain_run{plain.value()};
  std::mt19937_64 rng{seed};
  fundamentals f;
  f.pe = 10;
  for (int i = 0; i < 60; ++i) {
    auto bar = random_bar(rng);
    int64_t ts = (i + 1) * 86'400'000'000'000LL;
    fast_run.step(bar, ts, i % 2 ? &f : nullptr);
    plain_run.step(bar, ts, i % 2 ? &f : nullptr);
    if (i <= plain.value().max_lookback)
      continue; // a look-back of a literal is the literal; of `0 * close`, missing at first
    rule_trace trace;
    double a = fast_run.value(fast.value().entry);
    double b = plain_run.value(plain.value().entry, &trace);
    RC_ASSERT((std::isnan(a) && std::isnan(b)) || a == b);
  }
}
