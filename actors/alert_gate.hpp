#pragma once

// The alert gate: decides, in event time, whether a rule that evaluated for
// a symbol should raise an alert now. Plain state and one function, no
// threads; the owner (the alert actor) calls `gate_alert` once per rule
// evaluation, true or false, in event-time order per (rule, symbol).
//
// Per (rule, symbol), one evaluation goes through these checks in order:
//
//   ts_event < last seen ts ──► time_backwards (refused; state unchanged)
//        │
//   condition false ─────────► condition_false (re-arms the edge)
//        │
//   edge mode, was true ─────► not_an_edge   (still true since last bar)
//        │
//   within cooldown_ns of
//   the last alert fired ────► cooldown
//        │
//   same message fired within
//   dedup_window_ns ─────────► duplicate
//        │
//        ▼
//      fire (records the time, per key and per message)
//
// A rising edge swallowed by the cooldown or the de-duplication does not
// fire later while the condition stays true: in edge mode one alert is
// owed per rise, at the rise, or none. Windows are measured from the last
// alert that fired, not from the last one suppressed.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace osprey {

/// When a rule that stays true raises alerts.
enum class alert_trigger : uint8_t {
  edge,  ///< Only on the evaluation where the rule turns true.
  level, ///< On every evaluation where it is true (cooldown permitting).
};

/// Returns "edge" or "level".
std::string_view to_string(alert_trigger t);

/// Parses "edge" or "level"; nullopt otherwise.
std::optional<alert_trigger> parse_alert_trigger(std::string_view text);

/// How the gate limits alerts.
struct alert_gate_settings {
  alert_trigger trigger = alert_trigger::edge;
  /// Least event time between two alerts of one (rule, symbol); 0: none.
  int64_t cooldown_ns = 0;
  /// An alert with the same (rule, symbol, message) as one fired less than
  /// this long ago is suppressed; 0: none.
  int64_t dedup_window_ns = 0;
};

/// Returns what is wrong with `s` (a negative window), or nullopt.
std::optional<std::string> validate(const alert_gate_settings& s);

/// What the gate decided for one evaluation.
enum class alert_verdict : uint8_t {
  fire,
  condition_false,
  not_an_edge,
  cooldown,
  duplicate,
  time_backwards,
};

/// Returns a stable lower-case name ("fire", "cooldown", ...).
std::string_view to_string(alert_verdict v);

/// Totals per verdict since the gate was made.
struct alert_gate_counters {
  uint64_t evaluations = 0;
  uint64_t fired = 0;
  uint64_t condition_false = 0;
  uint64_t not_an_edge = 0;
  uint64_t cooldown = 0;
  uint64_t duplicate = 0;
  uint64_t time_backwards = 0;

  /// Returns the alerts held back by edge, cooldown or de-duplication.
  uint64_t suppressed() const { return not_an_edge + cooldown + duplicate; }
};

namespace detail {

// Heterogeneous lookup: find by string_view without building a string.
struct string_hash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

template <class T>
using by_name = std::unordered_map<std::string, T, string_hash, std::equal_to<>>;

} // namespace detail

/// What the gate remembers about one (rule, symbol).
struct alert_key_state {
  int64_t last_ts = 0;
  bool seen = false;
  bool was_true = false;
  bool fired = false;
  int64_t last_fired_ts = 0;
  /// When each message last fired; pruned past the de-duplication window.
  detail::by_name<int64_t> message_fired_ts;
};

/// The gate's state; owned by one actor, touched only through gate_alert.
struct alert_gate_state {
  alert_gate_settings settings;
  alert_gate_counters counters;
  /// rule → symbol → state.
  detail::by_name<detail::by_name<alert_key_state>> keys;
};

/// Decides whether `rule` for `symbol`, evaluated to `condition` at
/// `ts_event`, raises an alert with `message` now, updating the state and
/// counters. Allocates only on the first sight of a rule, symbol or message.
alert_verdict gate_alert(alert_gate_state& state, std::string_view rule,
                         std::string_view symbol, int64_t ts_event,
                         bool condition, std::string_view message);

/// Returns how many (rule, symbol) pairs the gate remembers.
size_t tracked_keys(const alert_gate_state& state);

} // namespace osprey
