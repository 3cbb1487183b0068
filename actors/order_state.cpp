#include "actors/order_state.hpp"

#include <algorithm>
#include <cstdlib>

namespace osprey {

const char* to_string(order_status s) noexcept {
  switch (s) {
    case order_status::pending_new: return "pending_new";
    case order_status::held: return "held";
    case order_status::accepted: return "accepted";
    case order_status::partially_filled: return "partially_filled";
    case order_status::pending_cancel: return "pending_cancel";
    case order_status::pending_replace: return "pending_replace";
    case order_status::filled: return "filled";
    case order_status::canceled: return "canceled";
    case order_status::rejected: return "rejected";
    case order_status::expired: return "expired";
    case order_status::replaced: return "replaced";
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
    case order_error::not_working: return "order is not working at the venue";
    case order_error::not_pending_cancel: return "no cancel is outstanding";
    case order_error::not_pending_replace: return "no replace is outstanding";
    case order_error::bad_price: return "fill price is not positive";
  }
  return "unknown";
}

namespace {

/// The live status an order returns to when a cancel or replace fails.
order_status resting(const order& o) noexcept {
  return o.filled.nanos ? order_status::partially_filled : order_status::accepted;
}

} // namespace

order order_from(client_order_id id, const order_spec& spec, int64_t ts_event) {
  order o;
  o.id = id;
  o.symbol = spec.symbol;
  o.side = spec.side;
  o.type = spec.type;
  o.tif = spec.tif;
  o.qty = spec.qty;
  o.limit = spec.limit;
  o.stop = spec.stop;
  o.trail = spec.trail;
  o.trail_percent_bps = spec.trail_percent_bps;
  o.order_class = spec.order_class;
  o.created_ns = ts_event;
  o.history.reserve(8);
  return o;
}

order_error on_accepted(order& o) noexcept {
  if (is_terminal(o.status))
    return order_error::already_terminal;
  // The venue acknowledged an order whose cancel is already on its way.
  if (o.status == order_status::pending_cancel)
    return order_error::none;
  if (o.status != order_status::pending_new && o.status != order_status::held)
    return order_error::not_pending;
  o.status = order_status::accepted;
  return order_error::none;
}

order_error on_rejected(order& o) noexcept {
  if (is_terminal(o.status))
    return order_error::already_terminal;
  if (o.status != order_status::pending_new && o.status != order_status::held)
    return order_error::not_pending;
  o.status = order_status::rejected;
  return order_error::none;
}

order_error on_fill(order& o, quantity qty, price px) noexcept {
  if (is_terminal(o.status))
    return order_error::already_terminal;
  if (o.status == order_status::held)
    return order_error::not_working;
  if (qty.nanos <= 0)
    return order_error::bad_quantity;
  if (px.micros <= 0)
    return order_error::bad_price;
  if (qty > o.leaves())
    return order_error::overfill;
  o.filled += qty;
  o.filled_notional += px * qty;
  if (o.leaves().nanos == 0)
    o.status = order_status::filled;
  else if (o.status == order_status::pending_new || o.status == order_status::accepted)
    o.status = order_status::partially_filled;
  // pending_cancel / pending_replace stay pending: the venue answers next.
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

order_error on_triggered(order& o, price water_mark) noexcept {
  if (is_terminal(o.status))
    return order_error::already_terminal;
  if (!is_working(o.status) && o.status != order_status::pending_new)
    return order_error::not_working;
  o.triggered = true;
  o.water_mark = water_mark;
  return order_error::none;
}

order_error on_cancel_sent(order& o) noexcept {
  if (is_terminal(o.status))
    return order_error::already_terminal;
  // A new order can be canceled before its acknowledgement: the venue takes
  // commands in order, so the cancel reaches it after the order.
  if (o.status != order_status::accepted && o.status != order_status::partially_filled
      && o.status != order_status::pending_new)
    return order_error::not_working;
  o.status = order_status::pending_cancel;
  return order_error::none;
}

order_error on_cancel_rejected(order& o) noexcept {
  if (is_terminal(o.status))
    return order_error::already_terminal;
  if (o.status != order_status::pending_cancel)
    return order_error::not_pending_cancel;
  o.status = resting(o);
  return order_error::none;
}

order_error on_replace_sent(order& o, client_order_id new_id) noexcept {
  if (is_terminal(o.status))
    return order_error::already_terminal;
  if (o.status != order_status::accepted && o.status != order_status::partially_filled)
    return order_error::not_working;
  o.status = order_status::pending_replace;
  o.replaced_by = new_id;
  return order_error::none;
}

order_error on_replace_rejected(order& o) noexcept {
  if (is_terminal(o.status))
    return order_error::already_terminal;
  if (o.status != order_status::pending_replace)
    return order_error::not_pending_replace;
  o.status = resting(o);
  o.replaced_by = client_order_id{};
  return order_error::none;
}

order_error on_replaced(order& o, client_order_id new_id) noexcept {
  if (is_terminal(o.status))
    return order_error::already_terminal;
  if (!is_working(o.status))
    return order_error::not_working;
  o.status = order_status::replaced;
  o.replaced_by = new_id;
  return order_error::none;
}

void set_leg_quantity(order& leg, quantity qty) noexcept {
  leg.qty = qty < leg.filled ? leg.filled : qty;
}

void apply_fill(position& p, fb::Side side, quantity qty, price px,
                money commission) noexcept {
  quantity q = side == fb::Side::Buy ? qty : -qty;
  p.realized -= commission;
  p.mark = px;
  bool same_direction = p.qty.nanos == 0 || (p.qty.nanos > 0) == (q.nanos > 0);
  if (same_direction) {
    p.qty += q;
    p.cost += px * q;
    return;
  }
  // Reducing: close up to the open quantity at the average cost.
  quantity open = p.qty.abs();
  quantity closing = std::min(q.abs(), open);
  int64_t sign = p.qty.nanos > 0 ? 1 : -1;
  money removed{mul_div(p.cost.micros, closing.nanos, open.nanos)};
  p.realized += money{sign * (px * closing).micros} - removed;
  p.cost -= removed;
  p.qty.nanos -= sign * closing.nanos;
  // Flipping through zero: the rest opens a position the other way.
  quantity rest = q.abs() - closing;
  if (rest.nanos > 0) {
    p.qty = quantity::from_nanos(-sign * rest.nanos);
    p.cost = px * p.qty;
  } else if (p.qty.nanos == 0) {
    p.cost = money{};
  }
}

} // namespace osprey
