#pragma once

// The rule language's front end: a lexer and a recursive-descent parser that
// turn rule text ("entry: rsi(14) < 30 and close > sma(close, 50)") into an
// abstract syntax tree whose every node knows where it was written, so that
// the compiler's errors can point at the spot. No evaluation happens here;
// docs/RULES.md is the reference for the grammar.
//
// Nodes live in one arena vector and refer to each other by index: the tree
// is built once at start-up and never touched on the hot path.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace osprey::rules {

/// Longest rule text accepted, in bytes.
inline constexpr size_t max_source_bytes = 4096;
/// Deepest nesting of the expression tree.
inline constexpr int max_depth = 64;
/// Most operations one compiled program may hold.
inline constexpr size_t max_ops = 512;
/// Furthest look-back, in bars, a rule may read (`close[1000]`).
inline constexpr int max_lookback = 1000;

/// Where something was written: byte offset and 1-based line and column.
struct source_pos {
  uint32_t offset = 0;
  uint32_t line = 1;
  uint32_t column = 1;
};

/// What went wrong and where: prints as `line:col: message`, the source line
/// and a caret under the spot.
struct rule_error {
  source_pos pos;
  std::string message;     ///< Without the position: "unknown identifier ...".
  std::string source_line; ///< The line of the rule text holding `pos`.

  /// Returns "line:col: message\n<source line>\n<spaces>^".
  std::string text() const;
};

/// Makes an error at `pos` of `source`, copying the line it is on.
rule_error make_rule_error(std::string_view source, source_pos pos, std::string message);

/// Either a value or the error that prevented it.
template <class T>
class rule_result {
public:
  rule_result(T value) : v_(std::move(value)) {
  }
  rule_result(rule_error e) : v_(std::move(e)) {
  }
  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  const rule_error& error() const { return std::get<1>(v_); }

private:
  std::variant<T, rule_error> v_;
};

/// What a node is.
enum class node_kind : uint8_t {
  number,      ///< 30, 1.5
  percent,     ///< 3% (allowed in size, stop and target only)
  name,        ///< close, pe, gap_pct
  call,        ///< rsi(14), crosses_above(a, b)
  member,      ///< macd(12, 26, 9).signal: args[0] is the call, name the member
  lookback,    ///< close[1]: args[0] the series, bars the offset
  negate,      ///< -x
  logical_not, ///< not x
  binary,      ///< a op b
};

/// The binary operators, lowest precedence last in the grammar.
enum class binary_op : uint8_t { add, sub, mul, div, lt, le, gt, ge, eq, ne, logical_and, logical_or };

/// Returns the operator as written ("<=", "and").
const char* to_string(binary_op op) noexcept;

/// Returns true for < <= > >= == !=.
constexpr bool is_comparison(binary_op op) noexcept {
  return op >= binary_op::lt && op <= binary_op::ne;
}

/// One node of the tree.
struct node {
  node_kind kind = node_kind::number;
  binary_op op = binary_op::add;
  source_pos pos;         ///< The operator, name or number.
  uint32_t begin = 0;     ///< Offset of the first byte of the whole subexpression.
  uint32_t end = 0;       ///< Offset one past its last byte.
  double number = 0;      ///< number: the value; percent: the fraction (3% -> 0.03).
  int bars = 0;           ///< lookback: how many bars back.
  std::string name;       ///< name, call, member.
  std::vector<uint32_t> args; ///< Children, by index into the arena.
};

/// The sections of a rule file.
enum class section_kind : uint8_t { entry, exit, short_entry, short_exit, size, stop, target };

/// Returns the section keyword ("short_entry").
const char* to_string(section_kind k) noexcept;

/// One `keyword: expression` section.
struct section {
  section_kind kind = section_kind::entry;
  source_pos pos;    ///< The keyword (or 1:1 for a bare expression).
  uint32_t root = 0; ///< The expression (unused for size).
};

/// How positions are sized.
enum class sizing_kind : uint8_t {
  percent_of_equity, ///< size: 10% equity
  shares,            ///< size: 100 shares
  notional,          ///< size: $5000
  risk_percent,      ///< size: risk 1%  (equity * 1% / stop distance; needs a stop)
  all_cash,          ///< size: all cash (the cash the account holds, at the close)
};

/// The parsed `size:` section.
struct sizing {
  sizing_kind kind = sizing_kind::percent_of_equity;
  double amount = 0; ///< Fraction for the percent kinds (10% -> 0.10), else shares or dollars.
  source_pos pos;
};

/// A parsed rule text: the node arena and its sections, in written order.
struct parsed_rules {
  std::string source;
  std::vector<node> nodes;
  std::vector<section> sections;
  std::optional<sizing> size;

  /// Returns the section of kind `k`, or nullptr.
  const section* find(section_kind k) const noexcept;
};

/// Parses rule text: either `keyword: expression` sections (entry, exit,
/// short_entry, short_exit, size, stop, target; `#` starts a comment) or one
/// bare expression, which is the entry rule.
rule_result<parsed_rules> parse_rules(std::string_view text);

} // namespace osprey::rules
