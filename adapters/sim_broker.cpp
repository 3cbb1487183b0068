#include "adapters/sim_broker.hpp"

#include <algorithm>
#include <stdexcept>

namespace osprey {

namespace {

constexpr int64_t ns_per_second = 1'000'000'000;
constexpr int64_t ns_per_day = 86'400 * ns_per_second;
constexpr int64_t micros_per_cent = 10'000;
constexpr int64_t bps_per_unit = 10'000;

int64_t day_start(int64_t ts) noexcept {
  return ts / ns_per_day * ns_per_day - (ts % ns_per_day < 0 ? ns_per_day : 0);
}

/// Concatenates strings and literals (appending, which also keeps g++ 12's
/// false -Wrestrict on `"literal" + std::string` away).
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string s;
  ((s += parts), ...);
  return s;
}

/// Formats a time of day as "HH:MM:SS UTC".
std::string clock_text(int64_t ns_of_day) {
  auto s = ns_of_day / ns_per_second;
  auto two = [](int64_t v) {
    std::string d(2, '0');
    d[0] = static_cast<char>('0' + v / 10 % 10);
    d[1] = static_cast<char>('0' + v % 10);
    return d;
  };
  return cat(two(s / 3600), ":", two(s / 60 % 60), ":", two(s % 60), " UTC");
}

fb::Side opposite(fb::Side s) noexcept {
  return s == fb::Side::Buy ? fb::Side::Sell : fb::Side::Buy;
}

bool day_or_gtc(fb::TimeInForce tif) noexcept {
  return tif == fb::TimeInForce::Day || tif == fb::TimeInForce::Gtc;
}

bool takes_limit(fb::OrderType t) noexcept {
  return t == fb::OrderType::Limit || t == fb::OrderType::StopLimit;
}

bool takes_stop(fb::OrderType t) noexcept {
  return t == fb::OrderType::Stop || t == fb::OrderType::StopLimit;
}

std::string num(int64_t v) {
  return std::to_string(v);
}

std::string shares_text(int64_t nanos) {
  return to_string(quantity::from_nanos(nanos));
}

std::string px(int64_t micros) {
  return to_string(price{micros});
}

/// The fields every order, new or replacing, is checked on.
struct order_fields {
  fb::Side side = fb::Side::Buy;
  fb::OrderType type = fb::OrderType::Market;
  fb::TimeInForce tif = fb::TimeInForce::Day;
  int64_t qty = 0, limit = 0, stop = 0, trail = 0, trail_bps = 0;
};

/// Alpaca takes a fraction of a share only on a simple market, limit, stop
/// or stop-limit order for the day.
std::string check_fraction(int64_t qty, fb::OrderType type, fb::TimeInForce tif,
                           fb::OrderClass cls) {
  if (qty % nanos_per_share == 0)
    return {};
  auto what = cat("a fractional quantity (", shares_text(qty), ") ");
  if (cls != fb::OrderClass::Simple)
    return cat(what, "needs a Simple order (got ", fb::EnumNameOrderClass(cls), ")");
  if (type == fb::OrderType::TrailingStop)
    return cat(what, "cannot go on a TrailingStop order");
  if (tif != fb::TimeInForce::Day)
    return cat(what, "needs time in force Day (got ", fb::EnumNameTimeInForce(tif), ")");
  return {};
}

/// Returns why an order with these fields cannot exist, or an empty string.
std::string check_fields(const order_fields& f) {
  if (f.qty <= 0)
    return cat("quantity must be positive (got ", shares_text(f.qty), ")");
  if (f.side != fb::Side::Buy && f.side != fb::Side::Sell)
    return cat("unknown side ", num(static_cast<int>(f.side)));
  if (f.type < fb::OrderType::MIN || f.type > fb::OrderType::MAX)
    return cat("unknown order type ", num(static_cast<int>(f.type)));
  if (f.tif < fb::TimeInForce::MIN || f.tif > fb::TimeInForce::MAX)
    return cat("unknown time in force ", num(static_cast<int>(f.tif)));
  const char* type = fb::EnumNameOrderType(f.type);
  const char* tif = fb::EnumNameTimeInForce(f.tif);
  bool trailing = f.type == fb::OrderType::TrailingStop;
  if (takes_limit(f.type) && f.limit <= 0)
    return cat("a ", type, " order needs a positive limit price (got limit_price ",
               px(f.limit), ")");
  if (takes_stop(f.type) && f.stop <= 0)
    return cat("a ", type, " order needs a positive stop price (got stop_price ",
               px(f.stop), ")");
  if (!takes_stop(f.type) && f.stop != 0)
    return cat("a ", type, " order must not carry a stop price (got stop_price ",
               px(f.stop), ")");
  bool one_trail = (f.trail > 0 && f.trail_bps == 0)
                   || (f.trail == 0 && f.trail_bps > 0 && f.trail_bps < bps_per_unit);
  if (trailing && !one_trail)
    return cat("a TrailingStop order needs exactly one of trail_price > 0 or "
               "trail_percent_bps in (0, 10000) (got trail_price ",
               px(f.trail), ", trail_percent_bps ", num(f.trail_bps), ")");
  if (!trailing && (f.trail != 0 || f.trail_bps != 0))
    return cat("trail_price and trail_percent_bps apply only to TrailingStop orders "
               "(got trail_price ",
               px(f.trail), ", trail_percent_bps ", num(f.trail_bps), " on a ", type,
               " order)");
  // Alpaca takes trailing stops only as day or gtc, and opening/closing
  // auction orders only as market or limit.
  if (trailing && !day_or_gtc(f.tif))
    return cat("a TrailingStop order must be Day or Gtc (got ", tif, ")");
  if ((f.tif == fb::TimeInForce::Opg || f.tif == fb::TimeInForce::Cls)
      && f.type != fb::OrderType::Market && f.type != fb::OrderType::Limit)
    return cat(tif, " orders must be Market or Limit (got ", type, ")");
  return {};
}

} // namespace

std::string validate(const sim_broker_config& c) {
  if (c.latency_ns < 0)
    return "sim broker: latency_ns must not be negative";
  if (c.slippage_bps < 0 || c.slippage_bps >= bps_per_unit)
    return "sim broker: slippage_bps must lie in [0, 10000)";
  if (c.commission_per_share.micros < 0 || c.min_commission.micros < 0
      || c.commission_per_order.micros < 0 || c.commission_bps < 0)
    return "sim broker: commissions must not be negative";
  if (c.commission_bps >= bps_per_unit)
    return "sim broker: commission_bps must be below 10000";
  if (c.day_end_utc_ns < 0 || c.day_end_utc_ns > ns_per_day)
    return "sim broker: day_end_utc_ns must lie within one day";
  if (c.session_open_utc_ns < 0 || c.session_open_utc_ns >= c.day_end_utc_ns)
    return "sim broker: session_open_utc_ns must lie in [0, day_end_utc_ns)";
  if (c.closing_auction_ns < 0
      || c.closing_auction_ns > c.day_end_utc_ns - c.session_open_utc_ns)
    return "sim broker: closing_auction_ns must lie in "
           "[0, day_end_utc_ns - session_open_utc_ns]";
  return {};
}

sim_broker::sim_broker(sim_broker_config cfg, msg_sink& reports)
  : cfg_(cfg), reports_(reports) {
  if (auto err = validate(cfg_); !err.empty())
    throw std::invalid_argument(err);
}

// ---- entry points -----------------------------------------------------------

void sim_broker::on_command(const msg& command) {
  if (!command) {
    alert(command, "unsupported_command", "sim broker got an empty command");
    return;
  }
  // A command is an event too: orders past the close die before it acts.
  expire_due(command);
  if (auto s = command.as<fb::SubmitOrder>()) {
    submit(command, *s);
  } else if (auto c = command.as<fb::CancelOrder>()) {
    cancel(command, *c);
  } else if (auto r = command.as<fb::ReplaceOrder>()) {
    replace(command, *r);
  } else {
    alert(command, "unsupported_command",
          cat("sim broker cannot handle a ", payload_name(command.type())));
  }
  compact();
}

void sim_broker::on_market(const msg& event) {
  if (!event)
    return;
  auto t = event.type();
  if (cfg_.bar_fills != bar_fill::none && (t == fb::Payload::Bar || t == fb::Payload::BarBatch)) {
    on_bars(event); // fills first: a bar's prices happened within its session
    compact();
    return;
  }
  expire_due(event);
  if (auto q = event.as<fb::Quote>())
    match(event, *q);
  else if (auto t = event.as<fb::Trade>())
    on_trade(event, *t);
  compact();
}

// ---- submit -----------------------------------------------------------------

int64_t sim_broker::utc_day_start(int64_t ts) noexcept {
  return day_start(ts);
}

int64_t sim_broker::session_day(int64_t ts) const noexcept {
  auto start = day_start(ts);
  // Bar data is stamped at each bar's close: an order decided on a bar at or
  // after the close is for the next session (its open, its close).
  if (cfg_.bar_fills != bar_fill::none && ts - start >= cfg_.day_end_utc_ns)
    return start + ns_per_day;
  return start;
}

std::string sim_broker::check_session(fb::TimeInForce tif, int64_t ts) const {
  auto tod = ts - session_day(ts);
  // Alpaca refuses an OPG order that arrives too late for the opening
  // auction, and a CLS order too late for the closing one.
  if (tif == fb::TimeInForce::Opg && tod >= cfg_.session_open_utc_ns)
    return cat("an Opg order must arrive before the session open at ",
               clock_text(cfg_.session_open_utc_ns), " (arrived at ", clock_text(tod), ")");
  if (tif == fb::TimeInForce::Cls && tod >= cfg_.day_end_utc_ns)
    return cat("a Cls order must arrive before the session close at ",
               clock_text(cfg_.day_end_utc_ns), " (arrived at ", clock_text(tod), ")");
  return {};
}

std::string sim_broker::check_submit(const fb::SubmitOrder& s, int64_t ts) const {
  auto id = s.client_order_id();
  if (orders_.contains(id))
    return cat("client order id ", num(id), " was already used");
  auto cls = s.order_class();
  if (cls < fb::OrderClass::MIN || cls > fb::OrderClass::MAX)
    return cat("unknown order class ", num(static_cast<int>(cls)));
  order_fields f{s.side(), s.type(), s.tif(), s.quantity(), s.limit_price(),
                 s.stop_price(), s.trail_price(), s.trail_percent_bps()};
  if (cls == fb::OrderClass::Oco && s.take_profit_limit() > 0)
    f.limit = s.take_profit_limit(); // the oco's own order is its take-profit
  if (auto why = check_fields(f); !why.empty())
    return why;
  if (auto why = check_fraction(f.qty, f.type, f.tif, cls); !why.empty())
    return why;
  if (auto why = check_session(f.tif, ts); !why.empty())
    return why;

  const char* cls_name = fb::EnumNameOrderClass(cls);
  auto tp_id = s.take_profit_id();
  auto sl_id = s.stop_loss_id();
  // Built only for a refusal: every accepted order passes through here.
  auto ids = [&] {
    return cat(" (got take_profit_id ", num(tp_id), ", stop_loss_id ", num(sl_id), ")");
  };
  if (cls == fb::OrderClass::Simple) {
    if (tp_id != 0 || sl_id != 0)
      return cat("a Simple order must not name exit legs", ids());
    return {};
  }
  if (!day_or_gtc(f.tif))
    return cat("a ", cls_name, " order must be Day or Gtc (got ",
               fb::EnumNameTimeInForce(f.tif), ")");
  bool has_tp = false, has_sl = false;
  switch (cls) {
    case fb::OrderClass::Bracket:
      if (tp_id == 0 || sl_id == 0)
        return cat("a Bracket order needs both take_profit_id and stop_loss_id", ids());
      has_tp = has_sl = true;
      break;
    case fb::OrderClass::Oco:
      if (f.type != fb::OrderType::Limit)
        return cat("an Oco order must be of type Limit (got ",
                   fb::EnumNameOrderType(f.type), ")");
      if (sl_id == 0 || (tp_id != 0 && tp_id != id))
        return cat("an Oco order needs a stop_loss_id, and its own client order id is "
                   "its take-profit leg",
                   ids());
      tp_id = 0; // the order itself; no separate leg
      has_sl = true;
      break;
    default: // Oto
      if ((tp_id == 0) == (sl_id == 0))
        return cat("an Oto order needs exactly one of take_profit_id or stop_loss_id", ids());
      has_tp = tp_id != 0;
      has_sl = sl_id != 0;
      break;
  }
  for (auto [name, leg] : {std::pair{"take_profit_id", tp_id}, std::pair{"stop_loss_id", sl_id}}) {
    if (leg == id)
      return cat(name, " ", num(leg), " is the order's own client order id");
    if (leg != 0 && orders_.contains(leg))
      return cat(name, " ", num(leg), " was already used");
  }
  if (tp_id != 0 && tp_id == sl_id)
    return cat("take_profit_id and stop_loss_id must differ (both ", num(tp_id), ")");
  if (has_tp && s.take_profit_limit() <= 0)
    return cat("take_profit_limit must be positive (got ", px(s.take_profit_limit()), ")");
  if (has_sl && s.stop_loss_stop() <= 0)
    return cat("stop_loss_stop must be positive (got ", px(s.stop_loss_stop()), ")");
  if (has_sl && s.stop_loss_limit() < 0)
    return cat("stop_loss_limit must not be negative (got ", px(s.stop_loss_limit()), ")");
  if (cls == fb::OrderClass::Bracket || cls == fb::OrderClass::Oco) {
    // Exits that sell take profit above the stop; exits that buy, below it.
    auto exit_side = cls == fb::OrderClass::Bracket ? opposite(f.side) : f.side;
    auto tp = cls == fb::OrderClass::Bracket ? s.take_profit_limit() : f.limit;
    auto sl = s.stop_loss_stop();
    bool sells = exit_side == fb::Side::Sell;
    if (sells ? tp <= sl : tp >= sl)
      return cat("a ", fb::EnumNameSide(f.side), " ", cls_name,
                 " needs its take-profit limit ", sells ? "above" : "below",
                 " stop_loss_stop (got take-profit limit ", px(tp), ", stop_loss_stop ",
                 px(sl), ")");
  }
  return {};
}

void sim_broker::submit(const msg& cmd, const fb::SubmitOrder& s) {
  auto id = s.client_order_id();
  auto ts = cmd.ts_event();
  order o;
  o.id = id;
  o.sym = symbol_id{s.symbol()};
  o.side = s.side();
  o.type = s.type();
  o.tif = s.tif();
  o.limit = s.limit_price();
  o.stop = s.stop_price();
  o.trail = trail_distance{price{s.trail_price()}, s.trail_percent_bps()};
  o.leaves = quantity::from_nanos(std::max<int64_t>(0, s.quantity()));
  if (auto why = check_submit(s, ts); !why.empty()) {
    reports_.push(builder_.order_rejected(stamp::caused_by(cmd), client_order_id{id},
                                          o.sym, o.side, o.leaves, why));
    // A duplicate must not overwrite the order that owns the id.
    if (!orders_.contains(id)) {
      o.state = status::rejected;
      orders_.emplace(id, o);
    }
    return;
  }
  o.eligible_from = ts + cfg_.latency_ns;
  set_session(o, ts);
  auto cls = s.order_class();
  if (cls == fb::OrderClass::Simple) {
    auto& e = add(o);
    reports_.push(builder_.order_accepted(stamp::caused_by(cmd), client_order_id{id}, e.sym));
    activate(e);
    fill_at_signal_close(cmd, e);
    return;
  }

  groups_.push_back(group{});
  auto& g = groups_.back();
  g.cls = cls;
  g.total = o.leaves.nanos;
  o.group = static_cast<uint32_t>(groups_.size());
  // The exit legs: take-profit a limit, stop-loss a stop or stop-limit.
  bool oco = cls == fb::OrderClass::Oco;
  auto leg = [&](uint64_t leg_id, role part) {
    order l = o;
    l.id = leg_id;
    l.part = part;
    l.side = oco ? o.side : opposite(o.side);
    l.stop = 0;
    l.trail = {};
    l.leaves = {};
    if (part == role::take_profit) {
      l.type = fb::OrderType::Limit;
      l.limit = oco && s.take_profit_limit() <= 0 ? o.limit : s.take_profit_limit();
    } else {
      l.type = s.stop_loss_limit() > 0 ? fb::OrderType::StopLimit : fb::OrderType::Stop;
      l.stop = s.stop_loss_stop();
      l.limit = s.stop_loss_limit();
    }
    l.state = oco ? status::working : status::held;
    return l;
  };
  if (oco) {
    g.entry_done = true; // nothing feeds an oco: its legs own the quantity
    g.take_profit = id;
    g.stop_loss = s.stop_loss_id();
    auto& tp = add(leg(id, role::take_profit));
    auto& sl = add(leg(g.stop_loss, role::stop_loss));
    reports_.push(builder_.order_accepted(stamp::caused_by(cmd), client_order_id{tp.id}, tp.sym));
    reports_.push(builder_.order_accepted(stamp::caused_by(cmd), client_order_id{sl.id}, sl.sym));
    activate(tp);
    activate(sl);
    return;
  }
  g.entry = id;
  g.take_profit = s.take_profit_id();
  g.stop_loss = s.stop_loss_id();
  o.part = role::entry;
  if (g.take_profit != 0)
    add(leg(g.take_profit, role::take_profit));
  if (g.stop_loss != 0)
    add(leg(g.stop_loss, role::stop_loss));
  auto& e = add(o);
  reports_.push(builder_.order_accepted(stamp::caused_by(cmd), client_order_id{id}, e.sym));
  activate(e);
  fill_at_signal_close(cmd, e);
}

sim_broker::order& sim_broker::add(order o) {
  auto id = o.id;
  return orders_.insert_or_assign(id, std::move(o)).first->second;
}

void sim_broker::set_session(order& o, int64_t ts) const {
  auto start = session_day(ts);
  if (start > day_start(ts)) {
    // Decided after the close on bar data: for the next session the data
    // holds (after a weekend or a holiday, not the next calendar day).
    o.session_pending = true;
    o.opens_at = start + cfg_.session_open_utc_ns;
    o.closes_at = INT64_MAX;
    return;
  }
  o.opens_at = start + cfg_.session_open_utc_ns;
  o.closes_at = start + cfg_.day_end_utc_ns;
}

void sim_broker::activate(order& o) {
  o.state = status::working;
  sessions_pending_ |= o.session_pending;
  working_.push_back(&o);
  by_symbol_[o.sym.value].push_back(&o);
  if (o.tif != fb::TimeInForce::Gtc)
    next_expiry_ = std::min(next_expiry_, o.closes_at);
}

// ---- cancel and replace -----------------------------------------------------

const char* sim_broker::status_name(status st) noexcept {
  switch (st) {
    case status::held: return "held";
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
  auto o = find(id);
  if (!o || !live(*o)) {
    auto why = o ? cat("order is already ", status_name(o->state))
                 : cat("no such order ", num(id));
    reports_.push(builder_.cancel_rejected(stamp::caused_by(cmd), client_order_id{id}, why));
    return;
  }
  if (auto g = group_of(*o))
    cancel_group(cmd, *g); // Alpaca: cancelling any order of a group cancels all
  else
    end(cmd, *o, status::canceled);
}

std::string sim_broker::check_replace(const order& o, const fb::ReplaceOrder& r,
                                      int64_t ts) const {
  auto new_id = r.new_client_order_id();
  const char* type = fb::EnumNameOrderType(o.type);
  bool leg = o.part == role::take_profit || o.part == role::stop_loss;
  if (orders_.contains(new_id))
    return cat("new client order id ", num(new_id), " was already used");
  if (o.type == fb::OrderType::Market)
    return "a Market order cannot be replaced";
  if (o.triggered && triggered_type(o.type) == fb::OrderType::Market)
    return cat("a triggered ", type, " order works as a market order and cannot be replaced");
  if (r.quantity() < 0)
    return cat("quantity must be positive (got ", shares_text(r.quantity()), ")");
  if (leg && r.quantity() != 0)
    return cat("an exit leg's quantity follows its entry; quantity must be 0 (got ",
               shares_text(r.quantity()), ")");
  if (!leg && r.quantity() != 0 && r.quantity() <= o.cum.nanos)
    return cat("quantity ", shares_text(r.quantity()), " does not exceed the ",
               shares_text(o.cum.nanos), " shares already filled");
  if (r.limit_price() < 0)
    return cat("limit price must be positive (got ", px(r.limit_price()), ")");
  if (r.limit_price() != 0 && !takes_limit(o.type))
    return cat("a ", type, " order has no limit price to replace (got limit_price ",
               px(r.limit_price()), ")");
  if (r.stop_price() < 0)
    return cat("stop price must be positive (got ", px(r.stop_price()), ")");
  if (r.stop_price() != 0 && !takes_stop(o.type))
    return cat("a ", type, " order has no stop price to replace (got stop_price ",
               px(r.stop_price()), ")");
  if (r.stop_price() != 0 && o.triggered)
    return "the order has triggered; its stop price can no longer change";
  if (r.trail_price() < 0)
    return cat("trail price must be positive (got ", px(r.trail_price()), ")");
  if (r.trail_price() != 0 && o.type != fb::OrderType::TrailingStop)
    return cat("a ", type, " order has no trail to replace (got trail_price ",
               px(r.trail_price()), ")");
  if (r.trail_price() != 0 && o.trail.bps > 0)
    return cat("a percent trailing stop cannot take a trail_price (got trail_price ",
               px(r.trail_price()), ")");
  // The replacement must be a valid order in its own right.
  auto tif = r.tif() == fb::TimeInForce::Day ? o.tif : r.tif();
  order_fields f{o.side, o.type, tif, 1, r.limit_price() ? r.limit_price() : o.limit,
                 r.stop_price() ? r.stop_price() : o.stop,
                 r.trail_price() ? r.trail_price() : o.trail.amount.micros, o.trail.bps};
  if (o.type == fb::OrderType::TrailingStop)
    f.stop = 0; // its stop is derived from the market, not asked for
  if (auto why = check_fields(f); !why.empty())
    return why;
  auto qty = r.quantity() != 0 ? r.quantity() : o.cum.nanos + o.leaves.nanos;
  auto cls = o.group != 0 ? groups_[o.group - 1].cls : fb::OrderClass::Simple;
  if (auto why = check_fraction(qty, o.type, tif, cls); !why.empty())
    return why;
  if (tif == o.tif)
    return {};
  if (auto why = check_session(tif, ts); !why.empty())
    return why;
  if (o.group != 0 && !day_or_gtc(tif))
    return cat("an order of a ", fb::EnumNameOrderClass(groups_[o.group - 1].cls),
               " must be Day or Gtc (got ", fb::EnumNameTimeInForce(tif), ")");
  return {};
}

void sim_broker::replace(const msg& cmd, const fb::ReplaceOrder& r) {
  auto id = r.client_order_id();
  auto new_id = r.new_client_order_id();
  auto ts = cmd.ts_event();
  auto o = find(id);
  std::string why;
  if (!o)
    why = cat("no such order ", num(id));
  else if (o->state == status::held)
    why = "order is held until its entry fills";
  else if (o->state != status::working)
    why = cat("order is already ", status_name(o->state));
  else
    why = check_replace(*o, r, ts);
  if (!why.empty()) {
    reports_.push(builder_.replace_rejected(stamp::caused_by(cmd), client_order_id{id},
                                            client_order_id{new_id}, why));
    return;
  }
  // The replacement is a fresh order: same symbol, side and type, linked to
  // the same group; it waits out the latency again like any new order.
  auto& old = *o;
  auto old_leaves = old.leaves;
  order n = old;
  n.id = new_id;
  if (r.limit_price() != 0)
    n.limit = r.limit_price();
  if (r.stop_price() != 0)
    n.stop = r.stop_price();
  if (r.trail_price() != 0) {
    n.trail.amount = price{r.trail_price()};
    // A new distance from the same water mark: a new order, so no ratchet
    // against the old level.
    if (n.trailing.water_mark.micros > 0) {
      n.trailing.stop = trailing_stop_level(n.side, n.trail, n.trailing.water_mark);
      n.stop = n.trailing.stop.micros;
    }
  }
  if (r.tif() != fb::TimeInForce::Day)
    n.tif = r.tif();
  n.cum = quantity{};
  if (n.part == role::take_profit || n.part == role::stop_loss) {
    n.leg_offset = old.leg_offset + old.cum.nanos;
  } else {
    // Alpaca's quantity is the new total; what the old order filled stays
    // with the old order, the new one works the rest.
    auto total = r.quantity() != 0 ? r.quantity() : old.cum.nanos + old.leaves.nanos;
    n.leaves = quantity::from_nanos(total - old.cum.nanos);
  }
  n.eligible_from = ts + cfg_.latency_ns;
  set_session(n, ts);
  old.state = status::replaced;
  finished_any_ = true;
  if (auto g = group_of(n)) {
    switch (n.part) {
      case role::entry:
        g->entry = new_id;
        g->total = g->entry_filled + n.leaves.nanos;
        break;
      case role::take_profit: g->take_profit = new_id; break;
      case role::stop_loss: g->stop_loss = new_id; break;
      case role::simple: break;
    }
  }
  auto& added = add(n);
  auto st = stamp::caused_by(cmd);
  reports_.push(builder_.order_replaced(st, client_order_id{id}, client_order_id{new_id},
                                        added.sym, added.side, leaves_of(added),
                                        price{added.limit}, price{added.stop},
                                        old_leaves));
  reports_.push(builder_.order_accepted(st, client_order_id{new_id}, added.sym));
  activate(added);
}

// ---- groups -----------------------------------------------------------------

int64_t sim_broker::group_quantity(const group& g) const noexcept {
  // Once the entry can fill no more, its fills are all the exits may close.
  if (g.cls != fb::OrderClass::Oco && g.entry_done && g.entry_filled > 0)
    return g.entry_filled;
  return g.total;
}

quantity sim_broker::leaves_of(const order& o) const noexcept {
  if (o.part != role::take_profit && o.part != role::stop_loss)
    return o.leaves;
  auto& g = groups_[o.group - 1];
  return quantity::from_nanos(std::max<int64_t>(0, group_quantity(g) - o.leg_offset - o.cum.nanos));
}

int64_t sim_broker::fillable(const order& o) const noexcept {
  auto leaves = leaves_of(o).nanos;
  if (o.part != role::take_profit && o.part != role::stop_loss)
    return leaves;
  // Both exit legs share one budget: what the entry filled (oco: the
  // order's quantity) less what either exit already filled.
  auto& g = groups_[o.group - 1];
  auto budget = (g.cls == fb::OrderClass::Oco ? g.total : g.entry_filled) - g.exits_filled;
  return std::clamp<int64_t>(budget, 0, leaves);
}

sim_broker::group* sim_broker::group_of(const order& o) noexcept {
  return o.group == 0 ? nullptr : &groups_[o.group - 1];
}

sim_broker::order* sim_broker::find(uint64_t id) noexcept {
  auto it = orders_.find(id);
  return it == orders_.end() ? nullptr : &it->second;
}

bool sim_broker::live(const order& o) const noexcept {
  return o.state == status::working || o.state == status::held;
}

void sim_broker::end(const msg& cause, order& o, status st) {
  auto leaves = leaves_of(o);
  auto s = stamp::caused_by(cause);
  if (st == status::expired)
    reports_.push(builder_.order_expired(s, client_order_id{o.id}, o.sym, o.side, leaves));
  else
    reports_.push(builder_.order_canceled(s, client_order_id{o.id}, o.sym, o.side, leaves));
  o.state = st;
  finished_any_ = true;
  if (o.part == role::entry)
    entry_done(cause, groups_[o.group - 1]);
}

void sim_broker::entry_done(const msg& cause, group& g) {
  if (g.entry_done)
    return;
  g.entry_done = true;
  if (g.entry_filled == 0) {
    // Never armed: the held legs go with their full quantity.
    for (auto id : {g.take_profit, g.stop_loss})
      if (auto l = id ? find(id) : nullptr; l && live(*l))
        end(cause, *l, status::canceled);
    return;
  }
  settle_if_used_up(cause, g);
}

void sim_broker::settle_if_used_up(const msg& cause, group& g) {
  if (!g.entry_done || g.exits_filled < group_quantity(g))
    return;
  // The exits closed everything the entry opened: no leg may fill again.
  for (auto id : {g.take_profit, g.stop_loss})
    if (auto l = id ? find(id) : nullptr; l && live(*l))
      end(cause, *l, status::canceled);
}

void sim_broker::cancel_group(const msg& cause, group& g) {
  if (auto e = g.entry ? find(g.entry) : nullptr; e && live(*e))
    end(cause, *e, status::canceled); // also marks the entry done
  g.entry_done = true;
  for (auto id : {g.take_profit, g.stop_loss})
    if (auto l = id ? find(id) : nullptr; l && live(*l))
      end(cause, *l, status::canceled);
}

// ---- market events ----------------------------------------------------------

void sim_broker::expire_due(const msg& event) {
  expire(event, event.ts_event(), false);
}

void sim_broker::expire(const msg& event, int64_t ts, bool strictly_after) {
  // Ticks expire a Day order at its close time; a bar stamped at the close
  // is still the order's day, so bars expire it only after.
  auto past = [&](int64_t closes_at) { return strictly_after ? ts > closes_at : ts >= closes_at; };
  if (!past(next_expiry_))
    return;
  int64_t next = INT64_MAX;
  // Indexing, not iterators: end() may cancel legs elsewhere in the list, but
  // never adds to it, and compact() runs only afterwards.
  for (size_t i = 0; i < working_.size(); ++i) {
    auto& o = *working_[i];
    if (o.state != status::working || o.tif == fb::TimeInForce::Gtc)
      continue;
    if (past(o.closes_at))
      end(event, o, status::expired);
    else
      next = std::min(next, o.closes_at);
  }
  next_expiry_ = next;
}

bool sim_broker::check_trigger(const msg& cause, order& o, int64_t market) {
  if (market <= 0)
    return false;
  bool hit = false;
  int64_t mark = 0;
  if (o.type == fb::OrderType::TrailingStop) {
    hit = trail_and_check(o.trailing, o.side, o.trail, price{market});
    o.stop = o.trailing.stop.micros;
    mark = o.trailing.water_mark.micros;
  } else {
    hit = stop_reached(o.side, price{o.stop}, price{market});
  }
  if (!hit)
    return false;
  o.triggered = true;
  reports_.push(builder_.order_triggered(stamp::caused_by(cause), client_order_id{o.id},
                                         o.sym, price{o.stop}, price{market}, price{mark}));
  return true;
}

void sim_broker::on_trade(const msg& event, const fb::Trade& t) {
  auto it = by_symbol_.find(t.symbol());
  if (it == by_symbol_.end())
    return;
  auto ts = event.ts_event();
  for (auto* o : it->second) {
    if (o->state == status::working && !o->triggered && has_trigger(o->type)
        && ts >= o->eligible_from)
      check_trigger(event, *o, t.price());
  }
}

void sim_broker::match(const msg& event, const fb::Quote& q) {
  auto it = by_symbol_.find(q.symbol());
  if (it == by_symbol_.end())
    return;
  auto& list = it->second;
  auto ts = event.ts_event();
  // One quote's displayed size is shared by all orders, first come first
  // served, so two orders cannot both take the whole size.
  int64_t ask_left = q.ask_size();
  int64_t bid_left = q.bid_size();
  armed_.clear();
  // Indexing: nothing is added to `list` inside the loop (armed legs wait in
  // armed_ and work from the next event), nothing is removed before compact().
  for (size_t i = 0; i < list.size(); ++i) {
    auto& o = *list[i];
    if (o.state != status::working || ts < o.eligible_from)
      continue;
    bool buy = o.side == fb::Side::Buy;
    auto quoted = buy ? q.ask() : q.bid();
    if (has_trigger(o.type) && !o.triggered && !check_trigger(event, o, quoted))
      continue;
    if (o.tif == fb::TimeInForce::Opg && ts < o.opens_at)
      continue; // not its chance yet: the opening auction comes first
    if (o.tif == fb::TimeInForce::Cls && ts < o.closes_at - cfg_.closing_auction_ns)
      continue;
    auto type = o.triggered ? triggered_type(o.type) : o.type;
    auto& available = buy ? ask_left : bid_left;
    bool crosses = quoted > 0
                   && (type == fb::OrderType::Market
                       || (buy ? quoted <= o.limit : quoted >= o.limit));
    auto shares = crosses ? std::min(fillable(o), std::max<int64_t>(available, 0)) : 0;
    if (o.tif == fb::TimeInForce::Fok && shares < o.leaves.nanos)
      shares = 0;
    if (shares > 0) {
      available -= shares;
      auto fill_px = type == fb::OrderType::Market ? market_price(o.side, quoted)
                                                   : price{quoted};
      fill(event, o, shares, fill_px);
      if (o.state != status::working)
        continue;
    }
    // Ioc, Fok and Opg get exactly one chance: the first eligible quote.
    if (o.tif == fb::TimeInForce::Ioc || o.tif == fb::TimeInForce::Fok
        || o.tif == fb::TimeInForce::Opg)
      end(event, o, status::canceled);
  }
  for (auto* l : armed_)
    if (l->state == status::working)
      activate(*l);
}

void sim_broker::fill(const msg& cause, order& o, int64_t fill_nanos, price fill_px) {
  const auto shares = quantity::from_nanos(fill_nanos);
  auto fee = commission(o, shares, fill_px);
  auto g = group_of(o);
  o.cum += shares;
  if (o.part == role::take_profit || o.part == role::stop_loss)
    g->exits_filled += fill_nanos;
  else
    o.leaves -= shares;
  if (o.part == role::entry)
    g->entry_filled += fill_nanos;
  auto leaves = leaves_of(o);
  auto st = stamp::caused_by(cause);
  reports_.push(builder_.order_filled(st, client_order_id{o.id}, o.sym, o.side,
                                      shares, fill_px, o.cum, leaves, fee));
  if (leaves.nanos == 0) {
    o.state = status::filled;
    finished_any_ = true;
  }
  if (o.part == role::entry) {
    // The exits arm on the entry's first fill; their budget grows with each.
    for (auto id : {g->take_profit, g->stop_loss}) {
      auto l = id ? find(id) : nullptr;
      if (!l || l->state != status::held)
        continue;
      l->state = status::working;
      l->eligible_from = cause.ts_event();
      armed_.push_back(l);
      reports_.push(builder_.order_accepted(st, client_order_id{l->id}, l->sym));
    }
    if (leaves.nanos == 0)
      entry_done(cause, *g);
  } else if (g) {
    settle_if_used_up(cause, *g);
  }
}

void sim_broker::compact() {
  if (!finished_any_)
    return;
  finished_any_ = false;
  auto done = [](const order* o) { return o->state != status::working; };
  std::erase_if(working_, done);
  for (auto& [sym, list] : by_symbol_)
    std::erase_if(list, done);
}

void sim_broker::alert(const msg& cause, const char* code, const std::string& text) {
  auto st = cause ? stamp::caused_by(cause) : stamp{};
  reports_.push(builder_.alert(st, fb::Severity::Warning, code, text));
}

price slipped_market_price(const sim_broker_config& cfg, fb::Side side, int64_t quoted) noexcept {
  if (cfg.slippage_bps == 0)
    return price{quoted};
  // 128-bit keeps large prices from overflowing.
  constexpr __int128 denom = __int128{bps_per_unit} * micros_per_cent;
  if (side == fb::Side::Buy) {
    __int128 num = __int128{quoted} * (bps_per_unit + cfg.slippage_bps);
    return price{static_cast<int64_t>((num + denom - 1) / denom) * micros_per_cent};
  }
  __int128 num = __int128{quoted} * (bps_per_unit - cfg.slippage_bps);
  return price{static_cast<int64_t>(num / denom) * micros_per_cent};
}

money fill_commission(const sim_broker_config& cfg, quantity fill, price px,
                      bool first_fill) noexcept {
  // Rounded up to the micro-dollar: a fee is never undercharged, not even on
  // a fraction of a share.
  auto up = [](__int128 num, __int128 den) { return static_cast<int64_t>((num + den - 1) / den); };
  money fee{up(__int128{cfg.commission_per_share.micros} * fill.nanos, nanos_per_share)};
  if (cfg.commission_bps > 0) {
    __int128 notional = __int128{px.micros} * fill.nanos; // micro-dollars x nano-shares
    fee.micros += up(notional * cfg.commission_bps, __int128{bps_per_unit} * nanos_per_share);
  }
  if (first_fill) {
    fee.micros += cfg.commission_per_order.micros;
    fee = std::max(fee, cfg.min_commission);
  }
  return fee;
}

} // namespace osprey
