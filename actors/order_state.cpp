#include "actors/order_state.hpp"

#include <algorithm>
#include <cstdlib>

namespace osprey {

const char* to_string(order_status s) noexcept {
  switch (s) {
    case order_status::pending_new: return "pending_new";
    case order_status::accepted: return "accepted";
    case order_status::partially_filled: return "partially_filled";
    case order_status::filled: return "filled";
    case order_status::canceled: return "canceled";
    case order_status::rejected: return "rejected";
    case order_status::expired: return "expired";
  }
  return "unknown";
}

const char* to_string(order_error e) noexcept {
  switch (e) {
    case order_error::none: return "none";
    case order_error::already_terminal: return "order is already terminal";
    case order_error::not_pending: return "order is no longer pending";
    case order_error::overfill: return "fill exceeds the leaves quantity";
    case order_error::bad_quantity: return "fill quantity is not positive";
  }
  return "unknown";
}

order_error on_accepted(order& o) noexcept {
  if (is_terminal(o.status))
    return order_error::already_terminal;
  if (o.status != order_status::pending_new)
    return order_error::not_pending;
  o.status = order_status::accepted;
  return order_error::none;
}

order_error on_rejected(order& o) noexcept {
  if (is_terminal(o.status))
    return order_error::already_terminal;
  if (o.status != order_status::pending_new)
    return order_error::not_pending;
  o.status = order_status::rejected;
  return order_error::none;
}

order_error on_fill(order& o, quantity qty, price px) noexcept {
  if (is_terminal(o.status))
    return order_error::already_terminal;
  if (qty.shares <= 0)
    return order_error::bad_quantity;
  if (qty > o.leaves())
    return order_error::overfill;
  o.filled += qty;
  o.filled_notional += px * qty;
  o.status = o.leaves().shares == 0 ? order_status::filled
                                    : order_status::partially_filled;
  return order_error::none;
}

order_error on_canceled(order& o) noexcept {
  if (is_terminal(o.status))
    return order_error::already_terminal;
  o.status = order_status::canceled;
  return order_error::none;
}

order_error on_expired(order& o) noexcept {
  if (is_terminal(o.status))
    return order_error::already_terminal;
  o.status = order_status::expired;
  return order_error::none;
}

void apply_fill(position& p, fb::Side side, quantity qty, price px,
                money commission) noexcept {
  int64_t q = side == fb::Side::Buy ? qty.shares : -qty.shares;
  p.realized -= commission;
  p.mark = px;
  bool same_direction = p.qty.shares == 0 || (p.qty.shares > 0) == (q > 0);
  if (same_direction) {
    p.qty.shares += q;
    p.cost += px * quantity{q};
    return;
  }
  // Reducing: close up to the open quantity at the average cost.
  int64_t open = std::abs(p.qty.shares);
  int64_t closing = std::min<int64_t>(std::abs(q), open);
  int64_t sign = p.qty.shares > 0 ? 1 : -1;
  money removed{p.cost.micros / open * closing
                + p.cost.micros % open * closing / open};
  p.realized += money{sign * (px * quantity{closing}).micros} - removed;
  p.cost -= removed;
  p.qty.shares -= sign * closing;
  // Flipping through zero: the rest opens a position the other way.
  int64_t rest = std::abs(q) - closing;
  if (rest > 0) {
    p.qty.shares = -sign * rest;
    p.cost = px * p.qty;
  } else if (p.qty.shares == 0) {
    p.cost = money{};
  }
}

} // namespace osprey
