// The simulated broker's bar-fill model, for backtests of bar data.
//
// A bar says where the price opened, how far it went each way and where it
// closed, not in which order. The rules, chosen so that no fill is better
// than the bar allows:
//
//   * An order acts on the first bar of its symbol stamped after it arrived
//     (plus the configured latency): never on the bar that caused it, except
//     under same_close, which fills market orders at that bar's close.
//   * Market orders fill at that bar's open (next_open) or close
//     (next_close), with the configured slippage against the trader.
//   * Stops trigger when the bar reaches the stop: a buy stop on the high, a
//     sell stop on the low. If the bar opened beyond the stop, the fill is at
//     the open (the gap went through it), else at the stop, plus slippage.
//     A stop-limit becomes a limit at the trigger and may fill on the same
//     bar when the bar also reaches its limit.
//   * Trailing stops first check the stop they already had against the
//     bar's adverse extreme, then trail with its favourable extreme: a bar
//     cannot both raise the stop and hit the raised stop.
//   * Limit orders fill when the bar reaches the limit: at the open when it
//     opened through the limit, else at the limit.
//   * Within one bar, stop-type orders are handled before limits: when a
//     bracket's stop-loss and take-profit are both reached, the loss is the
//     one taken.
//   * A bar's volume does not limit fills; Ioc, Fok and Opg orders get the
//     first eligible bar as their one chance.
//   * A Day order's session includes the bar stamped at its close; the
//     order expires before the first bar (of any symbol) stamped after it.
//   * next_close and same_close fill market orders that no bar caused (a
//     command between bars) at the next bar's close, next_open at its open.

#include "adapters/sim_broker.hpp"

#include <algorithm>

namespace osprey {

void sim_broker::on_bars(const msg& event) {
  auto take = [&](uint32_t symbol, int64_t ts, int64_t o, int64_t h, int64_t l, int64_t c) {
    start_pending_sessions(ts);
    expire(event, ts, true);
    bar_prices bar{symbol, ts, o, h, l, c};
    if (symbol >= last_bar_.size())
      last_bar_.resize(symbol + 1);
    last_bar_[symbol] = bar;
    match_bar(event, bar);
  };
  if (auto b = event.as<fb::Bar>()) {
    take(b->symbol(), event.ts_event(), b->open(), b->high(), b->low(), b->close());
  } else if (auto batch = event.as<fb::BarBatch>()) {
    for (auto r : *batch->bars())
      take(r->symbol(), r->ts_event(), r->open(), r->high(), r->low(), r->close());
  }
}

void sim_broker::start_pending_sessions(int64_t ts) {
  if (!sessions_pending_)
    return;
  sessions_pending_ = false;
  for (auto* o : working_) {
    if (!o->session_pending)
      continue;
    if (ts < o->eligible_from) {
      sessions_pending_ = true;
      continue;
    }
    // The first bar after the order: its day is the session the order is for.
    auto start = utc_day_start(ts);
    o->session_pending = false;
    o->opens_at = start + cfg_.session_open_utc_ns;
    o->closes_at = start + cfg_.day_end_utc_ns;
    if (o->tif != fb::TimeInForce::Gtc)
      next_expiry_ = std::min(next_expiry_, o->closes_at);
  }
}


void sim_broker::match_bar(const msg& event, const bar_prices& bar) {
  auto it = by_symbol_.find(bar.symbol);
  if (it == by_symbol_.end())
    return;
  auto& list = it->second;
  armed_.clear();
  // Two passes: stop-type orders first, then the rest (see the rules above).
  for (int pass = 0; pass < 2; ++pass) {
    // Indexing: nothing is added to `list` inside the loop (armed legs wait
    // in armed_ and work from the next event), nothing removed before compact().
    for (size_t i = 0; i < list.size(); ++i) {
      auto& o = *list[i];
      if (o.state != status::working || bar.ts < o.eligible_from
          || has_trigger(o.type) != (pass == 0))
        continue;
      fill_on_bar(event, o, bar);
      if (o.state != status::working)
        continue;
      if (o.tif == fb::TimeInForce::Ioc || o.tif == fb::TimeInForce::Fok
          || o.tif == fb::TimeInForce::Opg)
        end(event, o, status::canceled);
    }
  }
  for (auto* l : armed_)
    if (l->state == status::working)
      activate(*l);
}

bool sim_broker::fill_on_bar(const msg& event, order& o, const bar_prices& bar) {
  bool buy = o.side == fb::Side::Buy;
  // The price a market-type order gets when it starts working at `from`.
  int64_t market_at = cfg_.bar_fills == bar_fill::next_open ? bar.open : bar.close;
  bool just_triggered = false;
  if (has_trigger(o.type) && !o.triggered) {
    int64_t adverse = buy ? bar.high : bar.low;
    int64_t favourable = buy ? bar.low : bar.high;
    if (!check_trigger(event, o, adverse)) {
      if (o.type == fb::OrderType::TrailingStop) {
        trail_and_check(o.trailing, o.side, o.trail, price{favourable});
        o.stop = o.trailing.stop.micros;
      }
      return false;
    }
    just_triggered = true;
    // Through a gap: the open; else the stop itself.
    bool gapped = buy ? bar.open >= o.stop : bar.open <= o.stop;
    market_at = gapped ? bar.open : o.stop;
  }
  auto type = o.triggered ? triggered_type(o.type) : o.type;
  int64_t px = 0;
  if (type == fb::OrderType::Market) {
    px = market_price(o.side, market_at).micros;
  } else {
    // A limit: reached when the bar trades at or through it after the order
    // works (a stop-limit from its trigger price on).
    int64_t from = just_triggered ? market_at : bar.open;
    bool reached = buy ? std::min(from, bar.low) <= o.limit : std::max(from, bar.high) >= o.limit;
    if (!reached)
      return false;
    px = buy ? std::min(from, o.limit) : std::max(from, o.limit);
  }
  auto shares = fillable(o);
  if (shares <= 0)
    return false;
  fill(event, o, shares, price{px});
  return true;
}

void sim_broker::fill_at_signal_close(const msg& cmd, order& o) {
  if (cfg_.bar_fills != bar_fill::same_close || o.type != fb::OrderType::Market)
    return;
  if (o.sym.value >= last_bar_.size() || last_bar_[o.sym.value].ts != cmd.ts_event())
    return; // not caused by a bar of this symbol: the next bar fills it
  auto& bar = last_bar_[o.sym.value];
  auto shares = fillable(o);
  if (shares <= 0)
    return;
  armed_.clear();
  fill(cmd, o, shares, market_price(o.side, bar.close));
  // A bracket's exits work from the next bar.
  for (auto* l : armed_)
    if (l->state == status::working)
      activate(*l);
}

} // namespace osprey
