#include "actors/rebalance_strategy.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <stdexcept>

namespace osprey {

namespace {

[[noreturn]] void refuse(const char* field, const std::string& why) {
  std::string s = "rebalance: ";
  s += field;
  s += ' ';
  s += why;
  throw std::invalid_argument(s);
}

/// Refuses with the value that was wrong appended.
[[noreturn]] void refuse(const char* field, const char* why, double value) {
  std::string s = why;
  s += " (got ";
  s += std::to_string(value);
  s += ')';
  refuse(field, s);
}

} // namespace

void validate(const rebalance_params& p, uint32_t symbols) {
  if (symbols == 0)
    refuse("universe", "must hold at least one symbol id");
  if (p.period == 0)
    refuse("period", "must be at least 1 step");
  // estimate_moments needs more return periods than assets.
  if (p.lookback < 2 || p.lookback - 1 < size_t{symbols} + 1) {
    std::string s = "must give more returns than symbols: at least ";
    s += std::to_string(size_t{symbols} + 2);
    s += " closes for ";
    s += std::to_string(symbols);
    s += " symbols (got ";
    s += std::to_string(p.lookback);
    s += ')';
    refuse("lookback", s);
  }
  if (!(p.drift >= 0 && p.drift < 1))
    refuse("drift", "must be in [0, 1)", p.drift);
  if (!(p.cash_buffer >= 0 && p.cash_buffer < 1))
    refuse("cash_buffer", "must be in [0, 1)", p.cash_buffer);
  auto& s = p.portfolio;
  if (!(s.cap > 0) || !std::isfinite(s.cap))
    refuse("cap", "must be above 0", s.cap);
  if (std::min(s.cap, 1.0) * symbols < 1 - 1e-12) {
    std::string w = "times the ";
    w += std::to_string(symbols);
    w += " symbols must reach 1, so the weights can sum to 1 (got ";
    w += std::to_string(s.cap);
    w += ')';
    refuse("cap", w);
  }
  if (!(s.risk_aversion > 0) || !std::isfinite(s.risk_aversion))
    refuse("risk_aversion", "must be above 0", s.risk_aversion);
  if (!(s.shrinkage >= 0 && s.shrinkage <= 1))
    refuse("shrinkage", "must be in [0, 1]", s.shrinkage);
  if (!std::isfinite(s.risk_free))
    refuse("risk_free", "must be a finite rate", s.risk_free);
}

void init_rebalance(rebalance_state& st, const rebalance_params& params,
                    std::span<const uint32_t> universe, money starting_cash) {
  auto symbols = static_cast<uint32_t>(universe.size());
  validate(params, symbols);
  uint32_t top = 0;
  for (auto id : universe)
    top = std::max(top, id);
  st.slot_of.assign(size_t{top} + 1, -1);
  for (uint32_t k = 0; k < symbols; ++k) {
    if (st.slot_of[universe[k]] >= 0) {
      std::string w = "lists symbol id ";
      w += std::to_string(universe[k]);
      w += " twice";
      refuse("universe", w);
    }
    st.slot_of[universe[k]] = static_cast<int32_t>(k);
  }
  st.universe.assign(universe.begin(), universe.end());
  st.params = params;
  st.symbols = symbols;
  st.windows.assign(symbols, close_window{params.lookback});
  st.qty.assign(symbols, 0);
  st.pending.assign(symbols, 0);
  st.staged.assign(symbols, 0);
  st.closes.assign(symbols, 0);
  st.step_ts = INT64_MIN;
  st.step_seen = 0;
  st.countdown = 0;
  st.cash = starting_cash;
  st.weights.assign(symbols, 0.0);
  st.returns.periods = params.lookback - 1;
  st.returns.assets = symbols;
  st.returns.values.assign(st.returns.periods * symbols, 0.0);
  st.orders.clear();
  st.orders.reserve(symbols);
  st.stats = {};
}

void window_returns(const std::vector<close_window>& windows, return_matrix& out) {
  out.assets = windows.size();
  out.periods = windows.empty() || windows[0].size() == 0 ? 0 : windows[0].size() - 1;
  out.values.resize(out.periods * out.assets);
  for (size_t i = 0; i < out.assets; ++i)
    for (size_t t = 0; t < out.periods; ++t)
      out.values[t * out.assets + i]
        = static_cast<double>(windows[i].at(t + 1)) / static_cast<double>(windows[i].at(t)) - 1;
}

namespace {

/// Cash plus `qty` (nano-shares) at `closes` (micro-dollars).
money equity_of(money cash, std::span<const int64_t> qty, auto close_of) {
  __int128 held = 0; // micro-dollars x nano-shares
  for (size_t i = 0; i < qty.size(); ++i)
    held += __int128{qty[i]} * close_of(i);
  return money{cash.micros + static_cast<int64_t>(held / nanos_per_share)};
}

} // namespace

money rebalance_equity(const rebalance_state& st) {
  return equity_of(st.cash, std::span{st.qty}.first(st.symbols),
                   [&](size_t i) { return st.windows[i].last(); });
}

void plan_rebalance(std::span<const double> weights, std::span<const int64_t> closes,
                    std::span<const int64_t> qty, money cash, double drift, double cash_buffer,
                    bool fractional, std::vector<rebalance_order>& out) {
  auto e = equity_of(cash, qty, [&](size_t i) { return closes[i]; });
  if (e.micros <= 0)
    return;
  auto equity = static_cast<double>(e.micros);
  auto investable = equity * (1 - cash_buffer);
  // Two passes over the symbols, sells then buys, so nothing is allocated
  // to sort them.
  for (int pass = 0; pass < 2; ++pass) {
    bool sells = pass == 0;
    for (size_t i = 0; i < qty.size(); ++i) {
      if (closes[i] <= 0)
        continue;
      double close = static_cast<double>(closes[i]);
      double target_weight = (1 - cash_buffer) * weights[i];
      double weight = shares_from_nanos(qty[i]) * close / equity;
      if (!(std::fabs(weight - target_weight) > drift))
        continue;
      // The nudge keeps a representation error (0.98 is not exact) from
      // costing a whole share (or nano-share) when the target is exact.
      double shares = investable * weights[i] / close;
      auto target = fractional
                      ? static_cast<int64_t>(std::floor(shares * nanos_per_share + 1e-3))
                      : static_cast<int64_t>(std::floor(shares + 1e-9)) * nanos_per_share;
      auto diff = target - qty[i];
      if (diff == 0 || (diff < 0) != sells)
        continue;
      rebalance_order o;
      o.symbol = static_cast<uint32_t>(i);
      o.side = sells ? fb::Side::Sell : fb::Side::Buy;
      o.qty = quantity::from_nanos(sells ? -diff : diff);
      o.close = price{closes[i]};
      o.target_weight = target_weight;
      o.reason = fb::IntentReason::Rebalance;
      out.push_back(o);
    }
  }
}

namespace {

/// The last close of every symbol, for plan_rebalance.
std::span<const int64_t> last_closes(rebalance_state& st) {
  for (uint32_t i = 0; i < st.symbols; ++i)
    st.closes[i] = st.windows[i].last();
  return st.closes;
}

/// Steps 1-3 of a due rebalance (see the header).
void rebalance(rebalance_state& st) {
  for (auto p : st.pending)
    if (p) {
      ++st.stats.deferred;
      return; // countdown stays 0: due again at the next step
    }
  st.countdown = st.params.period;
  window_returns(st.windows, st.returns);
  portfolio_result result;
  try {
    result = construct_portfolio(st.returns, st.params.portfolio);
  } catch (const std::exception& e) {
    ++st.stats.construction_failures;
    st.stats.last_failure = e.what();
    return;
  }
  if (!result.converged)
    ++st.stats.not_converged;
  ++st.stats.rebalances;
  std::copy(result.weights.begin(), result.weights.end(), st.weights.begin());
  if (rebalance_equity(st).micros <= 0) {
    ++st.stats.skipped_no_equity;
    return;
  }
  auto closes = last_closes(st);
  plan_rebalance(st.weights, closes, st.qty, st.cash, st.params.drift, st.params.cash_buffer,
                 st.params.fractional, st.orders);
  for (auto& o : st.orders) {
    st.pending[o.symbol] = 1;
    o.symbol = st.universe[o.symbol]; // slot -> symbol id
    ++st.stats.intents;
  }
}

/// Pushes the open step's closes into the windows, carrying forward the
/// last close of a symbol that had no bar, and rebalances when due.
void commit_step(rebalance_state& st) {
  if (st.step_seen < st.symbols)
    ++st.stats.incomplete_steps;
  bool all_full = true;
  for (uint32_t i = 0; i < st.symbols; ++i) {
    auto close = st.staged[i] != 0 ? st.staged[i] : st.windows[i].last();
    if (close > 0)
      st.windows[i].push(close);
    st.staged[i] = 0;
    all_full = all_full && st.windows[i].full();
  }
  st.step_seen = 0;
  ++st.stats.steps;
  if (!all_full || st.step_ts < st.params.trade_from_ns)
    return;
  if (st.countdown > 0)
    --st.countdown;
  if (st.countdown == 0)
    rebalance(st);
}

} // namespace

std::span<const rebalance_order> on_bar(rebalance_state& st, uint32_t symbol_id, int64_t ts,
                                        price close) {
  st.orders.clear();
  ++st.stats.bars;
  auto slot = slot_of(st, symbol_id);
  // A bar of a time whose step has committed already is as stale as an
  // older one: its step cannot take it any more.
  bool committed = ts == st.step_ts && st.step_seen == 0;
  if (slot < 0 || ts < st.step_ts || committed || close.micros <= 0) {
    ++st.stats.stale_bars;
    return {};
  }
  if (ts > st.step_ts) {
    if (st.step_seen > 0)
      commit_step(st);
    st.step_ts = ts;
  }
  auto symbol = static_cast<uint32_t>(slot);
  if (st.staged[symbol] == 0)
    ++st.step_seen;
  st.staged[symbol] = close.micros; // a second bar of the same time replaces the first
  if (st.step_seen == st.symbols)
    commit_step(st);
  return st.orders;
}

void on_report(rebalance_state& st, const msg& m) {
  auto settle = [&](uint32_t symbol) {
    if (auto slot = slot_of(st, symbol); slot >= 0)
      st.pending[slot] = 0;
  };
  switch (m.type()) {
    case fb::Payload::PortfolioSnapshot:
      st.cash = money{m.as<fb::PortfolioSnapshot>()->cash()};
      return;
    case fb::Payload::PositionChanged: {
      auto p = m.as<fb::PositionChanged>();
      if (auto slot = slot_of(st, p->symbol()); slot >= 0)
        st.qty[slot] = p->quantity();
      return;
    }
    case fb::Payload::OrderFilled: {
      auto f = m.as<fb::OrderFilled>();
      if (f->leaves_quantity() == 0)
        settle(f->symbol());
      return;
    }
    case fb::Payload::OrderDenied: {
      auto d = m.as<fb::OrderDenied>();
      if (d->client_order_id() || d->parent_id())
        return; // a command's or an algorithm child's: not ours
      settle(d->symbol());
      return;
    }
    case fb::Payload::OrderRejected: settle(m.as<fb::OrderRejected>()->symbol()); return;
    case fb::Payload::OrderCanceled: settle(m.as<fb::OrderCanceled>()->symbol()); return;
    case fb::Payload::OrderExpired: settle(m.as<fb::OrderExpired>()->symbol()); return;
    default: return;
  }
}

namespace {

/// Runs on_bar() over every bar a message holds; `emit` gets each order
/// with the stamp of the bar that caused it.
template <class Emit>
void on_signals(rebalance_state& st, const msg& m, Emit&& emit) {
  if (auto s = m.as<fb::Signal>()) {
    for (auto& o : on_bar(st, s->symbol(), m.ts_event(), price{s->close()}))
      emit(stamp::caused_by(m), o);
  } else if (auto b = m.as<fb::SignalBatch>()) {
    for (auto row : *b->rows())
      for (auto& o : on_bar(st, row->symbol(), row->ts_event(), price{row->close()}))
        emit(stamp{row->seq(), row->ts_event(), m.ts_ingress()}, o);
  }
}

} // namespace

void recover(rebalance_state& st, const msg& record) {
  if (record.type() == fb::Payload::Signal || record.type() == fb::Payload::SignalBatch) {
    on_signals(st, record, [](stamp, const rebalance_order&) {});
    return;
  }
  on_report(st, record);
}

rebalance_strategy_actor::behavior_type
rebalance_strategy(rebalance_strategy_actor::stateful_pointer<rebalance_state> self,
                   rebalance_strategy_settings settings) {
  auto& st = self->state;
  try {
    init_rebalance(st, settings.params, settings.universe, settings.starting_cash);
  } catch (const std::invalid_argument& e) {
    // The runtime validates before spawning; this keeps a bad spawn loud.
    self->quit(caf::make_error(caf::sec::invalid_argument, e.what()));
    return {[](const msg&) {}, [](stats_atom) { return rebalance_stats{}; }};
  }
  if (settings.recovered)
    for (auto& m : *settings.recovered)
      recover(st, m);
  return {
    [self, settings](const msg& m) {
      auto& st = self->state;
      on_signals(st, m, [&](stamp why, const rebalance_order& o) {
        intent_reason reason{o.reason, o.close, price{}, quantity{}, 0};
        auto out = st.builder.order_intent(why, symbol_id{o.symbol}, o.side, o.qty,
                                           fb::OrderType::Market, price{}, reason);
        self->send(settings.risk, out);
        if (settings.journal)
          settings.journal->push(out);
      });
      on_report(st, m);
    },
    [self](stats_atom) { return self->state.stats; },
  };
}

} // namespace osprey
