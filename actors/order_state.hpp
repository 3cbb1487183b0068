#pragma once

// The order lifecycle and positions as plain functions over plain data, so
// the order manager's rules are testable without an actor system.
//
//                  accepted          fill, leaves > 0
//   pending_new ───────────► accepted ───────────────► partially_filled ──┐
//     │  │  │                 │  │  │                  │  │  │  ▲        │ fill,
//     │  │  │  fill,          │  │  │ fill,            │  │  │  └────────┘ leaves > 0
//     │  │  │  leaves = 0     │  │  │ leaves = 0       │  │  │ fill, leaves = 0
//     │  │  └─────────────────┼──┼──┴──────────────────┼──┼──┴────► filled
//     │  │                    │  └── canceled ─────────┼──┴───────► canceled
//     │  └── rejected ──►     └───── expired ──────────┴──────────► expired
//     │      rejected
//     └── (a fill or partial fill before the acknowledgement implies it)
//
// filled, canceled, rejected and expired are terminal: every further event
// for the order is refused, as is any fill larger than the leaves quantity.

#include <cstdint>

#include "messages/msg.hpp"
#include "messages/units.hpp"

namespace osprey {

enum class order_status : uint8_t {
  pending_new,
  accepted,
  partially_filled,
  filled,
  canceled,
  rejected,
  expired,
};

/// Returns the status's name ("partially_filled").
const char* to_string(order_status s) noexcept;

/// Returns whether no event may change an order in this status.
constexpr bool is_terminal(order_status s) noexcept {
  return s == order_status::filled || s == order_status::canceled
         || s == order_status::rejected || s == order_status::expired;
}

/// Why an event was refused.
enum class order_error : uint8_t {
  none,
  already_terminal, ///< The order is filled, canceled, rejected or expired.
  not_pending,      ///< An acknowledgement or rejection after acceptance.
  overfill,         ///< The fill exceeds the leaves quantity.
  bad_quantity,     ///< A fill of zero or negative shares.
};

const char* to_string(order_error e) noexcept;

struct order {
  client_order_id id;
  symbol_id symbol;
  fb::Side side = fb::Side::Buy;
  fb::OrderType type = fb::OrderType::Market;
  quantity qty;
  price limit;
  quantity filled;
  money filled_notional; ///< Sum of fill price x fill quantity.
  order_status status = order_status::pending_new;

  quantity leaves() const noexcept { return qty - filled; }

  /// Returns the average fill price (0 before the first fill).
  price average_fill_price() const noexcept {
    return filled.shares ? price{filled_notional.micros / filled.shares} : price{};
  }
};

order_error on_accepted(order& o) noexcept;
order_error on_rejected(order& o) noexcept;
order_error on_fill(order& o, quantity qty, price px) noexcept;
order_error on_canceled(order& o) noexcept;
order_error on_expired(order& o) noexcept;

/// A position in one symbol, with an exact cost basis.
struct position {
  quantity qty;     ///< Signed: long > 0, short < 0.
  money cost;       ///< Signed cost of the open quantity (qty x average price).
  money realized;   ///< Realized P&L, net of commissions.
  price mark;       ///< Last price seen, for unrealized P&L.

  price average_price() const noexcept {
    return qty.shares ? price{cost.micros / qty.shares} : price{};
  }
  money unrealized() const noexcept { return mark * qty - cost; }
};

/// Applies one fill: grows, reduces, closes or flips the position, booking
/// realized P&L on the closed part (minus the commission).
void apply_fill(position& p, fb::Side side, quantity qty, price px,
                money commission) noexcept;

} // namespace osprey
