#include "actors/alert_gate.hpp"

#include <utility>

namespace osprey {

namespace {

// Messages remembered per key before stale ones are swept out.
constexpr size_t sweep_threshold = 32;

alert_key_state& key_state(alert_gate_state& state, std::string_view rule,
                           std::string_view symbol) {
  auto r = state.keys.find(rule);
  if (r == state.keys.end())
    r = state.keys.try_emplace(std::string{rule}).first;
  auto& symbols = r->second;
  auto k = symbols.find(symbol);
  if (k == symbols.end())
    k = symbols.try_emplace(std::string{symbol}).first;
  return k->second;
}

// Forgets messages that can no longer be duplicates, so a rule whose text
// carries changing numbers does not grow the map without bound.
void sweep(alert_key_state& key, int64_t now, int64_t window) {
  if (key.message_fired_ts.size() < sweep_threshold)
    return;
  std::erase_if(key.message_fired_ts,
                [&](const auto& entry) { return now - entry.second >= window; });
}

} // namespace

std::string_view to_string(alert_trigger t) {
  return t == alert_trigger::edge ? "edge" : "level";
}

std::optional<alert_trigger> parse_alert_trigger(std::string_view text) {
  if (text == "edge")
    return alert_trigger::edge;
  if (text == "level")
    return alert_trigger::level;
  return std::nullopt;
}

std::optional<std::string> validate(const alert_gate_settings& s) {
  if (s.cooldown_ns < 0)
    return "alert cooldown must not be negative";
  if (s.dedup_window_ns < 0)
    return "alert de-duplication window must not be negative";
  return std::nullopt;
}

std::string_view to_string(alert_verdict v) {
  switch (v) {
    case alert_verdict::fire:
      return "fire";
    case alert_verdict::condition_false:
      return "condition_false";
    case alert_verdict::not_an_edge:
      return "not_an_edge";
    case alert_verdict::cooldown:
      return "cooldown";
    case alert_verdict::duplicate:
      return "duplicate";
    case alert_verdict::time_backwards:
      return "time_backwards";
  }
  return "unknown";
}

alert_verdict gate_alert(alert_gate_state& state, std::string_view rule,
                         std::string_view symbol, int64_t ts_event,
                         bool condition, std::string_view message) {
  auto& c = state.counters;
  auto& s = state.settings;
  ++c.evaluations;
  auto& key = key_state(state, rule, symbol);
  if (key.seen && ts_event < key.last_ts) {
    // Refused, not reordered: a late evaluation would corrupt the edge and
    // the windows, which are all measured forwards from the last seen time.
    ++c.time_backwards;
    return alert_verdict::time_backwards;
  }
  key.seen = true;
  key.last_ts = ts_event;
  bool was_true = std::exchange(key.was_true, condition);
  if (!condition) {
    ++c.condition_false;
    return alert_verdict::condition_false;
  }
  if (s.trigger == alert_trigger::edge && was_true) {
    ++c.not_an_edge;
    return alert_verdict::not_an_edge;
  }
  if (key.fired && ts_event - key.last_fired_ts < s.cooldown_ns) {
    ++c.cooldown;
    return alert_verdict::cooldown;
  }
  if (s.dedup_window_ns > 0) {
    auto m = key.message_fired_ts.find(message);
    if (m != key.message_fired_ts.end()
        && ts_event - m->second < s.dedup_window_ns) {
      ++c.duplicate;
      return alert_verdict::duplicate;
    }
    sweep(key, ts_event, s.dedup_window_ns);
    m = key.message_fired_ts.find(message);
    if (m == key.message_fired_ts.end())
      key.message_fired_ts.try_emplace(std::string{message}, ts_event);
    else
      m->second = ts_event;
  }
  key.fired = true;
  key.last_fired_ts = ts_event;
  ++c.fired;
  return alert_verdict::fire;
}

size_t tracked_keys(const alert_gate_state& state) {
  size_t n = 0;
  for (auto& [rule, symbols] : state.keys)
    n += symbols.size();
  return n;
}

} // namespace osprey
