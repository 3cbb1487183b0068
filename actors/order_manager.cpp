#include "actors/order_manager.hpp"

#include <cstdlib>
#include <string>

namespace osprey {

void order_manager_state::configure(const order_manager_params& p) {
  params = p;
  next_id = p.first_client_order_id;
  cash = p.starting_cash;
  orders.reserve(4096);
}

position& order_manager_state::position_of(symbol_id id) {
  if (positions.size() <= id.value)
    positions.resize(id.value + 1);
  return positions[id.value];
}

order& order_manager_state::create(const fb::OrderIntent& intent) {
  order o;
  o.id = client_order_id{next_id++};
  o.symbol = symbol_id{intent.symbol()};
  o.side = intent.side();
  o.type = intent.type();
  o.qty = quantity{intent.quantity()};
  o.limit = price{intent.limit_price()};
  ++stats.orders;
  return orders.emplace(o.id.value, o).first->second;
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

namespace {

uint64_t report_order_id(const msg& m) {
  switch (m.type()) {
    case fb::Payload::OrderAccepted:
      return m.as<fb::OrderAccepted>()->client_order_id();
    case fb::Payload::OrderFilled:
      return m.as<fb::OrderFilled>()->client_order_id();
    case fb::Payload::OrderCanceled:
      return m.as<fb::OrderCanceled>()->client_order_id();
    case fb::Payload::OrderRejected:
      return m.as<fb::OrderRejected>()->client_order_id();
    case fb::Payload::OrderExpired:
      return m.as<fb::OrderExpired>()->client_order_id();
    default:
      return 0;
  }
}

} // namespace

execution_result apply_execution(order_manager_state& st, const msg& report) {
  execution_result r;
  auto it = st.orders.find(report_order_id(report));
  if (it == st.orders.end())
    return r;
  auto& o = it->second;
  r.target = &o;
  switch (report.type()) {
    case fb::Payload::OrderAccepted:
      r.error = on_accepted(o);
      break;
    case fb::Payload::OrderRejected:
      r.error = on_rejected(o);
      if (r.error == order_error::none)
        ++st.stats.rejected;
      break;
    case fb::Payload::OrderCanceled:
      r.error = on_canceled(o);
      if (r.error == order_error::none)
        ++st.stats.canceled;
      break;
    case fb::Payload::OrderExpired:
      r.error = on_expired(o);
      if (r.error == order_error::none)
        ++st.stats.expired;
      break;
    case fb::Payload::OrderFilled: {
      auto f = report.as<fb::OrderFilled>();
      quantity qty{f->fill_quantity()};
      price px{f->fill_price()};
      r.error = on_fill(o, qty, px);
      if (r.error != order_error::none)
        break;
      money commission{f->commission()};
      apply_fill(st.position_of(o.symbol), o.side, qty, px, commission);
      auto signed_notional = px * qty;
      st.cash -= o.side == fb::Side::Buy ? signed_notional : -signed_notional;
      st.cash -= commission;
      ++st.stats.fills;
      if (o.status == order_status::filled)
        ++st.stats.filled_orders;
      r.filled = true;
      break;
    }
    default:
      break;
  }
  if (r.error != order_error::none)
    ++st.stats.refused_events;
  return r;
}

order_manager_actor::behavior_type
order_manager(order_manager_actor::stateful_pointer<order_manager_state> self,
              order_manager_settings settings) {
  self->state.configure(settings.params);
  self->state.listeners = settings.listeners;
  auto journal = [settings](const msg& m) {
    if (settings.journal)
      settings.journal->push(m);
  };
  // Sent in reverse: CAF's worker runs the actor enqueued last first, so
  // listeners then run in the order they subscribed (the risk controller,
  // then the strategy, then any observer).
  auto tell_listeners = [self](const msg& m) {
    auto& ls = self->state.listeners;
    for (auto l = ls.rbegin(); l != ls.rend(); ++l)
      self->send(*l, m);
  };
  return {
    [self, settings, journal, tell_listeners](const msg& m) {
      auto& st = self->state;
      switch (m.type()) {
        case fb::Payload::OrderIntent: {
          auto& o = st.create(*m.as<fb::OrderIntent>());
          auto submit = st.builder.submit_order(
            stamp::caused_by(m), o.id, o.symbol, o.side, o.qty, o.type,
            st.params.tif, o.limit, price{});
          self->send(settings.broker, submit);
          if (settings.clock)
            st.stats.tick_to_order.record(settings.clock() - m.ts_ingress());
          journal(submit);
          return;
        }
        case fb::Payload::Trade:
        case fb::Payload::Bar: {
          // Marks for unrealized P&L; quotes are too frequent to matter.
          auto t = m.as<fb::Trade>();
          auto sym = t ? t->symbol() : m.as<fb::Bar>()->symbol();
          auto px = t ? t->price() : m.as<fb::Bar>()->close();
          if (sym < st.positions.size())
            st.positions[sym].mark = price{px};
          return;
        }
        case fb::Payload::Quote:
          return;
        case fb::Payload::Alert:
          // The venue's own warnings (a cancel it refused): keep them.
          journal(m);
          return;
        default:
          break;
      }
      auto r = apply_execution(st, m);
      if (!r.target || r.error != order_error::none) {
        auto text = std::string{"refused "} + payload_name(m.type())
                    + " for client order " + std::to_string(report_order_id(m))
                    + ": "
                    + (r.target ? to_string(r.error) : "unknown client order id");
        journal(m);
        journal(st.builder.alert(stamp::caused_by(m), fb::Severity::Warning,
                                 "execution_refused", text));
        return;
      }
      journal(m);
      if (r.filled) {
        auto& o = *r.target;
        auto& p = st.position_of(o.symbol);
        auto changed = st.builder.position_changed(
          stamp::caused_by(m), o.symbol,
          {p.qty, p.average_price(), p.realized, p.unrealized(), p.mark});
        tell_listeners(changed);
        journal(changed);
        journal(st.builder.portfolio_snapshot(stamp::caused_by(m), st.portfolio()));
      }
      tell_listeners(m);
    },
    [self](stats_atom) { return self->state.snapshot(); },
    [self](subscribe_atom, msg_actor listener) {
      self->state.listeners.push_back(std::move(listener));
    },
  };
}

} // namespace osprey
