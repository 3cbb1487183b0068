#include "actors/order_manager.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace osprey {

void order_manager_state::configure(const order_manager_params& p) {
  params = p;
  next_id = p.first_client_order_id;
  cash = p.starting_cash;
  account = {};
  account.high_water_mark = p.starting_cash;
  account.day_start_equity = p.starting_cash;
  orders.reserve(4096);
  outbox.reserve(64);
}

position& order_manager_state::position_of(symbol_id id) {
  if (positions.size() <= id.value)
    positions.resize(id.value + 1);
  return positions[id.value];
}

order* order_manager_state::find(uint64_t id) {
  auto it = orders.find(id);
  return it == orders.end() ? nullptr : &it->second;
}

namespace {

order& add_order(order_manager_state& st, client_order_id id, const order_spec& spec,
                 int64_t ts) {
  st.next_id = std::max(st.next_id, id.value + 1);
  ++st.stats.orders;
  return st.orders.emplace(id.value, order_from(id, spec, ts)).first->second;
}

order& add_order(order_manager_state& st, const order_spec& spec, int64_t ts) {
  return add_order(st, client_order_id{st.next_id}, spec, ts);
}

void send(order_manager_state& st, route to, msg m) {
  st.outbox.push_back({to, std::move(m)});
}

fb::Side opposite(fb::Side s) {
  return s == fb::Side::Buy ? fb::Side::Sell : fb::Side::Buy;
}

uint64_t report_order_id(const msg& m) {
  switch (m.type()) {
    case fb::Payload::OrderAccepted: return m.as<fb::OrderAccepted>()->client_order_id();
    case fb::Payload::OrderFilled: return m.as<fb::OrderFilled>()->client_order_id();
    case fb::Payload::OrderCanceled: return m.as<fb::OrderCanceled>()->client_order_id();
    case fb::Payload::OrderRejected: return m.as<fb::OrderRejected>()->client_order_id();
    case fb::Payload::OrderExpired: return m.as<fb::OrderExpired>()->client_order_id();
    case fb::Payload::OrderTriggered: return m.as<fb::OrderTriggered>()->client_order_id();
    case fb::Payload::OrderReplaced: return m.as<fb::OrderReplaced>()->client_order_id();
    case fb::Payload::CancelRejected: return m.as<fb::CancelRejected>()->client_order_id();
    case fb::Payload::ReplaceRejected: return m.as<fb::ReplaceRejected>()->client_order_id();
    default: return 0;
  }
}

/// The other exit leg of `leg`'s group, if it has one.
order* sibling_of(order_manager_state& st, const order& leg) {
  auto* g = st.find(leg.group.value);
  if (!g)
    return nullptr;
  auto other = leg.role == fb::LegRole::TakeProfit ? g->stop_loss : g->take_profit;
  return other == leg.id ? nullptr : st.find(other.value);
}

/// A fill changes the rest of its group: an entry's exits follow what it has
/// filled, and an exit's fill shrinks its sibling, so the exits together can
/// never close more than the entry opened.
void follow_fill(order_manager_state& st, order& o, quantity fill) {
  if (o.order_class == fb::OrderClass::Simple)
    return;
  auto open_leg = [&](client_order_id id) -> order* {
    auto* leg = st.find(id.value);
    return leg && !is_terminal(leg->status) ? leg : nullptr;
  };
  if (o.order_class == fb::OrderClass::Oco) {
    if (auto* other = sibling_of(st, o); other && !is_terminal(other->status))
      set_leg_quantity(*other, other->qty - fill);
    return;
  }
  // Bracket and oto: each exit may close what the entry filled less what
  // the other exit already closed.
  if (o.role == fb::LegRole::Parent) {
    for (auto id : {o.take_profit, o.stop_loss})
      if (auto* leg = open_leg(id)) {
        auto* other = sibling_of(st, *leg);
        set_leg_quantity(*leg, o.filled - (other ? other->filled : quantity{}));
      }
    return;
  }
  auto* entry = st.find(o.group.value);
  if (auto* other = sibling_of(st, o); entry && other && !is_terminal(other->status))
    set_leg_quantity(*other, entry->filled - o.filled);
}

/// Books a fill into the position and the cash.
void book_fill(order_manager_state& st, const order& o, quantity qty, price px,
               money commission) {
  apply_fill(st.position_of(o.symbol), o.side, qty, px, commission);
  auto notional = px * qty;
  st.cash -= o.side == fb::Side::Buy ? notional : -notional;
  st.cash -= commission;
}

/// The replacement the venue made: the old order's terms with the new size
/// and prices, in the old order's group.
order_error adopt_replacement(order_manager_state& st, order& old,
                              const fb::OrderReplaced& r, int64_t ts) {
  auto new_id = r.new_client_order_id();
  if (new_id == 0 || st.find(new_id))
    return order_error::not_pending_replace;
  auto err = on_replaced(old, client_order_id{new_id});
  if (err != order_error::none)
    return err;
  order n = old;
  n.id = client_order_id{new_id};
  n.qty = quantity{r.quantity()};
  if (r.limit_price())
    n.limit = price{r.limit_price()};
  if (r.stop_price())
    n.stop = price{r.stop_price()};
  n.filled = quantity{};
  n.filled_notional = money{};
  n.status = order_status::pending_new;
  n.replaces = old.id;
  n.replaced_by = client_order_id{};
  n.created_ns = ts;
  n.history.clear();
  n.history.reserve(8);
  if (n.role == fb::LegRole::Parent && n.group == old.id)
    n.group = n.id;
  // A bracket's or oto's exit may not grow past what is left to close.
  if (n.role != fb::LegRole::Parent && n.order_class != fb::OrderClass::Oco) {
    auto* entry = st.find(n.group.value);
    auto* other = sibling_of(st, old);
    auto room = entry ? entry->filled - old.filled - (other ? other->filled : quantity{})
                      : quantity{};
    n.qty = std::min(n.qty, std::max(room, quantity{}));
  }
  st.next_id = std::max(st.next_id, new_id + 1);
  auto& placed = st.orders.emplace(new_id, std::move(n)).first->second;
  // Point the group at the replacement.
  if (placed.order_class != fb::OrderClass::Simple) {
    auto* g = st.find(placed.group.value);
    if (g && g != &placed) {
      if (g->take_profit == old.id)
        g->take_profit = placed.id;
      if (g->stop_loss == old.id)
        g->stop_loss = placed.id;
    } else if (placed.role == fb::LegRole::Parent
               || placed.order_class == fb::OrderClass::Oco) {
      for (auto leg_id : {placed.take_profit, placed.stop_loss})
        if (auto* leg = st.find(leg_id.value); leg && leg != &placed)
          leg->group = placed.id;
      if (placed.take_profit == old.id)
        placed.take_profit = placed.id;
    }
  }
  ++st.stats.replaced;
  return order_error::none;
}

/// Starts a new trading day on a new UTC day and raises the high-water mark.
void mark_account(order_manager_state& st, int64_t ts) {
  auto equity = st.portfolio().equity;
  if (auto d = utc_day(ts); d != st.account.day) {
    st.account.day = d;
    st.account.day_start_equity = equity;
  }
  st.account.high_water_mark = std::max(st.account.high_water_mark, equity);
}

void deny_command(order_manager_state& st, const msg& cmd, const order* o,
                  uint64_t id, fb::DenyReason reason) {
  ++st.stats.refused_commands;
  auto sym = o ? o->symbol : symbol_id{};
  auto side = o ? o->side : fb::Side::Buy;
  auto leaves = o ? o->leaves() : quantity{};
  auto px = o ? o->limit : price{};
  auto value = o ? static_cast<int64_t>(o->status) : 0;
  send(st, route::sender,
       st.builder.order_denied(stamp::caused_by(cmd), sym, side, leaves, px,
                               reason, value, 0, {client_order_id{id}, 0}));
}

} // namespace

order& order_manager_state::create(const fb::OrderIntent& intent, int64_t ts_event) {
  return add_order(*this, spec_of(intent), ts_event);
}

portfolio_values order_manager_state::portfolio() const {
  portfolio_values v;
  v.cash = cash;
  v.equity = cash;
  for (auto& p : positions) {
    auto value = p.mark * p.qty;
    v.equity += value;
    v.gross_exposure += money{std::llabs(value.micros)};
    v.net_exposure += value;
    v.realized_pnl += p.realized;
    v.unrealized_pnl += p.unrealized();
    if (p.qty.shares != 0)
      ++v.open_positions;
  }
  v.buying_power = money{std::max<int64_t>(
    0, v.equity.micros * params.margin_multiplier - v.gross_exposure.micros)};
  v.day_pnl = v.equity - account.day_start_equity;
  v.high_water_mark = std::max(account.high_water_mark, v.equity);
  v.drawdown = v.high_water_mark - v.equity;
  return v;
}

order_manager_stats order_manager_state::snapshot() const {
  auto s = stats;
  auto v = portfolio();
  s.open_positions = v.open_positions;
  s.cash = v.cash;
  s.equity = v.equity;
  s.realized = v.realized_pnl;
  s.unrealized = v.unrealized_pnl;
  s.positions = positions;
  return s;
}

execution_result apply_execution(order_manager_state& st, const msg& report) {
  execution_result r;
  auto* o = st.find(report_order_id(report));
  if (!o)
    return r;
  r.target = o;
  switch (report.type()) {
    case fb::Payload::OrderAccepted:
      r.error = on_accepted(*o);
      break;
    case fb::Payload::OrderTriggered:
      r.error = on_triggered(*o, price{report.as<fb::OrderTriggered>()->water_mark()});
      break;
    case fb::Payload::OrderRejected:
      r.error = on_rejected(*o);
      if (r.error != order_error::none)
        break;
      ++st.stats.rejected;
      // The venue rejects a group as one order: its legs never existed.
      if (o->group == o->id)
        for (auto leg_id : {o->take_profit, o->stop_loss})
          if (auto* leg = st.find(leg_id.value); leg && leg != o)
            on_rejected(*leg);
      break;
    case fb::Payload::OrderCanceled:
      r.error = on_canceled(*o);
      if (r.error == order_error::none)
        ++st.stats.canceled;
      break;
    case fb::Payload::OrderExpired:
      r.error = on_expired(*o);
      if (r.error == order_error::none)
        ++st.stats.expired;
      break;
    // A fill that beat the cancel or replace leaves the order done: the
    // venue's refusal is the expected end of that race, not an error.
    case fb::Payload::CancelRejected:
      r.error = is_terminal(o->status) ? order_error::none : on_cancel_rejected(*o);
      break;
    case fb::Payload::ReplaceRejected:
      r.error = is_terminal(o->status) ? order_error::none : on_replace_rejected(*o);
      break;
    case fb::Payload::OrderReplaced:
      r.error = adopt_replacement(st, *o, *report.as<fb::OrderReplaced>(),
                                  report.ts_event());
      break;
    case fb::Payload::OrderFilled: {
      auto f = report.as<fb::OrderFilled>();
      quantity qty{f->fill_quantity()};
      price px{f->fill_price()};
      r.error = on_fill(*o, qty, px);
      if (r.error != order_error::none)
        break;
      book_fill(st, *o, qty, px, money{f->commission()});
      follow_fill(st, *o, qty);
      ++st.stats.fills;
      if (o->status == order_status::filled)
        ++st.stats.filled_orders;
      r.filled = true;
      break;
    }
    default:
      r.target = nullptr;
      return r;
  }
  if (r.error == order_error::none)
    o->history.push_back(report);
  else
    ++st.stats.refused_events;
  return r;
}

namespace {

/// Creates the orders one SubmitOrder stands for: the order and, for a
/// bracket, oco or oto, its legs. Ids of zero are assigned here; recovery
/// passes the ids the journal recorded.
order& place(order_manager_state& st, const order_spec& spec, client_order_id id,
             client_order_id tp_id, client_order_id sl_id, uint64_t algo_parent,
             int64_t ts) {
  auto& o = id.value ? add_order(st, id, spec, ts) : add_order(st, spec, ts);
  o.algo_parent = algo_parent;
  if (spec.order_class == fb::OrderClass::Simple)
    return o;
  o.group = o.id;
  bool oco = spec.order_class == fb::OrderClass::Oco;
  // An oco's primary is its take-profit; a bracket's or oto's legs close
  // what the entry opens, on the other side, once it fills.
  auto exit_side = oco ? spec.side : opposite(spec.side);
  auto leg = [&](fb::LegRole role, client_order_id leg_id) -> client_order_id {
    order_spec l;
    l.symbol = spec.symbol;
    l.side = exit_side;
    l.qty = spec.qty;
    l.tif = spec.tif;
    if (role == fb::LegRole::TakeProfit) {
      l.type = fb::OrderType::Limit;
      l.limit = spec.take_profit_limit;
    } else {
      l.type = spec.stop_loss_limit.micros > 0 ? fb::OrderType::StopLimit
                                               : fb::OrderType::Stop;
      l.stop = spec.stop_loss_stop;
      l.limit = spec.stop_loss_limit;
    }
    l.order_class = spec.order_class;
    // A bracket's or oto's exits close only what the entry has filled, so
    // they start empty and grow with its fills.
    if (!oco)
      l.qty = quantity{};
    // unordered_map keeps references valid across rehashing: `o` stays good.
    auto& created = leg_id.value ? add_order(st, leg_id, l, ts) : add_order(st, l, ts);
    created.role = role;
    created.group = o.id;
    created.status = oco ? order_status::pending_new : order_status::held;
    return created.id;
  };
  if (oco) {
    o.role = fb::LegRole::TakeProfit;
    o.take_profit = o.id;
    o.stop_loss = leg(fb::LegRole::StopLoss, sl_id);
    return o;
  }
  bool take_profit = spec.order_class == fb::OrderClass::Bracket
                     || spec.take_profit_limit.micros > 0;
  bool stop_loss = spec.order_class == fb::OrderClass::Bracket || !take_profit;
  if (take_profit)
    o.take_profit = leg(fb::LegRole::TakeProfit, tp_id);
  if (stop_loss)
    o.stop_loss = leg(fb::LegRole::StopLoss, sl_id);
  return o;
}

} // namespace

void on_intent(order_manager_state& st, const msg& m) {
  auto intent = m.as<fb::OrderIntent>();
  auto spec = spec_of(*intent);
  // The risk controller checked it; this guards the order book's own
  // invariants against any sender.
  if (invalid_reason(spec)) {
    ++st.stats.refused_commands;
    send(st, route::sender,
         st.builder.order_denied(stamp::caused_by(m), spec.symbol, spec.side, spec.qty,
                                 spec.limit, fb::DenyReason::InvalidOrder, spec.qty.shares,
                                 0, {client_order_id{}, intent->parent_id()}));
    return;
  }
  auto& o = place(st, spec, {}, {}, {}, intent->parent_id(), m.ts_event());
  submit_links links;
  links.parent_id = o.algo_parent;
  // An oco's primary is its own take-profit: only the stop-loss is a leg.
  if (o.take_profit != o.id)
    links.take_profit = o.take_profit;
  links.stop_loss = o.stop_loss;
  auto submit = st.builder.submit_order(stamp::caused_by(m), o.id, spec, links);
  o.history.push_back(submit);
  send(st, route::broker, std::move(submit));
}

void on_command(order_manager_state& st, const msg& m) {
  if (auto c = m.as<fb::CancelOrder>()) {
    auto id = c->client_order_id();
    auto* o = st.find(id);
    if (!o)
      return deny_command(st, m, o, id, fb::DenyReason::UnknownOrder);
    auto err = on_cancel_sent(*o);
    // A held exit leg is canceled through its group at the venue.
    if (err != order_error::none && o->status != order_status::held)
      return deny_command(st, m, o, id, fb::DenyReason::OrderNotWorking);
    auto cmd = st.builder.cancel_order(stamp::caused_by(m), o->id);
    o->history.push_back(cmd);
    send(st, route::broker, std::move(cmd));
    return;
  }
  auto r = m.as<fb::ReplaceOrder>();
  if (!r)
    return;
  auto id = r->client_order_id();
  auto* o = st.find(id);
  if (!o)
    return deny_command(st, m, o, id, fb::DenyReason::UnknownOrder);
  auto new_id = r->new_client_order_id();
  bool bad = o->type == fb::OrderType::Market || r->quantity() < 0
             || r->limit_price() < 0 || r->stop_price() < 0 || r->trail_price() < 0
             || (new_id && st.find(new_id));
  if (bad)
    return deny_command(st, m, o, id, fb::DenyReason::InvalidOrder);
  if (!new_id)
    new_id = st.next_id++;
  else
    st.next_id = std::max(st.next_id, new_id + 1);
  if (on_replace_sent(*o, client_order_id{new_id}) != order_error::none)
    return deny_command(st, m, o, id, fb::DenyReason::OrderNotWorking);
  replace_values v;
  v.qty = quantity{r->quantity()};
  v.limit = price{r->limit_price()};
  v.stop = price{r->stop_price()};
  v.trail = price{r->trail_price()};
  v.tif = r->tif();
  auto cmd = st.builder.replace_order(stamp::caused_by(m), o->id,
                                      client_order_id{new_id}, v);
  o->history.push_back(cmd);
  send(st, route::broker, std::move(cmd));
}

void on_report(order_manager_state& st, const msg& m) {
  auto r = apply_execution(st, m);
  if (!r.target || r.error != order_error::none) {
    std::string text = "refused ";
    text += payload_name(m.type());
    text += " for client order ";
    text += std::to_string(report_order_id(m));
    text += ": ";
    text += r.target ? to_string(r.error) : "unknown client order id";
    send(st, route::journal,
         st.builder.alert(stamp::caused_by(m), fb::Severity::Warning,
                          "execution_refused", text));
    return;
  }
  if (r.filled) {
    auto& o = *r.target;
    auto& p = st.position_of(o.symbol);
    mark_account(st, m.ts_event());
    send(st, route::listeners,
         st.builder.position_changed(
           stamp::caused_by(m), o.symbol,
           {p.qty, p.average_price(), p.realized, p.unrealized(), p.mark}));
    send(st, route::listeners,
         st.builder.portfolio_snapshot(stamp::caused_by(m), st.portfolio()));
  }
  // The report itself is forwarded, not journaled again (the actor journals
  // every venue event as it arrives).
  st.outbox.push_back({route::listeners, m, false});
}

void on_market(order_manager_state& st, const msg& m) {
  symbol_id sym;
  price px;
  if (auto t = m.as<fb::Trade>()) {
    sym = symbol_id{t->symbol()};
    px = price{t->price()};
  } else if (auto b = m.as<fb::Bar>()) {
    sym = symbol_id{b->symbol()};
    px = price{b->close()};
  } else {
    return;
  }
  bool held = sym.value < st.positions.size();
  if (held)
    st.positions[sym.value].mark = px;
  if (m.type() != fb::Payload::Bar)
    return;
  // Once a bar (not every trade): the day roll, the high-water mark, and the
  // portfolio while something is open.
  mark_account(st, m.ts_event());
  if (held && st.positions[sym.value].qty.shares != 0)
    send(st, route::listeners,
         st.builder.portfolio_snapshot(stamp::caused_by(m), st.portfolio()));
}

void on_risk_state(order_manager_state& st, const msg& m) {
  auto c = m.as<fb::RiskStateChanged>();
  if (!c || c->mode() != fb::RiskMode::Halted)
    return;
  // In id order, so a halt journals the same way on every run.
  std::vector<uint64_t> live;
  for (auto& [id, o] : st.orders)
    if (!is_terminal(o.status) && o.status != order_status::held
        && o.status != order_status::pending_cancel)
      live.push_back(id);
  std::sort(live.begin(), live.end());
  for (auto id : live) {
    auto& o = st.orders.at(id);
    if (on_cancel_sent(o) != order_error::none)
      continue; // pending_replace: the venue answers the replace first.
    auto cmd = st.builder.cancel_order(stamp::caused_by(m), o.id);
    o.history.push_back(cmd);
    send(st, route::broker, std::move(cmd));
  }
  if (!c->flatten())
    return;
  // Closing orders go straight to the venue: they are the halt's own action,
  // and the halted risk controller would deny them.
  for (uint32_t sym = 0; sym < st.positions.size(); ++sym) {
    auto qty = st.positions[sym].qty;
    if (qty.shares == 0)
      continue;
    order_spec spec;
    spec.symbol = symbol_id{sym};
    spec.side = qty.shares > 0 ? fb::Side::Sell : fb::Side::Buy;
    spec.qty = quantity{std::llabs(qty.shares)};
    auto& o = add_order(st, spec, m.ts_event());
    auto submit = st.builder.submit_order(stamp::caused_by(m), o.id, spec);
    o.history.push_back(submit);
    send(st, route::broker, std::move(submit));
  }
}

void recover(order_manager_state& st, const msg& m) {
  switch (m.type()) {
    case fb::Payload::SubmitOrder: {
      auto s = m.as<fb::SubmitOrder>();
      if (st.find(s->client_order_id()))
        return;
      auto& o = place(st, spec_of(*s), client_order_id{s->client_order_id()},
                      client_order_id{s->take_profit_id()},
                      client_order_id{s->stop_loss_id()}, s->parent_id(), m.ts_event());
      o.history.push_back(m);
      return;
    }
    case fb::Payload::CancelOrder:
      // Both the command that came in and the one sent out may be recorded:
      // the second finds the cancel already pending and changes nothing.
      if (auto* o = st.find(m.as<fb::CancelOrder>()->client_order_id());
          o && on_cancel_sent(*o) == order_error::none)
        o->history.push_back(m);
      return;
    case fb::Payload::ReplaceOrder: {
      auto r = m.as<fb::ReplaceOrder>();
      auto* o = st.find(r->client_order_id());
      if (!o || r->new_client_order_id() == 0)
        return;
      if (on_replace_sent(*o, client_order_id{r->new_client_order_id()}) == order_error::none) {
        st.next_id = std::max(st.next_id, r->new_client_order_id() + 1);
        o->history.push_back(m);
      }
      return;
    }
    case fb::Payload::Trade:
    case fb::Payload::Bar:
      if (m.seq() == 0)
        return;
      on_market(st, m);
      st.outbox.clear();
      return;
    default:
      if (apply_execution(st, m).filled)
        mark_account(st, m.ts_event());
      return;
  }
}

order_manager_actor::behavior_type
order_manager(order_manager_actor::stateful_pointer<order_manager_state> self,
              order_manager_settings settings) {
  self->state.configure(settings.params);
  self->state.listeners = settings.listeners;
  if (settings.recovered)
    for (auto& m : *settings.recovered)
      recover(self->state, m);
  auto journal = [settings](const msg& m) {
    if (settings.journal)
      settings.journal->push(m);
  };
  // Delivers the outbox. Listeners are told in reverse: CAF's worker runs
  // the actor enqueued last first, so they then run in the order they
  // subscribed (the risk controller, then the strategy, then any observer).
  auto deliver = [self, settings, journal] {
    auto& st = self->state;
    for (auto& out : st.outbox) {
      switch (out.to) {
        case route::broker:
          self->send(settings.broker, out.m);
          break;
        case route::risk:
          if (st.risk)
            self->send(st.risk, out.m);
          break;
        case route::listeners:
          for (auto l = st.listeners.rbegin(); l != st.listeners.rend(); ++l)
            self->send(*l, out.m);
          break;
        case route::sender:
          if (auto sender = self->current_sender())
            self->send(caf::actor_cast<msg_actor>(sender), out.m);
          break;
        case route::journal:
          break;
      }
      if (out.journaled)
        journal(out.m);
    }
    st.outbox.clear();
  };
  return {
    [self, settings, journal, deliver](const msg& m) {
      auto& st = self->state;
      switch (m.type()) {
        case fb::Payload::OrderIntent:
          on_intent(st, m);
          deliver();
          if (settings.clock)
            st.stats.tick_to_order.record(settings.clock() - m.ts_ingress());
          return;
        case fb::Payload::CancelOrder:
        case fb::Payload::ReplaceOrder:
          on_command(st, m);
          break;
        case fb::Payload::Trade:
        case fb::Payload::Bar:
          on_market(st, m);
          break;
        case fb::Payload::Quote:
          return;
        case fb::Payload::RiskStateChanged:
          on_risk_state(st, m);
          break;
        case fb::Payload::Alert:
          // The venue's own warnings: keep them.
          journal(m);
          return;
        default:
          // A venue event is an input: journaled as it arrives.
          journal(m);
          on_report(st, m);
      }
      deliver();
    },
    [self](stats_atom) { return self->state.snapshot(); },
    [self](subscribe_atom, msg_actor listener) {
      self->state.listeners.push_back(std::move(listener));
    },
    [self](risk_link_atom, msg_actor risk) { self->state.risk = std::move(risk); },
  };
}

} // namespace osprey
