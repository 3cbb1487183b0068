#include "adapters/sim_broker.hpp"

#include <algorithm>
#include <stdexcept>

namespace osprey {

namespace {

constexpr int64_t ns_per_day = 86'400'000'000'000;
constexpr int64_t micros_per_cent = 10'000;
constexpr int64_t bps_per_unit = 10'000;

} // namespace

std::string validate(const sim_broker_config& c) {
  if (c.latency_ns < 0)
    return "sim broker: latency_ns must not be negative";
  if (c.slippage_bps < 0 || c.slippage_bps >= bps_per_unit)
    return "sim broker: slippage_bps must lie in [0, 10000)";
  if (c.commission_per_share.micros < 0 || c.min_commission.micros < 0)
    return "sim broker: commissions must not be negative";
  if (c.day_end_utc_ns < 0 || c.day_end_utc_ns > ns_per_day)
    return "sim broker: day_end_utc_ns must lie within one day";
  return {};
}

sim_broker::sim_broker(sim_broker_config cfg, msg_sink& reports)
  : cfg_(cfg), reports_(reports) {
  if (auto err = validate(cfg_); !err.empty())
    throw std::invalid_argument(err);
}

void sim_broker::on_command(const msg& command) {
  if (!command) {
    alert(command, "unsupported_command", "sim broker got an empty command");
    return;
  }
  // A command is an event too: Day orders past their end die before it acts.
  expire_due(command);
  if (auto s = command.as<fb::SubmitOrder>())
    submit(command, *s);
  else if (auto c = command.as<fb::CancelOrder>())
    cancel(command, *c);
  else if (auto r = command.as<fb::ReplaceOrder>())
    replace(command, *r);
  else
    alert(command, "unsupported_command",
          std::string{"sim broker cannot handle a "} + payload_name(command.type()));
}

void sim_broker::on_market(const msg& event) {
  if (!event)
    return;
  expire_due(event);
  if (auto q = event.as<fb::Quote>())
    match(event, *q);
}

void sim_broker::submit(const msg& cmd, const fb::SubmitOrder& s) {
  auto id = s.client_order_id();
  bool duplicate = orders_.contains(id);
  std::string why;
  if (duplicate)
    why = "client order id " + std::to_string(id) + " was already used";
  else if (s.quantity() <= 0)
    why = "quantity must be positive (got " + std::to_string(s.quantity()) + ")";
  else if (s.type() == fb::OrderType::Stop || s.type() == fb::OrderType::StopLimit)
    why = std::string{fb::EnumNameOrderType(s.type())}
          + " orders are not yet supported by the simulator";
  else if (s.type() != fb::OrderType::Market && s.type() != fb::OrderType::Limit)
    why = "unknown order type " + std::to_string(static_cast<int>(s.type()));
  else if (s.type() == fb::OrderType::Limit && s.limit_price() <= 0)
    why = "a limit order needs a positive limit price (got "
          + to_string(price{s.limit_price()}) + ")";
  else if (s.tif() < fb::TimeInForce::MIN || s.tif() > fb::TimeInForce::MAX)
    why = "unknown time in force " + std::to_string(static_cast<int>(s.tif()));

  order o;
  o.id = id;
  o.sym = symbol_id{s.symbol()};
  o.side = s.side();
  o.type = s.type();
  o.tif = s.tif();
  o.limit = s.limit_price();
  o.leaves = quantity{std::max<int64_t>(0, s.quantity())};
  if (!why.empty()) {
    reports_.push(builder_.order_rejected(stamp::caused_by(cmd), client_order_id{id},
                                          o.sym, o.side, o.leaves, why));
    // A duplicate must not overwrite the order that owns the id.
    if (!duplicate) {
      o.state = status::rejected;
      orders_.emplace(id, o);
    }
    return;
  }
  o.eligible_from = cmd.ts_event() + cfg_.latency_ns;
  accept(cmd, o);
}

void sim_broker::accept(const msg& cause, order o) {
  auto ts = cause.ts_event();
  auto day_start = ts / ns_per_day * ns_per_day - (ts % ns_per_day < 0 ? ns_per_day : 0);
  o.expires_at = day_start + cfg_.day_end_utc_ns;
  o.state = status::working;
  auto id = o.id;
  auto sym = o.sym;
  orders_.insert_or_assign(id, std::move(o));
  working_.push_back(id);
  reports_.push(builder_.order_accepted(stamp::caused_by(cause), client_order_id{id}, sym));
}

const char* sim_broker::status_name(status st) noexcept {
  switch (st) {
    case status::working: return "working";
    case status::rejected: return "rejected";
    case status::filled: return "filled";
    case status::canceled: return "canceled";
    case status::expired: return "expired";
    case status::replaced: return "replaced";
  }
  return "unknown";
}

void sim_broker::cancel(const msg& cmd, const fb::CancelOrder& c) {
  auto id = c.client_order_id();
  auto it = orders_.find(id);
  if (it == orders_.end()) {
    alert(cmd, "cancel_rejected",
          "cancel of order " + std::to_string(id) + " rejected: no such order");
    return;
  }
  auto& o = it->second;
  if (o.state != status::working) {
    alert(cmd, "cancel_rejected",
          "cancel of order " + std::to_string(id) + " rejected: the order is already "
            + status_name(o.state));
    return;
  }
  reports_.push(builder_.order_canceled(stamp::caused_by(cmd), client_order_id{id},
                                        o.sym, o.side, o.leaves));
  finish(id, status::canceled);
}

void sim_broker::replace(const msg& cmd, const fb::ReplaceOrder& r) {
  auto id = r.client_order_id();
  auto new_id = r.new_client_order_id();
  auto prefix = "replace of order " + std::to_string(id) + " rejected: ";
  auto it = orders_.find(id);
  std::string why;
  if (it == orders_.end())
    why = "no such order";
  else if (it->second.state != status::working)
    why = std::string{"the order is already "}
          + status_name(it->second.state);
  else if (it->second.type != fb::OrderType::Limit)
    why = "only limit orders can be replaced";
  else if (orders_.contains(new_id))
    why = "new client order id " + std::to_string(new_id) + " was already used";
  else if (r.quantity() <= 0)
    why = "quantity must be positive (got " + std::to_string(r.quantity()) + ")";
  else if (r.limit_price() <= 0)
    why = "limit price must be positive (got " + to_string(price{r.limit_price()}) + ")";
  if (!why.empty()) {
    alert(cmd, "replace_rejected", prefix + why);
    return;
  }
  auto old = it->second;
  reports_.push(builder_.order_canceled(stamp::caused_by(cmd), client_order_id{id},
                                        old.sym, old.side, old.leaves));
  finish(id, status::replaced);
  // The replacement is a fresh order: same symbol, side and tif; new size
  // and limit; it waits out the latency again like any new order.
  auto n = old;
  n.id = new_id;
  n.limit = r.limit_price();
  n.leaves = quantity{r.quantity()};
  n.cum = quantity{0};
  n.eligible_from = cmd.ts_event() + cfg_.latency_ns;
  accept(cmd, n);
}

void sim_broker::expire_due(const msg& event) {
  auto ts = event.ts_event();
  for (size_t i = 0; i < working_.size();) {
    auto& o = orders_[working_[i]];
    if (o.tif == fb::TimeInForce::Day && ts >= o.expires_at) {
      reports_.push(builder_.order_expired(stamp::caused_by(event),
                                           client_order_id{o.id}, o.sym, o.side,
                                           o.leaves));
      finish(o.id, status::expired); // erases working_[i]
    } else {
      ++i;
    }
  }
}

void sim_broker::match(const msg& event, const fb::Quote& q) {
  // One quote's displayed size is shared by all orders, first come first
  // served, so two orders cannot both take the whole size.
  int64_t ask_left = q.ask_size();
  int64_t bid_left = q.bid_size();
  auto& done = finished_;
  done.clear();
  for (auto id : working_) {
    auto& o = orders_[id];
    if (o.sym.value != q.symbol() || event.ts_event() < o.eligible_from)
      continue;
    bool buy = o.side == fb::Side::Buy;
    auto quoted = buy ? q.ask() : q.bid();
    auto& available = buy ? ask_left : bid_left;
    bool crosses = quoted > 0
                   && (o.type == fb::OrderType::Market
                       || (buy ? quoted <= o.limit : quoted >= o.limit));
    auto fill = crosses ? std::min(o.leaves.shares, std::max<int64_t>(available, 0)) : 0;
    if (o.tif == fb::TimeInForce::Fok && fill < o.leaves.shares)
      fill = 0;
    if (fill > 0) {
      available -= fill;
      auto px = o.type == fb::OrderType::Market ? market_price(o.side, quoted)
                                                : price{quoted};
      auto fee = commission(o, quantity{fill});
      o.cum += quantity{fill};
      o.leaves -= quantity{fill};
      reports_.push(builder_.order_filled(stamp::caused_by(event), client_order_id{id},
                                          o.sym, o.side, quantity{fill}, px, o.cum,
                                          o.leaves, fee));
      if (o.leaves.shares == 0) {
        o.state = status::filled;
        done.push_back(id);
        continue;
      }
    }
    // Ioc and Fok get exactly one chance: the first eligible quote.
    if (o.tif == fb::TimeInForce::Ioc || o.tif == fb::TimeInForce::Fok) {
      reports_.push(builder_.order_canceled(stamp::caused_by(event), client_order_id{id},
                                            o.sym, o.side, o.leaves));
      o.state = status::canceled;
      done.push_back(id);
    }
  }
  for (auto id : done)
    finish(id, orders_[id].state);
}

void sim_broker::finish(uint64_t id, status st) {
  orders_[id].state = st;
  std::erase(working_, id);
}

void sim_broker::alert(const msg& cause, const char* code, const std::string& text) {
  auto st = cause ? stamp::caused_by(cause) : stamp{};
  reports_.push(builder_.alert(st, fb::Severity::Warning, code, text));
}

price sim_broker::market_price(fb::Side side, int64_t quoted) const noexcept {
  if (cfg_.slippage_bps == 0)
    return price{quoted};
  // Scale by (1 ± bps) and round to a whole cent against the trader: buys
  // round up, sells round down. 128-bit keeps large prices from overflowing.
  constexpr __int128 denom = __int128{bps_per_unit} * micros_per_cent;
  if (side == fb::Side::Buy) {
    __int128 num = __int128{quoted} * (bps_per_unit + cfg_.slippage_bps);
    return price{static_cast<int64_t>((num + denom - 1) / denom) * micros_per_cent};
  }
  __int128 num = __int128{quoted} * (bps_per_unit - cfg_.slippage_bps);
  return price{static_cast<int64_t>(num / denom) * micros_per_cent};
}

money sim_broker::commission(const order& o, quantity fill) const noexcept {
  money fee{cfg_.commission_per_share.micros * fill.shares};
  if (o.cum.shares == 0)
    fee = std::max(fee, cfg_.min_commission);
  return fee;
}

} // namespace osprey
