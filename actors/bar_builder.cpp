#include "actors/bar_builder.hpp"

#include <algorithm>

namespace osprey {

namespace {

int64_t align(int64_t ts, int64_t interval) {
  auto start = ts / interval * interval;
  return ts < 0 && start != ts ? start - interval : start;
}

void start_bar(bar_builder::partial& p, const bar_builder& b, symbol_id sym, int64_t start,
               price px, quantity size) {
  p.open = true;
  p.start = start;
  p.bar = {};
  p.bar.symbol = sym;
  p.bar.close_ns = start + b.interval_ns;
  p.bar.interval_s = static_cast<uint32_t>(b.interval_ns / 1'000'000'000);
  p.bar.open = p.bar.high = p.bar.low = p.bar.close = px;
  p.bar.volume = size;
  p.bar.trades = 1;
}

built_bar finish(bar_builder& b, bar_builder::partial& p) {
  if (p.last_start != INT64_MIN && p.start - p.last_start > b.interval_ns)
    b.gaps += static_cast<uint64_t>((p.start - p.last_start) / b.interval_ns - 1);
  p.last_start = p.start;
  p.open = false;
  return p.bar;
}

} // namespace

std::optional<built_bar> on_trade(bar_builder& b, symbol_id sym, int64_t ts, price px,
                                  quantity size) {
  if (b.interval_ns <= 0 || px.micros <= 0 || size.nanos < 0)
    return std::nullopt;
  if (b.symbols.size() <= sym.value)
    b.symbols.resize(sym.value + 1);
  auto& p = b.symbols[sym.value];
  auto start = align(ts, b.interval_ns);
  if (start <= p.last_start)
    return std::nullopt; // that interval's bar is out already
  if (p.open && start == p.start) {
    p.bar.high = std::max(p.bar.high, px);
    p.bar.low = std::min(p.bar.low, px);
    p.bar.close = px;
    p.bar.volume += size;
    ++p.bar.trades;
    return std::nullopt;
  }
  std::optional<built_bar> done;
  if (p.open)
    done = finish(b, p);
  start_bar(p, b, sym, start, px, size);
  return done;
}

void close_due(bar_builder& b, int64_t ts, std::vector<built_bar>& out) {
  for (auto& p : b.symbols)
    if (p.open && p.start + b.interval_ns <= ts)
      out.push_back(finish(b, p));
}

session_edge on_time(session_clock& c, int64_t ts) {
  constexpr int64_t ns_per_day = 86'400'000'000'000;
  if (c.open_ns == c.close_ns)
    return session_edge::none;
  auto day = ts >= 0 ? ts / ns_per_day : (ts + 1) / ns_per_day - 1;
  auto tod = ts - day * ns_per_day;
  bool inside = tod >= c.open_ns && tod < c.close_ns;
  bool new_day = day != c.day;
  c.day = day;
  if (inside && (!c.in_session || new_day)) {
    c.in_session = true;
    return session_edge::opened;
  }
  if (!inside && c.in_session) {
    c.in_session = false;
    return session_edge::closed;
  }
  return session_edge::none;
}

void on_event(stale_watch& w, symbol_id sym, int64_t ts) {
  if (w.quiet_ns <= 0)
    return;
  if (w.last_seen.size() <= sym.value) {
    w.last_seen.resize(sym.value + 1, INT64_MIN);
    w.reported.resize(sym.value + 1, false);
  }
  w.last_seen[sym.value] = std::max(w.last_seen[sym.value], ts);
  w.reported[sym.value] = false;
}

void stale_symbols(stale_watch& w, int64_t ts, std::vector<symbol_id>& out) {
  if (w.quiet_ns <= 0 || ts < w.next_check)
    return;
  w.next_check = ts + 1'000'000'000;
  for (uint32_t s = 0; s < w.last_seen.size(); ++s)
    if (!w.reported[s] && w.last_seen[s] != INT64_MIN && ts - w.last_seen[s] > w.quiet_ns) {
      w.reported[s] = true;
      out.push_back(symbol_id{s});
    }
}

} // namespace osprey
