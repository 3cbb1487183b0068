#include "actors/strategy.hpp"

#include <cmath>

namespace osprey {

std::optional<breakout_intent> decide(breakout_position& pos,
                                      const breakout_params& params,
                                      const breakout_inputs& s) {
  price close = s.close;
  if (pos.qty.nanos > 0 && close > pos.high_water)
    pos.high_water = close;
  if (pos.pending || !s.ready)
    return std::nullopt;

  if (pos.qty.nanos == 0) {
    price high = s.high_n;
    auto volume = s.volume.shares();
    if (close > high && volume > params.volume_factor * s.avg_volume
        && close.micros > 0) {
      if (pos.news_sentiment < params.min_news_sentiment) {
        ++pos.entries_vetoed_by_news;
        return std::nullopt;
      }
      auto qty = params.fractional
                   ? quantity_for(params.position_notional, close)
                   : quantity::of_shares(params.position_notional.micros / close.micros);
      if (qty.nanos <= 0)
        return std::nullopt;
      pos.pending = true;
      return breakout_intent{fb::Side::Buy, qty,
                             {fb::IntentReason::BreakoutEntry, close, high,
                              s.volume, s.avg_volume}};
    }
    return std::nullopt;
  }

  if (pos.qty.nanos > 0) {
    // Rounded to the micro-dollar so the stop level is exact and repeatable.
    auto stop = pos.high_water
                - price{std::llround(static_cast<double>(pos.high_water.micros)
                                     * params.trailing_stop)};
    intent_reason why{fb::IntentReason::TrailingStopExit, close, stop,
                      s.volume, s.avg_volume};
    bool exit = close <= stop;
    if (!exit && close < s.low_m) {
      why.code = fb::IntentReason::ChannelLowExit;
      why.level = s.low_m;
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
    pos.qty = quantity::from_nanos(p->quantity());
    if (before.nanos <= 0 && pos.qty.nanos > 0)
      pos.high_water = price{p->average_price()};
    return;
  }
  // A partial fill leaves the order working; anything else ends it.
  if (auto f = event.as<fb::OrderFilled>(); f && f->leaves_quantity() > 0)
    return;
  pos.pending = false;
}

void on_news(breakout_position& pos, const fb::NewsSentiment& news) {
  pos.news_sentiment = news.sentiment();
}

breakout_position& strategy_state::position(uint32_t symbol) {
  if (symbols.size() <= symbol)
    symbols.resize(symbol + 1);
  return symbols[symbol];
}

namespace {

bool trading(const breakout_params& p, int64_t ts_event) {
  return ts_event >= p.trade_from_ns;
}

} // namespace

void recover(strategy_state& st, const msg& record) {
  if (auto s = record.as<fb::Signal>()) {
    if (trading(st.params, record.ts_event()) && decide(st.position(s->symbol()), st.params, *s))
      ++st.intents;
    return;
  }
  if (auto n = record.as<fb::NewsSentiment>()) {
    on_news(st.position(n->symbol()), *n);
    return;
  }
  if (auto batch = record.as<fb::SignalBatch>()) {
    for (auto row : *batch->rows())
      if (trading(st.params, row->ts_event())
          && decide(st.position(row->symbol()), st.params, inputs_of(*row)))
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
  auto send = [self, settings](stamp why_stamp, uint32_t symbol,
                                const breakout_intent& intent) {
    auto& st = self->state;
    ++st.intents;
    auto out = st.builder.order_intent(why_stamp, symbol_id{symbol}, intent.side, intent.qty,
                                       fb::OrderType::Market, price{}, intent.why);
    self->send(settings.risk, out);
    if (settings.journal)
      settings.journal->push(out);
  };
  return {
    [self, send](const msg& m) {
      auto& st = self->state;
      if (auto s = m.as<fb::Signal>()) {
        if (!trading(st.params, m.ts_event()))
          return;
        if (auto intent = decide(st.position(s->symbol()), st.params, *s))
          send(stamp::caused_by(m), s->symbol(), *intent);
        return;
      }
      if (auto batch = m.as<fb::SignalBatch>()) {
        // Each row's intent traces back to its own bar.
        for (auto row : *batch->rows()) {
          if (!trading(st.params, row->ts_event()))
            continue;
          if (auto intent = decide(st.position(row->symbol()), st.params, inputs_of(*row)))
            send({row->seq(), row->ts_event(), m.ts_ingress()}, row->symbol(), *intent);
        }
        return;
      }
      if (auto n = m.as<fb::NewsSentiment>()) {
        on_news(st.position(n->symbol()), *n);
        return;
      }
      if (auto sym = outcome_symbol(m))
        on_outcome(st.position(*sym), m);
    },
  };
}

} // namespace osprey
