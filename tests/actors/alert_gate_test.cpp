#include "actors/alert_gate.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <vector>

using namespace osprey;

namespace {

constexpr int64_t sec = 1'000'000'000;

alert_gate_state gate(alert_trigger trigger, int64_t cooldown_ns = 0,
                      int64_t dedup_ns = 0) {
  alert_gate_state s;
  s.settings.trigger = trigger;
  s.settings.cooldown_ns = cooldown_ns;
  s.settings.dedup_window_ns = dedup_ns;
  return s;
}

// Runs one (rule, symbol) through `conditions`, one per second from t = 0,
// and returns the verdicts.
std::vector<alert_verdict> run(alert_gate_state& s,
                               const std::vector<bool>& conditions) {
  std::vector<alert_verdict> out;
  int64_t t = 0;
  for (bool c : conditions) {
    out.push_back(gate_alert(s, "rsi_high", "AAPL", t, c, "RSI above 70"));
    t += sec;
  }
  return out;
}

using v = alert_verdict;

} // namespace

TEST(alert_gate, edge_mode_fires_only_when_the_rule_turns_true) {
  auto s = gate(alert_trigger::edge);
  auto out = run(s, {true, true, true, false, true, true});
  EXPECT_EQ(out, (std::vector<alert_verdict>{v::fire, v::not_an_edge,
                                             v::not_an_edge, v::condition_false,
                                             v::fire, v::not_an_edge}));
  EXPECT_EQ(s.counters.fired, 2u);
  EXPECT_EQ(s.counters.not_an_edge, 3u);
  EXPECT_EQ(s.counters.condition_false, 1u);
  EXPECT_EQ(s.counters.evaluations, 6u);
  EXPECT_EQ(s.counters.suppressed(), 3u);
}

TEST(alert_gate, level_mode_fires_on_every_true_evaluation) {
  auto s = gate(alert_trigger::level);
  auto out = run(s, {true, true, false, true});
  EXPECT_EQ(out, (std::vector<alert_verdict>{v::fire, v::fire,
                                             v::condition_false, v::fire}));
}

TEST(alert_gate, level_mode_with_cooldown_fires_at_most_once_per_cooldown) {
  auto s = gate(alert_trigger::level, 3 * sec);
  auto out = run(s, {true, true, true, true, true, true, true});
  // Fires at t = 0, 3 and 6 s: the cooldown is exactly 3 s, inclusive.
  EXPECT_EQ(out, (std::vector<alert_verdict>{v::fire, v::cooldown, v::cooldown,
                                             v::fire, v::cooldown, v::cooldown,
                                             v::fire}));
  EXPECT_EQ(s.counters.cooldown, 4u);
}

TEST(alert_gate, edge_inside_the_cooldown_is_suppressed_and_not_owed) {
  auto s = gate(alert_trigger::edge, 10 * sec);
  auto out = run(s, {true, false, true, true, true});
  EXPECT_EQ(out, (std::vector<alert_verdict>{v::fire, v::condition_false,
                                             v::cooldown, v::not_an_edge,
                                             v::not_an_edge}));
}

TEST(alert_gate, cooldown_is_per_rule_and_symbol) {
  auto s = gate(alert_trigger::level, 60 * sec);
  EXPECT_EQ(gate_alert(s, "r1", "AAPL", 0, true, "m"), v::fire);
  EXPECT_EQ(gate_alert(s, "r1", "MSFT", 1, true, "m"), v::fire);
  EXPECT_EQ(gate_alert(s, "r2", "AAPL", 2, true, "m"), v::fire);
  EXPECT_EQ(gate_alert(s, "r1", "AAPL", 3, true, "m"), v::cooldown);
  EXPECT_EQ(tracked_keys(s), 3u);
}

TEST(alert_gate, suppresses_the_same_message_within_the_dedup_window) {
  auto s = gate(alert_trigger::level, 0, 10 * sec);
  EXPECT_EQ(gate_alert(s, "r", "AAPL", 0, true, "crossed 100"), v::fire);
  EXPECT_EQ(gate_alert(s, "r", "AAPL", 5 * sec, true, "crossed 100"),
            v::duplicate);
  // A different text is a different alert.
  EXPECT_EQ(gate_alert(s, "r", "AAPL", 6 * sec, true, "crossed 101"), v::fire);
  // The window runs from the last time the message fired, not the last
  // time it was suppressed.
  EXPECT_EQ(gate_alert(s, "r", "AAPL", 9 * sec, true, "crossed 100"),
            v::duplicate);
  EXPECT_EQ(gate_alert(s, "r", "AAPL", 10 * sec, true, "crossed 100"),
            v::fire);
  // The same text on another symbol is not a duplicate.
  EXPECT_EQ(gate_alert(s, "r", "MSFT", 10 * sec, true, "crossed 100"),
            v::fire);
  EXPECT_EQ(s.counters.duplicate, 2u);
  EXPECT_EQ(s.counters.fired, 4u);
}

TEST(alert_gate, dedup_applies_to_each_new_edge) {
  auto s = gate(alert_trigger::edge, 0, 60 * sec);
  auto out = run(s, {true, false, true, false, true});
  EXPECT_EQ(out, (std::vector<alert_verdict>{v::fire, v::condition_false,
                                             v::duplicate, v::condition_false,
                                             v::duplicate}));
}

TEST(alert_gate, refuses_event_time_going_backwards_without_changing_state) {
  auto s = gate(alert_trigger::edge, 5 * sec);
  EXPECT_EQ(gate_alert(s, "r", "AAPL", 10 * sec, false, "m"),
            v::condition_false);
  EXPECT_EQ(gate_alert(s, "r", "AAPL", 9 * sec, true, "m"), v::time_backwards);
  // The refused true did not arm the edge, so this rise still fires.
  EXPECT_EQ(gate_alert(s, "r", "AAPL", 11 * sec, true, "m"), v::fire);
  EXPECT_EQ(gate_alert(s, "r", "AAPL", 11 * sec - 1, false, "m"),
            v::time_backwards);
  // Still true (the refused false was ignored): not an edge.
  EXPECT_EQ(gate_alert(s, "r", "AAPL", 12 * sec, true, "m"), v::not_an_edge);
  EXPECT_EQ(s.counters.time_backwards, 2u);
  // Equal times are not backwards.
  EXPECT_EQ(gate_alert(s, "r", "AAPL", 12 * sec, false, "m"),
            v::condition_false);
}

TEST(alert_gate, event_times_are_ordered_per_key_not_globally) {
  auto s = gate(alert_trigger::level);
  EXPECT_EQ(gate_alert(s, "r", "AAPL", 100, true, "m"), v::fire);
  EXPECT_EQ(gate_alert(s, "r", "MSFT", 50, true, "m"), v::fire);
  EXPECT_EQ(gate_alert(s, "q", "AAPL", 10, true, "m"), v::fire);
}

TEST(alert_gate, handles_many_symbols_independently) {
  auto s = gate(alert_trigger::edge, 2 * sec);
  constexpr int symbols = 2000;
  for (int bar = 0; bar < 5; ++bar)
    for (int i = 0; i < symbols; ++i) {
      std::string sym = "S";
      sym += std::to_string(i);
      // Even symbols stay true; odd ones alternate each bar.
      bool cond = i % 2 == 0 || bar % 2 == 0;
      gate_alert(s, "r", sym, bar * sec, cond, "m");
    }
  EXPECT_EQ(tracked_keys(s), static_cast<size_t>(symbols));
  // Even: fire once at bar 0. Odd: rises at bars 0, 2, 4; bar 2 is exactly
  // 2 s after bar 0, outside the cooldown, and so is bar 4.
  EXPECT_EQ(s.counters.fired, symbols / 2 * 1u + symbols / 2 * 3u);
  EXPECT_EQ(s.counters.not_an_edge, symbols / 2 * 4u);
  EXPECT_EQ(s.counters.condition_false, symbols / 2 * 2u);
}

TEST(alert_gate, forgets_stale_messages_so_memory_stays_bounded) {
  auto s = gate(alert_trigger::level, 0, 5 * sec);
  for (int i = 0; i < 10'000; ++i) {
    std::string msg = "price ";
    msg += std::to_string(i);
    ASSERT_EQ(gate_alert(s, "r", "AAPL", i * sec, true, msg), v::fire);
  }
  auto& key = s.keys.find("r")->second.find("AAPL")->second;
  EXPECT_LE(key.message_fired_ts.size(), 40u);
}

TEST(alert_gate, validates_and_names_settings) {
  alert_gate_settings ok;
  EXPECT_FALSE(validate(ok));
  alert_gate_settings bad;
  bad.cooldown_ns = -1;
  EXPECT_EQ(validate(bad), "alert cooldown must not be negative");
  bad.cooldown_ns = 0;
  bad.dedup_window_ns = -5;
  EXPECT_TRUE(validate(bad));
  EXPECT_EQ(parse_alert_trigger("edge"), alert_trigger::edge);
  EXPECT_EQ(parse_alert_trigger("level"), alert_trigger::level);
  EXPECT_FALSE(parse_alert_trigger("rising"));
  EXPECT_EQ(to_string(alert_verdict::duplicate), "duplicate");
}

// Invariants over random streams: every evaluation gets exactly one verdict,
// fired alerts of a key are at least the cooldown apart, and in edge mode
// a fired alert always follows a false (or the first) evaluation.
RC_GTEST_PROP(alert_gate, fired_alerts_respect_cooldown_and_edges, ()) {
  auto trigger = *rc::gen::element(alert_trigger::edge, alert_trigger::level);
  auto cooldown = *rc::gen::inRange<int64_t>(0, 20);
  auto dedup = *rc::gen::inRange<int64_t>(0, 20);
  auto steps = *rc::gen::container<std::vector<std::tuple<int, int, bool, int>>>(
    rc::gen::tuple(rc::gen::inRange(0, 3), rc::gen::inRange(0, 4),
                   rc::gen::arbitrary<bool>(), rc::gen::inRange(-2, 5)));
  auto s = gate(trigger, cooldown, dedup);
  std::map<int, int64_t> now, last_fired;
  std::map<std::pair<int, int>, int64_t> message_fired;
  std::map<int, bool> last_condition;
  for (auto [sym, msg, cond, dt] : steps) {
    bool seen = now.count(sym) > 0;
    auto mkey = std::make_pair(sym, msg);
    int64_t t = (seen ? now[sym] : 0) + dt;
    std::string symbol = "S";
    symbol += std::to_string(sym);
    std::string message = "m";
    message += std::to_string(msg);
    auto verdict = gate_alert(s, "r", symbol, t, cond, message);
    if (seen && t < now[sym]) {
      RC_ASSERT(verdict == alert_verdict::time_backwards);
      continue;
    }
    RC_ASSERT(verdict != alert_verdict::time_backwards);
    now[sym] = t;
    // A model of the documented order of checks.
    auto expected = alert_verdict::fire;
    if (!cond)
      expected = alert_verdict::condition_false;
    else if (trigger == alert_trigger::edge && last_condition[sym])
      expected = alert_verdict::not_an_edge;
    else if (last_fired.count(sym) && t - last_fired[sym] < cooldown)
      expected = alert_verdict::cooldown;
    else if (dedup > 0 && message_fired.count(mkey)
             && t - message_fired[mkey] < dedup)
      expected = alert_verdict::duplicate;
    RC_ASSERT(verdict == expected);
    if (verdict == alert_verdict::fire) {
      RC_ASSERT(cond);
      if (last_fired.count(sym))
        RC_ASSERT(t - last_fired[sym] >= cooldown);
      if (dedup > 0 && message_fired.count(mkey))
        RC_ASSERT(t - message_fired[mkey] >= dedup);
      if (trigger == alert_trigger::edge)
        RC_ASSERT(!last_condition[sym]);
      last_fired[sym] = t;
      message_fired[mkey] = t;
    }
    last_condition[sym] = cond;
  }
  auto& c = s.counters;
  RC_ASSERT(c.evaluations == steps.size());
  RC_ASSERT(c.fired + c.condition_false + c.suppressed() + c.time_backwards
            == c.evaluations);
}
