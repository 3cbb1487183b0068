#include "actors/strategy.hpp"

#include <cmath>

namespace osprey {

std::optional<breakout_intent> decide(breakout_position& pos,
                                      const breakout_params& params,
                                      const fb::Signal& s) {
  price close{s.close()};
  if (pos.qty.shares > 0 && close > pos.high_water)
    pos.high_water = close;
  if (pos.pending || !s.ready())
    return std::nullopt;

  if (pos.qty.shares == 0) {
    price high{s.high_n()};
    auto volume = static_cast<double>(s.volume());
    if (close > high && volume > params.volume_factor * s.avg_volume()
        && close.micros > 0) {
      quantity qty{params.position_notional.micros / close.micros};
      if (qty.shares <= 0)
        return std::nullopt;
      pos.pending = true;
      return breakout_intent{fb::Side::Buy, qty,
                             {fb::IntentReason::BreakoutEntry, close, high,
                              quantity{s.volume()}, s.avg_volume()}};
    }
    return std::nullopt;
  }

  if (pos.qty.shares > 0) {
    // Rounded to the micro-dollar so the stop level is exact and repeatable.
    auto stop = pos.high_water
                - price{std::llround(static_cast<double>(pos.high_water.micros)
                                     * params.trailing_stop)};
    intent_reason why{fb::IntentReason::TrailingStopExit, close, stop,
                      quantity{s.volume()}, s.avg_volume()};
    bool exit = close <= stop;
    if (!exit && close < price{s.low_m()}) {
      why.code = fb::IntentReason::ChannelLowExit;
      why.level = price{s.low_m()};
      exit = true;
    }
    if (exit) {
      pos.pending = true;
      return breakout_intent{fb::Side::Sell, pos.qty, why};
    }
  }
  return std::nullopt;
}

std::optional<uint32_t> outcome_symbol(const msg& event) {
  switch (event.type()) {
    case fb::Payload::PositionChanged:
      return event.as<fb::PositionChanged>()->symbol();
    case fb::Payload::OrderFilled:
      return event.as<fb::OrderFilled>()->symbol();
    case fb::Payload::OrderDenied:
      return event.as<fb::OrderDenied>()->symbol();
    case fb::Payload::OrderRejected:
      return event.as<fb::OrderRejected>()->symbol();
    case fb::Payload::OrderCanceled:
      return event.as<fb::OrderCanceled>()->symbol();
    case fb::Payload::OrderExpired:
      return event.as<fb::OrderExpired>()->symbol();
    default:
      return std::nullopt;
  }
}

void on_outcome(breakout_position& pos, const msg& event) {
  if (auto p = event.as<fb::PositionChanged>()) {
    auto before = pos.qty;
    pos.qty = quantity{p->quantity()};
    if (before.shares <= 0 && pos.qty.shares > 0)
      pos.high_water = price{p->average_price()};
    return;
  }
  // A partial fill leaves the order working; anything else ends it.
  if (auto f = event.as<fb::OrderFilled>(); f && f->leaves_quantity() > 0)
    return;
  pos.pending = false;
}

breakout_position& strategy_state::position(uint32_t symbol) {
  if (symbols.size() <= symbol)
    symbols.resize(symbol + 1);
  return symbols[symbol];
}

void recover(strategy_state& st, const msg& record) {
  if (auto s = record.as<fb::Signal>()) {
    if (decide(st.position(s->symbol()), st.params, *s))
      ++st.intents;
    return;
  }
  // Denials of commands and algorithm children went to the order manager.
  if (auto d = record.as<fb::OrderDenied>(); d && (d->client_order_id() || d->parent_id()))
    return;
  if (auto sym = outcome_symbol(record))
    on_outcome(st.position(*sym), record);
}

strategy_actor::behavior_type
strategy(strategy_actor::stateful_pointer<strategy_state> self,
         strategy_settings settings) {
  self->state.params = settings.params;
  if (settings.recovered)
    for (auto& m : *settings.recovered)
      recover(self->state, m);
  return {
    [self, settings](const msg& m) {
      auto& st = self->state;
      if (auto s = m.as<fb::Signal>()) {
        auto intent = decide(st.position(s->symbol()), st.params, *s);
        if (!intent)
          return;
        ++st.intents;
        auto out = st.builder.order_intent(stamp::caused_by(m),
                                           symbol_id{s->symbol()}, intent->side,
                                           intent->qty, fb::OrderType::Market,
                                           price{}, intent->why);
        self->send(settings.risk, out);
        if (settings.journal)
          settings.journal->push(out);
        return;
      }
      if (auto sym = outcome_symbol(m))
        on_outcome(st.position(*sym), m);
    },
  };
}

} // namespace osprey
