#include "actors/rule_compiler.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <span>
#include <stdexcept>

namespace osprey::rules {

namespace {

/// The VM's fixed stack; a program needing more is refused at compile time.
constexpr int stack_limit = 160;

struct compile_failure {
  uint32_t offset;
  std::string message;
};

[[noreturn]] void fail(uint32_t offset, std::string message) {
  throw compile_failure{offset, std::move(message)};
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  out += s;
  out += '"';
  return out;
}

source_pos pos_at(std::string_view source, uint32_t offset) {
  source_pos p;
  p.offset = offset;
  for (uint32_t i = 0; i < offset && i < source.size(); ++i) {
    if (source[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

constexpr const char* field_names[] = {"open", "high", "low", "close", "volume"};
constexpr const char* fundamental_names[] = {"pe", "eps_surprise_pct", "revenue_growth_pct",
                                             "sentiment", "mentions", "news_velocity"};
// Functions; the first group reads the close unless given a field.
constexpr const char* function_names[] = {
  "sma", "ema", "wma", "rsi", "stdev", "zscore", "roc", "avg", "highest", "lowest", "atr", "adx",
  "macd", "bb", "stoch", "rvwap", "volume_ratio", "obv", "vwap", "gap_pct", "crosses_above",
  "crosses_below", "abs", "min", "max"};

int field_index(std::string_view name) {
  for (int i = 0; i < 5; ++i)
    if (name == field_names[i])
      return i;
  return -1;
}

int fundamental_index(std::string_view name) {
  for (int i = 0; i < static_cast<int>(fundamental_count); ++i)
    if (name == fundamental_names[i])
      return i;
  return -1;
}

bool is_function(std::string_view name) {
  for (auto f : function_names)
    if (name == f)
      return true;
  return false;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string suggestion(std::string_view name) {
  const std::string* best = nullptr;
  size_t best_d = 0;
  for (auto& k : known_names()) {
    auto d = edit_distance(name, k);
    if (!best || d < best_d) {
      best = &k;
      best_d = d;
    }
  }
  if (!best || best_d > std::max<size_t>(2, name.size() / 3))
    return "";
  std::string s = " (did you mean ";
  s += quoted(*best);
  s += "?)";
  return s;
}

std::string number_text(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return ec == std::errc{} ? std::string(buf, end) : std::to_string(v);
}

const char* type_name(value_type t) {
  return t == value_type::number ? "a number" : "true/false";
}

struct member_column {
  const char* name;
  int column;
};

class compiler {
public:
  compiler(const parsed_rules& p, compiled_rules& out) : p_{p}, out_{out} {
  }

  /// Compiles the expression at `root` into `prog`; returns its type.
  value_type compile_program(uint32_t root, program& prog) {
    prog_ = &prog;
    depth_ = 0;
    stack_ = 0;
    auto t = compile(root, 0);
    prog.type = t;
    auto& n = p_.nodes[root];
    prog.text = p_.source.substr(n.begin, n.end - n.begin);
    return t;
  }

private:
  const node& at(uint32_t id) const { return p_.nodes[id]; }

  void emit(opcode c, int stack_delta, uint16_t index = 0, uint16_t offset = 0, double value = 0) {
    prog_->ops.push_back(op{c, index, offset, value});
    stack_ += stack_delta;
    if (stack_ > prog_->max_stack)
      prog_->max_stack = static_cast<uint16_t>(std::min(stack_, 65535));
    if (stack_ > stack_limit)
      fail(cur_offset_, "the expression is too complex (it needs more than " + std::to_string(stack_limit) + " values at once)");
    if (prog_->ops.size() > max_ops * 4)
      fail(cur_offset_, "the rule compiles to more than " + std::to_string(max_ops) + " operations");
  }

  void load(series_source src, uint16_t index, int offset) {
    if (offset == 0) {
      emit(src == series_source::field ? opcode::field
           : src == series_source::column ? opcode::column
                                          : opcode::fundamental,
           1, index);
      return;
    }
    uint16_t ring = 0;
    for (; ring < out_.rings.size(); ++ring)
      if (out_.rings[ring].source == src && out_.rings[ring].index == index)
        break;
    if (ring == out_.rings.size())
      out_.rings.push_back(series_ring{src, index, 0});
    auto& r = out_.rings[ring];
    r.depth = static_cast<uint16_t>(std::max<int>(r.depth, offset));
    out_.max_lookback = std::max(out_.max_lookback, offset);
    emit(opcode::past, 1, ring, static_cast<uint16_t>(offset));
  }

  void check_offset(const node& n, int offset) {
    if (offset > max_lookback) {
      std::string m = "a look-back of ";
      m += std::to_string(offset);
      m += " bars is beyond the limit of ";
      m += std::to_string(max_lookback);
      fail(n.pos.offset, m);
    }
  }

  value_type compile(uint32_t id, int offset) {
    auto& n = at(id);
    cur_offset_ = n.pos.offset;
    switch (n.kind) {
    case node_kind::number:
      emit(opcode::constant, 1, 0, 0, n.number);
      return value_type::number;
    case node_kind::percent: {
      std::string m = "a percent like ";
      m += n.name;
      m += " is only allowed in size:, stop: and target: (gap_pct and the other _pct values are "
           "already in percent points: write ";
      m += number_text(n.number * 100.0);
      m += ")";
      fail(n.pos.offset, m);
    }
    case node_kind::name: return name(n, offset);
    case node_kind::call: return call(n, nullptr, offset);
    case node_kind::member: {
      auto& inner = at(n.args[0]);
      if (inner.kind != node_kind::call)
        fail(n.pos.offset, "only indicator calls have columns, like macd(12, 26, 9).signal");
      return call(inner, &n, offset);
    }
    case node_kind::lookback: {
      int total = offset + n.bars;
      check_offset(n, total);
      return compile(n.args[0], total);
    }
    case node_kind::negate: {
      auto t = compile(n.args[0], offset);
      if (t != value_type::number)
        fail(n.pos.offset, "\"-\" needs a number, but this is true/false");
      emit(opcode::negate, 0);
      return t;
    }
    case node_kind::logical_not: {
      auto t = compile(n.args[0], offset);
      if (t != value_type::boolean)
        fail(n.pos.offset, "\"not\" needs a true/false condition, but this is a number (compare it, e.g. not (rsi(14) > 70))");
      emit(opcode::logical_not, 0);
      return t;
    }
    case node_kind::binary: return binary(n, offset);
    }
    fail(n.pos.offset, "unknown node");
  }

  value_type binary(const node& n, int offset) {
    bool logical = n.op == binary_op::logical_and || n.op == binary_op::logical_or;
    auto l = compile(n.args[0], offset);
    size_t skip = prog_->ops.size();
    if (logical)
      emit(n.op == binary_op::logical_and ? opcode::and_skip : opcode::or_skip, 0);
    auto r = compile(n.args[1], offset);
    auto side_error = [&](const char* rule, value_type want) {
      std::string m = quoted(to_string(n.op));
      m += rule;
      m += ", but the ";
      m += l != want ? "left" : "right";
      m += " side is ";
      m += type_name(l != want ? l : r);
      if (want == value_type::boolean)
        m += " (compare it, e.g. rsi(14) < 30)";
      fail(n.pos.offset, m);
    };
    switch (n.op) {
    case binary_op::add:
    case binary_op::sub:
    case binary_op::mul:
    case binary_op::div:
      if (l != value_type::number || r != value_type::number)
        side_error(" needs numbers on both sides", value_type::number);
      emit_binary(n.op == binary_op::add   ? opcode::add
                  : n.op == binary_op::sub ? opcode::sub
                  : n.op == binary_op::mul ? opcode::mul
                                           : opcode::div);
      return value_type::number;
    case binary_op::logical_and:
    case binary_op::logical_or:
      if (l != value_type::boolean || r != value_type::boolean)
        side_error(" joins true/false conditions", value_type::boolean);
      emit(n.op == binary_op::logical_and ? opcode::logical_and : opcode::logical_or, -1);
      // The skip lands after the combining op, the left side's value on top.
      prog_->ops[skip].offset = static_cast<uint16_t>(prog_->ops.size());
      return value_type::boolean;
    default: break;
    }
    if (l != value_type::number || r != value_type::number)
      side_error(" compares numbers", value_type::number);
    constexpr opcode cmp[] = {opcode::lt, opcode::le, opcode::gt, opcode::ge, opcode::eq, opcode::ne};
    auto slot = trace_slot(n, to_string(n.op));
    emit_binary(cmp[static_cast<int>(n.op) - static_cast<int>(binary_op::lt)], slot);
    return value_type::boolean;
  }

  // Emits an arithmetic op or a comparison on the two values on top,
  // folding a literal operand into the op (see opcode: the `_k` forms), or
  // computing it when both are literals and nothing needs to be traced.
  void emit_binary(opcode c, uint16_t slot = 0) {
    auto& ops = prog_->ops;
    size_t n = ops.size();
    bool comparison = c >= opcode::lt && c <= opcode::ne;
    auto fused = static_cast<opcode>(static_cast<int>(c) +
                                     (comparison ? static_cast<int>(opcode::lt_k) - static_cast<int>(opcode::lt)
                                                 : static_cast<int>(opcode::add_k) - static_cast<int>(opcode::add)));
    // A subtree that ends with a push is exactly that push: any compound
    // subtree ends with its operator.
    bool right_literal = n >= 1 && ops[n - 1].code == opcode::constant;
    bool left_literal = n >= 2 && ops[n - 2].code == opcode::constant;
    if (left_literal && right_literal && !comparison) {
      double a = ops[n - 2].value, b = ops[n - 1].value;
      ops[n - 2].value = c == opcode::add ? a + b
                         : c == opcode::sub ? a - b
                         : c == opcode::mul ? a * b
                         : b != 0.0         ? a / b
                                            : std::numeric_limits<double>::quiet_NaN();
      ops.pop_back();
      --stack_;
      return;
    }
    if (right_literal) {
      double k = ops[n - 1].value;
      ops.pop_back();
      --stack_;
      emit(fused, 0, slot, 0, k);
      return;
    }
    auto single_push = [](opcode o) {
      return o == opcode::field || o == opcode::column || o == opcode::fundamental ||
             o == opcode::past;
    };
    bool commutes = c == opcode::add || c == opcode::mul || comparison;
    if (left_literal && single_push(ops[n - 1].code) && commutes) {
      double k = ops[n - 2].value;
      ops[n - 2] = ops[n - 1];
      ops.pop_back();
      --stack_;
      if (comparison) {
        // k < x is x > k; the trace still shows k on the left.
        constexpr opcode flipped[] = {opcode::gt_k, opcode::ge_k, opcode::lt_k,
                                      opcode::le_k, opcode::eq_k, opcode::ne_k};
        emit(flipped[static_cast<int>(c) - static_cast<int>(opcode::lt)], 0, slot, 1, k);
      } else {
        emit(fused, 0, slot, 0, k);
      }
      return;
    }
    emit(c, -1, slot);
  }

  uint16_t trace_slot(const node& n, std::string op) {
    prog_->comparisons.push_back(
      comparison_info{p_.source.substr(n.begin, n.end - n.begin), std::move(op)});
    return static_cast<uint16_t>(prog_->comparisons.size() - 1);
  }

  value_type name(const node& n, int offset) {
    if (int f = field_index(n.name); f >= 0) {
      load(series_source::field, static_cast<uint16_t>(f), offset);
      return value_type::number;
    }
    if (int f = fundamental_index(n.name); f >= 0) {
      load(series_source::fundamental, static_cast<uint16_t>(f), offset);
      return value_type::number;
    }
    if (n.name == "gap_pct" || n.name == "volume_ratio" || n.name == "vwap" || n.name == "obv")
      return call(n, nullptr, offset);
    if (is_function(n.name)) {
      std::string m = quoted(n.name);
      m += " is a function: write it with its arguments, like ";
      m += n.name == "crosses_above" || n.name == "crosses_below" ? n.name + "(close, sma(close, 50))"
           : n.name == "macd" ? std::string{"macd(12, 26, 9)"}
           : n.name == "bb" ? std::string{"bb(20, 2).upper"}
           : n.name == "stoch" ? std::string{"stoch(14, 3, 3).k"}
           : n.name == "highest" || n.name == "lowest" || n.name == "avg" ? n.name + "(high, 20)"
           : n.name == "min" || n.name == "max" ? n.name + "(open, close)"
           : n.name == "abs" ? std::string{"abs(gap_pct)"}
                             : n.name + "(14)";
      fail(n.pos.offset, m);
    }
    std::string m = "unknown name ";
    m += quoted(n.name);
    m += suggestion(n.name);
    fail(n.pos.offset, m);
  }

  // -- functions -----------------------------------------------------------

  [[noreturn]] void arity(const node& n, const char* usage) {
    std::string m = quoted(n.name);
    m += " takes ";
    m += usage;
    m += ", got ";
    m += std::to_string(n.args.size());
    m += n.args.size() == 1 ? " argument" : " arguments";
    fail(n.pos.offset, m);
  }

  int period(const node& call, size_t k) {
    auto& a = at(call.args[k]);
    if (a.kind != node_kind::number || a.number < 1 || a.number != std::floor(a.number) || a.number > 100000) {
      std::string m = "the period of ";
      m += call.name;
      m += " must be a whole number from 1 to 100000";
      fail(a.pos.offset, m);
    }
    return static_cast<int>(a.number);
  }

  double positive(const node& call, size_t k) {
    auto& a = at(call.args[k]);
    if (a.kind != node_kind::number || a.number <= 0) {
      std::string m = "argument ";
      m += std::to_string(k + 1);
      m += " of ";
      m += call.name;
      m += " must be a positive number";
      fail(a.pos.offset, m);
    }
    return a.number;
  }

  int field_arg(const node& call, size_t k) {
    auto& a = at(call.args[k]);
    int f = a.kind == node_kind::name ? field_index(a.name) : -1;
    if (f < 0) {
      std::string m = "the first argument of ";
      m += call.name;
      m += " must be a bar field (open high low close volume)";
      fail(a.pos.offset, m);
    }
    return f;
  }

  std::string number_arg(const node& call, size_t k) {
    return number_text(positive(call, k));
  }

  value_type call(const node& n, const node* member, int offset) {
    const auto& f = n.name;
    auto numbers_only = [&](size_t count, const char* usage) {
      if (n.args.size() != count)
        arity(n, usage);
      if (member)
        no_member(n, *member);
      for (auto a : n.args) {
        cur_offset_ = at(a).pos.offset;
        if (compile(a, offset) != value_type::number) {
          std::string m = "the arguments of ";
          m += f;
          m += " must be numbers, but this is true/false";
          fail(at(a).pos.offset, m);
        }
      }
    };
    if (f == "crosses_above" || f == "crosses_below") {
      check_offset(n, offset + 1);
      numbers_only(2, "2 arguments (a, b)");
      compile(n.args[0], offset + 1);
      compile(n.args[1], offset + 1);
      auto slot = trace_slot(n, f);
      emit(f == "crosses_above" ? opcode::crosses_above : opcode::crosses_below, -3, slot);
      return value_type::boolean;
    }
    if (f == "abs") {
      numbers_only(1, "1 argument");
      emit(opcode::abs, 0);
      return value_type::number;
    }
    if (f == "min" || f == "max") {
      numbers_only(2, "2 arguments");
      emit(f == "min" ? opcode::min : opcode::max, -1);
      return value_type::number;
    }
    std::string text;
    static constexpr member_column macd_cols[] = {{"line", 0}, {"signal", 1}, {"hist", 2}};
    static constexpr member_column bb_cols[] = {{"upper", 0}, {"middle", 1}, {"lower", 2}};
    static constexpr member_column adx_cols[] = {{"adx", 0}, {"plus_di", 1}, {"minus_di", 2}};
    static constexpr member_column stoch_cols[] = {{"k", 0}, {"d", 1}};
    std::span<const member_column> members;
    bool member_required = false;
    const char* usage = nullptr;
    auto close_or_field = [&](const char* name) {
      // f(N) or f(close, N): the close only.
      if (n.args.size() == 1) {
        text = name;
        text += ':';
        text += std::to_string(period(n, 0));
      } else if (n.args.size() == 2) {
        int fld = field_arg(n, 0);
        if (fld != static_cast<int>(ind::bar_field::close)) {
          std::string m = quoted(f);
          m += " reads the close only (write ";
          m += f;
          m += "(close, N) or ";
          m += f;
          m += "(N))";
          fail(at(n.args[0]).pos.offset, m);
        }
        text = name;
        text += ':';
        text += std::to_string(period(n, 1));
      } else {
        std::string u = "1 or 2 arguments (";
        u += f;
        u += "(PERIOD) or ";
        u += f;
        u += "(close, PERIOD))";
        arity(n, u.c_str());
      }
    };
    if (f == "sma" || f == "avg") {
      if (f == "avg" && n.args.size() != 2)
        arity(n, "2 arguments (avg(FIELD, PERIOD))");
      if (n.args.size() == 2 && field_arg(n, 0) != static_cast<int>(ind::bar_field::close)) {
        text = "avg:";
        text += field_names[field_arg(n, 0)];
        text += ':';
        text += std::to_string(period(n, 1));
      } else {
        close_or_field("sma");
      }
    } else if (f == "ema" || f == "wma" || f == "rsi" || f == "stdev" || f == "zscore" || f == "roc") {
      close_or_field(f.c_str());
    } else if (f == "highest" || f == "lowest") {
      if (n.args.size() != 2)
        arity(n, "2 arguments (FIELD, PERIOD)");
      text = f;
      text += ':';
      text += field_names[field_arg(n, 0)];
      text += ':';
      text += std::to_string(period(n, 1));
    } else if (f == "atr" || f == "rvwap") {
      if (n.args.size() != 1)
        arity(n, "1 argument (PERIOD)");
      text = f + ":" + std::to_string(period(n, 0));
    } else if (f == "adx") {
      if (n.args.size() != 1)
        arity(n, "1 argument (PERIOD)");
      text = "adx:" + std::to_string(period(n, 0));
      members = adx_cols;
      usage = ".plus_di or .minus_di";
    } else if (f == "volume_ratio") {
      if (n.args.size() > 1)
        arity(n, "0 or 1 argument (volume_ratio or volume_ratio(PERIOD))");
      text = "volratio:" + std::to_string(n.args.empty() ? 20 : period(n, 0));
    } else if (f == "macd") {
      if (n.args.size() != 3)
        arity(n, "3 arguments (FAST, SLOW, SIGNAL)");
      text = "macd:" + std::to_string(period(n, 0)) + ":" + std::to_string(period(n, 1)) + ":" +
             std::to_string(period(n, 2));
      members = macd_cols;
      usage = ".line, .signal or .hist";
    } else if (f == "bb") {
      if (n.args.size() != 2)
        arity(n, "2 arguments (PERIOD, K)");
      text = "bb:" + std::to_string(period(n, 0)) + ":" + number_arg(n, 1);
      members = bb_cols;
      member_required = true;
      usage = ".upper, .middle or .lower";
    } else if (f == "stoch") {
      if (n.args.size() != 3)
        arity(n, "3 arguments (PERIOD, SMOOTHING, D)");
      text = "stoch:" + std::to_string(period(n, 0)) + ":" + std::to_string(period(n, 1)) + ":" +
             std::to_string(period(n, 2));
      members = stoch_cols;
      member_required = true;
      usage = ".k or .d";
    } else if (f == "obv" || f == "vwap" || f == "gap_pct") {
      if (!n.args.empty())
        arity(n, "no arguments");
      text = f == "gap_pct" ? "gap" : f;
    } else {
      std::string m = "unknown function ";
      m += quoted(f);
      m += suggestion(f);
      fail(n.pos.offset, m);
    }
    int column = 0;
    if (member) {
      if (members.empty())
        no_member(n, *member);
      bool found = false;
      for (auto& c : members)
        if (member->name == c.name) {
          column = c.column;
          found = true;
        }
      if (!found) {
        std::string m = quoted(f);
        m += " has no column ";
        m += quoted(member->name);
        m += " (write ";
        m += usage;
        m += ")";
        fail(member->pos.offset, m);
      }
    } else if (member_required) {
      std::string m = quoted(f);
      m += " has several columns: pick one with ";
      m += usage;
      fail(n.pos.offset, m);
    }
    load(series_source::column, static_cast<uint16_t>(column_of(n, text) + column), offset);
    return value_type::number;
  }

  [[noreturn]] void no_member(const node& n, const node& member) {
    std::string m = quoted(n.name);
    m += " has one value, no columns to pick (only macd, bb, adx and stoch have columns)";
    fail(member.pos.offset, m);
  }

  int column_of(const node& n, const std::string& text) {
    int base = 0;
    for (auto& s : out_.specs) {
      if (s.text == text)
        return base;
      base += static_cast<int>(s.columns.size());
    }
    try {
      out_.specs.push_back(ind::parse_indicator(text));
    } catch (const std::invalid_argument& e) {
      fail(n.pos.offset, e.what());
    }
    out_.width = static_cast<uint16_t>(base + out_.specs.back().columns.size());
    return base;
  }

  const parsed_rules& p_;
  compiled_rules& out_;
  program* prog_ = nullptr;
  int depth_ = 0;
  int stack_ = 0;
  uint32_t cur_offset_ = 0;
};

void check_size(const parsed_rules& p, const section& s, const program& prog) {
  if (prog.ops.size() > max_ops) {
    std::string m = "the ";
    m += to_string(s.kind);
    m += " rule compiles to ";
    m += std::to_string(prog.ops.size());
    m += " operations, more than the limit of ";
    m += std::to_string(max_ops);
    (void)p;
    throw compile_failure{s.pos.offset, m};
  }
}

compiled_rules compile_parsed(const parsed_rules& p, std::optional<value_type> bare) {
  compiled_rules out;
  out.source = p.source;
  out.size = p.size;
  compiler c{p, out};
  for (auto& s : p.sections) {
    program* target = nullptr;
    switch (s.kind) {
    case section_kind::entry: target = &out.entry; break;
    case section_kind::exit: target = &out.exit; break;
    case section_kind::short_entry: target = &out.short_entry; break;
    case section_kind::short_exit: target = &out.short_exit; break;
    case section_kind::size: continue;
    case section_kind::stop:
    case section_kind::target: {
      level l;
      auto& root = p.nodes[s.root];
      if (root.kind == node_kind::percent) {
        l.is_percent = true;
        l.fraction = root.number;
        if (l.fraction <= 0 || l.fraction >= 1) {
          std::string m = "a ";
          m += to_string(s.kind);
          m += " percent must be above 0% and below 100%";
          fail(root.pos.offset, m);
        }
      } else {
        if (c.compile_program(s.root, l.distance) != value_type::number) {
          std::string m = "the ";
          m += to_string(s.kind);
          m += " must be a number (a price distance like 2 * atr(14), or a percent like 5%), but it is true/false";
          fail(root.begin, m);
        }
        check_size(p, s, l.distance);
      }
      (s.kind == section_kind::stop ? out.stop : out.target) = std::move(l);
      continue;
    }
    }
    auto want = bare.value_or(value_type::boolean);
    auto got = c.compile_program(s.root, *target);
    check_size(p, s, *target);
    if (got != want) {
      auto& root = p.nodes[s.root];
      std::string m = "the ";
      m += to_string(s.kind);
      if (want == value_type::boolean)
        m += " rule must be true or false, but it is a number (compare it, e.g. close > sma(close, 50))";
      else
        m += " expression must be a number, but it is true/false";
      fail(root.begin, m);
    }
  }
  if (!bare && out.entry.empty() && out.short_entry.empty())
    fail(0, "the rules have no entry: or short_entry: section");
  if (out.size && out.size->kind == sizing_kind::risk_percent && !out.stop)
    fail(out.size->pos.offset, "risk sizing needs a stop: section (the risk is the distance to the stop)");
  return out;
}

} // namespace

const std::vector<std::string>& known_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (auto f : field_names)
      v.emplace_back(f);
    for (auto f : fundamental_names)
      v.emplace_back(f);
    for (auto f : function_names)
      v.emplace_back(f);
    return v;
  }();
  return names;
}

rule_result<compiled_rules> compile_rules(std::string_view text) {
  auto parsed = parse_rules(text);
  if (!parsed)
    return parsed.error();
  try {
    return compile_parsed(parsed.value(), std::nullopt);
  } catch (compile_failure& f) {
    return make_rule_error(text, pos_at(text, f.offset), std::move(f.message));
  }
}

rule_result<compiled_rules> compile_expression(std::string_view text, value_type want) {
  auto parsed = parse_rules(text);
  if (!parsed)
    return parsed.error();
  auto& p = parsed.value();
  if (p.sections.size() != 1 || p.sections[0].kind != section_kind::entry || p.size) {
    return make_rule_error(text, p.sections.empty() ? source_pos{} : p.sections[0].pos,
                           "expected one expression, not sections");
  }
  try {
    return compile_parsed(p, want);
  } catch (compile_failure& f) {
    return make_rule_error(text, pos_at(text, f.offset), std::move(f.message));
  }
}

std::vector<std::string> rebase_onto(compiled_rules& rules,
                                     const std::vector<ind::indicator_spec>& extras) {
  // Old column -> new column, matched by the canonical column names.
  auto old_names = ind::columns_of(rules.specs);
  auto new_names = ind::columns_of(extras);
  std::vector<uint16_t> map(old_names.size());
  std::vector<std::string> missing;
  size_t col = 0;
  for (auto& s : rules.specs) {
    bool found = true;
    for (size_t k = 0; k < s.columns.size(); ++k, ++col) {
      auto it = std::find(new_names.begin(), new_names.end(), old_names[col]);
      if (it == new_names.end())
        found = false;
      else
        map[col] = static_cast<uint16_t>(it - new_names.begin());
    }
    if (!found)
      missing.push_back(s.text);
  }
  if (!missing.empty())
    return missing;
  auto remap = [&](program& p) {
    for (auto& o : p.ops)
      if (o.code == opcode::column)
        o.index = map[o.index];
  };
  for (auto* p : {&rules.entry, &rules.exit, &rules.short_entry, &rules.short_exit})
    remap(*p);
  if (rules.stop && !rules.stop->is_percent)
    remap(rules.stop->distance);
  if (rules.target && !rules.target->is_percent)
    remap(rules.target->distance);
  for (auto& r : rules.rings)
    if (r.source == series_source::column)
      r.index = map[r.index];
  rules.specs = extras;
  rules.width = static_cast<uint16_t>(new_names.size());
  return missing;
}

} // namespace osprey::rules
