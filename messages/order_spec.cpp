#include "messages/order_spec.hpp"

namespace osprey {

const char* invalid_reason(const order_spec& o) noexcept {
  using T = fb::OrderType;
  if (o.qty.nanos <= 0)
    return "quantity must be positive";
  if (o.type < T::MIN || o.type > T::MAX)
    return "unknown order type";
  if (o.tif < fb::TimeInForce::MIN || o.tif > fb::TimeInForce::MAX)
    return "unknown time in force";
  if (o.order_class < fb::OrderClass::MIN || o.order_class > fb::OrderClass::MAX)
    return "unknown order class";
  if (o.limit.micros < 0 || o.stop.micros < 0 || o.trail.micros < 0
      || o.trail_percent_bps < 0 || o.take_profit_limit.micros < 0
      || o.stop_loss_stop.micros < 0 || o.stop_loss_limit.micros < 0)
    return "prices must not be negative";
  bool needs_limit = o.type == T::Limit || o.type == T::StopLimit;
  bool needs_stop = o.type == T::Stop || o.type == T::StopLimit;
  if (needs_limit && o.limit.micros == 0)
    return "a limit or stop-limit order needs a limit price";
  if (!needs_limit && o.limit.micros != 0)
    return "only limit and stop-limit orders take a limit price";
  if (needs_stop && o.stop.micros == 0)
    return "a stop or stop-limit order needs a stop price";
  if (!needs_stop && o.stop.micros != 0)
    return "only stop and stop-limit orders take a stop price";
  bool trailing = o.type == T::TrailingStop;
  bool by_price = o.trail.micros > 0, by_percent = o.trail_percent_bps > 0;
  if (trailing && by_price == by_percent)
    return "a trailing stop needs exactly one of a trail price and a trail percent";
  if (!trailing && (by_price || by_percent))
    return "only trailing stops take a trail";
  if (o.trail_percent_bps >= 10'000)
    return "a trail percent must be below 100%";
  bool buy = o.side == fb::Side::Buy;
  auto tp = o.take_profit_limit, sl = o.stop_loss_stop;
  switch (o.order_class) {
    case fb::OrderClass::Simple:
      if (tp.micros || sl.micros || o.stop_loss_limit.micros)
        return "take-profit and stop-loss prices need a bracket, oco or oto class";
      break;
    case fb::OrderClass::Bracket:
      if (tp.micros == 0 || sl.micros == 0)
        return "a bracket needs a take-profit limit and a stop-loss stop";
      if (buy ? tp <= sl : tp >= sl)
        return buy ? "a buy bracket's take-profit must be above its stop-loss"
                   : "a sell bracket's take-profit must be below its stop-loss";
      if (o.tif != fb::TimeInForce::Day && o.tif != fb::TimeInForce::Gtc)
        return "a bracket's time in force must be day or gtc";
      break;
    case fb::OrderClass::Oco:
      if (o.type != T::Limit)
        return "an oco order must be a limit order";
      if (tp.micros == 0 || sl.micros == 0)
        return "an oco needs a take-profit limit and a stop-loss stop";
      // Both legs close a position: a sell oco takes profit above its stop.
      if (buy ? tp >= sl : tp <= sl)
        return buy ? "a buy oco's take-profit must be below its stop-loss"
                   : "a sell oco's take-profit must be above its stop-loss";
      break;
    case fb::OrderClass::Oto:
      if ((tp.micros == 0) == (sl.micros == 0))
        return "an oto needs exactly one of a take-profit and a stop-loss";
      break;
  }
  if (o.stop_loss_limit.micros && !sl.micros)
    return "a stop-loss limit needs a stop-loss stop";
  // Alpaca's fractional orders: simple market, limit, stop and stop-limit
  // orders for the day only.
  if (!o.qty.is_whole()) {
    if (o.order_class != fb::OrderClass::Simple)
      return "a fractional quantity needs a simple order (no bracket, oco or oto)";
    if (o.type == T::TrailingStop)
      return "a fractional quantity cannot go on a trailing stop";
    if (o.tif != fb::TimeInForce::Day)
      return "a fractional quantity needs time in force day";
  }
  return nullptr;
}

order_spec spec_of(const fb::OrderIntent& i) {
  order_spec s;
  s.symbol = symbol_id{i.symbol()};
  s.side = i.side();
  s.qty = quantity::from_nanos(i.quantity());
  s.type = i.type();
  s.tif = i.tif();
  s.limit = price{i.limit_price()};
  s.stop = price{i.stop_price()};
  s.trail = price{i.trail_price()};
  s.trail_percent_bps = i.trail_percent_bps();
  s.order_class = i.order_class();
  s.take_profit_limit = price{i.take_profit_limit()};
  s.stop_loss_stop = price{i.stop_loss_stop()};
  s.stop_loss_limit = price{i.stop_loss_limit()};
  s.reduce_only = i.reduce_only();
  return s;
}

order_spec spec_of(const fb::SubmitOrder& o) {
  order_spec s;
  s.symbol = symbol_id{o.symbol()};
  s.side = o.side();
  s.qty = quantity::from_nanos(o.quantity());
  s.type = o.type();
  s.tif = o.tif();
  s.limit = price{o.limit_price()};
  s.stop = price{o.stop_price()};
  s.trail = price{o.trail_price()};
  s.trail_percent_bps = o.trail_percent_bps();
  s.order_class = o.order_class();
  s.take_profit_limit = price{o.take_profit_limit()};
  s.stop_loss_stop = price{o.stop_loss_stop()};
  s.stop_loss_limit = price{o.stop_loss_limit()};
  return s;
}

algo_spec algo_of(const fb::OrderIntent& i) {
  algo_spec a;
  auto spec = i.algo();
  if (!spec)
    return a;
  a.kind = spec->kind();
  a.start_ns = spec->start_ns();
  a.horizon_ns = spec->horizon_ns();
  a.slices = spec->slices();
  a.randomize_bps = spec->randomize_bps();
  a.seed = spec->seed();
  if (auto p = spec->volume_profile())
    a.volume_profile.assign(p->begin(), p->end());
  a.display_quantity = quantity::from_nanos(spec->display_quantity());
  return a;
}

} // namespace osprey
