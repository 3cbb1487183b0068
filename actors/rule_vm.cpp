#include "actors/rule_vm.hpp"

#include <charconv>
#include <cmath>
#include <iterator>

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
// Threaded dispatch (GNU computed goto): each operation jumps straight to
// the next one's code, which predicts far better than one shared switch.
template <bool Traced>
double run(const program& p, const bar_view& bar, const rule_state& state,
           rule_trace* trace) noexcept {
  // In opcode order; checked below against the enum's last value.
  static constexpr void* code[] = {
    &&op_constant, &&op_field, &&op_column, &&op_fundamental, &&op_past,
    &&op_add, &&op_sub, &&op_mul, &&op_div, &&op_negate, &&op_abs, &&op_min, &&op_max,
    &&op_lt, &&op_le, &&op_gt, &&op_ge, &&op_eq, &&op_ne,
    &&op_crosses_above, &&op_crosses_below,
    &&op_logical_and, &&op_logical_or, &&op_logical_not,
    &&op_add_k, &&op_sub_k, &&op_mul_k, &&op_div_k,
    &&op_lt_k, &&op_le_k, &&op_gt_k, &&op_ge_k, &&op_eq_k, &&op_ne_k,
    &&op_and_skip, &&op_or_skip,
  };
  static_assert(std::size(code) == static_cast<size_t>(opcode::or_skip) + 1,
                "one label per opcode, in order");
  // The compiler bounds max_stack well below this.
  double stack[192];
  int top = -1;
  const op* ops = p.ops.data();
  const op* const end = ops + p.ops.size();
  const op* o = ops;
#define OSPREY_NEXT                                                                          \
  do {                                                                                       \
    if (++o == end)                                                                          \
      goto done;                                                                             \
    goto *code[static_cast<uint8_t>(o->code)];                                               \
  } while (0)
  if (o == end)
    goto done;
  goto *code[static_cast<uint8_t>(o->code)];

op_constant: stack[++top] = o->value; OSPREY_NEXT;
op_field: stack[++top] = field_of(bar, o->index); OSPREY_NEXT;
op_column:
  stack[++top] = o->index < bar.indicators.size() ? bar.indicators[o->index] : missing;
  OSPREY_NEXT;
op_fundamental: stack[++top] = bar.extra ? bar.extra->get(o->index) : missing; OSPREY_NEXT;
op_past: stack[++top] = state.past(o->index, o->offset); OSPREY_NEXT;
op_add: --top; stack[top] += stack[top + 1]; OSPREY_NEXT;
op_sub: --top; stack[top] -= stack[top + 1]; OSPREY_NEXT;
op_mul: --top; stack[top] *= stack[top + 1]; OSPREY_NEXT;
op_div:
  --top;
  // x / 0 is missing rather than infinity: no rule should trade on it.
  stack[top] = stack[top + 1] != 0.0 ? stack[top] / stack[top + 1] : missing;
  OSPREY_NEXT;
op_add_k: stack[top] += o->value; OSPREY_NEXT;
op_sub_k: stack[top] -= o->value; OSPREY_NEXT;
op_mul_k: stack[top] *= o->value; OSPREY_NEXT;
op_div_k: stack[top] = o->value != 0.0 ? stack[top] / o->value : missing; OSPREY_NEXT;
op_negate: stack[top] = -stack[top]; OSPREY_NEXT;
op_abs: stack[top] = std::fabs(stack[top]); OSPREY_NEXT;
op_min:
op_max: {
  --top;
  double a = stack[top], b = stack[top + 1];
  stack[top] = std::isnan(a) || std::isnan(b) ? missing
               : o->code == opcode::min       ? std::min(a, b)
                                              : std::max(a, b);
  OSPREY_NEXT;
}
#define OSPREY_RULE_COMPARE(name, expr)                                                       \
  op_##name : {                                                                              \
    --top;                                                                                   \
    double l = stack[top], r = stack[top + 1];                                               \
    stack[top] = compare(l, r, [](double x, double y) { return expr; });                     \
    if constexpr (Traced)                                                                    \
      record(trace, o->index, l, r, stack[top]);                                             \
    OSPREY_NEXT;                                                                             \
  }                                                                                          \
  op_##name##_k : {                                                                          \
    double l = stack[top], r = o->value;                                                     \
    stack[top] = compare(l, r, [](double x, double y) { return expr; });                     \
    if constexpr (Traced) {                                                                  \
      if (o->offset)                                                                         \
        record(trace, o->index, r, l, stack[top]);                                           \
      else                                                                                   \
        record(trace, o->index, l, r, stack[top]);                                           \
    }                                                                                        \
    OSPREY_NEXT;                                                                             \
  }
  OSPREY_RULE_COMPARE(lt, x < y)
  OSPREY_RULE_COMPARE(le, x <= y)
  OSPREY_RULE_COMPARE(gt, x > y)
  OSPREY_RULE_COMPARE(ge, x >= y)
  OSPREY_RULE_COMPARE(eq, x == y)
  OSPREY_RULE_COMPARE(ne, x != y)
#undef OSPREY_RULE_COMPARE
op_crosses_above:
op_crosses_below: {
  top -= 3;
  double a = stack[top], b = stack[top + 1], a1 = stack[top + 2], b1 = stack[top + 3];
  double r;
  if (std::isnan(a) || std::isnan(b) || std::isnan(a1) || std::isnan(b1))
    r = missing;
  else if (o->code == opcode::crosses_above)
    r = a > b && a1 <= b1;
  else
    r = a < b && a1 >= b1;
  stack[top] = r;
  if constexpr (Traced)
    record(trace, o->index, a, b, r);
  OSPREY_NEXT;
}
op_and_skip:
  // The op before the target combines; the left side's false stands.
  if (!Traced && stack[top] == 0.0)
    o = ops + o->offset - 1;
  OSPREY_NEXT;
op_or_skip:
  if (!Traced && stack[top] == 1.0)
    o = ops + o->offset - 1;
  OSPREY_NEXT;
op_logical_and: {
  // Values are 1, 0 or NaN: false wins, else the product is 1 or NaN.
  --top;
  double a = stack[top], b = stack[top + 1];
  bool any_false = (a == 0.0) | (b == 0.0);
  double product = a * b;
  stack[top] = any_false ? 0.0 : product;
  OSPREY_NEXT;
}
op_logical_or: {
  // True wins, else the sum is 0 or NaN.
  --top;
  double a = stack[top], b = stack[top + 1];
  bool any_true = (a == 1.0) | (b == 1.0);
  double sum = a + b;
  stack[top] = any_true ? 1.0 : sum;
  OSPREY_NEXT;
}
op_logical_not:
  stack[top] = std::isnan(stack[top]) ? missing : 1.0 - stack[top];
  OSPREY_NEXT;
#undef OSPREY_NEXT
done:
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
