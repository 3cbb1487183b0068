#include "actors/exec_algo.hpp"

#include <algorithm>
#include <cmath>

namespace osprey {

namespace {

bool is_sliced(fb::AlgoKind k) noexcept {
  return k == fb::AlgoKind::Twap || k == fb::AlgoKind::Vwap;
}

const char* kind_name(fb::AlgoKind k) noexcept {
  switch (k) {
    case fb::AlgoKind::None:
      return "none";
    case fb::AlgoKind::Twap:
      return "twap";
    case fb::AlgoKind::Vwap:
      return "vwap";
    case fb::AlgoKind::Iceberg:
      return "iceberg";
  }
  return "unknown";
}

/// Returns "<struct.field>: <what> (<kind>)", the one error format.
std::string field_error(const char* field, const char* what,
                        fb::AlgoKind kind) {
  std::string e = field;
  e += ": ";
  e += what;
  e += " (";
  e += kind_name(kind);
  e += ")";
  return e;
}

int64_t saturating_add(int64_t a, int64_t b) noexcept {
  int64_t r = 0;
  return __builtin_add_overflow(a, b, &r) ? algo_no_wake : r;
}

/// splitmix64: a tiny, well-mixed generator, so one seed gives one schedule
/// on every platform (std:: distributions are not portable across libraries).
uint64_t next_random(uint64_t& s) noexcept {
  s += 0x9e3779b97f4a7c15ULL;
  uint64_t z = s;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Fills st.slice_ns: base times horizon * i / slices, each moved by a seeded
/// offset in [-r, +r], clamped into [start, end) and to be no earlier than the
/// slice before. Since r <= one interval, both clamps keep t_i within
/// base_i +- r, so the randomised schedule stays in bounds and in order.
void build_times(algo_state& st, const algo_spec& spec) {
  const uint32_t n = spec.slices;
  const int64_t horizon = st.end_ns - st.start_ns;
  const int64_t interval = horizon / n;
  const int64_t r = static_cast<int64_t>(
    static_cast<__int128>(interval) * spec.randomize_bps / 10'000);
  uint64_t rng = spec.seed;
  st.slice_ns.resize(n);
  int64_t previous = st.start_ns;
  for (uint32_t i = 0; i < n; ++i) {
    int64_t t = st.start_ns
                + static_cast<int64_t>(static_cast<__int128>(horizon) * i / n);
    if (r > 0) {
      const uint64_t span = static_cast<uint64_t>(r) * 2 + 1;
      t += static_cast<int64_t>(next_random(rng) % span) - r;
    }
    t = std::clamp(t, st.start_ns, st.end_ns - 1);
    t = std::max(t, previous);
    st.slice_ns[i] = t;
    previous = t;
  }
}

/// Fills st.cumulative for twap (even) or vwap with a profile (weighted);
/// the last entry is always exactly the target.
void build_cumulative(algo_state& st, const algo_spec& spec) {
  const uint32_t n = spec.slices;
  const int64_t target = st.parent.target.whole_shares();
  st.cumulative.resize(n);
  if (st.kind == fb::AlgoKind::Twap) {
    // round(target * (i + 1) / n), half up, exact in 128 bits.
    for (uint32_t i = 0; i < n; ++i)
      st.cumulative[i] = static_cast<int64_t>(
        (static_cast<__int128>(target) * 2 * (i + 1) + n) / (2 * n));
  } else if (!st.live_volume) {
    double total = 0;
    for (double w : spec.volume_profile)
      total += w;
    double prefix = 0;
    int64_t previous = 0;
    for (uint32_t i = 0; i < n; ++i) {
      prefix += spec.volume_profile[i];
      auto c = std::llround(static_cast<double>(target) * (prefix / total));
      // Rounding of the running sum may not push past the target or back.
      c = std::clamp<int64_t>(c, previous, target);
      st.cumulative[i] = c;
      previous = c;
    }
  }
  if (n > 0 && !st.cumulative.empty())
    st.cumulative[n - 1] = target;
}

/// Closes live-volume intervals [closed_intervals, upto) and adds their
/// shares. For interval k with volume v_k and V_k = v_0 + ... + v_k:
///   expected total volume E_k = (V_k / (k + 1)) * slices,
///   share_k = target * v_k / E_k = target * v_k * (k + 1) / (V_k * slices).
/// So a slice trades its time share when its volume is the running average,
/// more when above, less when below. While no volume at all has been seen
/// (V_k = 0) the share is the time share target / slices, so a silent feed
/// degrades to TWAP instead of piling everything into the last slice.
void close_live_intervals(algo_state& st, uint32_t upto) noexcept {
  const auto n = static_cast<double>(st.slice_ns.size());
  const auto target = static_cast<double>(st.parent.target.whole_shares());
  for (; st.closed_intervals < upto; ++st.closed_intervals) {
    const int64_t v = st.slice_volume[st.closed_intervals];
    st.volume_seen += v;
    double share = target / n;
    if (st.volume_seen > 0) {
      const double elapsed = st.closed_intervals + 1.0;
      share = target * static_cast<double>(v) * elapsed
              / (static_cast<double>(st.volume_seen) * n);
    }
    st.live_cumulative += share;
  }
}

/// Returns the scheduled cumulative quantity once slice i is due.
int64_t scheduled_after(algo_state& st, uint32_t i) noexcept {
  const int64_t target = st.parent.target.whole_shares();
  if (i + 1 == st.slice_ns.size())
    return target;
  if (!st.live_volume)
    return st.cumulative[i];
  close_live_intervals(st, i);
  const auto c = std::llround(st.live_cumulative);
  return std::clamp<int64_t>(c, st.scheduled.whole_shares(), target);
}

algo_child make_child(const algo_state& st, quantity qty) noexcept {
  algo_child c;
  c.side = st.parent.side;
  c.qty = qty;
  if (st.parent.limit.micros > 0) {
    c.type = fb::OrderType::Limit;
    c.limit = st.parent.limit;
  }
  return c;
}

/// Counts `qty` as sent and working, and returns it as the action's child.
void send(algo_state& st, algo_action& a, quantity qty) noexcept {
  st.working += qty;
  ++st.children;
  a.child = make_child(st, qty);
}

void act_sliced(algo_state& st, int64_t ts, algo_action& a) noexcept {
  const auto n = static_cast<uint32_t>(st.slice_ns.size());
  bool due = false;
  // Several slices may fall due in one event (a late wake): one child then
  // covers all of them.
  while (st.next_slice < n && st.slice_ns[st.next_slice] <= ts) {
    st.scheduled = quantity::of_shares(scheduled_after(st, st.next_slice));
    ++st.next_slice;
    due = true;
  }
  if (st.next_slice == n && !st.swept && ts >= st.end_ns) {
    st.swept = true;
    due = true;
  }
  if (due) {
    const quantity qty = st.scheduled - st.filled - st.working;
    if (qty.nanos > 0)
      send(st, a, qty);
  }
  if (st.filled >= st.parent.target)
    st.outcome = algo_outcome::completed;
  else if (st.swept && st.working.nanos <= 0)
    st.outcome = algo_outcome::ended_short;
  if (st.done())
    return;
  if (st.next_slice < n)
    a.wake_ns = st.slice_ns[st.next_slice];
  else if (!st.swept)
    a.wake_ns = st.end_ns;
}

void act_iceberg(algo_state& st, int64_t ts, algo_action& a) noexcept {
  if (st.filled >= st.parent.target) {
    st.outcome = algo_outcome::completed;
    return;
  }
  if (st.working.nanos > 0)
    return; // the shown child works until it is filled or ends
  if (ts < st.show_at_ns) {
    a.wake_ns = st.show_at_ns;
    return;
  }
  const quantity remaining = st.parent.target - st.filled;
  send(st, a, std::min(st.display, remaining));
}

/// Acts on everything that is due at `ts` and says when to wake next.
algo_action act(algo_state& st, int64_t ts) noexcept {
  algo_action a;
  if (st.done())
    return a;
  if (is_sliced(st.kind))
    act_sliced(st, ts, a);
  else if (st.kind == fb::AlgoKind::Iceberg)
    act_iceberg(st, ts, a);
  return a;
}

} // namespace

const char* to_string(algo_outcome o) noexcept {
  switch (o) {
    case algo_outcome::running:
      return "running";
    case algo_outcome::completed:
      return "completed";
    case algo_outcome::canceled:
      return "canceled";
    case algo_outcome::ended_short:
      return "ended_short";
    case algo_outcome::rejected:
      return "rejected";
  }
  return "unknown";
}

std::string validate_algo(const algo_spec& spec, const algo_parent& parent) {
  const auto k = spec.kind;
  if (k != fb::AlgoKind::Twap && k != fb::AlgoKind::Vwap
      && k != fb::AlgoKind::Iceberg)
    return field_error("algo_spec.kind",
                       "is not an algorithm (twap, vwap, iceberg)", k);
  if (parent.target.nanos <= 0)
    return field_error("order.quantity", "the parent's target must be > 0", k);
  // Children go out in whole shares: Alpaca takes fractions only on simple
  // day orders, and a slice of a fraction is noise.
  if (!parent.target.is_whole())
    return field_error("order.quantity", "the parent's target must be whole shares", k);
  if (spec.start_ns < 0)
    return field_error("algo_spec.start_ns",
                       "must be >= 0 (0: the start event time)", k);
  if (spec.randomize_bps > 10'000)
    return field_error("algo_spec.randomize_bps",
                       "must be <= 10000 (one interval)", k);
  if (k == fb::AlgoKind::Iceberg) {
    if (spec.display_quantity.nanos <= 0)
      return field_error("algo_spec.display_quantity", "must be > 0", k);
    if (!spec.display_quantity.is_whole())
      return field_error("algo_spec.display_quantity", "must be whole shares", k);
    if (parent.limit.micros <= 0)
      return field_error("order.limit_price",
                         "an iceberg needs a parent limit > 0", k);
    return {};
  }
  if (spec.slices == 0)
    return field_error("algo_spec.slices", "must be >= 1", k);
  if (spec.slices > algo_max_slices) {
    std::string what = "must be <= ";
    what += std::to_string(algo_max_slices);
    return field_error("algo_spec.slices", what.c_str(), k);
  }
  if (spec.horizon_ns <= 0)
    return field_error("algo_spec.horizon_ns", "must be > 0", k);
  if (spec.start_ns > std::numeric_limits<int64_t>::max() - spec.horizon_ns)
    return field_error("algo_spec.horizon_ns",
                       "start_ns + horizon_ns overflows", k);
  if (k == fb::AlgoKind::Vwap && !spec.volume_profile.empty()) {
    if (spec.volume_profile.size() != spec.slices) {
      std::string what = "has ";
      what += std::to_string(spec.volume_profile.size());
      what += " weights, slices is ";
      what += std::to_string(spec.slices);
      return field_error("algo_spec.volume_profile", what.c_str(), k);
    }
    double total = 0;
    for (size_t i = 0; i < spec.volume_profile.size(); ++i) {
      const double w = spec.volume_profile[i];
      // Written so that NaN fails too.
      if (!(w > 0) || !std::isfinite(w)) {
        std::string what = "weight ";
        what += std::to_string(i);
        what += " must be a positive finite number";
        return field_error("algo_spec.volume_profile", what.c_str(), k);
      }
      total += w;
    }
    if (!std::isfinite(total))
      return field_error("algo_spec.volume_profile",
                         "the weights' sum overflows", k);
  }
  return {};
}

algo_start_result start_algo(algo_state& st, const algo_spec& spec,
                             const algo_parent& parent, int64_t ts_ns) {
  algo_start_result r;
  st = algo_state{};
  r.error = validate_algo(spec, parent);
  const int64_t start = spec.start_ns != 0 ? spec.start_ns : ts_ns;
  if (r.error.empty() && is_sliced(spec.kind)
      && start > std::numeric_limits<int64_t>::max() - spec.horizon_ns)
    r.error = field_error("algo_spec.horizon_ns",
                          "start time + horizon_ns overflows", spec.kind);
  if (!r.error.empty()) {
    st.outcome = algo_outcome::rejected;
    return r;
  }
  st.kind = spec.kind;
  st.parent = parent;
  st.start_ns = start;
  if (spec.kind == fb::AlgoKind::Iceberg) {
    st.display = spec.display_quantity;
    st.show_at_ns = start;
  } else {
    st.end_ns = start + spec.horizon_ns;
    st.live_volume = spec.kind == fb::AlgoKind::Vwap
                     && spec.volume_profile.empty();
    build_times(st, spec);
    build_cumulative(st, spec);
    if (st.live_volume)
      st.slice_volume.assign(spec.slices, 0);
  }
  r.action = act(st, ts_ns);
  return r;
}

algo_action on_algo_wake(algo_state& st, int64_t ts_ns) noexcept {
  return act(st, ts_ns);
}

algo_action on_algo_market(algo_state& st, int64_t ts_ns,
                           quantity volume) noexcept {
  // Volume outside [start, start + horizon) belongs to no interval; volume
  // between start and a randomised later t_0 counts for interval 0.
  if (st.live_volume && volume.nanos > 0 && ts_ns >= st.start_ns
      && ts_ns < st.end_ns) {
    // Events arrive in event-time order, so the interval only moves forward.
    const auto n = static_cast<uint32_t>(st.slice_ns.size());
    while (st.volume_interval + 1 < n
           && st.slice_ns[st.volume_interval + 1] <= ts_ns)
      ++st.volume_interval;
    st.slice_volume[st.volume_interval] += volume.nanos;
  }
  return act(st, ts_ns);
}

algo_action on_algo_fill(algo_state& st, int64_t ts_ns, quantity qty) noexcept {
  if (qty.nanos > 0) {
    st.filled += qty;
    st.working -= std::min(qty, st.working);
  }
  return act(st, ts_ns);
}

algo_action on_algo_child_end(algo_state& st, int64_t ts_ns, child_end how,
                              quantity unfilled) noexcept {
  if (how == child_end::denied)
    ++st.children_denied;
  const quantity back = std::clamp(unfilled, quantity{}, st.working);
  st.working -= back;
  // An iceberg child that ended unfilled is re-shown after a gap, so a
  // denial or a venue rejection cannot turn into a tight resend loop.
  if (st.kind == fb::AlgoKind::Iceberg && back.nanos > 0
      && st.working.nanos == 0)
    st.show_at_ns = saturating_add(ts_ns, algo_retry_gap_ns);
  return act(st, ts_ns);
}

void cancel_algo(algo_state& st) noexcept {
  if (!st.done())
    st.outcome = algo_outcome::canceled;
}

algo_progress progress_of(const algo_state& st) noexcept {
  algo_progress p;
  p.target = st.parent.target;
  p.scheduled = st.kind == fb::AlgoKind::Iceberg ? st.filled + st.working
                                                 : st.scheduled;
  p.filled = st.filled;
  p.working = st.working;
  p.children = st.children;
  p.done = st.done();
  return p;
}

} // namespace osprey
