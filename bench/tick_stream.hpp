#pragma once

// The event stream the latency harness and its floors share: round-robin over
// many symbols, every bar a breakout or a breakdown that causes an order, and
// after each bar a quote that lets the simulated broker fill that order.

#include <string>
#include <vector>

#include "actors/order_manager.hpp"
#include "messages/msg_builder.hpp"
#include "messages/symbol_table.hpp"
#include "runtime/config.hpp"

namespace osprey::bench {

inline constexpr uint32_t stream_symbols = 64;

/// Returns an engine configuration under which every bar of the stream
/// causes an order: one-bar levels, no volume hurdle, limits out of the way.
inline engine_config stream_config() {
  auto c = default_config();
  // The risk controller knows the symbols by count: all of the stream's.
  c.market.symbols.clear();
  for (uint32_t i = 0; i < stream_symbols; ++i) {
    std::string name = "S"; // not "S" + ...: g++ 12 warns falsely in Release
    name += std::to_string(i);
    c.market.symbols.push_back(name);
  }
  c.signal.high_period = 1;
  c.signal.low_period = 1;
  c.signal.volume_period = 1;
  c.strategy.volume_factor = 0;
  c.broker.latency_ns = 0;
  c.risk.max_orders_per_window = 1'000'000;
  c.risk.max_gross_exposure = money{int64_t{1} << 60};
  c.risk.max_net_exposure = money{int64_t{1} << 60};
  // Every event causes an order, and the harness's round trips lose money on
  // purpose: no buying-power, loss or drawdown limit may stop the stream.
  c.risk.margin_multiplier = 0;
  c.risk.daily_loss_soft = c.risk.daily_loss_hard = money{};
  c.risk.drawdown_soft = c.risk.drawdown_hard = money{};
  c.journal_path.clear();
  return c;
}

inline symbol_table stream_symbol_table() {
  symbol_table t;
  for (uint32_t i = 0; i < stream_symbols; ++i)
    t.intern("S" + std::to_string(i));
  return t;
}

/// Builds the stream's events on demand. Event 2k is a bar, 2k+1 a quote.
class tick_stream {
public:
  /// Returns the number of events before the first order (one warm-up bar
  /// and quote per symbol).
  static constexpr uint64_t warmup_events() { return 2 * stream_symbols; }

  /// Returns event `i`, stamped with `ts_ingress`.
  msg event(uint64_t i, int64_t ts_ingress) {
    auto bar_index = i / 2;
    symbol_id sym{static_cast<uint32_t>(bar_index % stream_symbols)};
    auto round = bar_index / stream_symbols;
    stamp s{0, origin_ + static_cast<int64_t>(i) * 1'000'000, ts_ingress};
    auto p = [](double d) { return price::from_dollars(d); };
    // Round 0 warms the one-bar levels up; then odd rounds close above the
    // previous high (a buy) and even rounds below the previous low (a sell).
    enum { warmup, up, down } kind = round == 0 ? warmup : round % 2 ? up : down;
    if (i % 2 == 0) {
      switch (kind) {
        case warmup:
          return builder_.bar(s, sym, 60, p(99.5), p(100), p(99), p(99.5), quantity{5'000});
        case up:
          return builder_.bar(s, sym, 60, p(100), p(101), p(99.5), p(101), quantity{5'000});
        case down:
          return builder_.bar(s, sym, 60, p(100), p(100), p(98), p(98.5), quantity{5'000});
      }
    }
    auto mid = kind == warmup ? 99.5 : kind == up ? 101.0 : 98.5;
    return builder_.quote(s, sym, p(mid - 0.01), quantity{100'000}, p(mid + 0.01),
                          quantity{100'000});
  }

  /// Returns whether event `i` causes an order.
  static bool causes_order(uint64_t i) {
    return i % 2 == 0 && i >= warmup_events();
  }

private:
  int64_t origin_ = 1'767'623'400'000'000'000;
  msg_builder builder_;
};

} // namespace osprey::bench
