#pragma once

// What an order asks for, as plain values: the fields an OrderIntent and a
// SubmitOrder share. Actors and adapters read a message into an order_spec
// once and decide on the struct, never on the FlatBuffers table.

#include <cstdint>
#include <vector>

#include "messages/msg.hpp"
#include "messages/units.hpp"

namespace osprey {

/// How an execution algorithm works a parent order (see AlgoSpec in the
/// schema for the meaning of each field).
struct algo_spec {
  fb::AlgoKind kind = fb::AlgoKind::None;
  int64_t start_ns = 0;
  int64_t horizon_ns = 0;
  uint32_t slices = 0;
  uint32_t randomize_bps = 0;
  uint64_t seed = 0;
  std::vector<double> volume_profile;
  quantity display_quantity;
};

struct order_spec {
  symbol_id symbol;
  fb::Side side = fb::Side::Buy;
  quantity qty;
  fb::OrderType type = fb::OrderType::Market;
  fb::TimeInForce tif = fb::TimeInForce::Day;
  price limit;
  price stop;
  price trail;                ///< Trailing stop distance in price, or 0.
  int64_t trail_percent_bps = 0; ///< Trailing stop distance in bps, or 0.
  fb::OrderClass order_class = fb::OrderClass::Simple;
  price take_profit_limit;
  price stop_loss_stop;
  price stop_loss_limit;      ///< 0: the stop-loss leg is a plain stop.
  bool reduce_only = false;
};

/// Returns what makes `o` impossible (a zero or negative quantity, a missing
/// or negative price its type needs, a price its type cannot have, a bracket
/// whose take-profit is on the wrong side of its stop-loss), or null when it
/// is well formed. Says nothing about limits: that is the risk controller's.
const char* invalid_reason(const order_spec& o) noexcept;

/// Reads the order an intent asks for.
order_spec spec_of(const fb::OrderIntent& intent);

/// Reads the order a SubmitOrder asks for.
order_spec spec_of(const fb::SubmitOrder& submit);

/// Reads an intent's algorithm (kind None when it has none).
algo_spec algo_of(const fb::OrderIntent& intent);

} // namespace osprey
