#pragma once

// What a backtest keeps from the journal stream as it goes: the round-trip
// trades (from fills, first in first out per symbol) and the account sampled
// once per time step (cash from the order manager's portfolio snapshots,
// positions from its position reports, marks from the bars the feed gave).

#include <cstdint>
#include <string>
#include <vector>

#include "adapters/sim_broker.hpp"
#include "messages/msg.hpp"
#include "runtime/backtest_metrics.hpp"

namespace osprey {

class backtest_ledger {
public:
  /// `symbols`: names by interned id; `starting_cash`: the account at start.
  backtest_ledger(std::vector<std::string> symbols, money starting_cash);

  /// Takes one journal record (fills, positions and portfolio snapshots
  /// matter; everything else is ignored).
  void record(const msg& m);

  /// Renames the symbols (by interned id) in the trades so far and after.
  void name_symbols(std::vector<std::string> symbols);

  /// Takes one market event the feed gave (its bars are the marks).
  void mark(const msg& market);

  /// Samples the account at event time `ts` (call after each time step).
  void sample(int64_t ts);

  /// Closes every open position at `close` prices (the last bar's open or
  /// close, by symbol id; 0: that symbol's last mark) with the slippage and
  /// commissions of `costs`, as the simulated broker fills a market order,
  /// and samples the account at `ts`. For the end of a run.
  void close_all(int64_t ts, const std::vector<int64_t>& prices, const sim_broker_config& costs);

  const std::vector<closed_trade>& trades() const noexcept { return trades_; }
  const equity_curve& curve() const noexcept { return curve_; }
  money cash() const noexcept { return cash_; }
  /// Shares held per symbol id (negative: short).
  const std::vector<int64_t>& positions() const noexcept { return qty_; }
  /// The last bar's open and close per symbol id.
  const std::vector<int64_t>& last_opens() const noexcept { return open_; }
  const std::vector<int64_t>& last_closes() const noexcept { return close_; }
  uint64_t fills() const noexcept { return fills_; }

private:
  /// The open part of a symbol's position, as one averaged lot.
  struct open_lot {
    int64_t qty = 0; ///< Signed nano-shares.
    __int128 cost = 0; ///< Sum of price x qty (micro-dollars x nano-shares), signed like qty.
    int64_t entry_ts = 0;
    int64_t commission = 0; ///< Not yet attributed to a closed trade.
  };

  void fill(uint32_t symbol, int64_t signed_qty, int64_t px, int64_t commission, int64_t ts);
  std::vector<uint32_t> trade_symbols_; ///< The symbol id of each trade.
  void grow(uint32_t symbol);

  std::vector<std::string> symbols_;
  std::vector<open_lot> lots_;
  std::vector<int64_t> qty_, open_, close_;
  std::vector<closed_trade> trades_;
  equity_curve curve_;
  money cash_;
  uint64_t fills_ = 0;
};

} // namespace osprey
