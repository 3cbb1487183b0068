#pragma once

// When stop, stop-limit and trailing-stop orders trigger, as plain functions
// over plain values so the rules can be tested without a broker. Prices are
// micro-dollars and all arithmetic is integer.
//
// A "market price" here is what the caller observed: a trade's price, or for
// a quote the side a market order of the stop's side would take (the ask for
// a buy stop, the bid for a sell stop).

#include <cstdint>

#include "messages/msg.hpp"
#include "messages/units.hpp"

namespace osprey {

/// Returns whether a stop at `stop` is reached by `market`: a buy stop when
/// the market is at or above it, a sell stop when at or below it. A market
/// price that is not positive (no quote on that side) never triggers.
bool stop_reached(fb::Side side, price stop, price market) noexcept;

/// Returns the type a stop-type order works as once triggered: Stop and
/// TrailingStop become Market, StopLimit becomes Limit; others are unchanged.
fb::OrderType triggered_type(fb::OrderType type) noexcept;

/// Returns whether orders of `type` rest untriggered until a stop is reached.
bool has_trigger(fb::OrderType type) noexcept;

/// How far a trailing stop follows the market: a price or basis points.
/// Exactly one of the two is positive.
struct trail_distance {
  price amount;          ///< Distance in price, or 0.
  int64_t bps = 0;       ///< Distance in basis points of the water mark, or 0.
};

/// Returns the stop level a trailing stop has at water mark `mark`: for a
/// sell mark - distance, for a buy mark + distance. A percent distance is
/// rounded to the micro-dollar away from the market (down for a sell, up for
/// a buy), so the stop never sits closer to the market than the percent asks.
price trailing_stop_level(fb::Side side, trail_distance d, price mark) noexcept;

/// The moving part of a trailing stop.
struct trailing_state {
  price water_mark; ///< Best market price seen so far; 0 before the first.
  price stop;       ///< Current stop level; meaningful once water_mark > 0.
};

/// Folds one market price into a trailing stop and returns whether the stop
/// is reached. A sell's water mark only rises and a buy's only falls, and
/// the stop only moves in the trader's favour (up for a sell, down for a
/// buy). The first positive price starts the water mark.
bool trail_and_check(trailing_state& t, fb::Side side, trail_distance d,
                     price market) noexcept;

} // namespace osprey
