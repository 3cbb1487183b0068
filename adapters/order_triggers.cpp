#include "adapters/order_triggers.hpp"

namespace osprey {

namespace {

constexpr int64_t bps_per_unit = 10'000;

} // namespace

bool stop_reached(fb::Side side, price stop, price market) noexcept {
  if (market.micros <= 0)
    return false;
  return side == fb::Side::Buy ? market >= stop : market <= stop;
}

fb::OrderType triggered_type(fb::OrderType type) noexcept {
  switch (type) {
    case fb::OrderType::Stop:
    case fb::OrderType::TrailingStop: return fb::OrderType::Market;
    case fb::OrderType::StopLimit: return fb::OrderType::Limit;
    default: return type;
  }
}

bool has_trigger(fb::OrderType type) noexcept {
  return type == fb::OrderType::Stop || type == fb::OrderType::StopLimit
         || type == fb::OrderType::TrailingStop;
}

price trailing_stop_level(fb::Side side, trail_distance d, price mark) noexcept {
  bool sell = side == fb::Side::Sell;
  if (d.bps <= 0)
    return sell ? mark - d.amount : mark + d.amount;
  // 128-bit so that a large price times 10^4 cannot overflow.
  if (sell) {
    __int128 num = __int128{mark.micros} * (bps_per_unit - d.bps);
    return price{static_cast<int64_t>(num / bps_per_unit)}; // floor: price > 0
  }
  __int128 num = __int128{mark.micros} * (bps_per_unit + d.bps);
  return price{static_cast<int64_t>((num + bps_per_unit - 1) / bps_per_unit)};
}

bool trail_and_check(trailing_state& t, fb::Side side, trail_distance d,
                     price market) noexcept {
  if (market.micros <= 0)
    return false;
  bool sell = side == fb::Side::Sell;
  if (t.water_mark.micros <= 0) {
    t.water_mark = market;
    t.stop = trailing_stop_level(side, d, market);
  } else if (sell ? market > t.water_mark : market < t.water_mark) {
    t.water_mark = market;
    auto level = trailing_stop_level(side, d, market);
    // The level follows a monotone mark, but the stop must never move against
    // the trader even if the distance were to change, so ratchet explicitly.
    if (sell ? level > t.stop : level < t.stop)
      t.stop = level;
  }
  return stop_reached(side, t.stop, market);
}

} // namespace osprey
