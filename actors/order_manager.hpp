#pragma once

// order manager: turns approved intents into orders with unique client order
// ids, follows each order through its lifecycle (see order_state.hpp for the
// state diagram), keeps positions and P&L from fills, and records the latency
// from the market event's ingress to the order leaving the engine.

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "actors/caf_types.hpp"
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
  fb::TimeInForce tif = fb::TimeInForce::Day;
};

struct order_manager_stats {
  uint64_t orders = 0;
  uint64_t fills = 0;
  uint64_t filled_orders = 0;
  uint64_t rejected = 0;
  uint64_t canceled = 0;
  uint64_t expired = 0;
  uint64_t refused_events = 0; ///< Execution reports the state machine refused.
  uint32_t open_positions = 0;
  money cash, equity, realized, unrealized;
  std::vector<position> positions; ///< Indexed by symbol id.
  latency_histogram tick_to_order;
};

struct order_manager_state {
  order_manager_params params;
  uint64_t next_id = 1;
  std::unordered_map<uint64_t, order> orders;
  std::vector<position> positions; ///< Indexed by symbol id.
  money cash;
  order_manager_stats stats;
  std::vector<msg_actor> listeners;
  msg_builder builder;

  void configure(const order_manager_params& p);
  position& position_of(symbol_id id);

  /// Creates the order an approved intent asks for.
  order& create(const fb::OrderIntent& intent);

  /// Returns cash, equity, exposure and P&L over all positions.
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

/// Applies an execution report (accepted, filled, canceled, rejected,
/// expired) to the order and, for fills, to the position and cash.
execution_result apply_execution(order_manager_state& st, const msg& report);

struct order_manager_settings {
  order_manager_params params;
  msg_actor broker;   ///< Receives SubmitOrder / CancelOrder.
  /// Receive execution reports and position changes; more can subscribe.
  std::vector<msg_actor> listeners;
  msg_sink* journal = nullptr;
  clock_fn clock = nullptr;
};

using order_manager_actor = msg_actor::extend<
  caf::replies_to<stats_atom>::with<order_manager_stats>,
  caf::reacts_to<subscribe_atom, msg_actor>>;

order_manager_actor::behavior_type
order_manager(order_manager_actor::stateful_pointer<order_manager_state> self,
              order_manager_settings settings);

} // namespace osprey

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(osprey::order_manager_stats)
