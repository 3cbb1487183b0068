#pragma once

// Execution algorithms (TWAP, VWAP, iceberg) as pure scheduling logic: plain
// functions over one algo_state per parent order. The order manager calls
// them on event time (never the wall clock) and sends the child each call
// returns; nothing here sends, allocates after start, or reads a clock.
//
// Every call returns an algo_action: at most one child to send now, and the
// event time at which the algorithm next wants on_algo_wake. Any event
// (wake, market, fill, child end) first acts on whatever became due by its
// time, so an order manager without timers still works while market events
// flow; the wake time only makes quiet markets work too.
//
// Accounting: the moment a child is returned it counts as working. A fill
// moves shares from working to filled; a child's end gives back its unfilled
// leaves (a denied child gives back all of it). So at every point
//   filled + working <= target.
//
// Lifecycle of a parent:
//
//            start_algo (valid)
//   ─────────────────────────► running ── filled == target ──────► completed
//                               │  │
//                               │  └── cancel_algo ───────────────► canceled
//                               │
//                               └── twap/vwap: every slice and the horizon
//                                   sweep are past, nothing is working and
//                                   filled < target ──────────────► ended_short
//
// All three end states are terminal: no further child is ever returned
// (fills of a child still working are still counted).
//
// TWAP / VWAP schedule. Slice i is due at
//   t_i = start + horizon * i / slices + offset_i,
// offset_i drawn once at start from a generator seeded with `seed`, uniform in
// [-r, +r] with r = (horizon / slices) * randomize_bps / 10000, then clamped to
// [start, start + horizon) and to t_i >= t_{i-1} (the clamps never move a
// slice outside its own +-r band, so the order of slices is kept). At a due
// time the child is
//   scheduled_cumulative(i) - filled - working   (never below 0),
// so a child that ended underfilled or was denied is made up by the next due
// slice. The final slice schedules the whole target. One sweep at
// start + horizon sends whatever is still unplaced (after a denial or an
// underfilled child of the final slice); after it the algorithm ends once no
// child is working.
//
//   TWAP:  scheduled_cumulative(i) = round(target * (i + 1) / slices).
//   VWAP with a profile w: round(target * (w_0 + ... + w_i) / sum(w)).
//   VWAP without a profile (live volume): see on_algo_market and the formula
//   above live_share in exec_algo.cpp; in short, when interval k = [t_k,
//   t_{k+1}) has closed its share is target * v_k / E_k with
//   E_k = (V_k / (k + 1)) * slices (average volume per elapsed slice times
//   the number of slices, V_k = v_0 + ... + v_k), and
//   scheduled_cumulative(i) = round(sum of the shares of intervals < i),
//   capped at the target; the final slice completes the target.
//
// Iceberg: one child of min(display_quantity, target - filled) at the
// parent's limit. The next child is sent only when the shown one is fully
// filled. A shown child that ends unfilled (denied, canceled, rejected,
// expired) is re-shown at the first wake or market event at or after
// end time + algo_retry_gap_ns, never in a tight loop.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "messages/msg.hpp"
#include "messages/order_spec.hpp"
#include "messages/units.hpp"

namespace osprey {

/// The wake time meaning "no wake wanted".
inline constexpr int64_t algo_no_wake = std::numeric_limits<int64_t>::max();

/// How long an iceberg waits before re-showing a child that ended unfilled.
inline constexpr int64_t algo_retry_gap_ns = 1'000'000'000;

/// The most slices a schedule may have (it is allocated once at start).
inline constexpr uint32_t algo_max_slices = 100'000;

/// The parent order an algorithm works.
struct algo_parent {
  fb::Side side = fb::Side::Buy;
  quantity target; ///< Total shares to fill.
  price limit;     ///< Parent limit; 0: none (children are market orders).
};

/// A child order to send: limit at the parent's limit, or market.
struct algo_child {
  fb::Side side = fb::Side::Buy;
  quantity qty; ///< 0: no child.
  fb::OrderType type = fb::OrderType::Market;
  price limit; ///< The parent's limit for limit children, else 0.
};

/// What the order manager does after a call.
struct algo_action {
  algo_child child;               ///< Send it when child.qty > 0.
  int64_t wake_ns = algo_no_wake; ///< Call on_algo_wake at this event time.

  bool sends() const noexcept { return child.qty.nanos > 0; }
};

/// How a child order ended.
enum class child_end : uint8_t { filled, canceled, rejected, expired, denied };

/// Where a parent stands; `rejected`: start_algo refused the spec.
enum class algo_outcome : uint8_t {
  running,
  completed,
  canceled,
  ended_short,
  rejected,
};

/// Returns the outcome's name ("ended_short").
const char* to_string(algo_outcome o) noexcept;

/// What the order manager publishes as AlgoProgress.
struct algo_progress {
  quantity target;
  quantity scheduled; ///< Cumulative quantity due by now.
  quantity filled;
  quantity working;   ///< Sent and neither filled nor ended.
  uint32_t children = 0;
  bool done = false;
};

/// One parent order's algorithm: its terms, schedule and progress.
struct algo_state {
  // Terms, fixed at start.
  fb::AlgoKind kind = fb::AlgoKind::None;
  algo_parent parent;
  quantity display;        ///< Iceberg shown size.
  int64_t start_ns = 0;    ///< Resolved start (the start event time if 0).
  int64_t end_ns = 0;      ///< start + horizon: the sweep time (twap/vwap).
  bool live_volume = false; ///< VWAP without a profile.

  // The schedule, allocated once at start (twap/vwap).
  std::vector<int64_t> slice_ns;      ///< Due time of each slice.
  std::vector<int64_t> cumulative;    ///< Scheduled cumulative per slice.
  std::vector<int64_t> slice_volume;  ///< Live vwap: volume per interval.

  // Progress.
  uint32_t next_slice = 0;      ///< First slice not yet due.
  uint32_t volume_interval = 0; ///< Live vwap: interval of the last volume.
  uint32_t closed_intervals = 0; ///< Live vwap: intervals whose share is set.
  int64_t volume_seen = 0;      ///< Live vwap: volume of closed intervals.
  double live_cumulative = 0;   ///< Live vwap: sum of closed shares.
  bool swept = false;           ///< The horizon sweep has happened.
  int64_t show_at_ns = 0;       ///< Iceberg: earliest time to show a child.
  quantity scheduled, filled, working;
  uint32_t children = 0;
  uint32_t children_denied = 0;
  algo_outcome outcome = algo_outcome::running;

  bool done() const noexcept { return outcome != algo_outcome::running; }
};

/// The result of starting: an error naming the field, or the first action.
struct algo_start_result {
  std::string error; ///< Empty on success.
  algo_action action;

  bool ok() const noexcept { return error.empty(); }
};

/// Returns what is wrong with working `parent` by `spec` (empty when valid).
std::string validate_algo(const algo_spec& spec, const algo_parent& parent);

/// Validates, builds the schedule (the only allocation) and acts on event
/// time `ts_ns`; on an error the state is reset and its outcome is rejected.
algo_start_result start_algo(algo_state& st, const algo_spec& spec,
                             const algo_parent& parent, int64_t ts_ns);

/// Acts on a wake at event time `ts_ns`.
algo_action on_algo_wake(algo_state& st, int64_t ts_ns) noexcept;

/// Records market volume for the parent's symbol (a trade's size or a bar's
/// volume; 0 for events without volume) and acts on event time `ts_ns`.
/// Report one volume source per symbol (trades or bars), not both.
algo_action on_algo_market(algo_state& st, int64_t ts_ns,
                           quantity volume) noexcept;

/// Records a fill of `qty` shares of a child and acts on event time `ts_ns`.
algo_action on_algo_fill(algo_state& st, int64_t ts_ns, quantity qty) noexcept;

/// Records the end of a child with `unfilled` leaves (its whole quantity if
/// denied) and acts on event time `ts_ns`. A fully filled child's end may be
/// reported with 0 leaves or not at all.
algo_action on_algo_child_end(algo_state& st, int64_t ts_ns, child_end how,
                              quantity unfilled) noexcept;

/// Cancels the parent: it is done and returns no more children; the order
/// manager cancels the working child itself.
void cancel_algo(algo_state& st) noexcept;

/// Returns the progress to publish.
algo_progress progress_of(const algo_state& st) noexcept;

} // namespace osprey
