#include "actors/risk_controller.hpp"

#include <cstdlib>

namespace osprey {

namespace {

int64_t signed_qty(fb::Side side, int64_t qty) {
  return side == fb::Side::Buy ? qty : -qty;
}

void refresh_exposure(risk_state& st, risk_symbol& s) {
  auto exposure = s.last * quantity{std::llabs((s.position + s.working).shares)};
  st.gross += exposure - s.exposure;
  s.exposure = exposure;
}

risk_verdict deny(fb::DenyReason reason, int64_t value, int64_t limit) {
  return {reason, value, limit};
}

} // namespace

void risk_state::configure(const risk_limits& l) {
  limits = l;
  recent.assign(std::max<uint32_t>(l.max_orders_per_window, 1), 0);
  recent_next = recent_count = 0;
}

risk_symbol& risk_state::symbol(symbol_id id) {
  if (symbols.size() <= id.value)
    symbols.resize(id.value + 1);
  return symbols[id.value];
}

risk_order order_of(const fb::OrderIntent& intent, int64_t ts_event) {
  price px{intent.type() == fb::OrderType::Limit ? intent.limit_price()
                                                 : intent.trigger_price()};
  return {symbol_id{intent.symbol()}, intent.side(), quantity{intent.quantity()},
          px, ts_event};
}

risk_verdict check(const risk_state& st, const risk_order& o) {
  const auto& lim = st.limits;
  if (st.kill_switch)
    return deny(fb::DenyReason::KillSwitch, 1, 0);
  if (o.qty > lim.max_order_quantity || o.qty.shares <= 0)
    return deny(fb::DenyReason::MaxOrderQuantity, o.qty.shares,
                lim.max_order_quantity.shares);
  const risk_symbol* s = o.symbol.value < st.symbols.size()
                           ? &st.symbols[o.symbol.value]
                           : nullptr;
  if (!s || s->last.micros <= 0)
    return deny(fb::DenyReason::NoReferencePrice, o.px.micros, 0);
  // Fat-finger protection: the order's price must be near the market.
  auto distance = std::llabs((o.px - s->last).micros);
  auto distance_bps = distance * 10'000 / s->last.micros;
  if (distance_bps > lim.price_collar_bps)
    return deny(fb::DenyReason::PriceCollar, distance_bps, lim.price_collar_bps);
  auto notional = o.px * o.qty;
  if (notional > lim.max_order_notional)
    return deny(fb::DenyReason::MaxOrderNotional, notional.micros,
                lim.max_order_notional.micros);
  auto projected = s->position + s->working + quantity{signed_qty(o.side, o.qty.shares)};
  auto projected_abs = quantity{std::llabs(projected.shares)};
  if (projected_abs > lim.max_position)
    return deny(fb::DenyReason::MaxPositionPerSymbol, projected.shares,
                lim.max_position.shares);
  auto gross = st.gross - s->exposure + s->last * projected_abs;
  if (gross > lim.max_gross_exposure)
    return deny(fb::DenyReason::MaxGrossExposure, gross.micros,
                lim.max_gross_exposure.micros);
  // Throttle: the ring holds the last max_orders_per_window approvals.
  if (st.recent_count >= st.recent.size()) {
    auto oldest = st.recent[st.recent_next];
    if (o.ts_event - oldest < lim.rate_window_ns)
      return deny(fb::DenyReason::OrderRateThrottle,
                  static_cast<int64_t>(st.recent.size()) + 1,
                  lim.max_orders_per_window);
  }
  return {};
}

void on_approved(risk_state& st, const risk_order& o) {
  auto& s = st.symbol(o.symbol);
  s.working += quantity{signed_qty(o.side, o.qty.shares)};
  refresh_exposure(st, s);
  st.recent[st.recent_next] = o.ts_event;
  st.recent_next = (st.recent_next + 1) % st.recent.size();
  if (st.recent_count < st.recent.size())
    ++st.recent_count;
}

void on_market(risk_state& st, const msg& event) {
  uint32_t sym;
  price last;
  if (auto t = event.as<fb::Trade>()) {
    sym = t->symbol();
    last = price{t->price()};
  } else if (auto q = event.as<fb::Quote>()) {
    if (q->bid() <= 0 || q->ask() <= 0)
      return;
    sym = q->symbol();
    last = price{(q->bid() + q->ask()) / 2};
  } else if (auto b = event.as<fb::Bar>()) {
    sym = b->symbol();
    last = price{b->close()};
  } else {
    return;
  }
  auto& s = st.symbol(symbol_id{sym});
  s.last = last;
  refresh_exposure(st, s);
}

void on_execution(risk_state& st, const msg& event) {
  auto release = [&](uint32_t sym, fb::Side side, int64_t leaves) {
    auto& s = st.symbol(symbol_id{sym});
    s.working -= quantity{signed_qty(side, leaves)};
    refresh_exposure(st, s);
  };
  if (auto f = event.as<fb::OrderFilled>()) {
    auto& s = st.symbol(symbol_id{f->symbol()});
    auto q = quantity{signed_qty(f->side(), f->fill_quantity())};
    s.working -= q;
    s.position += q;
    refresh_exposure(st, s);
  } else if (auto c = event.as<fb::OrderCanceled>()) {
    release(c->symbol(), c->side(), c->leaves_quantity());
  } else if (auto r = event.as<fb::OrderRejected>()) {
    release(r->symbol(), r->side(), r->leaves_quantity());
  } else if (auto e = event.as<fb::OrderExpired>()) {
    release(e->symbol(), e->side(), e->leaves_quantity());
  }
}

risk_controller_actor::behavior_type
risk_controller(risk_controller_actor::stateful_pointer<risk_state> self,
                risk_settings settings) {
  self->state.configure(settings.limits);
  return {
    [self, settings](const msg& m) {
      auto& st = self->state;
      if (auto intent = m.as<fb::OrderIntent>()) {
        auto order = order_of(*intent, m.ts_event());
        auto verdict = check(st, order);
        if (verdict.passed()) {
          on_approved(st, order);
          ++st.stats.approved;
          self->send(settings.order_manager, m);
          return;
        }
        ++st.stats.denied;
        ++st.stats.denied_by_reason[static_cast<size_t>(verdict.reason)];
        auto denial = st.builder.order_denied(stamp::caused_by(m), order.symbol,
                                              order.side, order.qty, order.px,
                                              verdict.reason, verdict.value,
                                              verdict.limit);
        if (auto sender = self->current_sender())
          self->send(caf::actor_cast<msg_actor>(sender), denial);
        if (settings.journal)
          settings.journal->push(denial);
        return;
      }
      switch (m.type()) {
        case fb::Payload::Trade:
        case fb::Payload::Quote:
        case fb::Payload::Bar:
          on_market(st, m);
          break;
        default:
          on_execution(st, m);
      }
    },
    [self](stats_atom) {
      auto s = self->state.stats;
      s.kill_switch = self->state.kill_switch;
      return s;
    },
    [self, settings](kill_switch_atom, bool engaged) {
      auto& st = self->state;
      if (st.kill_switch == engaged)
        return;
      st.kill_switch = engaged;
      // A change of mode is an event of its own, so the journal says when
      // and why trading stopped.
      if (settings.journal)
        settings.journal->push(st.builder.alert(
          {}, engaged ? fb::Severity::Critical : fb::Severity::Info,
          engaged ? "kill_switch_engaged" : "kill_switch_released",
          engaged ? "kill switch engaged: every order intent is denied"
                  : "kill switch released: intents are checked again"));
    },
  };
}

} // namespace osprey
