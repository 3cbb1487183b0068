#pragma once

// What the simulated broker's tests share: a broker with a sink for its
// reports, shorthands to send it commands and market data, and a one-line
// description of each report so a test can state a whole flow.

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "adapters/sim_broker.hpp"

namespace osprey::test {

constexpr int64_t ms = 1'000'000;
constexpr int64_t second = 1'000 * ms;
constexpr int64_t minute = 60 * second;
constexpr int64_t hour = 3'600'000'000'000;
// 2026-01-05 15:00:00 UTC, half an hour into a session.
constexpr int64_t t0 = 1'767'625'200'000'000'000;
constexpr int64_t day_start = t0 - 15 * hour;
constexpr int64_t session_open = day_start + 14 * hour + 30 * minute;
constexpr int64_t session_close = day_start + 21 * hour;
constexpr symbol_id sym{1};

inline price usd(double d) {
  return price::from_dollars(d);
}

class vector_sink final : public msg_sink {
public:
  void push(const msg& m) override { got.push_back(m); }
  std::vector<msg> got;
};

struct harness {
  vector_sink sink;
  sim_broker broker;
  msg_builder b;
  int64_t ingress = 7;

  explicit harness(sim_broker_config cfg = {}) : broker(cfg, sink) {}

  void submit(uint64_t id, fb::Side side, int64_t qty,
              fb::OrderType type = fb::OrderType::Market,
              fb::TimeInForce tif = fb::TimeInForce::Day, price limit = {},
              int64_t ts = t0, price stop = {}) {
    broker.on_command(b.submit_order({0, ts, ingress}, client_order_id{id}, sym,
                                     side, quantity::of_shares(qty), type, tif, limit, stop));
  }
  void send(uint64_t id, const order_spec& o, submit_links links = {}, int64_t ts = t0) {
    broker.on_command(b.submit_order({0, ts, ingress}, client_order_id{id}, o, links));
  }
  void buy_limit(uint64_t id, int64_t qty, double limit,
                 fb::TimeInForce tif = fb::TimeInForce::Day, int64_t ts = t0) {
    submit(id, fb::Side::Buy, qty, fb::OrderType::Limit, tif, usd(limit), ts);
  }
  void quote(int64_t ts, double bid, int64_t bid_size, double ask,
             int64_t ask_size, symbol_id s = sym) {
    broker.on_market(b.quote({0, ts, ingress + 1}, s, usd(bid), quantity::of_shares(bid_size),
                             usd(ask), quantity::of_shares(ask_size)));
  }
  void trade(int64_t ts, double px) {
    broker.on_market(b.trade({0, ts, ingress + 1}, sym, usd(px), quantity{100}));
  }
  void cancel(uint64_t id, int64_t ts = t0) {
    broker.on_command(b.cancel_order({0, ts, ingress}, client_order_id{id}));
  }
  void replace(uint64_t id, uint64_t new_id, int64_t qty, double limit,
               int64_t ts = t0) {
    broker.on_command(b.replace_order({0, ts, ingress}, client_order_id{id},
                                      client_order_id{new_id}, quantity::of_shares(qty),
                                      usd(limit)));
  }
  void replace(uint64_t id, uint64_t new_id, const replace_values& v, int64_t ts = t0) {
    broker.on_command(b.replace_order({0, ts, ingress}, client_order_id{id},
                                      client_order_id{new_id}, v));
  }
  /// Returns the reports since the last call, one line each.
  std::vector<std::string> events();
  /// Returns the reports since the last call.
  std::vector<msg> take() { return std::exchange(sink.got, {}); }
  /// Returns the single report since the last call; it stays alive until
  /// the next call, so views into it (as<T>()) remain valid.
  const msg& one() {
    auto got = take();
    EXPECT_EQ(got.size(), 1u);
    // With no report (the expectation above has failed already), a Health
    // message stands in so that as<T>() answers nullptr instead of reading an
    // empty handle.
    last = got.empty() ? b.health({}, "no report", {}) : got.front();
    return last;
  }
  msg last;
};

inline std::string rejection_reason(const msg& m) {
  auto r = m.as<fb::OrderRejected>();
  return r && r->reason() ? r->reason()->str() : "<not a rejection>";
}

/// Formats micro-dollars with at least two decimals ("9.5" -> "9.50").
inline std::string dollars(int64_t micros) {
  auto s = to_string(price{micros});
  while (s.size() > 3 && s.back() == '0' && s[s.size() - 3] != '.')
    s.pop_back();
  return s;
}

/// Describes a report in one line, so a test can state a whole flow.
inline std::string describe(const msg& m) {
  std::string s;
  auto add = [&s](auto&&... parts) { ((s += parts), ...); };
  auto n = [](auto v) { return std::to_string(v); };
  auto q = [](int64_t nanos) { return to_string(quantity::from_nanos(nanos)); };
  if (auto a = m.as<fb::OrderAccepted>()) {
    add("accepted ", n(a->client_order_id()));
  } else if (auto r = m.as<fb::OrderRejected>()) {
    add("rejected ", n(r->client_order_id()), ": ", r->reason()->str());
  } else if (auto t = m.as<fb::OrderTriggered>()) {
    add("triggered ", n(t->client_order_id()), " stop ", dollars(t->stop_price()), " at ",
        dollars(t->trigger_price()), " mark ", dollars(t->water_mark()));
  } else if (auto f = m.as<fb::OrderFilled>()) {
    add("filled ", n(f->client_order_id()), " ", f->side() == fb::Side::Buy ? "buy " : "sell ",
        q(f->fill_quantity()), " @ ", dollars(f->fill_price()), " cum ",
        q(f->cumulative_quantity()), " leaves ", q(f->leaves_quantity()));
  } else if (auto c = m.as<fb::OrderCanceled>()) {
    add("canceled ", n(c->client_order_id()), " leaves ", q(c->leaves_quantity()));
  } else if (auto e = m.as<fb::OrderExpired>()) {
    add("expired ", n(e->client_order_id()), " leaves ", q(e->leaves_quantity()));
  } else if (auto p = m.as<fb::OrderReplaced>()) {
    add("replaced ", n(p->client_order_id()), " by ", n(p->new_client_order_id()), " qty ",
        q(p->quantity()), " limit ", dollars(p->limit_price()), " stop ",
        dollars(p->stop_price()));
  } else if (auto cr = m.as<fb::CancelRejected>()) {
    add("cancel rejected ", n(cr->client_order_id()), ": ", cr->reason()->str());
  } else if (auto rr = m.as<fb::ReplaceRejected>()) {
    add("replace rejected ", n(rr->client_order_id()), " by ", n(rr->new_client_order_id()),
        ": ", rr->reason()->str());
  } else if (auto al = m.as<fb::Alert>()) {
    add("alert ", al->code()->str(), ": ", al->text() ? al->text()->str() : "");
  } else {
    add(payload_name(m.type()));
  }
  return s;
}

inline std::vector<std::string> harness::events() {
  std::vector<std::string> out;
  for (auto& m : take())
    out.push_back(describe(m));
  return out;
}

} // namespace osprey::test
