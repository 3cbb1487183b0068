#include "runtime/backtest_ledger.hpp"

#include <cstdlib>

namespace osprey {

namespace {

constexpr int64_t bps_per_unit = 10'000;
constexpr int64_t micros_per_cent = 10'000;

int64_t rounded_div(__int128 num, __int128 den) {
  // Half away from zero.
  auto q = num / den, r = num % den;
  if (2 * (r < 0 ? -r : r) >= (den < 0 ? -den : den))
    q += (num < 0) == (den < 0) ? 1 : -1;
  return static_cast<int64_t>(q);
}

} // namespace

backtest_ledger::backtest_ledger(std::vector<std::string> symbols, money starting_cash)
  : symbols_(std::move(symbols)), cash_(starting_cash) {
  grow(static_cast<uint32_t>(symbols_.empty() ? 0 : symbols_.size() - 1));
}

void backtest_ledger::grow(uint32_t symbol) {
  if (symbol < qty_.size())
    return;
  lots_.resize(symbol + 1);
  qty_.resize(symbol + 1, 0);
  open_.resize(symbol + 1, 0);
  close_.resize(symbol + 1, 0);
}

void backtest_ledger::name_symbols(std::vector<std::string> symbols) {
  symbols_ = std::move(symbols);
  for (size_t i = 0; i < trades_.size(); ++i)
    if (trade_symbols_[i] < symbols_.size())
      trades_[i].symbol = symbols_[trade_symbols_[i]];
}

void backtest_ledger::record(const msg& m) {
  if (auto f = m.as<fb::OrderFilled>()) {
    auto signed_qty = f->side() == fb::Side::Buy ? f->fill_quantity() : -f->fill_quantity();
    fill(f->symbol(), signed_qty, f->fill_price(), f->commission(), m.ts_event());
  }
}

void backtest_ledger::mark(const msg& market) {
  if (auto b = market.as<fb::Bar>()) {
    grow(b->symbol());
    open_[b->symbol()] = b->open();
    close_[b->symbol()] = b->close();
  } else if (auto batch = market.as<fb::BarBatch>()) {
    for (auto r : *batch->bars()) {
      grow(r->symbol());
      open_[r->symbol()] = r->open();
      close_[r->symbol()] = r->close();
    }
  } else if (auto t = market.as<fb::Trade>()) {
    grow(t->symbol());
    close_[t->symbol()] = t->price();
  }
}

void backtest_ledger::fill(uint32_t symbol, int64_t signed_qty, int64_t px, int64_t commission,
                           int64_t ts) {
  grow(symbol);
  ++fills_;
  // Truncated toward zero like the order manager's price x quantity.
  cash_.micros -= static_cast<int64_t>(__int128{signed_qty} * px / nanos_per_share) + commission;
  qty_[symbol] += signed_qty;
  auto& lot = lots_[symbol];
  lot.commission += commission;
  // Adding to the position (or opening it): one averaged lot.
  if (lot.qty == 0 || (lot.qty > 0) == (signed_qty > 0)) {
    if (lot.qty == 0)
      lot.entry_ts = ts;
    lot.qty += signed_qty;
    lot.cost += __int128{signed_qty} * px;
    return;
  }
  // Reducing it: the closed part is a round trip; a flip opens the rest.
  auto closing = std::min(std::llabs(signed_qty), std::llabs(lot.qty));
  bool long_lot = lot.qty > 0;
  auto entry_px = rounded_div(lot.cost, lot.qty);
  // The lot's commission so far goes with the closed share of it.
  auto lot_commission = rounded_div(__int128{lot.commission} * closing, std::llabs(lot.qty));
  closed_trade t;
  t.symbol = symbol < symbols_.size() ? symbols_[symbol] : std::to_string(symbol);
  t.side = long_lot ? trade_side::long_side : trade_side::short_side;
  t.entry_ts_ns = lot.entry_ts;
  t.entry_price = price{entry_px};
  t.exit_ts_ns = ts;
  t.exit_price = price{px};
  t.qty = quantity::from_nanos(closing);
  t.commission = money{lot_commission};
  auto gross = static_cast<int64_t>(__int128{px - entry_px} * closing / nanos_per_share);
  t.pnl = money{(long_lot ? gross : -gross) - lot_commission};
  trades_.push_back(std::move(t));
  trade_symbols_.push_back(symbol);
  lot.commission -= lot_commission;
  auto remaining = std::llabs(lot.qty) - closing;
  auto sign = long_lot ? 1 : -1;
  lot.cost = lot.cost * remaining / std::llabs(lot.qty);
  lot.qty = sign * remaining;
  auto flipped = std::llabs(signed_qty) - closing;
  if (lot.qty == 0) {
    lot.cost = 0;
    lot.commission = 0;
    if (flipped > 0) {
      lot.qty = -sign * flipped;
      lot.cost = __int128{lot.qty} * px;
      lot.entry_ts = ts;
    }
  }
}

void backtest_ledger::sample(int64_t ts) {
  __int128 equity = cash_.micros, exposure = 0;
  for (size_t s = 0; s < qty_.size(); ++s) {
    __int128 value = __int128{qty_[s]} * close_[s] / nanos_per_share;
    equity += value;
    exposure += value < 0 ? -value : value;
  }
  equity_point p{ts, money{static_cast<int64_t>(equity)}, money{static_cast<int64_t>(exposure)}};
  if (!curve_.empty() && curve_.back().ts_ns == ts)
    curve_.back() = p;
  else
    curve_.push_back(p);
}

void backtest_ledger::close_all(int64_t ts, const std::vector<int64_t>& prices,
                                const sim_broker_config& costs) {
  for (uint32_t s = 0; s < qty_.size(); ++s) {
    if (qty_[s] == 0)
      continue;
    int64_t px = s < prices.size() && prices[s] > 0 ? prices[s] : close_[s];
    auto side = qty_[s] > 0 ? fb::Side::Sell : fb::Side::Buy;
    auto fill_px = slipped_market_price(costs, side, px).micros;
    auto shares = quantity::from_nanos(std::llabs(qty_[s]));
    fill(s, -qty_[s], fill_px, fill_commission(costs, shares, price{fill_px}, true).micros, ts);
    close_[s] = fill_px;
  }
  sample(ts);
}

} // namespace osprey
