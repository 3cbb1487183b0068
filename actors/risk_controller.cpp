#include "actors/risk_controller.hpp"

#include <algorithm>
#include <cstdlib>

namespace osprey {

namespace {

bool is_algo_parent(const fb::OrderIntent& intent) {
  return intent.algo() && intent.algo()->kind() != fb::AlgoKind::None;
}

} // namespace

namespace {

// Read by checks on a symbol the controller has never seen: no prices, flat.
const risk_symbol no_symbol{};

quantity signed_qty(fb::Side side, quantity q) {
  return side == fb::Side::Buy ? q : -q;
}

quantity abs_qty(quantity q) {
  return q.abs();
}

risk_verdict deny(fb::DenyReason reason, int64_t value, int64_t limit) {
  return {reason, value, limit};
}

// Exposure, net exposure and market value move together with the mark and
// the quantities; the state keeps their sums so a check reads them in O(1).
void refresh(risk_state& st, risk_symbol& s) {
  auto held = s.position + s.working;
  auto exposure = s.last * abs_qty(held);
  auto net = s.last * held;
  auto value = s.last * s.position;
  st.gross += exposure - s.exposure;
  st.net += net - s.net;
  st.account.market_value += value - s.value;
  s.exposure = exposure;
  s.net = net;
  s.value = value;
}

// A fill or a release moves working toward zero and never across it: an
// order the controller never counted (a bracket's exit leg, a flattening
// order of the order manager) must not create working quantity.
void settle_working(risk_symbol& s, quantity signed_done) {
  auto w = s.working.nanos;
  auto d = signed_done.nanos;
  if ((w > 0 && d > 0) || (w < 0 && d < 0))
    s.working.nanos = w > 0 ? w - std::min(w, d) : w - std::max(w, d);
}

// True when `projected` is strictly nearer zero than `held`, on the same side.
bool shrinks(quantity held, quantity projected) {
  auto h = held.nanos, p = projected.nanos;
  return h > 0 ? (p >= 0 && p < h) : h < 0 ? (p <= 0 && p > h) : false;
}

// Distance in basis points, exact and without overflow for any prices.
int64_t distance_bps(price px, price ref) {
  auto d = std::llabs((px - ref).micros);
  return d / ref.micros * 10'000 + d % ref.micros * 10'000 / ref.micros;
}

// Time of day inside [from, to), both taken modulo a day (a window may wrap
// past midnight).
bool within(int64_t tod, int64_t from, int64_t to) {
  from = ((from % risk_ns_per_day) + risk_ns_per_day) % risk_ns_per_day;
  to = ((to % risk_ns_per_day) + risk_ns_per_day) % risk_ns_per_day;
  return from <= to ? (tod >= from && tod < to) : (tod >= from || tod < to);
}

risk_verdict check_fields(const risk_order& o) {
  using fb::OrderType;
  auto invalid = [](int64_t value, int64_t limit) {
    return deny(fb::DenyReason::InvalidOrder, value, limit);
  };
  if (o.qty.nanos <= 0)
    return invalid(o.qty.nanos, 1);
  bool limit_type = o.type == OrderType::Limit || o.type == OrderType::StopLimit;
  bool stop_type = o.type == OrderType::Stop || o.type == OrderType::StopLimit;
  if (limit_type && o.px.micros <= 0)
    return invalid(o.px.micros, 1);
  if (stop_type && o.stop.micros <= 0)
    return invalid(o.stop.micros, 1);
  if (o.type == OrderType::Market && o.stop.micros != 0)
    return invalid(o.stop.micros, 0);
  if (o.type == OrderType::TrailingStop) {
    if (o.trail.micros < 0 || o.trail_percent_bps < 0)
      return invalid(std::min(o.trail.micros, o.trail_percent_bps), 0);
    int64_t trails = (o.trail.micros > 0) + (o.trail_percent_bps > 0);
    if (trails != 1)
      return invalid(trails, 1);
  }
  if (o.order_class == fb::OrderClass::Bracket) {
    auto tp = o.take_profit_limit.micros, sl = o.stop_loss_stop.micros;
    if (tp <= 0)
      return invalid(tp, 1);
    if (sl <= 0)
      return invalid(sl, 1);
    // A buy's take-profit sells above its stop-loss; a sell's buys below.
    bool ordered = o.side == fb::Side::Buy ? tp > sl : tp < sl;
    if (!ordered)
      return invalid(tp, sl);
  }
  return {};
}

risk_verdict check_hours(const risk_limits& lim, const risk_order& o) {
  auto tod = ((o.ts_event % risk_ns_per_day) + risk_ns_per_day) % risk_ns_per_day;
  auto open = lim.market_open_ns, close = lim.market_close_ns;
  switch (o.tif) {
    case fb::TimeInForce::Opg:
      if (!within(tod, open - lim.auction_window_ns, open))
        return deny(fb::DenyReason::OutsideTradingHours, tod, open);
      return {};
    case fb::TimeInForce::Cls:
      if (!within(tod, close - lim.auction_window_ns, close))
        return deny(fb::DenyReason::OutsideTradingHours, tod, close);
      return {};
    default:
      if (!within(tod, open, close))
        return deny(fb::DenyReason::OutsideTradingHours, tod,
                    within(tod, close, open) && tod >= close ? close : open);
      return {};
  }
}

bool may_short(const risk_limits& lim, const risk_symbol& s) {
  switch (s.shorting) {
    case short_sale::allowed: return true;
    case short_sale::forbidden: return false;
    case short_sale::inherit: break;
  }
  return lim.allow_short_selling;
}

// The price an order is checked and remembered at: its own price, or the
// reference for an order that has none (a market order without a trigger).
price checked_price(const risk_symbol& s, const risk_order& o) {
  return o.px.micros > 0 ? o.px : reference_price(s, o.side);
}

void forget(risk_state& st, client_order_id id) {
  auto it = std::find_if(st.known.begin(), st.known.end(),
                         [id](const risk_known_order& k) { return k.id == id; });
  if (it != st.known.end()) {
    *it = st.known.back();
    st.known.pop_back();
  }
}

void remember(risk_state& st, const risk_known_order& k) {
  forget(st, k.id);
  st.known.push_back(k);
}

void learn_side(risk_state& st, client_order_id id, fb::Side side) {
  for (auto& k : st.known)
    if (k.id == id) {
      k.side = side;
      k.side_known = true;
    }
}

const char* mode_name(fb::RiskMode m) {
  switch (m) {
    case fb::RiskMode::Normal: return "normal";
    case fb::RiskMode::ReduceOnly: return "reduce-only";
    case fb::RiskMode::Halted: return "halted";
  }
  return "?";
}

} // namespace

// ---- state ---------------------------------------------------------------

void risk_state::configure(const risk_limits& l, uint32_t symbols_known) {
  limits = l;
  symbol_count = symbols_known;
  symbols.assign(symbols_known, risk_symbol{});
  gross = net = money{};
  orders.configure(l.max_orders_per_window, l.rate_window_ns);
  cancels.configure(l.max_cancels_per_window, l.cancel_window_ns);
  account = risk_account{};
  account.cash = l.starting_cash;
  account.day_start_equity = l.starting_cash;
  account.high_water_mark = l.starting_cash;
  mode = fb::RiskMode::Normal;
  mode_trigger = fb::RiskTrigger::None;
  mode_value = mode_limit = 0;
  transitions.clear();
  transitions.reserve(8);
  known.clear();
  known.reserve(256);
}

risk_symbol& risk_state::symbol(symbol_id id) {
  if (symbols.size() <= id.value)
    symbols.resize(id.value + 1);
  return symbols[id.value];
}

// ---- pre-trade checks -----------------------------------------------------

price reference_price(const risk_symbol& s, fb::Side side) noexcept {
  auto quoted = side == fb::Side::Buy ? s.ask : s.bid;
  return quoted.micros > 0 ? quoted : s.last_trade;
}

money buying_power(const risk_state& st) noexcept {
  return money{st.account.equity().micros * st.limits.margin_multiplier} - st.gross;
}

risk_order order_of(const order_spec& spec, price trigger, int64_t ts_event,
                    uint64_t parent_id) {
  risk_order o;
  o.symbol = spec.symbol;
  o.side = spec.side;
  o.qty = spec.qty;
  bool limit_type = spec.type == fb::OrderType::Limit
                    || spec.type == fb::OrderType::StopLimit;
  o.px = limit_type ? spec.limit : trigger;
  o.ts_event = ts_event;
  o.type = spec.type;
  o.tif = spec.tif;
  o.stop = spec.stop;
  o.trail = spec.trail;
  o.trail_percent_bps = spec.trail_percent_bps;
  o.order_class = spec.order_class;
  o.take_profit_limit = spec.take_profit_limit;
  o.stop_loss_stop = spec.stop_loss_stop;
  o.reduce_only = spec.reduce_only;
  o.parent_id = parent_id;
  return o;
}

risk_order order_of(const fb::OrderIntent& intent, int64_t ts_event) {
  return order_of(spec_of(intent), price{intent.trigger_price()}, ts_event,
                  intent.parent_id());
}

void set_short_sale(risk_state& st, symbol_id symbol, short_sale permission) {
  st.symbol(symbol).shorting = permission;
}

risk_verdict check(const risk_state& st, const risk_order& o) {
  const auto& lim = st.limits;
  if (st.mode == fb::RiskMode::Halted)
    return st.kill_switch() ? deny(fb::DenyReason::KillSwitch, 1, 0)
                            : deny(fb::DenyReason::Halted, st.mode_value,
                                   st.mode_limit);
  if (auto v = check_fields(o); !v.passed())
    return v;
  if (st.symbol_count != 0 && o.symbol.value >= st.symbol_count)
    return deny(fb::DenyReason::UnknownSymbol, o.symbol.value, st.symbol_count);
  if (lim.trading_hours)
    if (auto v = check_hours(lim, o); !v.passed())
      return v;
  const risk_symbol& s = o.symbol.value < st.symbols.size()
                           ? st.symbols[o.symbol.value]
                           : no_symbol;
  auto held = s.position + s.working;
  auto projected = held + signed_qty(o.side, o.qty);
  if ((o.reduce_only || st.mode == fb::RiskMode::ReduceOnly)
      && !shrinks(held, projected))
    return deny(fb::DenyReason::ReduceOnly, projected.nanos, held.nanos);
  if (o.qty > lim.max_order_quantity)
    return deny(fb::DenyReason::MaxOrderQuantity, o.qty.nanos,
                lim.max_order_quantity.nanos);
  auto ref = reference_price(s, o.side);
  if (ref.micros <= 0 || s.last.micros <= 0)
    return deny(fb::DenyReason::NoReferencePrice, o.px.micros, 0);
  // Fat-finger protection: the order's price must be near the market.
  auto px = o.px.micros > 0 ? o.px : ref;
  auto bps = distance_bps(px, ref);
  if (bps > lim.price_collar_bps)
    return deny(fb::DenyReason::PriceCollar, bps, lim.price_collar_bps);
  auto notional = px * o.qty;
  if (notional > lim.max_order_notional)
    return deny(fb::DenyReason::MaxOrderNotional, notional.micros,
                lim.max_order_notional.micros);
  // An algorithm's slices repeat by design; only other orders can be
  // duplicates.
  if (lim.duplicate_window_ns > 0 && o.parent_id == 0)
    for (auto& r : s.recent)
      if (r.qty == o.qty && r.side == o.side && r.px == px
          && o.ts_event - r.ts_event < lim.duplicate_window_ns)
        return deny(fb::DenyReason::DuplicateOrder, o.ts_event - r.ts_event,
                    lim.duplicate_window_ns);
  if (o.side == fb::Side::Sell && projected.nanos < 0 && !may_short(lim, s))
    return deny(fb::DenyReason::ShortSaleNotAllowed, projected.nanos, 0);
  // Exposure limits refuse growth only: an order that shrinks a figure
  // already over its limit (prices moved) must still pass.
  auto projected_abs = abs_qty(projected);
  if (projected_abs > lim.max_position && projected_abs > abs_qty(held))
    return deny(fb::DenyReason::MaxPositionPerSymbol, projected.nanos,
                lim.max_position.nanos);
  auto gross = st.gross - s.exposure + s.last * projected_abs;
  if (gross > lim.max_gross_exposure && gross > st.gross)
    return deny(fb::DenyReason::MaxGrossExposure, gross.micros,
                lim.max_gross_exposure.micros);
  auto net = st.net - s.net + s.last * projected;
  auto net_abs = std::llabs(net.micros);
  if (net_abs > lim.max_net_exposure.micros && net_abs > std::llabs(st.net.micros))
    return deny(fb::DenyReason::MaxNetExposure, net.micros,
                lim.max_net_exposure.micros);
  if (lim.margin_multiplier > 0 && gross > st.gross) {
    auto added = gross - st.gross;
    auto power = buying_power(st);
    if (added > power)
      return deny(fb::DenyReason::BuyingPower, added.micros, power.micros);
  }
  if (st.orders.full_at(o.ts_event))
    return deny(fb::DenyReason::OrderRateThrottle,
                int64_t{st.orders.max_events()} + 1, st.orders.max_events());
  return {};
}

void on_approved(risk_state& st, const risk_order& o) {
  auto& s = st.symbol(o.symbol);
  s.working += signed_qty(o.side, o.qty);
  refresh(st, s);
  st.orders.record(o.ts_event);
  s.recent[s.recent_next] = {o.side, o.qty, checked_price(s, o), o.ts_event};
  s.recent_next = static_cast<uint8_t>((s.recent_next + 1) % s.recent.size());
}

// ---- cancels and replaces -------------------------------------------------

const risk_known_order* known_order(const risk_state& st, client_order_id id) {
  for (auto& k : st.known)
    if (k.id == id)
      return &k;
  return nullptr;
}

risk_command command_of(const msg& m) {
  risk_command c;
  c.ts_event = m.ts_event();
  if (auto cancel = m.as<fb::CancelOrder>()) {
    c.id = client_order_id{cancel->client_order_id()};
  } else if (auto r = m.as<fb::ReplaceOrder>()) {
    c.id = client_order_id{r->client_order_id()};
    c.replace = true;
    c.qty = quantity::from_nanos(r->quantity());
    c.limit = price{r->limit_price()};
  }
  return c;
}

risk_verdict check_command(const risk_state& st, const risk_command& c) {
  // A cancel only takes risk away, so it passes in every mode; a replace
  // may add risk and stops with trading.
  if (c.replace && st.mode == fb::RiskMode::Halted)
    return st.kill_switch() ? deny(fb::DenyReason::KillSwitch, 1, 0)
                            : deny(fb::DenyReason::Halted, st.mode_value,
                                   st.mode_limit);
  if (st.cancels.full_at(c.ts_event))
    return deny(fb::DenyReason::CancelRateThrottle,
                int64_t{st.cancels.max_events()} + 1, st.cancels.max_events());
  if (c.replace && c.limit.micros != 0) {
    if (c.limit.micros < 0)
      return deny(fb::DenyReason::InvalidOrder, c.limit.micros, 1);
    // Only an order seen accepted has a known symbol; the order manager
    // answers for the others.
    if (auto k = known_order(st, c.id); k && k->symbol.value < st.symbols.size()) {
      auto& s = st.symbols[k->symbol.value];
      auto ref = k->side_known ? reference_price(s, k->side) : s.last;
      if (ref.micros > 0) {
        auto bps = distance_bps(c.limit, ref);
        if (bps > st.limits.price_collar_bps)
          return deny(fb::DenyReason::PriceCollar, bps, st.limits.price_collar_bps);
      }
    }
  }
  return {};
}

void on_command_approved(risk_state& st, const risk_command& c) {
  st.cancels.record(c.ts_event);
}

// ---- market data, executions and the ledger -------------------------------

void set_mark(risk_state& st, symbol_id symbol, price mark) {
  auto& s = st.symbol(symbol);
  s.last = mark;
  refresh(st, s);
}

void on_market(risk_state& st, const msg& event) {
  auto ts = event.ts_event();
  if (auto batch = event.as<fb::BarBatch>()) {
    // Row by row, as if each bar had come alone.
    for (auto row : *batch->bars()) {
      auto& s = st.symbol(symbol_id{row->symbol()});
      s.last_trade = s.last = price{row->close()};
      roll_trading_day(st, row->ts_event());
      refresh(st, s);
      apply_loss_levels(st, row->ts_event());
    }
    return;
  }
  risk_symbol* s = nullptr;
  if (auto t = event.as<fb::Trade>()) {
    s = &st.symbol(symbol_id{t->symbol()});
    s->last_trade = s->last = price{t->price()};
  } else if (auto q = event.as<fb::Quote>()) {
    if (q->bid() <= 0 || q->ask() <= 0)
      return;
    s = &st.symbol(symbol_id{q->symbol()});
    s->bid = price{q->bid()};
    s->ask = price{q->ask()};
    s->last = price{(q->bid() + q->ask()) / 2};
  } else if (auto b = event.as<fb::Bar>()) {
    s = &st.symbol(symbol_id{b->symbol()});
    s->last_trade = s->last = price{b->close()};
  } else {
    return;
  }
  // The new day starts from yesterday's last marks; this price is today's.
  roll_trading_day(st, ts);
  refresh(st, *s);
  apply_loss_levels(st, ts);
}

void apply_fill(risk_state& st, symbol_id symbol, fb::Side side, quantity qty,
                price px, money commission, int64_t ts_event) {
  roll_trading_day(st, ts_event);
  auto& s = st.symbol(symbol);
  auto q = signed_qty(side, qty);
  settle_working(s, q);
  s.position += q;
  st.account.cash -= px * q;
  st.account.cash -= commission;
  if (s.last.micros <= 0)
    s.last = px; // no market data yet: the fill is the best mark there is
  refresh(st, s);
  apply_loss_levels(st, ts_event);
}

void on_execution(risk_state& st, const msg& event) {
  auto release = [&](uint32_t sym, fb::Side side, int64_t leaves, uint64_t id) {
    auto& s = st.symbol(symbol_id{sym});
    settle_working(s, signed_qty(side, quantity::from_nanos(leaves)));
    refresh(st, s);
    forget(st, client_order_id{id});
  };
  if (auto f = event.as<fb::OrderFilled>()) {
    apply_fill(st, symbol_id{f->symbol()}, f->side(), quantity::from_nanos(f->fill_quantity()),
               price{f->fill_price()}, money{f->commission()}, event.ts_event());
    if (f->leaves_quantity() <= 0)
      forget(st, client_order_id{f->client_order_id()});
    else
      learn_side(st, client_order_id{f->client_order_id()}, f->side());
  } else if (auto c = event.as<fb::OrderCanceled>()) {
    release(c->symbol(), c->side(), c->leaves_quantity(), c->client_order_id());
  } else if (auto r = event.as<fb::OrderRejected>()) {
    release(r->symbol(), r->side(), r->leaves_quantity(), r->client_order_id());
  } else if (auto e = event.as<fb::OrderExpired>()) {
    release(e->symbol(), e->side(), e->leaves_quantity(), e->client_order_id());
  } else if (auto a = event.as<fb::OrderAccepted>()) {
    if (!known_order(st, client_order_id{a->client_order_id()}))
      st.known.push_back({client_order_id{a->client_order_id()},
                          symbol_id{a->symbol()}, fb::Side::Buy, false});
  } else if (auto rp = event.as<fb::OrderReplaced>()) {
    // The old order's rest stops working and the new order's quantity starts.
    auto& s = st.symbol(symbol_id{rp->symbol()});
    settle_working(s, signed_qty(rp->side(), quantity::from_nanos(rp->old_leaves_quantity())));
    s.working += signed_qty(rp->side(), quantity::from_nanos(rp->quantity()));
    refresh(st, s);
    forget(st, client_order_id{rp->client_order_id()});
    remember(st, {client_order_id{rp->new_client_order_id()},
                  symbol_id{rp->symbol()}, rp->side(), true});
  }
}

void roll_trading_day(risk_state& st, int64_t ts_event) {
  auto day = ts_event >= 0 ? ts_event / risk_ns_per_day
                           : (ts_event - risk_ns_per_day + 1) / risk_ns_per_day;
  auto& acc = st.account;
  if (acc.day == INT64_MIN) {
    acc.day = day;
    acc.day_start_equity = acc.equity();
    return;
  }
  if (day <= acc.day)
    return;
  acc.day = day;
  acc.day_start_equity = acc.equity();
  acc.loss_soft = acc.loss_hard = false;
  // Only the soft daily loss ends with the day; a halt waits for a person.
  if (st.mode == fb::RiskMode::ReduceOnly
      && st.mode_trigger == fb::RiskTrigger::DailyLossSoft)
    change_mode(st, fb::RiskMode::Normal, fb::RiskTrigger::NewTradingDay, 0, 0,
                ts_event);
}

void apply_loss_levels(risk_state& st, int64_t ts_event) {
  auto& acc = st.account;
  auto& lim = st.limits;
  auto equity = acc.equity();
  if (equity > acc.high_water_mark)
    acc.high_water_mark = equity;
  auto loss = -acc.day_pnl().micros;
  auto drawdown = acc.drawdown().micros;
  auto crossed = [](money level, int64_t v) {
    return level.micros > 0 && v >= level.micros;
  };
  bool loss_hard = crossed(lim.daily_loss_hard, loss);
  bool drawdown_hard = crossed(lim.drawdown_hard, drawdown);
  bool loss_soft = crossed(lim.daily_loss_soft, loss);
  bool drawdown_soft = crossed(lim.drawdown_soft, drawdown);
  // Levels act on crossing, the hard ones first; an existing halt (a kill
  // switch, say) keeps its own trigger.
  if (st.mode != fb::RiskMode::Halted) {
    if (loss_hard && !acc.loss_hard)
      change_mode(st, fb::RiskMode::Halted, fb::RiskTrigger::DailyLossHard, loss,
                  lim.daily_loss_hard.micros, ts_event);
    else if (drawdown_hard && !acc.drawdown_hard)
      change_mode(st, fb::RiskMode::Halted, fb::RiskTrigger::DrawdownHard,
                  drawdown, lim.drawdown_hard.micros, ts_event);
    else if (st.mode == fb::RiskMode::Normal && loss_soft && !acc.loss_soft)
      change_mode(st, fb::RiskMode::ReduceOnly, fb::RiskTrigger::DailyLossSoft,
                  loss, lim.daily_loss_soft.micros, ts_event);
    else if (st.mode == fb::RiskMode::Normal && drawdown_soft && !acc.drawdown_soft)
      change_mode(st, fb::RiskMode::ReduceOnly, fb::RiskTrigger::DrawdownSoft,
                  drawdown, lim.drawdown_soft.micros, ts_event);
  }
  acc.loss_hard = loss_hard;
  acc.drawdown_hard = drawdown_hard;
  acc.loss_soft = loss_soft;
  acc.drawdown_soft = drawdown_soft;
}

// ---- modes ---------------------------------------------------------------

void change_mode(risk_state& st, fb::RiskMode mode, fb::RiskTrigger trigger,
                 int64_t value, int64_t limit, int64_t ts_event) {
  if (st.mode == mode && st.mode_trigger == trigger)
    return;
  st.transitions.push_back({mode, st.mode, trigger, value, limit,
                            mode == fb::RiskMode::Halted && st.limits.flatten_on_halt,
                            ts_event});
  st.mode = mode;
  st.mode_trigger = trigger;
  st.mode_value = value;
  st.mode_limit = limit;
}

void set_kill_switch(risk_state& st, bool engaged, int64_t ts_event) {
  if (engaged)
    change_mode(st, fb::RiskMode::Halted, fb::RiskTrigger::KillSwitch, 1, 0,
                ts_event);
  else
    resume(st, ts_event);
}

void resume(risk_state& st, int64_t ts_event) {
  if (st.mode != fb::RiskMode::Normal)
    change_mode(st, fb::RiskMode::Normal, fb::RiskTrigger::Resume, 0, 0, ts_event);
}

std::string describe(const risk_transition& t) {
  std::string s = mode_name(t.previous);
  s += " -> ";
  s += mode_name(t.mode);
  s += ": ";
  auto level = [&](const char* what, const char* kind) {
    s += what;
    s += ' ';
    s += to_string(money{t.value});
    s += " USD reached the ";
    s += kind;
    s += " limit of ";
    s += to_string(money{t.limit});
    s += " USD";
  };
  switch (t.trigger) {
    case fb::RiskTrigger::DailyLossSoft: level("the day's loss", "soft"); break;
    case fb::RiskTrigger::DailyLossHard: level("the day's loss", "hard"); break;
    case fb::RiskTrigger::DrawdownSoft: level("the drawdown", "soft"); break;
    case fb::RiskTrigger::DrawdownHard: level("the drawdown", "hard"); break;
    case fb::RiskTrigger::KillSwitch: s += "the kill switch was engaged"; break;
    case fb::RiskTrigger::Resume: s += "a person resumed trading"; break;
    case fb::RiskTrigger::NewTradingDay:
      s += "a new trading day ended the reduce-only mode of the daily loss";
      break;
    case fb::RiskTrigger::None: s += "no trigger"; break;
  }
  switch (t.mode) {
    case fb::RiskMode::Normal: s += "; every check applies as usual"; break;
    case fb::RiskMode::ReduceOnly:
      s += "; only orders that shrink a position pass";
      break;
    case fb::RiskMode::Halted:
      s += "; every order is denied until a person resumes";
      if (t.flatten)
        s += ", and every position is to be closed";
      break;
  }
  return s;
}

// ---- the actor -----------------------------------------------------------

namespace {

using risk_self = risk_controller_actor::stateful_pointer<risk_state>;

void record_denial(risk_state& st, const risk_verdict& v) {
  ++st.stats.denied;
  auto i = static_cast<size_t>(v.reason);
  if (i < st.stats.denied_by_reason.size())
    ++st.stats.denied_by_reason[i];
}

// A denial goes back to whoever asked, and into the journal.
void deliver_denial(risk_self self, const risk_settings& settings,
                    const msg& denial) {
  if (auto sender = self->current_sender())
    self->send(caf::actor_cast<msg_actor>(sender), denial);
  if (settings.journal)
    settings.journal->push(denial);
}

void on_intent(risk_self self, const risk_settings& settings, const msg& m,
               const fb::OrderIntent& intent) {
  auto& st = self->state;
  auto order = order_of(intent, m.ts_event());
  auto verdict = check(st, order);
  if (verdict.passed()) {
    // An algorithm's parent books nothing: each child is checked and booked.
    if (!is_algo_parent(intent))
      on_approved(st, order);
    ++st.stats.approved;
    self->send(settings.order_manager, m);
    return;
  }
  record_denial(st, verdict);
  deliver_denial(self, settings,
                 st.builder.order_denied(stamp::caused_by(m), order.symbol,
                                         order.side, order.qty, order.px,
                                         verdict.reason, verdict.value,
                                         verdict.limit,
                                         {client_order_id{}, order.parent_id}));
}

void on_command(risk_self self, const risk_settings& settings, const msg& m) {
  auto& st = self->state;
  auto cmd = command_of(m);
  auto verdict = check_command(st, cmd);
  if (verdict.passed()) {
    on_command_approved(st, cmd);
    ++st.stats.commands_forwarded;
    self->send(settings.order_manager, m);
    return;
  }
  ++st.stats.commands_denied;
  record_denial(st, verdict);
  auto k = known_order(st, cmd.id);
  deliver_denial(self, settings,
                 st.builder.order_denied(stamp::caused_by(m),
                                         k ? k->symbol : symbol_id{},
                                         k ? k->side : fb::Side::Buy, cmd.qty,
                                         cmd.limit, verdict.reason, verdict.value,
                                         verdict.limit, {cmd.id, 0}));
}

// Every change of mode is journaled and told to the order manager, which
// cancels (and flattens) on Halted.
void publish_transitions(risk_self self, const risk_settings& settings,
                         stamp cause) {
  auto& st = self->state;
  for (auto& t : st.transitions) {
    risk_change c{t.mode, t.previous, t.trigger, t.value, t.limit, t.flatten};
    auto m = st.builder.risk_state_changed({cause.seq, t.ts_event, cause.ts_ingress},
                                           c, describe(t));
    if (settings.journal)
      settings.journal->push(m);
    if (settings.order_manager)
      self->send(settings.order_manager, m);
  }
  st.transitions.clear();
}

} // namespace

void recover(risk_state& st, const msg& m) {
  st.last_ts_event = std::max(st.last_ts_event, m.ts_event());
  switch (m.type()) {
    case fb::Payload::Trade:
    case fb::Payload::Quote:
    case fb::Payload::Bar:
    case fb::Payload::BarBatch:
      if (m.seq() != 0)
        on_market(st, m);
      break;
    case fb::Payload::OrderIntent: {
      auto intent = m.as<fb::OrderIntent>();
      auto order = order_of(*intent, m.ts_event());
      if (check(st, order).passed() && !is_algo_parent(*intent)) {
        on_approved(st, order);
        ++st.stats.approved;
      }
      break;
    }
    case fb::Payload::RiskStateChanged: {
      // Only a person's commands: the ledger re-derives the automatic ones.
      auto c = m.as<fb::RiskStateChanged>();
      if (c->trigger() == fb::RiskTrigger::KillSwitch)
        set_kill_switch(st, true, m.ts_event());
      else if (c->trigger() == fb::RiskTrigger::Resume)
        resume(st, m.ts_event());
      break;
    }
    case fb::Payload::CancelOrder:
    case fb::Payload::ReplaceOrder:
    case fb::Payload::SubmitOrder:
      break;
    default:
      on_execution(st, m);
  }
  st.transitions.clear(); // published when they happened
}

risk_controller_actor::behavior_type
risk_controller(risk_controller_actor::stateful_pointer<risk_state> self,
                risk_settings settings) {
  self->state.configure(settings.limits, settings.symbols);
  if (settings.recovered)
    for (auto& m : *settings.recovered)
      recover(self->state, m);
  return {
    [self, settings](const msg& m) {
      auto& st = self->state;
      st.last_ts_event = std::max(st.last_ts_event, m.ts_event());
      switch (m.type()) {
        case fb::Payload::OrderIntent:
          on_intent(self, settings, m, *m.as<fb::OrderIntent>());
          break;
        case fb::Payload::CancelOrder:
        case fb::Payload::ReplaceOrder:
          on_command(self, settings, m);
          break;
        case fb::Payload::Trade:
        case fb::Payload::Quote:
        case fb::Payload::Bar:
        case fb::Payload::BarBatch:
          on_market(st, m);
          break;
        default:
          on_execution(st, m);
      }
      if (!st.transitions.empty())
        publish_transitions(self, settings, stamp::caused_by(m));
    },
    [self](stats_atom) {
      auto& st = self->state;
      auto s = st.stats;
      s.kill_switch = st.kill_switch();
      s.mode = st.mode;
      s.equity = st.account.equity();
      s.day_pnl = st.account.day_pnl();
      s.drawdown = st.account.drawdown();
      return s;
    },
    [self, settings](kill_switch_atom, bool engaged) {
      auto& st = self->state;
      bool was_engaged = st.kill_switch();
      // Releasing the switch is a person's resume, whatever halted trading.
      if (engaged ? was_engaged : st.mode == fb::RiskMode::Normal)
        return;
      set_kill_switch(st, engaged, st.last_ts_event);
      publish_transitions(self, settings, {0, st.last_ts_event, 0});
      // The alert is the line a person reads on the dashboard; the
      // RiskStateChanged above is the record the order manager acts on.
      if (settings.journal && engaged != was_engaged)
        settings.journal->push(st.builder.alert(
          {0, st.last_ts_event, 0},
          engaged ? fb::Severity::Critical : fb::Severity::Info,
          engaged ? "kill_switch_engaged" : "kill_switch_released",
          engaged ? "kill switch engaged: every order intent is denied"
                  : "kill switch released: intents are checked again"));
    },
    [self, settings](resume_atom) {
      auto& st = self->state;
      resume(st, st.last_ts_event);
      publish_transitions(self, settings, {0, st.last_ts_event, 0});
    },
  };
}

} // namespace osprey
