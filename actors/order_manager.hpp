#pragma once

// order manager: turns approved intents into orders with unique client order
// ids (bracket, oco and oto groups included), follows each order through its
// lifecycle (see order_state.hpp for the state diagram), cancels and
// replaces orders, keeps positions, P&L and the portfolio from fills, cancels
// everything (and flattens, if asked) when the risk controller halts, and
// records the latency from the market event's ingress to the order leaving
// the engine.
//
// The logic is plain functions over order_manager_state that write what they
// send into an outbox; the actor only wires messages to them and delivers
// the outbox, so every flow is testable without threads.

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "actors/caf_types.hpp"
#include "actors/exec_algo.hpp"
#include "actors/latency_histogram.hpp"
#include "actors/order_state.hpp"
#include "messages/msg_builder.hpp"
#include "messages/msg_sink.hpp"

namespace osprey {

/// Reads the clock that ingress times come from (wall or event clock). Used
/// only to measure latency, never to make a decision.
using clock_fn = int64_t (*)() noexcept;

struct order_manager_params {
  money starting_cash{100'000 * micros_per_dollar};
  uint64_t first_client_order_id = 1;
  /// Buying power = equity x this - gross exposure (1: a cash account).
  int64_t margin_multiplier = 1;
};

struct order_manager_stats {
  uint64_t orders = 0;
  uint64_t fills = 0;
  uint64_t filled_orders = 0;
  uint64_t rejected = 0;
  uint64_t canceled = 0;
  uint64_t expired = 0;
  uint64_t replaced = 0;
  uint64_t refused_events = 0;   ///< Execution reports the state machine refused.
  uint64_t refused_commands = 0; ///< Cancels / replaces of unknown or done orders.
  uint32_t open_positions = 0;
  money cash, equity, realized, unrealized;
  std::vector<position> positions; ///< Indexed by symbol id.
  latency_histogram tick_to_order;
};

/// Where a message the order manager produced goes. Everything it produces
/// is journaled as well.
enum class route : uint8_t {
  broker,    ///< Order commands for the venue.
  risk,      ///< Child intents of execution algorithms, for the pre-trade checks.
  listeners, ///< Execution reports, positions, portfolio and algorithm progress.
  sender,    ///< The answer to a refused command.
  journal,   ///< Only recorded (alerts about refused events).
};

struct outgoing {
  route to;
  msg m;
  bool journaled = true; ///< False for inputs passed on (already journaled).
};

/// A parent order worked by an execution algorithm. It never goes to the
/// venue itself: its children do, each through the risk controller.
struct algo_order {
  uint64_t id = 0; ///< From the client order id sequence.
  symbol_id symbol;
  fb::TimeInForce tif = fb::TimeInForce::Day;
  algo_state algo;
  int64_t wake_ns = algo_no_wake;
  std::vector<uint64_t> children; ///< Client order ids of its child orders.
};

/// The account figures that need history: the day's starting equity and the
/// equity high-water mark.
struct account_marks {
  int64_t day = INT64_MIN; ///< UTC day number of the current trading day.
  money day_start_equity;
  money high_water_mark;
};

struct order_manager_state {
  order_manager_params params;
  uint64_t next_id = 1;
  std::unordered_map<uint64_t, order> orders;
  std::vector<algo_order> algos; ///< Algorithm parents, in id order.
  std::vector<position> positions; ///< Indexed by symbol id.
  /// Sum of mark x quantity over the positions, moved by every mark and
  /// fill, so that equity on each bar costs no pass over the positions.
  money market_value;
  money cash;
  account_marks account;
  /// Whether per-bar portfolio snapshots have a reader (they are journaled
  /// only); the actor clears it when it has no journal.
  bool journaled = true;
  order_manager_stats stats;
  std::vector<msg_actor> listeners;
  msg_actor risk; ///< Checks algorithm children; linked after spawn.
  msg parent_intent; ///< Recovery: an algorithm parent awaiting its start.
  msg_builder builder;
  std::vector<outgoing> outbox; ///< What the last call produced, in order.

  void configure(const order_manager_params& p);
  position& position_of(symbol_id id);
  order* find(uint64_t id);
  algo_order* find_algo(uint64_t id);

  /// Creates the order an approved intent asks for (simple orders; groups
  /// go through on_intent).
  order& create(const fb::OrderIntent& intent, int64_t ts_event = 0);

  /// Returns cash, equity, exposure, P&L, buying power and drawdown.
  portfolio_values portfolio() const;

  /// Returns the counters with the portfolio figures filled in.
  order_manager_stats snapshot() const;
};

/// The outcome of applying one execution report.
struct execution_result {
  order* target = nullptr; ///< The order it was about; null if unknown.
  order_error error = order_error::none;
  bool filled = false;     ///< It was a fill and the position changed.
};

/// Applies a venue event (accepted, triggered, filled, canceled, rejected,
/// expired, replaced, cancel/replace rejected) to the order and, for fills,
/// to the position, the cash and the order's group. Sends nothing.
execution_result apply_execution(order_manager_state& st, const msg& report);

/// An approved intent: creates the order (and a group's legs) and puts the
/// SubmitOrder in the outbox.
void on_intent(order_manager_state& st, const msg& intent);

/// A CancelOrder or ReplaceOrder from outside: forwards it to the venue, or
/// answers an OrderDenied (unknown order, order not working).
void on_command(order_manager_state& st, const msg& command);

/// A venue event: applies it, then publishes it with the position and
/// portfolio it changed; a refused event becomes a journaled alert.
void on_report(order_manager_state& st, const msg& report);

/// A trade or bar: marks positions; a bar also publishes the portfolio when
/// a position is open. Starts a new trading day on a new UTC day.
void on_market(order_manager_state& st, const msg& event);

/// An OrderDenied for an algorithm's child: the parent picks up the shortfall.
void on_denied(order_manager_state& st, const msg& denial);

/// A RiskStateChanged: on a halt, cancels every live order, and closes every
/// position with a market order when the halt asks to flatten.
void on_risk_state(order_manager_state& st, const msg& change);

/// Rebuilds the state from one journal record, in journal order: the orders
/// it sent (SubmitOrder, CancelOrder, ReplaceOrder), the venue's events and
/// the marks. Sends nothing; what it sent then is in the journal already.
void recover(order_manager_state& st, const msg& record);

/// Returns the UTC day number of an event time.
constexpr int64_t utc_day(int64_t ts_ns) noexcept {
  constexpr int64_t ns_per_day = 86'400'000'000'000;
  return ts_ns >= 0 ? ts_ns / ns_per_day : (ts_ns + 1) / ns_per_day - 1;
}

struct order_manager_settings {
  order_manager_params params;
  msg_actor broker;   ///< Receives SubmitOrder / CancelOrder / ReplaceOrder.
  /// Receive execution reports and position changes; more can subscribe.
  std::vector<msg_actor> listeners;
  msg_sink* journal = nullptr;
  clock_fn clock = nullptr;
  /// A journal to rebuild the state from before the first message (may be null).
  std::shared_ptr<const std::vector<msg>> recovered;
};

/// Hands the order manager the risk controller, which checks the child
/// orders of execution algorithms (it is spawned after the order manager).
using risk_link_atom = caf::atom_constant<caf::atom("risklink")>;

using order_manager_actor = msg_actor::extend<
  caf::replies_to<stats_atom>::with<order_manager_stats>,
  caf::reacts_to<subscribe_atom, msg_actor>,
  caf::reacts_to<unsubscribe_atom, msg_actor>,
  caf::reacts_to<risk_link_atom, msg_actor>>;

order_manager_actor::behavior_type
order_manager(order_manager_actor::stateful_pointer<order_manager_state> self,
              order_manager_settings settings);

} // namespace osprey

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(osprey::order_manager_stats)
