#include "actors/rule_language.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

namespace osprey::rules {

std::string rule_error::text() const {
  std::string out = std::to_string(pos.line);
  out += ':';
  out += std::to_string(pos.column);
  out += ": ";
  out += message;
  out += '\n';
  out += source_line;
  out += '\n';
  out.append(pos.column > 0 ? pos.column - 1 : 0, ' ');
  out += '^';
  return out;
}

rule_error make_rule_error(std::string_view source, source_pos pos, std::string message) {
  size_t from = std::min<size_t>(pos.offset, source.size());
  while (from > 0 && source[from - 1] != '\n')
    --from;
  size_t to = source.find('\n', from);
  auto line = source.substr(from, to == std::string_view::npos ? std::string_view::npos : to - from);
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  return rule_error{pos, std::move(message), std::string{line}};
}

const char* to_string(binary_op op) noexcept {
  switch (op) {
  case binary_op::add: return "+";
  case binary_op::sub: return "-";
  case binary_op::mul: return "*";
  case binary_op::div: return "/";
  case binary_op::lt: return "<";
  case binary_op::le: return "<=";
  case binary_op::gt: return ">";
  case binary_op::ge: return ">=";
  case binary_op::eq: return "==";
  case binary_op::ne: return "!=";
  case binary_op::logical_and: return "and";
  case binary_op::logical_or: return "or";
  }
  return "?";
}

const char* to_string(section_kind k) noexcept {
  switch (k) {
  case section_kind::entry: return "entry";
  case section_kind::exit: return "exit";
  case section_kind::short_entry: return "short_entry";
  case section_kind::short_exit: return "short_exit";
  case section_kind::size: return "size";
  case section_kind::stop: return "stop";
  case section_kind::target: return "target";
  }
  return "?";
}

const section* parsed_rules::find(section_kind k) const noexcept {
  for (auto& s : sections)
    if (s.kind == k)
      return &s;
  return nullptr;
}

namespace {

enum class tok : uint8_t { end, number, percent, ident, op, lparen, rparen, lbracket, rbracket, comma, dot, colon, dollar };

struct token {
  tok kind = tok::end;
  source_pos pos;
  uint32_t end = 0; // offset one past the token
  std::string_view text;
  double number = 0;
};

// Internal: thrown inside the parser, caught once at parse_rules().
struct parse_failure {
  source_pos pos;
  std::string message;
};

[[noreturn]] void fail(source_pos pos, std::string message) {
  throw parse_failure{pos, std::move(message)};
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  out += s;
  out += '"';
  return out;
}

class lexer {
public:
  explicit lexer(std::string_view s) : s_{s} {
  }

  std::vector<token> run() {
    std::vector<token> out;
    for (;;) {
      skip_space();
      token t;
      t.pos = here();
      if (i_ >= s_.size()) {
        t.end = static_cast<uint32_t>(i_);
        out.push_back(t);
        return out;
      }
      char c = s_[i_];
      if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && i_ + 1 < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_ + 1])))) {
        number(t);
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t from = i_;
        while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_'))
          advance();
        t.kind = tok::ident;
        t.text = s_.substr(from, i_ - from);
      } else {
        punct(t, c);
      }
      t.end = static_cast<uint32_t>(i_);
      out.push_back(t);
    }
  }

private:
  source_pos here() const { return {static_cast<uint32_t>(i_), line_, col_}; }

  void advance() {
    if (s_[i_] == '\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++i_;
  }

  void skip_space() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '#') {
        while (i_ < s_.size() && s_[i_] != '\n')
          advance();
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        advance();
      } else {
        return;
      }
    }
  }

  void number(token& t) {
    size_t from = i_;
    while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.'))
      advance();
    auto text = s_.substr(from, i_ - from);
    double v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(v))
      fail(t.pos, quoted(text) + " is not a number");
    t.kind = tok::number;
    t.text = text;
    t.number = v;
    if (i_ < s_.size() && s_[i_] == '%') {
      advance();
      t.kind = tok::percent;
      t.number = v / 100.0;
      t.text = s_.substr(from, i_ - from);
    }
  }

  void punct(token& t, char c) {
    size_t from = i_;
    auto two = [&](char next) { return i_ + 1 < s_.size() && s_[i_ + 1] == next; };
    switch (c) {
    case '(': t.kind = tok::lparen; break;
    case ')': t.kind = tok::rparen; break;
    case '[': t.kind = tok::lbracket; break;
    case ']': t.kind = tok::rbracket; break;
    case ',': t.kind = tok::comma; break;
    case '.': t.kind = tok::dot; break;
    case ':': t.kind = tok::colon; break;
    case '$': t.kind = tok::dollar; break;
    case '+': case '-': case '*': case '/': t.kind = tok::op; break;
    case '<': case '>':
      t.kind = tok::op;
      if (two('='))
        advance();
      break;
    case '=':
    case '!':
      if (!two('=')) {
        std::string m = "unexpected ";
        m += quoted(std::string_view{&c, 1});
        m += c == '=' ? " (compare with ==)" : " (write not, or != to compare)";
        fail(t.pos, m);
      }
      t.kind = tok::op;
      advance();
      break;
    default: {
      std::string m;
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
        // Not printable (or part of a UTF-8 sequence): name the byte instead.
        constexpr char hex[] = "0123456789ABCDEF";
        m = "unexpected byte 0x";
        m += hex[static_cast<unsigned char>(c) >> 4];
        m += hex[static_cast<unsigned char>(c) & 15];
        m += " (rules are plain ASCII)";
      } else {
        m = "unexpected character ";
        m += quoted(std::string_view{&c, 1});
      }
      fail(t.pos, m);
    }
    }
    advance();
    t.text = s_.substr(from, i_ - from);
  }

  std::string_view s_;
  size_t i_ = 0;
  uint32_t line_ = 1, col_ = 1;
};

bool is_section_word(std::string_view w, section_kind* k) {
  constexpr section_kind all[] = {section_kind::entry, section_kind::exit, section_kind::short_entry,
                                  section_kind::short_exit, section_kind::size, section_kind::stop,
                                  section_kind::target};
  for (auto s : all)
    if (w == to_string(s)) {
      if (k)
        *k = s;
      return true;
    }
  return false;
}

std::string describe(const token& t) {
  if (t.kind == tok::end)
    return "the end of the rule";
  return quoted(t.text);
}

class parser {
public:
  parser(std::vector<token> toks, parsed_rules& out) : t_{std::move(toks)}, out_{out} {
  }

  void run() {
    if (peek().kind == tok::end)
      fail(peek().pos, "the rule is empty");
    if (peek().kind == tok::ident && peek(1).kind == tok::colon && !at_header())
      fail(peek().pos, "unknown section " + quoted(peek().text) + " (sections are entry: exit: short_entry: short_exit: size: stop: target:)");
    if (!at_header()) {
      section s;
      s.kind = section_kind::entry;
      s.pos = peek().pos;
      s.root = expression();
      expect_end_of_section();
      out_.sections.push_back(s);
      return;
    }
    while (peek().kind != tok::end) {
      if (!at_header()) {
        auto& t = peek();
        fail(t.pos, "expected a section (entry: exit: short_entry: short_exit: size: stop: target:), found " + describe(t));
      }
      section s;
      is_section_word(peek().text, &s.kind);
      s.pos = peek().pos;
      i_ += 2; // keyword and colon
      if (auto* first = out_.find(s.kind)) {
        std::string m = "duplicate ";
        m += to_string(s.kind);
        m += ": section (the first is at ";
        m += std::to_string(first->pos.line);
        m += ':';
        m += std::to_string(first->pos.column);
        m += ')';
        fail(s.pos, m);
      }
      if (peek().kind == tok::end || at_header()) {
        std::string m = "the ";
        m += to_string(s.kind);
        m += " section is empty";
        fail(s.pos, m);
      }
      if (s.kind == section_kind::size)
        out_.size = size_body();
      else
        s.root = expression();
      expect_end_of_section();
      out_.sections.push_back(s);
    }
  }

private:
  const token& peek(size_t ahead = 0) const {
    return t_[std::min(i_ + ahead, t_.size() - 1)];
  }
  const token& take() {
    auto& t = peek();
    if (i_ < t_.size() - 1)
      ++i_;
    return t;
  }
  bool at_header() const {
    return peek().kind == tok::ident && peek(1).kind == tok::colon && is_section_word(peek().text, nullptr);
  }
  bool at_op(std::string_view op) const {
    return peek().kind == tok::op && peek().text == op;
  }
  bool at_word(std::string_view w) const {
    return peek().kind == tok::ident && peek().text == w;
  }

  void expect_end_of_section() {
    if (peek().kind == tok::end || at_header())
      return;
    auto& t = peek();
    if (t.kind == tok::ident && peek(1).kind == tok::colon)
      fail(t.pos, "unknown section " + quoted(t.text) + " (sections are entry: exit: short_entry: short_exit: size: stop: target:)");
    fail(t.pos, "unexpected " + describe(t) + " after a complete expression");
  }

  sizing size_body() {
    sizing z;
    z.pos = peek().pos;
    auto& first = take();
    if (first.kind == tok::percent && at_word("equity")) {
      take();
      z.kind = sizing_kind::percent_of_equity;
      z.amount = first.number;
      if (z.amount <= 0 || z.amount > 1)
        fail(first.pos, "a percent of equity must be above 0% and at most 100%");
    } else if (first.kind == tok::number && at_word("shares")) {
      take();
      z.kind = sizing_kind::shares;
      z.amount = first.number;
      if (z.amount < 1 || z.amount != std::floor(z.amount))
        fail(first.pos, "a share count must be a whole number >= 1");
    } else if (first.kind == tok::dollar && peek().kind == tok::number) {
      z.kind = sizing_kind::notional;
      z.amount = take().number;
      if (z.amount <= 0)
        fail(first.pos, "a dollar size must be above 0");
    } else if (first.kind == tok::ident && first.text == "risk" && peek().kind == tok::percent) {
      z.kind = sizing_kind::risk_percent;
      z.amount = take().number;
      if (z.amount <= 0 || z.amount > 1)
        fail(first.pos, "a risk percent must be above 0% and at most 100%");
    } else if (first.kind == tok::ident && first.text == "all" && at_word("cash")) {
      take();
      z.kind = sizing_kind::all_cash;
      z.amount = 1;
    } else {
      fail(first.pos, "expected a size: 10% equity, 100 shares, $5000, risk 1% or all cash");
    }
    if (!(peek().kind == tok::end || at_header()))
      fail(peek().pos, "a size takes one form only (10% equity, 100 shares, $5000, risk 1% or all cash); found " + describe(peek()) + " after it");
    return z;
  }

  uint32_t add(node n) {
    out_.nodes.push_back(std::move(n));
    return static_cast<uint32_t>(out_.nodes.size() - 1);
  }

  struct depth_guard {
    depth_guard(int& d, source_pos p) : d_{d} {
      if (++d_ > max_depth)
        fail(p, "the expression is nested too deeply (the limit is " + std::to_string(max_depth) + " levels)");
    }
    ~depth_guard() { --d_; }
    int& d_;
  };

  uint32_t binary(binary_op op, source_pos pos, uint32_t l, uint32_t r) {
    node n;
    n.kind = node_kind::binary;
    n.op = op;
    n.pos = pos;
    n.begin = out_.nodes[l].begin;
    n.end = out_.nodes[r].end;
    n.args = {l, r};
    return add(std::move(n));
  }

  uint32_t expression() {
    depth_guard g{depth_, peek().pos};
    auto l = conjunction();
    while (at_word("or")) {
      auto pos = take().pos;
      l = binary(binary_op::logical_or, pos, l, conjunction());
    }
    return l;
  }

  uint32_t conjunction() {
    auto l = negation();
    while (at_word("and")) {
      auto pos = take().pos;
      l = binary(binary_op::logical_and, pos, l, negation());
    }
    return l;
  }

  uint32_t negation() {
    if (at_word("not")) {
      depth_guard g{depth_, peek().pos};
      auto& t = take();
      auto inner = negation();
      node n;
      n.kind = node_kind::logical_not;
      n.pos = t.pos;
      n.begin = t.pos.offset;
      n.end = out_.nodes[inner].end;
      n.args = {inner};
      return add(std::move(n));
    }
    return comparison();
  }

  static bool comparison_op(const token& t, binary_op* op) {
    if (t.kind != tok::op)
      return false;
    constexpr std::pair<std::string_view, binary_op> ops[] = {
      {"<", binary_op::lt}, {"<=", binary_op::le}, {">", binary_op::gt},
      {">=", binary_op::ge}, {"==", binary_op::eq}, {"!=", binary_op::ne}};
    for (auto& [text, o] : ops)
      if (t.text == text) {
        *op = o;
        return true;
      }
    return false;
  }

  uint32_t comparison() {
    auto l = sum();
    binary_op op;
    if (comparison_op(peek(), &op)) {
      auto pos = take().pos;
      auto r = sum();
      l = binary(op, pos, l, r);
      binary_op again;
      if (comparison_op(peek(), &again))
        fail(peek().pos, "comparisons do not chain: write a < b and b < c");
    }
    return l;
  }

  uint32_t sum() {
    auto l = term();
    while (at_op("+") || at_op("-")) {
      auto& t = take();
      auto r = term();
      l = binary(t.text == "+" ? binary_op::add : binary_op::sub, t.pos, l, r);
    }
    return l;
  }

  uint32_t term() {
    auto l = unary();
    while (at_op("*") || at_op("/")) {
      auto& t = take();
      auto r = unary();
      l = binary(t.text == "*" ? binary_op::mul : binary_op::div, t.pos, l, r);
    }
    return l;
  }

  uint32_t unary() {
    if (at_op("-")) {
      depth_guard g{depth_, peek().pos};
      auto& t = take();
      auto inner = unary();
      node n;
      n.kind = node_kind::negate;
      n.pos = t.pos;
      n.begin = t.pos.offset;
      n.end = out_.nodes[inner].end;
      n.args = {inner};
      return add(std::move(n));
    }
    return postfix();
  }

  uint32_t postfix() {
    auto e = primary();
    for (;;) {
      if (peek().kind == tok::lbracket) {
        auto& open = take();
        auto& n = take();
        if (n.kind != tok::number || n.number != std::floor(n.number))
          fail(n.pos, "a look-back is a whole number of bars, like close[1]");
        if (n.number > max_lookback) {
          std::string m = "a look-back of ";
          m += n.text;
          m += " bars is beyond the limit of ";
          m += std::to_string(max_lookback);
          fail(n.pos, m);
        }
        auto& close = take();
        if (close.kind != tok::rbracket)
          fail(close.pos, "expected \"]\" to close the look-back, found " + describe(close));
        node l;
        l.kind = node_kind::lookback;
        l.pos = open.pos;
        l.bars = static_cast<int>(n.number);
        l.begin = out_.nodes[e].begin;
        l.end = close.end;
        l.args = {e};
        e = add(std::move(l));
      } else if (peek().kind == tok::dot) {
        take();
        auto& name = take();
        if (name.kind != tok::ident)
          fail(name.pos, "expected a column name after \".\", like macd(12, 26, 9).signal");
        node m;
        m.kind = node_kind::member;
        m.pos = name.pos;
        m.name = name.text;
        m.begin = out_.nodes[e].begin;
        m.end = name.end;
        m.args = {e};
        e = add(std::move(m));
      } else {
        return e;
      }
    }
  }

  uint32_t primary() {
    auto& t = take();
    node n;
    n.pos = t.pos;
    n.begin = t.pos.offset;
    n.end = t.end;
    switch (t.kind) {
    case tok::number:
      n.kind = node_kind::number;
      n.number = t.number;
      return add(std::move(n));
    case tok::percent:
      n.kind = node_kind::percent;
      n.number = t.number;
      n.name = t.text;
      return add(std::move(n));
    case tok::lparen: {
      auto inner = expression();
      auto& close = take();
      if (close.kind != tok::rparen)
        fail(close.pos, "expected \")\", found " + describe(close));
      // Widen the span to the parentheses so that traces quote them.
      out_.nodes[inner].begin = t.pos.offset;
      out_.nodes[inner].end = close.end;
      return inner;
    }
    case tok::ident: {
      if (t.text == "and" || t.text == "or" || t.text == "not")
        fail(t.pos, "expected a value, found " + quoted(t.text));
      n.name = t.text;
      if (peek().kind != tok::lparen) {
        n.kind = node_kind::name;
        return add(std::move(n));
      }
      n.kind = node_kind::call;
      take();
      if (peek().kind != tok::rparen) {
        for (;;) {
          n.args.push_back(expression());
          if (peek().kind == tok::comma) {
            take();
            continue;
          }
          break;
        }
      }
      auto& close = take();
      if (close.kind != tok::rparen)
        fail(close.pos, "expected \",\" or \")\" in the arguments of " + n.name + ", found " + describe(close));
      n.end = close.end;
      return add(std::move(n));
    }
    default:
      fail(t.pos, "expected a value (a number, a field, or a function call), found " + describe(t));
    }
  }

  std::vector<token> t_;
  size_t i_ = 0;
  int depth_ = 0;
  parsed_rules& out_;
};

} // namespace

rule_result<parsed_rules> parse_rules(std::string_view text) {
  if (text.size() > max_source_bytes) {
    std::string m = "the rule text is ";
    m += std::to_string(text.size());
    m += " bytes, more than the limit of ";
    m += std::to_string(max_source_bytes);
    return make_rule_error(text, source_pos{}, m);
  }
  parsed_rules out;
  out.source = text;
  try {
    parser p{lexer{text}.run(), out};
    p.run();
  } catch (parse_failure& f) {
    return make_rule_error(text, f.pos, std::move(f.message));
  }
  return out;
}

} // namespace osprey::rules
