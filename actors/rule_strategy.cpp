#include "actors/rule_strategy.hpp"

#include <cmath>

namespace osprey {

namespace {

double dollars(int64_t micros) {
  return static_cast<double>(micros) / micros_per_dollar;
}

/// The stop or target distance in dollars at this bar (NaN: none or unknown).
double distance(const std::optional<rules::level>& level, const rules::bar_view& bar,
                const rules::rule_state& history) {
  if (!level)
    return NAN;
  if (level->is_percent)
    return bar.close * level->fraction;
  auto d = rules::evaluate_value(level->distance, bar, history);
  return std::isfinite(d) && d > 0 ? d : NAN;
}

} // namespace

rule_position& rule_strategy_state::position(uint32_t symbol) {
  if (symbols.size() <= symbol)
    symbols.resize(symbol + 1);
  if (!symbols[symbol]) {
    symbols[symbol].emplace();
    symbols[symbol]->history = rules::rule_state{*params.rules};
  }
  return *symbols[symbol];
}

money rule_strategy_state::equity() const {
  __int128 held = 0; // micro-dollars x nano-shares
  for (auto& p : symbols)
    if (p)
      held += __int128{p->qty} * p->close;
  return money{cash.micros + static_cast<int64_t>(held / nanos_per_share)};
}

rules::bar_view view_of(const fb::Signal& s, int64_t ts, std::span<const double> values,
                        const rules::fundamentals* news) {
  return {dollars(s.open()), dollars(s.high()), dollars(s.low()), dollars(s.close()),
          shares_from_nanos(s.volume()), ts, values, news};
}

rules::bar_view view_of(const fb::SignalRow& s, std::span<const double> values,
                        const rules::fundamentals* news) {
  return {dollars(s.open()), dollars(s.high()), dollars(s.low()), dollars(s.close()),
          shares_from_nanos(s.volume()), s.ts_event(), values, news};
}

std::string bracket_conflict(const rules::compiled_rules& rules, opposite_signal opposite) {
  if (!rules.stop && !rules.target)
    return "bracket exits need a stop: or a target: level";
  if (!rules.exit.empty() || !rules.short_exit.empty())
    return "with bracket exits the venue closes the position at the stop or target; an exit "
           "rule would first have to cancel those orders (leave exit: out, or use strategy "
           "exits)";
  if (opposite != opposite_signal::ignore)
    return "with bracket exits an opposite signal cannot close the position while the "
           "venue holds its stop and target orders (set opposite = \"ignore\")";
  return {};
}

int64_t venue_price(double dollars) {
  double tick = dollars >= 1.0 ? 0.01 : 0.0001;
  return std::llround(std::round(dollars / tick) * tick * micros_per_dollar);
}

quantity entry_quantity(const rules::sizing& size, double close, double equity, double cash,
                        double stop_distance, bool fractional) {
  if (!(close > 0))
    return {};
  double shares = 0;
  switch (size.kind) {
    case rules::sizing_kind::percent_of_equity: shares = equity * size.amount / close; break;
    case rules::sizing_kind::shares: shares = size.amount; break;
    case rules::sizing_kind::notional: shares = size.amount / close; break;
    case rules::sizing_kind::risk_percent:
      shares = stop_distance > 0 ? equity * size.amount / stop_distance : 0;
      break;
    case rules::sizing_kind::all_cash: shares = cash / close; break;
  }
  // Never more than asked for: whole shares, or nano-shares when fractional.
  if (!std::isfinite(shares) || shares <= 0
      || shares >= static_cast<double>(INT64_MAX / nanos_per_share))
    return {};
  if (!fractional)
    return quantity::of_shares(static_cast<int64_t>(std::floor(shares)));
  return quantity::from_nanos(static_cast<int64_t>(std::floor(shares * nanos_per_share)));
}

std::optional<rule_order> decide(rule_strategy_state& st, uint32_t symbol,
                                 const rules::bar_view& bar) {
  auto& pos = st.position(symbol);
  pos.close = std::llround(bar.close * micros_per_dollar);
  pos.history.push(bar);
  if (pos.pending || bar.ts < st.params.trade_from_ns)
    return std::nullopt;
  const auto& r = *st.params.rules;
  auto fires = [&](const rules::program& p) {
    return !p.empty() && rules::evaluate(p, bar, pos.history);
  };
  // Sizes an entry on `side` and sets its levels from this close.
  auto enter = [&](fb::Side side) -> int64_t {
    bool buy = side == fb::Side::Buy;
    auto stop = distance(r.stop, bar, pos.history);
    auto target = distance(r.target, bar, pos.history);
    auto qty = entry_quantity(r.size.value_or(st.params.default_size), bar.close,
                              dollars(st.equity().micros), dollars(st.cash.micros), stop,
                              st.params.fractional);
    if (qty.nanos == 0) {
      ++st.vetoed_size;
      return 0;
    }
    pos.stop_level = std::isnan(stop) ? NAN : buy ? bar.close - stop : bar.close + stop;
    pos.target_level = std::isnan(target) ? NAN : buy ? bar.close + target : bar.close - target;
    return qty.nanos;
  };
  auto send = [&](fb::Side side, int64_t nanos, fb::IntentReason why) {
    pos.pending = true;
    ++st.intents;
    return rule_order{side, quantity::from_nanos(nanos), why};
  };
  // Bracket exits: the levels travel with the entry as the venue's orders.
  auto send_entry = [&](fb::Side side, int64_t nanos) {
    auto o = send(side, nanos, fb::IntentReason::RuleEntry);
    if (st.params.bracket_exits) {
      // A level at or below zero (a stop wider than the price) is no level.
      auto leg = [](double level) { return level > 0 ? venue_price(level) : 0; };
      o.take_profit = leg(pos.target_level);
      o.stop_loss = leg(pos.stop_level);
    }
    return o;
  };

  if (pos.qty != 0 && st.params.bracket_exits)
    return std::nullopt; // the venue's legs close it
  if (pos.qty != 0) {
    bool long_side = pos.qty > 0;
    auto close_side = long_side ? fb::Side::Sell : fb::Side::Buy;
    auto held = std::llabs(pos.qty);
    bool stopped = long_side ? bar.low <= pos.stop_level : bar.high >= pos.stop_level;
    bool targeted = long_side ? bar.high >= pos.target_level : bar.low <= pos.target_level;
    if (fires(long_side ? r.exit : r.short_exit))
      return send(close_side, held, fb::IntentReason::RuleExit);
    if (stopped)
      return send(close_side, held, fb::IntentReason::StopLevel);
    if (targeted)
      return send(close_side, held, fb::IntentReason::TargetLevel);
    if (st.params.opposite != opposite_signal::ignore
        && fires(long_side ? r.short_entry : r.entry)) {
      int64_t more = 0;
      if (st.params.opposite == opposite_signal::reverse && st.params.long_short)
        more = enter(close_side);
      if (more == 0) {
        pos.stop_level = pos.target_level = NAN;
        return send(close_side, held, fb::IntentReason::RuleExit);
      }
      return send(close_side, held + more, fb::IntentReason::RuleEntry);
    }
    return std::nullopt;
  }
  if (fires(r.entry)) {
    if (auto nanos = enter(fb::Side::Buy))
      return send_entry(fb::Side::Buy, nanos);
  } else if (st.params.long_short && fires(r.short_entry)) {
    if (auto nanos = enter(fb::Side::Sell))
      return send_entry(fb::Side::Sell, nanos);
  }
  return std::nullopt;
}

void on_report(rule_strategy_state& st, const msg& m) {
  switch (m.type()) {
    case fb::Payload::PortfolioSnapshot:
      st.cash = money{m.as<fb::PortfolioSnapshot>()->cash()};
      return;
    case fb::Payload::PositionChanged: {
      auto p = m.as<fb::PositionChanged>();
      auto& pos = st.position(p->symbol());
      pos.qty = p->quantity();
      // Another strategy's symbol gets no signals here: its value in the
      // equity is its mark when it last changed.
      if (p->mark_price() > 0)
        pos.close = p->mark_price();
      if (pos.qty == 0)
        pos.stop_level = pos.target_level = NAN;
      return;
    }
    case fb::Payload::NewsSentiment: {
      auto n = m.as<fb::NewsSentiment>();
      auto& pos = st.position(n->symbol());
      pos.news.sentiment = n->sentiment();
      pos.news.mentions = n->mentions();
      pos.news.news_velocity = n->velocity();
      return;
    }
    case fb::Payload::OrderFilled: {
      auto f = m.as<fb::OrderFilled>();
      if (f->leaves_quantity() == 0)
        st.position(f->symbol()).pending = false;
      return;
    }
    case fb::Payload::OrderDenied:
    case fb::Payload::OrderRejected:
    case fb::Payload::OrderCanceled:
    case fb::Payload::OrderExpired: {
      uint32_t symbol = 0;
      if (auto d = m.as<fb::OrderDenied>()) {
        if (d->client_order_id() || d->parent_id())
          return; // a command's or an algorithm child's: not ours
        symbol = d->symbol();
      } else if (auto r = m.as<fb::OrderRejected>()) {
        symbol = r->symbol();
      } else if (auto c = m.as<fb::OrderCanceled>()) {
        symbol = c->symbol();
      } else {
        symbol = m.as<fb::OrderExpired>()->symbol();
      }
      auto& pos = st.position(symbol);
      pos.pending = false;
      if (pos.qty == 0)
        pos.stop_level = pos.target_level = NAN;
      return;
    }
    default:
      return;
  }
}

namespace {

std::span<const double> values_of(const fb::Signal& s) {
  if (!s.values())
    return {};
  return {s.values()->data(), s.values()->size()};
}

std::span<const double> row_values(const fb::SignalBatch& b, size_t row) {
  if (!b.values() || b.width() == 0)
    return {};
  return {b.values()->data() + row * b.width(), b.width()};
}

/// Runs decide() over every bar a message holds; `emit` gets each order.
template <class Emit>
void on_signals(rule_strategy_state& st, const msg& m, Emit&& emit) {
  if (auto s = m.as<fb::Signal>()) {
    auto& pos = st.position(s->symbol());
    if (auto o = decide(st, s->symbol(), view_of(*s, m.ts_event(), values_of(*s), &pos.news)))
      emit(stamp::caused_by(m), s->symbol(), *o);
  } else if (auto b = m.as<fb::SignalBatch>()) {
    for (size_t i = 0; i < b->rows()->size(); ++i) {
      auto row = b->rows()->Get(i);
      auto& pos = st.position(row->symbol());
      if (auto o = decide(st, row->symbol(), view_of(*row, row_values(*b, i), &pos.news)))
        emit(stamp{row->seq(), row->ts_event(), m.ts_ingress()}, row->symbol(), *o);
    }
  }
}

} // namespace

void recover(rule_strategy_state& st, const msg& record) {
  if (record.type() == fb::Payload::Signal || record.type() == fb::Payload::SignalBatch) {
    on_signals(st, record, [](stamp, uint32_t, const rule_order&) {});
    return;
  }
  on_report(st, record);
}

msg_actor::behavior_type rule_strategy(msg_actor::stateful_pointer<rule_strategy_state> self,
                                       rule_strategy_settings settings) {
  auto& st = self->state;
  st.params = settings.params;
  st.cash = settings.params.starting_cash;
  if (settings.recovered)
    for (auto& m : *settings.recovered)
      recover(st, m);
  return {
    [self, settings](const msg& m) {
      auto& st = self->state;
      on_signals(st, m, [&](stamp why, uint32_t symbol, const rule_order& o) {
        order_spec spec;
        spec.symbol = symbol_id{symbol};
        spec.side = o.side;
        spec.qty = o.qty;
        if (o.take_profit || o.stop_loss) {
          // Legs that outlive the day, as the position may.
          spec.tif = fb::TimeInForce::Gtc;
          spec.order_class = o.take_profit && o.stop_loss ? fb::OrderClass::Bracket
                                                          : fb::OrderClass::Oto;
          spec.take_profit_limit = price{o.take_profit};
          spec.stop_loss_stop = price{o.stop_loss};
        }
        auto& pos = st.position(symbol);
        intent_reason reason{o.reason, price{pos.close}, price{}, quantity{}, 0};
        auto out = st.builder.order_intent(why, spec, reason);
        self->send(settings.risk, out);
        if (settings.journal)
          settings.journal->push(out);
      });
      on_report(st, m);
    },
  };
}

} // namespace osprey
