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

algo_order* order_manager_state::find_algo(uint64_t id) {
  for (auto& a : algos)
    if (a.id == id)
      return &a;
  return nullptr;
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

/// The group head (a bracket's or oto's entry, an oco's primary) of `o`.
order* head_of(order_manager_state& st, order& o) {
  return o.group == o.id ? &o : st.find(o.group.value);
}

/// What a group's exits may still close: what a bracket's or oto's entry
/// filled, or an oco's quantity, less what exits already filled.
quantity exit_room(const order& head) {
  auto cap = head.order_class == fb::OrderClass::Oco ? head.group_capacity : head.filled;
  return std::max(cap - head.exits_filled, quantity{});
}

/// A fill changes the rest of its group: an entry's exits follow what it has
/// filled, and an exit's fill shrinks its sibling, so the exits together can
/// never close more than the entry opened (or the oco's quantity).
void follow_fill(order_manager_state& st, order& o, quantity fill) {
  if (o.order_class == fb::OrderClass::Simple)
    return;
  auto* head = head_of(st, o);
  if (!head)
    return;
  if (o.role != fb::LegRole::Parent)
    head->exits_filled += fill;
  auto room = exit_room(*head);
  for (auto id : {head->take_profit, head->stop_loss})
    if (auto* leg = st.find(id.value); leg && !is_terminal(leg->status))
      set_leg_quantity(*leg, leg->filled + room);
}

/// Books a fill into the position and the cash.
void book_fill(order_manager_state& st, const order& o, quantity qty, price px,
               money commission) {
  auto& p = st.position_of(o.symbol);
  auto value_before = p.mark * p.qty;
  apply_fill(p, o.side, qty, px, commission);
  st.market_value += p.mark * p.qty - value_before;
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
  if (r.quantity() <= 0)
    return order_error::bad_quantity;
  auto err = on_replaced(old, client_order_id{new_id});
  if (err != order_error::none)
    return err;
  order n = old;
  n.id = client_order_id{new_id};
  n.qty = quantity::from_nanos(r.quantity());
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
  if (n.group == old.id) // the head itself was replaced
    n.group = n.id;
  // An exit may not grow past what is left for the group to close.
  if (n.role != fb::LegRole::Parent) {
    auto* head = old.group == old.id ? &old : st.find(old.group.value);
    n.qty = std::min(n.qty, head ? exit_room(*head) : quantity{});
    if (n.qty.nanos <= 0)
      n.qty = quantity{};
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
    } else if (g == &placed) { // the head was replaced: its legs follow
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
  // Runs on every bar and fill, ahead of the next order in the mailbox:
  // equity alone, not the whole portfolio.
  auto equity = st.cash + st.market_value;
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
    if (p.qty.nanos != 0)
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
      auto qty = quantity::from_nanos(f->fill_quantity());
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

void publish_progress(order_manager_state& st, const msg& cause, const algo_order& a) {
  auto p = progress_of(a.algo);
  algo_progress_values v;
  v.parent_id = a.id;
  v.symbol = a.symbol;
  v.side = a.algo.parent.side;
  v.kind = a.algo.kind;
  v.target = p.target;
  v.scheduled = p.scheduled;
  v.filled = p.filled;
  v.working = p.working;
  v.children = p.children;
  v.done = p.done;
  send(st, route::listeners, st.builder.algo_progress(stamp::caused_by(cause), v));
}

/// Carries out what the algorithm asked for: a child intent to the risk
/// controller (it comes back approved, or denied), and the next wake time.
/// Progress is published when something changed: a child went out, or
/// `changed` (a fill, an end, a start, a cancel).
void act(order_manager_state& st, const msg& cause, algo_order& a, const algo_action& action,
         bool changed = true) {
  a.wake_ns = action.wake_ns;
  if (action.sends()) {
    order_spec child;
    child.symbol = a.symbol;
    child.side = action.child.side;
    child.qty = action.child.qty;
    child.type = action.child.type;
    child.limit = action.child.limit;
    child.tif = a.tif;
    intent_reason why;
    why.code = fb::IntentReason::AlgoChild;
    send(st, route::risk, st.builder.order_intent(stamp::caused_by(cause), child, why, a.id));
  }
  if (changed || action.sends())
    publish_progress(st, cause, a);
}

/// Starts the algorithm an approved parent intent asks for.
void start_parent(order_manager_state& st, const msg& m, const order_spec& spec,
                  const algo_spec& how) {
  algo_order a;
  a.id = st.next_id++;
  a.symbol = spec.symbol;
  a.tif = spec.tif;
  auto started = start_algo(a.algo, how, {spec.side, spec.qty, spec.limit}, m.ts_event());
  if (!started.ok()) {
    ++st.stats.refused_commands;
    send(st, route::sender,
         st.builder.order_denied(stamp::caused_by(m), spec.symbol, spec.side, spec.qty,
                                 spec.limit, fb::DenyReason::InvalidOrder, spec.qty.nanos,
                                 0, {client_order_id{}, a.id}));
    send(st, route::journal,
         st.builder.alert(stamp::caused_by(m), fb::Severity::Warning, "algo_refused",
                          started.error));
    return;
  }
  a.children.reserve(64);
  // The approved parent is journaled: recovery restarts its schedule from it
  // (a person's intent reaches the journal nowhere else).
  send(st, route::journal, m);
  st.algos.push_back(std::move(a));
  act(st, m, st.algos.back(), started.action);
}

/// Tells a child's parent about a fill or the child's end.
void child_event(order_manager_state& st, const msg& m, const order& child, quantity fill) {
  auto* a = child.algo_parent ? st.find_algo(child.algo_parent) : nullptr;
  if (!a)
    return;
  auto ts = m.ts_event();
  if (fill.nanos > 0)
    return act(st, m, *a, on_algo_fill(a->algo, ts, fill));
  child_end how;
  switch (child.status) {
    case order_status::canceled: how = child_end::canceled; break;
    case order_status::rejected: how = child_end::rejected; break;
    case order_status::expired: how = child_end::expired; break;
    default: return;
  }
  act(st, m, *a, on_algo_child_end(a->algo, ts, how, child.leaves()));
}

/// Cancels a parent: no more children, and the working ones are canceled.
void cancel_parent(order_manager_state& st, const msg& cause, algo_order& a) {
  cancel_algo(a.algo);
  for (auto id : a.children)
    if (auto* c = st.find(id); c && on_cancel_sent(*c) == order_error::none) {
      auto cmd = st.builder.cancel_order(stamp::caused_by(cause), c->id);
      c->history.push_back(cmd);
      send(st, route::broker, std::move(cmd));
    }
  publish_progress(st, cause, a);
}

} // namespace

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
    o.group_capacity = spec.qty;
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
                                 spec.limit, fb::DenyReason::InvalidOrder, spec.qty.nanos,
                                 0, {client_order_id{}, intent->parent_id()}));
    return;
  }
  if (auto how = algo_of(*intent); how.kind != fb::AlgoKind::None)
    return start_parent(st, m, spec, how);
  auto& o = place(st, spec, {}, {}, {}, intent->parent_id(), m.ts_event());
  if (auto* a = o.algo_parent ? st.find_algo(o.algo_parent) : nullptr)
    a->children.push_back(o.id.value);
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
    if (auto* a = st.find_algo(id)) {
      if (a->algo.done())
        return deny_command(st, m, nullptr, id, fb::DenyReason::OrderNotWorking);
      return cancel_parent(st, m, *a);
    }
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
  v.qty = quantity::from_nanos(r->quantity());
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
  if (r.target->algo_parent) {
    auto fill = r.filled ? quantity::from_nanos(m.as<fb::OrderFilled>()->fill_quantity()) : quantity{};
    if (r.filled || is_terminal(r.target->status))
      child_event(st, m, *r.target, fill);
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

namespace {

/// One price of a symbol at event time `ts` (a trade, or a bar's close):
/// the position's mark and the algorithms that follow time or volume.
void on_price(order_manager_state& st, const msg& cause, symbol_id sym, price px, int64_t ts,
              const fb::Trade* trade) {
  if (sym.value < st.positions.size()) {
    auto& p = st.positions[sym.value];
    if (p.qty.nanos != 0)
      st.market_value += px * p.qty - p.mark * p.qty;
    p.mark = px;
  }
  // Algorithms run on event time: trades carry the volume they follow, and
  // any event can make a parent's wake time due.
  for (auto& a : st.algos) {
    if (a.algo.done())
      continue;
    if (trade && a.symbol == sym)
      act(st, cause, a, on_algo_market(a.algo, ts, quantity::from_nanos(trade->size())), a.algo.done());
    else if (ts >= a.wake_ns)
      act(st, cause, a, on_algo_wake(a.algo, ts), a.algo.done());
  }
}

/// Once a bar (not every trade): the day roll, the high-water mark, and the
/// portfolio while something is open. Journaled only: the actors that
/// listen act on fills, and a message per bar to each would sit in the
/// worker's queue ahead of the next order's path.
void on_bar_close(order_manager_state& st, const msg& cause, int64_t ts, bool open_position) {
  mark_account(st, ts);
  if (open_position && st.journaled)
    send(st, route::journal, st.builder.portfolio_snapshot(stamp::caused_by(cause), st.portfolio()));
}

bool holds(const order_manager_state& st, uint32_t symbol) {
  return symbol < st.positions.size() && st.positions[symbol].qty.nanos != 0;
}

} // namespace

void on_market(order_manager_state& st, const msg& m) {
  if (auto t = m.as<fb::Trade>()) {
    on_price(st, m, symbol_id{t->symbol()}, price{t->price()}, m.ts_event(), t);
  } else if (auto b = m.as<fb::Bar>()) {
    on_price(st, m, symbol_id{b->symbol()}, price{b->close()}, m.ts_event(), nullptr);
    on_bar_close(st, m, m.ts_event(), holds(st, b->symbol()));
  } else if (auto batch = m.as<fb::BarBatch>()) {
    // One account update for the batch, at its last bar.
    bool open_position = false;
    int64_t ts = m.ts_event();
    for (auto row : *batch->bars()) {
      on_price(st, m, symbol_id{row->symbol()}, price{row->close()}, row->ts_event(), nullptr);
      open_position |= holds(st, row->symbol());
      ts = row->ts_event();
    }
    on_bar_close(st, m, ts, open_position);
  }
}

void on_denied(order_manager_state& st, const msg& m) {
  auto d = m.as<fb::OrderDenied>();
  auto* a = d ? st.find_algo(d->parent_id()) : nullptr;
  if (!a || a->algo.done())
    return;
  act(st, m, *a, on_algo_child_end(a->algo, m.ts_event(), child_end::denied,
                                   quantity::from_nanos(d->quantity())));
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
  for (auto& a : st.algos)
    if (!a.algo.done()) {
      cancel_algo(a.algo);
      publish_progress(st, m, a);
    }
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
    if (qty.nanos == 0)
      continue;
    order_spec spec;
    spec.symbol = symbol_id{sym};
    spec.side = qty.nanos > 0 ? fb::Side::Sell : fb::Side::Buy;
    spec.qty = qty.abs();
    auto& o = add_order(st, spec, m.ts_event());
    auto submit = st.builder.submit_order(stamp::caused_by(m), o.id, spec);
    o.history.push_back(submit);
    send(st, route::broker, std::move(submit));
  }
}

void recover(order_manager_state& st, const msg& m) {
  // Whatever the replayed functions would send was sent the first time.
  struct drop_outbox {
    order_manager_state& st;
    ~drop_outbox() { st.outbox.clear(); }
  } drop{st};
  switch (m.type()) {
    case fb::Payload::OrderIntent:
      // An algorithm's parent: its start is the AlgoProgress that follows.
      if (algo_of(*m.as<fb::OrderIntent>()).kind != fb::AlgoKind::None)
        st.parent_intent = m;
      return;
    case fb::Payload::AlgoProgress: {
      auto p = m.as<fb::AlgoProgress>();
      if (st.find_algo(p->parent_id()) || !st.parent_intent
          || st.parent_intent.ts_event() != m.ts_event())
        return;
      auto intent = st.parent_intent.as<fb::OrderIntent>();
      auto spec = spec_of(*intent);
      algo_order a;
      a.id = p->parent_id();
      a.symbol = spec.symbol;
      a.tif = spec.tif;
      auto started = start_algo(a.algo, algo_of(*intent), {spec.side, spec.qty, spec.limit},
                                st.parent_intent.ts_event());
      if (!started.ok())
        return;
      st.next_id = std::max(st.next_id, a.id + 1);
      a.children.reserve(64);
      st.algos.push_back(std::move(a));
      act(st, m, st.algos.back(), started.action);
      st.parent_intent = msg{};
      return;
    }
    case fb::Payload::OrderDenied:
      on_denied(st, m);
      return;
    case fb::Payload::RiskStateChanged:
      // The cancels a halt sent are in the journal; the algorithms stop here.
      if (m.as<fb::RiskStateChanged>()->mode() == fb::RiskMode::Halted)
        for (auto& a : st.algos)
          cancel_algo(a.algo);
      return;
    case fb::Payload::SubmitOrder: {
      auto s = m.as<fb::SubmitOrder>();
      if (st.find(s->client_order_id()))
        return;
      auto& o = place(st, spec_of(*s), client_order_id{s->client_order_id()},
                      client_order_id{s->take_profit_id()},
                      client_order_id{s->stop_loss_id()}, s->parent_id(), m.ts_event());
      o.history.push_back(m);
      if (auto* a = o.algo_parent ? st.find_algo(o.algo_parent) : nullptr)
        a->children.push_back(o.id.value);
      return;
    }
    case fb::Payload::CancelOrder: {
      auto id = m.as<fb::CancelOrder>()->client_order_id();
      if (auto* a = st.find_algo(id)) {
        cancel_algo(a->algo);
        return;
      }
      // Both the command that came in and the one sent out may be recorded:
      // the second finds the cancel already pending and changes nothing.
      if (auto* o = st.find(id); o && on_cancel_sent(*o) == order_error::none)
        o->history.push_back(m);
      return;
    }
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
    case fb::Payload::BarBatch:
      if (m.seq() != 0)
        on_market(st, m);
      return;
    default: {
      auto r = apply_execution(st, m);
      if (!r.target || r.error != order_error::none)
        return;
      if (r.target->algo_parent && (r.filled || is_terminal(r.target->status)))
        child_event(st, m, *r.target,
                    r.filled ? quantity::from_nanos(m.as<fb::OrderFilled>()->fill_quantity())
                             : quantity{});
      if (r.filled)
        mark_account(st, m.ts_event());
      return;
    }
  }
}

order_manager_actor::behavior_type
order_manager(order_manager_actor::stateful_pointer<order_manager_state> self,
              order_manager_settings settings) {
  self->state.configure(settings.params);
  self->state.listeners = settings.listeners;
  self->state.journaled = settings.journal != nullptr;
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
        case fb::Payload::BarBatch:
          on_market(st, m);
          break;
        case fb::Payload::Quote:
          return;
        case fb::Payload::RiskStateChanged:
          on_risk_state(st, m);
          break;
        case fb::Payload::OrderDenied:
          // A denied algorithm child (the risk controller journaled it).
          on_denied(st, m);
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
    [self](unsubscribe_atom, const msg_actor& listener) {
      auto& l = self->state.listeners;
      l.erase(std::remove(l.begin(), l.end(), listener), l.end());
    },
    [self](risk_link_atom, msg_actor risk) { self->state.risk = std::move(risk); },
  };
}

} // namespace osprey
