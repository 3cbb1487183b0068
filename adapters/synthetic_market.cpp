#include "adapters/synthetic_market.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>
#include <tuple>

namespace osprey {

namespace {

constexpr int64_t ns_per_minute = 60'000'000'000;
constexpr int64_t ns_per_day = 86'400'000'000'000;
constexpr int64_t micros_per_cent = 10'000;

// Pulls prices back towards the symbol's starting level so that long runs
// (many sessions of upward-biased breakouts) stay in a realistic range.
constexpr double mean_reversion_per_bar = 0.0005;

// Share of opening gaps drawn three times wider: the occasional big gap.
constexpr double wide_gap_share = 0.1;

uint64_t splitmix64(uint64_t& x) noexcept {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t fnv1a(const std::string& s) noexcept {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s)
    h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

uint64_t rotl(uint64_t x, int k) noexcept {
  return (x << k) | (x >> (64 - k));
}

// 0 = Sunday ... 6 = Saturday; 1970-01-01 was a Thursday.
int weekday(int64_t ts) noexcept {
  auto days = ts / ns_per_day - (ts % ns_per_day < 0 ? 1 : 0);
  return static_cast<int>(((days + 4) % 7 + 7) % 7);
}

int64_t next_weekday_open(int64_t open) noexcept {
  auto t = open + ns_per_day;
  while (weekday(t) == 0 || weekday(t) == 6)
    t += ns_per_day;
  return t;
}

bool is_probability(double p) noexcept {
  return p >= 0.0 && p <= 1.0;
}

} // namespace

// ---- rng -------------------------------------------------------------------

synthetic_market::rng::rng(uint64_t seed) noexcept {
  for (auto& w : s_)
    w = splitmix64(seed);
}

uint64_t synthetic_market::rng::next() noexcept {
  auto result = rotl(s_[1] * 5, 7) * 9;
  auto t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double synthetic_market::rng::uniform() noexcept {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

int64_t synthetic_market::rng::between(int64_t lo, int64_t hi) noexcept {
  if (hi <= lo)
    return lo;
  auto range = static_cast<uint64_t>(hi - lo) + 1;
  // The modulo bias is below 2^-40 for the small ranges used here.
  return lo + static_cast<int64_t>(next() % range);
}

double synthetic_market::rng::normal() noexcept {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u, v, s;
  do {
    u = 2.0 * uniform() - 1.0;
    v = 2.0 * uniform() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  auto f = std::sqrt(-2.0 * std::log(s) / s);
  spare_ = v * f;
  has_spare_ = true;
  return u * f;
}

// ---- config ----------------------------------------------------------------

std::string validate(const synthetic_market_config& c) {
  if (c.symbols.empty())
    return "synthetic market: no symbols";
  std::set<std::string> seen;
  for (auto& s : c.symbols)
    if (s.empty() || !seen.insert(s).second)
      return "synthetic market: empty or duplicate symbol '" + s + "'";
  if (c.bars_per_session < 1)
    return "synthetic market: bars_per_session must be at least 1";
  if (c.quotes_per_bar < 1 || c.trades_per_bar < 1
      || c.quotes_per_bar + c.trades_per_bar > 1000)
    return "synthetic market: quotes_per_bar and trades_per_bar must be 1..999 "
           "with a sum of at most 1000";
  if (!(c.min_start_price >= 1.0) || !(c.max_start_price >= c.min_start_price))
    return "synthetic market: need 1 <= min_start_price <= max_start_price";
  if (!(c.calm_volatility >= 0) || !(c.volatile_volatility >= 0)
      || !(c.gap_volatility >= 0))
    return "synthetic market: volatilities must be non-negative";
  if (!is_probability(c.calm_to_volatile) || !is_probability(c.volatile_to_calm)
      || !is_probability(c.breakout_probability)
      || !is_probability(c.breakout_up_share)
      || !is_probability(c.spike_probability))
    return "synthetic market: probabilities and shares must lie in [0, 1]";
  if (c.breakout_min_bars < 1 || c.breakout_max_bars < c.breakout_min_bars)
    return "synthetic market: need 1 <= breakout_min_bars <= breakout_max_bars";
  if (!(c.breakout_volume_factor > 0) || !(c.spike_volume_factor > 0)
      || !(c.base_volume_per_bar >= 1))
    return "synthetic market: volume factors must be positive and "
           "base_volume_per_bar at least 1";
  return {};
}

// ---- synthetic_market ------------------------------------------------------

synthetic_market::synthetic_market(synthetic_market_config cfg,
                                   const symbol_table& symbols)
  : cfg_(std::move(cfg)), session_open_(cfg_.session_open_ns) {
  if (auto err = validate(cfg_); !err.empty())
    throw std::invalid_argument(err);
  auto run_seed = cfg_.seed;
  auto mixed_seed = splitmix64(run_seed);
  for (auto& name : cfg_.symbols) {
    auto id = symbols.find(name);
    if (!id)
      throw std::invalid_argument("synthetic market: symbol '" + name
                                  + "' is not in the symbol table");
    symbol_state s{*id, rng{mixed_seed ^ fnv1a(name)}};
    auto lo = std::log(cfg_.min_start_price);
    auto hi = std::log(cfg_.max_start_price);
    s.log_mid = s.log_anchor = lo + s.gen.uniform() * (hi - lo);
    s.volume_scale = std::exp(std::log(0.5) + s.gen.uniform() * std::log(4.0));
    quote_from_mid(s);
    states_.push_back(std::move(s));
  }
  generate_minute();
}

int64_t synthetic_market::peek_time() const noexcept {
  return pending_[cursor_].ts;
}

msg synthetic_market::next(int64_t ts_ingress) {
  const auto& e = pending_[cursor_];
  stamp st{0, e.ts, ts_ingress};
  symbol_id sym{e.symbol};
  msg m;
  switch (e.type) {
    case fb::Payload::Quote:
      m = builder_.quote(st, sym, price{e.v[0]}, quantity::of_shares(e.v[1]), price{e.v[2]},
                         quantity::of_shares(e.v[3]));
      break;
    case fb::Payload::Trade:
      m = builder_.trade(st, sym, price{e.v[0]}, quantity::of_shares(e.v[1]));
      break;
    default:
      m = builder_.bar(st, sym, 60, price{e.v[0]}, price{e.v[1]}, price{e.v[2]},
                       price{e.v[3]}, quantity::of_shares(e.v[4]));
      break;
  }
  ++generated_;
  // Refill eagerly so that peek_time() always has an answer.
  if (++cursor_ == pending_.size())
    generate_minute();
  return m;
}

void synthetic_market::generate_minute() {
  pending_.clear();
  cursor_ = 0;
  if (bar_in_session_ == cfg_.bars_per_session) {
    session_open_ = next_weekday_open(session_open_);
    bar_in_session_ = 0;
    for (auto& s : states_) {
      auto width = s.gen.uniform() < wide_gap_share ? 3.0 : 1.0;
      s.log_mid += width * cfg_.gap_volatility * s.gen.normal();
      quote_from_mid(s);
    }
  }
  auto minute_open = session_open_ + bar_in_session_ * ns_per_minute;
  for (auto& s : states_)
    generate_symbol_minute(s, minute_open);
  ++bar_in_session_;
  std::sort(pending_.begin(), pending_.end(), [](const event& a, const event& b) {
    return std::tie(a.ts, a.symbol, a.order) < std::tie(b.ts, b.symbol, b.order);
  });
}

void synthetic_market::quote_from_mid(symbol_state& s) {
  auto& g = s.gen;
  auto r = g.uniform();
  // Wider spreads in the volatile regime, as market makers protect themselves.
  int64_t spread = s.volatile_regime ? (r < 0.2 ? 1 : r < 0.6 ? 2 : 3)
                                     : (r < 0.6 ? 1 : r < 0.9 ? 2 : 3);
  auto mid_cents = std::exp(s.log_mid) * 100.0;
  auto bid_cents = std::max<int64_t>(
    1, std::llround(mid_cents - static_cast<double>(spread) / 2.0));
  s.bid = bid_cents * micros_per_cent;
  s.ask = (bid_cents + spread) * micros_per_cent;
}

void synthetic_market::generate_symbol_minute(symbol_state& s,
                                              int64_t minute_open) {
  auto& g = s.gen;
  const auto& c = cfg_;
  if (g.uniform() < (s.volatile_regime ? c.volatile_to_calm : c.calm_to_volatile))
    s.volatile_regime = !s.volatile_regime;
  if (s.breakout_left == 0 && g.uniform() < c.breakout_probability) {
    s.breakout_left = static_cast<int>(g.between(c.breakout_min_bars, c.breakout_max_bars));
    s.breakout_sign = g.uniform() < c.breakout_up_share ? 1.0 : -1.0;
  }
  auto sigma = s.volatile_regime ? c.volatile_volatility : c.calm_volatility;
  auto drift = -mean_reversion_per_bar * (s.log_mid - s.log_anchor);
  auto volume_factor = s.volatile_regime ? 1.3 : 1.0;
  if (s.breakout_left > 0) {
    drift += s.breakout_sign * c.breakout_drift;
    volume_factor *= c.breakout_volume_factor;
    --s.breakout_left;
  }
  if (g.uniform() < c.spike_probability)
    volume_factor *= c.spike_volume_factor;
  // Intraday U-shape: busy open and close, quiet midday.
  auto x = c.bars_per_session > 1
             ? 2.0 * bar_in_session_ / (c.bars_per_session - 1) - 1.0
             : 0.0;
  auto volume = c.base_volume_per_bar * s.volume_scale * (0.6 + 1.4 * x * x)
                * volume_factor * std::exp(0.25 * g.normal());
  auto per_trade = volume / c.trades_per_bar;

  const int nq = c.quotes_per_bar;
  const int nt = c.trades_per_bar;
  const int64_t slot = ns_per_minute / (nq + nt + 1);
  const auto step_sigma = sigma / std::sqrt(static_cast<double>(nq));
  int qi = 0, ti = 0;
  int64_t open = 0, high = 0, low = 0, close = 0, total = 0;
  for (int i = 0; i < nq + nt; ++i) {
    // Jitter of at most a third of a slot keeps events strictly inside the
    // minute and strictly ordered within the symbol.
    auto ts = minute_open + (i + 1) * slot + g.between(-slot / 3, slot / 3);
    auto order = static_cast<uint32_t>(i);
    // Spread quotes evenly among trades; the first event is always a quote.
    bool is_quote = qi < nq && (ti >= nt || int64_t{qi} * nt <= int64_t{ti} * nq);
    if (is_quote) {
      s.log_mid += drift / nq + step_sigma * g.normal();
      quote_from_mid(s);
      auto bid_size = g.between(1, 10) * 100;
      auto ask_size = g.between(1, 10) * 100;
      pending_.push_back({ts, s.id.value, order, fb::Payload::Quote,
                          {s.bid, bid_size, s.ask, ask_size, 0}});
      ++qi;
    } else {
      auto spread_cents = (s.ask - s.bid) / micros_per_cent;
      auto px = s.bid + g.between(0, spread_cents) * micros_per_cent;
      // exp(0.4 z - 0.08) has mean 1, so bar volume tracks `volume`.
      auto size = std::max<int64_t>(
        1, std::llround(per_trade * std::exp(0.4 * g.normal() - 0.08)));
      pending_.push_back({ts, s.id.value, order, fb::Payload::Trade,
                          {px, size, 0, 0, 0}});
      if (ti == 0)
        open = high = low = px;
      high = std::max(high, px);
      low = std::min(low, px);
      close = px;
      total += size;
      ++ti;
    }
  }
  pending_.push_back({minute_open + ns_per_minute, s.id.value,
                      static_cast<uint32_t>(nq + nt), fb::Payload::Bar,
                      {open, high, low, close, total}});
}

} // namespace osprey
