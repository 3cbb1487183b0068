#pragma once

// The order lifecycle and positions as plain functions over plain data, so
// the order manager's rules are testable without an actor system.
//
//   held ──(entry fills: armed)──┐
//     │                          ▼
//   pending_new ──accepted──► accepted ──fill, leaves > 0──► partially_filled ◄─┐
//     │  │                     │  ▲ │                          │  ▲  │  │        │ fill,
//     │  └──rejected           │  │ │ cancel sent              │  │  │  └────────┘ leaves > 0
//     │                        │  │ ▼                          │  │  │
//     │                        │  pending_cancel ◄─────────────┘  │  │ fill, leaves = 0
//     │                        │  │ ▲ cancel rejected: back ──────┘  │
//     │                        │  │ └─ replace sent: pending_replace ┼──(replaced)──► replaced
//     │                        │  │                                  │
//     └─ a fill before the ack implies it; any fill with leaves = 0 ──┴──────────────► filled
//
//   From every live status: canceled, expired. From pending_new: rejected.
//   A fill wins a race with a cancel or replace: it is applied while the
//   order is pending_cancel / pending_replace, and the venue then rejects
//   the cancel or replace (or reports the order filled).
//
// filled, canceled, rejected, expired and replaced are terminal: every
// further event for the order is refused, as is any fill larger than the
// leaves quantity.

#include <cstdint>
#include <vector>

#include "messages/msg.hpp"
#include "messages/order_spec.hpp"
#include "messages/units.hpp"

namespace osprey {

enum class order_status : uint8_t {
  pending_new,
  held, ///< A bracket or oto exit leg waiting for its entry to fill.
  accepted,
  partially_filled,
  pending_cancel,
  pending_replace,
  filled,
  canceled,
  rejected,
  expired,
  replaced,
};

/// Returns the status's name ("partially_filled").
const char* to_string(order_status s) noexcept;

/// Returns whether no event may change an order in this status.
constexpr bool is_terminal(order_status s) noexcept {
  return s == order_status::filled || s == order_status::canceled
         || s == order_status::rejected || s == order_status::expired
         || s == order_status::replaced;
}

/// Returns whether the order rests at the venue and may fill.
constexpr bool is_working(order_status s) noexcept {
  return s == order_status::accepted || s == order_status::partially_filled
         || s == order_status::pending_cancel
         || s == order_status::pending_replace;
}

/// Why an event or command was refused.
enum class order_error : uint8_t {
  none,
  already_terminal, ///< The order is filled, canceled, rejected, expired or replaced.
  not_pending,      ///< An acknowledgement or rejection after acceptance.
  overfill,         ///< The fill exceeds the leaves quantity.
  bad_quantity,     ///< A fill of zero or negative shares.
  not_working,      ///< A fill, cancel or replace of an order not at the venue.
  not_pending_cancel,  ///< A cancel rejection with no cancel outstanding.
  not_pending_replace, ///< A replace outcome with no replace outstanding.
  bad_price,        ///< A fill at zero or a negative price.
};

const char* to_string(order_error e) noexcept;

struct order {
  client_order_id id;
  symbol_id symbol;
  fb::Side side = fb::Side::Buy;
  fb::OrderType type = fb::OrderType::Market;
  fb::TimeInForce tif = fb::TimeInForce::Day;
  quantity qty;
  price limit;
  price stop;
  price trail;
  int64_t trail_percent_bps = 0;
  fb::OrderClass order_class = fb::OrderClass::Simple;
  fb::LegRole role = fb::LegRole::Parent;
  /// The entry of a bracket / oto, or the primary of an oco; its own id for
  /// that order itself; 0 for simple orders.
  client_order_id group;
  client_order_id take_profit; ///< Set on a group's entry/primary.
  client_order_id stop_loss;
  /// On a group's head: what its exits have filled in all (replaced legs
  /// included), and for an oco the quantity the group may close.
  quantity exits_filled;
  quantity group_capacity;
  uint64_t algo_parent = 0;    ///< The algorithm parent of a child order.
  client_order_id replaces;    ///< The order this one replaced.
  client_order_id replaced_by; ///< Set when a replace was sent or done.
  quantity filled;
  money filled_notional; ///< Sum of fill price x fill quantity.
  order_status status = order_status::pending_new;
  bool triggered = false;      ///< A stop's trigger was touched.
  price water_mark;            ///< A trailing stop's best price at trigger.
  int64_t created_ns = 0;      ///< Event time of the order's creation.
  /// Every venue event and command about this order, in order, for the
  /// dashboard and the explainer (capacity reserved at creation).
  std::vector<msg> history;

  quantity leaves() const noexcept { return qty - filled; }

  /// Returns the average fill price (0 before the first fill).
  price average_fill_price() const noexcept {
    return filled.nanos ? per_share(filled_notional, filled) : price{};
  }
};

/// Returns the order an order spec asks for (status pending_new).
order order_from(client_order_id id, const order_spec& spec, int64_t ts_event);

order_error on_accepted(order& o) noexcept;
order_error on_rejected(order& o) noexcept;
order_error on_fill(order& o, quantity qty, price px) noexcept;
order_error on_canceled(order& o) noexcept;
order_error on_expired(order& o) noexcept;
order_error on_triggered(order& o, price water_mark) noexcept;

/// A cancel was sent: accepted / partially filled → pending_cancel.
order_error on_cancel_sent(order& o) noexcept;
/// The venue refused the cancel: back to accepted / partially filled.
order_error on_cancel_rejected(order& o) noexcept;
/// A replace was sent: accepted / partially filled → pending_replace.
order_error on_replace_sent(order& o, client_order_id new_id) noexcept;
/// The venue refused the replace: back to accepted / partially filled.
order_error on_replace_rejected(order& o) noexcept;
/// The venue replaced the order: it is done (terminal) and links forward.
order_error on_replaced(order& o, client_order_id new_id) noexcept;

/// Sets an exit leg's quantity (it follows the entry's fills, or shrinks as
/// its sibling fills). Never below what the leg already filled.
void set_leg_quantity(order& leg, quantity qty) noexcept;

/// A position in one symbol, with an exact cost basis.
struct position {
  quantity qty;     ///< Signed: long > 0, short < 0.
  money cost;       ///< Signed cost of the open quantity (qty x average price).
  money realized;   ///< Realized P&L, net of commissions.
  price mark;       ///< Last price seen, for unrealized P&L.

  price average_price() const noexcept {
    return qty.nanos ? per_share(cost, qty) : price{};
  }
  money unrealized() const noexcept { return mark * qty - cost; }
};

/// Applies one fill: grows, reduces, closes or flips the position, booking
/// realized P&L on the closed part (minus the commission).
void apply_fill(position& p, fb::Side side, quantity qty, price px,
                money commission) noexcept;

} // namespace osprey
