#pragma once

// The rule compiler: checks a parsed rule's types (number vs true/false),
// resolves every name and function, and flattens each expression into a
// small stack program that rule_vm evaluates per bar without allocating.
//
// Every indicator call becomes an ind::indicator_spec ("rsi(14)" -> "rsi:14"),
// collected once (deduplicated) in `indicators()`; the program reads its
// columns by index from the per-bar values array, which the signal actor (or
// rule_runner) fills in that order. Look-backs are pushed down to the leaves
// ((a - b)[1] reads a[1] - b[1]), so history is only ever kept for plain
// series: each one the program reads in the past gets a ring in rule_state
// sized for its deepest look-back.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/indicator_catalog.hpp"
#include "actors/rule_language.hpp"

namespace osprey::rules {

/// Values the language knows beyond the bar and its indicators; any may be
/// missing (NaN) for a symbol or a bar.
enum class fundamental_field : uint8_t {
  pe, eps_surprise_pct, revenue_growth_pct, sentiment, mentions, news_velocity,
};
inline constexpr size_t fundamental_count = 6;

/// Where a plain series comes from.
enum class series_source : uint8_t {
  field,       ///< index: ind::bar_field
  column,      ///< index: column of the indicators array
  fundamental, ///< index: fundamental_field
};

/// A series some program reads in the past, and how deep.
struct series_ring {
  series_source source = series_source::field;
  uint16_t index = 0;
  uint16_t depth = 0; ///< Deepest look-back read (the ring holds depth + 1 values).
};

/// The operations of a program; operands come from the stack.
enum class opcode : uint8_t {
  constant,    ///< push value
  field,       ///< push the bar's field `index`
  column,      ///< push indicators[index]
  fundamental, ///< push fundamentals `index` (NaN when absent)
  past,        ///< push series `index`, `offset` bars back (NaN before enough history)
  add, sub, mul, div, negate, abs, min, max,
  lt, le, gt, ge, eq, ne, ///< comparisons: `index` is the trace slot
  crosses_above, crosses_below, ///< pops a, b, a[1], b[1]; `index` is the trace slot
  logical_and, logical_or, logical_not,
  // Fused forms the compiler emits when one operand is a literal number:
  // the constant is `value` instead of a separate push. For the comparisons,
  // `offset` is 1 when the constant was written on the left (the operator is
  // already flipped; the trace reports the sides as written).
  add_k, sub_k, mul_k, div_k,
  lt_k, le_k, gt_k, ge_k, eq_k, ne_k,
  // Short-circuits: after the left side of `and` (`or`), jump to op `offset`
  // when it is false (true): the right side cannot change the result.
  // Evaluations with a trace do not jump, so every comparison is reported.
  and_skip, or_skip,
};

/// One operation: 16 bytes, so a 5-clause rule fits a few cache lines.
struct op {
  opcode code = opcode::constant;
  uint16_t index = 0;
  uint16_t offset = 0;
  double value = 0;
};

/// A comparison the trace can report: its text and operator.
struct comparison_info {
  std::string text;  ///< As written: "rsi(14) < 30".
  std::string op;    ///< "<", "crosses_above".
};

/// Whether a program yields a number or true/false.
enum class value_type : uint8_t { number, boolean };

/// One compiled expression.
struct program {
  std::vector<op> ops;
  value_type type = value_type::boolean;
  uint16_t max_stack = 0;
  std::vector<comparison_info> comparisons; ///< Indexed by trace slot.
  std::string text;                         ///< The expression as written.

  bool empty() const noexcept { return ops.empty(); }
};

/// A stop or target: a percent of the entry price, or a price distance.
struct level {
  bool is_percent = false;
  double fraction = 0; ///< is_percent: 0.05 for 5%.
  program distance;    ///< Otherwise: a number program (2 * atr(14)).
};

/// A compiled rule file.
struct compiled_rules {
  std::string source;
  std::vector<ind::indicator_spec> specs; ///< What the program reads, in column order.
  std::vector<series_ring> rings;         ///< Series read in the past.
  int max_lookback = 0;                   ///< Deepest look-back of any program (crosses count 1).
  uint16_t width = 0;                     ///< Columns of all specs together.
  program entry, exit, short_entry, short_exit;
  std::optional<sizing> size;
  std::optional<level> stop, target;

  /// Returns the indicators the caller must compute, in the order the
  /// programs read their columns.
  const std::vector<ind::indicator_spec>& indicators() const noexcept { return specs; }
};

/// Parses and compiles rule text (sections, or one bare expression taken as
/// the entry rule); errors carry the position.
rule_result<compiled_rules> compile_rules(std::string_view text);

/// Compiles one expression (a bare rule or a number), e.g. for screens.
/// `want` is the type the caller needs.
rule_result<compiled_rules> compile_expression(std::string_view text,
                                               value_type want = value_type::boolean);

/// Rewrites the column indices of `rules` so that the programs read the
/// signal actor's configured extras (`extras`, in the Signal's values order)
/// instead of `rules.indicators()`. Returns the specs of `rules` that
/// `extras` lacks (empty: rebased; otherwise `rules` is left unchanged).
std::vector<std::string> rebase_onto(compiled_rules& rules,
                                     const std::vector<ind::indicator_spec>& extras);

/// Every name and function the language knows, for suggestions and docs.
const std::vector<std::string>& known_names();

} // namespace osprey::rules
