#include "actors/rule_vm.hpp"

#include <charconv>
#include <cmath>

namespace osprey::rules {

namespace {

double field_of(const bar_view& b, uint16_t i) noexcept {
  switch (i) {
  case 0: return b.open;
  case 1: return b.high;
  case 2: return b.low;
  case 3: return b.close;
  case 4: return b.volume;
  default: return missing;
  }
}

double read_now(const bar_view& b, series_source src, uint16_t i) noexcept {
  switch (src) {
  case series_source::field: return field_of(b, i);
  case series_source::column: return i < b.indicators.size() ? b.indicators[i] : missing;
  case series_source::fundamental: return b.extra ? b.extra->get(i) : missing;
  }
  return missing;
}

// A comparison in three-valued logic: unknown when either side is missing.
// Written to compile to selects rather than branches: the outcomes are data
// dependent and would mispredict.
template <class Cmp>
inline double compare(double l, double r, Cmp cmp) noexcept {
  bool unknown = std::isnan(l) | std::isnan(r);
  double v = cmp(l, r) ? 1.0 : 0.0;
  return unknown ? missing : v;
}

inline void record(rule_trace* t, uint16_t slot, double l, double r, double result) noexcept {
  if (!t || t->count >= rule_trace::capacity)
    return;
  auto& e = t->items[t->count++];
  e.slot = slot;
  e.left = l;
  e.right = r;
  e.result = std::isnan(result) ? int8_t{-1} : static_cast<int8_t>(result != 0.0);
}

std::string number_text(double v) {
  if (std::isnan(v))
    return "missing";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 6);
  return ec == std::errc{} ? std::string(buf, end) : "?";
}

} // namespace

rule_state::rule_state(const compiled_rules& rules) {
  uint32_t base = 0;
  for (auto& r : rules.rings) {
    uint32_t size = static_cast<uint32_t>(r.depth) + 1u;
    slots_.push_back(slot{r.source, r.index, base, size, size - 1});
    base += r.depth + 1u;
  }
  values_.assign(base, missing);
}

void rule_state::push(const bar_view& bar) noexcept {
  for (auto& s : slots_) {
    s.head = s.head + 1 == s.size ? 0 : s.head + 1;
    values_[s.base + s.head] = read_now(bar, s.source, s.index);
  }
  ++bars_;
}

namespace {

// The interpreter, instantiated with and without a trace so the untraced
// loop has no trace checks and may short-circuit (see opcode::and_skip).
template <bool Traced>
double run(const program& p, const bar_view& bar, const rule_state& state,
           rule_trace* trace) noexcept {
  // The compiler bounds max_stack well below this.
  double stack[192];
  int top = -1;
  const op* ops = p.ops.data();
  const size_t count = p.ops.size();
  for (size_t pc = 0; pc < count; ++pc) {
    const op& o = ops[pc];
    switch (o.code) {
    case opcode::constant: stack[++top] = o.value; break;
    case opcode::field: stack[++top] = field_of(bar, o.index); break;
    case opcode::column:
      stack[++top] = o.index < bar.indicators.size() ? bar.indicators[o.index] : missing;
      break;
    case opcode::fundamental: stack[++top] = bar.extra ? bar.extra->get(o.index) : missing; break;
    case opcode::past: stack[++top] = state.past(o.index, o.offset); break;
    case opcode::add: --top; stack[top] += stack[top + 1]; break;
    case opcode::sub: --top; stack[top] -= stack[top + 1]; break;
    case opcode::mul: --top; stack[top] *= stack[top + 1]; break;
    case opcode::div:
      --top;
      // x / 0 is missing rather than infinity: no rule should trade on it.
      stack[top] = stack[top + 1] != 0.0 ? stack[top] / stack[top + 1] : missing;
      break;
    case opcode::add_k: stack[top] += o.value; break;
    case opcode::sub_k: stack[top] -= o.value; break;
    case opcode::mul_k: stack[top] *= o.value; break;
    case opcode::div_k: stack[top] = o.value != 0.0 ? stack[top] / o.value : missing; break;
    case opcode::negate: stack[top] = -stack[top]; break;
    case opcode::abs: stack[top] = std::fabs(stack[top]); break;
    case opcode::min:
    case opcode::max: {
      --top;
      double a = stack[top], b = stack[top + 1];
      stack[top] = std::isnan(a) || std::isnan(b) ? missing
                   : o.code == opcode::min         ? std::min(a, b)
                                                   : std::max(a, b);
      break;
    }
#define OSPREY_RULE_COMPARE(code, expr)                                                       \
  case opcode::code: {                                                                       \
    --top;                                                                                   \
    double l = stack[top], r = stack[top + 1];                                               \
    stack[top] = compare(l, r, [](double x, double y) { return expr; });                     \
    if constexpr (Traced)                                                                    \
      record(trace, o.index, l, r, stack[top]);                                              \
    break;                                                                                   \
  }                                                                                          \
  case opcode::code##_k: {                                                                   \
    double l = stack[top], r = o.value;                                                      \
    stack[top] = compare(l, r, [](double x, double y) { return expr; });                     \
    if constexpr (Traced) {                                                                  \
      if (o.offset)                                                                          \
        record(trace, o.index, r, l, stack[top]);                                            \
      else                                                                                   \
        record(trace, o.index, l, r, stack[top]);                                            \
    }                                                                                        \
    break;                                                                                   \
  }
      OSPREY_RULE_COMPARE(lt, x < y)
      OSPREY_RULE_COMPARE(le, x <= y)
      OSPREY_RULE_COMPARE(gt, x > y)
      OSPREY_RULE_COMPARE(ge, x >= y)
      OSPREY_RULE_COMPARE(eq, x == y)
      OSPREY_RULE_COMPARE(ne, x != y)
#undef OSPREY_RULE_COMPARE
    case opcode::crosses_above:
    case opcode::crosses_below: {
      top -= 3;
      double a = stack[top], b = stack[top + 1], a1 = stack[top + 2], b1 = stack[top + 3];
      double r;
      if (std::isnan(a) || std::isnan(b) || std::isnan(a1) || std::isnan(b1))
        r = missing;
      else if (o.code == opcode::crosses_above)
        r = a > b && a1 <= b1;
      else
        r = a < b && a1 >= b1;
      stack[top] = r;
      if constexpr (Traced)
        record(trace, o.index, a, b, r);
      break;
    }
    case opcode::and_skip:
      // The op before the target combines; the left side's false stands.
      if (!Traced && stack[top] == 0.0)
        pc = o.offset - 1u;
      break;
    case opcode::or_skip:
      if (!Traced && stack[top] == 1.0)
        pc = o.offset - 1u;
      break;
    case opcode::logical_and: {
      // Values are 1, 0 or NaN: false wins, else the product is 1 or NaN.
      --top;
      double a = stack[top], b = stack[top + 1];
      bool any_false = (a == 0.0) | (b == 0.0);
      double product = a * b;
      stack[top] = any_false ? 0.0 : product;
      break;
    }
    case opcode::logical_or: {
      // True wins, else the sum is 0 or NaN.
      --top;
      double a = stack[top], b = stack[top + 1];
      bool any_true = (a == 1.0) | (b == 1.0);
      double sum = a + b;
      stack[top] = any_true ? 1.0 : sum;
      break;
    }
    case opcode::logical_not:
      stack[top] = std::isnan(stack[top]) ? missing : 1.0 - stack[top];
      break;
    }
  }
  return top >= 0 ? stack[top] : missing;
}

} // namespace

double evaluate_value(const program& p, const bar_view& bar, const rule_state& state,
                      rule_trace* trace) noexcept {
  if (!trace)
    return run<false>(p, bar, state, nullptr);
  trace->count = 0;
  return run<true>(p, bar, state, trace);
}

bool evaluate(const program& p, const bar_view& bar, const rule_state& state,
              rule_trace* trace) noexcept {
  return evaluate_value(p, bar, state, trace) == 1.0;
}

std::string explain(const program& p, const rule_trace& trace) {
  std::string out;
  for (uint16_t i = 0; i < trace.count; ++i) {
    auto& e = trace.items[i];
    if (e.slot >= p.comparisons.size())
      continue;
    auto& c = p.comparisons[e.slot];
    if (!out.empty())
      out += "; ";
    out += c.text;
    out += ": ";
    out += number_text(e.left);
    out += ' ';
    out += c.op;
    out += ' ';
    out += number_text(e.right);
    out += e.result == 1 ? " true" : e.result == 0 ? " false" : " unknown";
  }
  return out;
}

rule_runner::rule_runner(const compiled_rules& rules)
  : rules_{&rules}, indicators_{rules.indicators()}, values_(indicators_.width(), missing),
    state_{rules} {
  view_.indicators = std::span<const double>{values_.data(), values_.size()};
}

const bar_view& rule_runner::step(const ind::bar_input& bar, int64_t ts,
                                  const fundamentals* extra) noexcept {
  // The same session key the signal actor uses: the UTC day of the bar's close.
  int64_t session = (ts - 1) / 86'400'000'000'000;
  indicators_.update(bar, session, values_.data());
  view_.open = bar.open;
  view_.high = bar.high;
  view_.low = bar.low;
  view_.close = bar.close;
  view_.volume = bar.volume;
  view_.ts = ts;
  view_.extra = extra;
  state_.push(view_);
  return view_;
}

} // namespace osprey::rules
