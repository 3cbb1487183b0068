#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "messages/msg.hpp"
#include "messages/msg_builder.hpp"
#include "messages/msg_json.hpp"

using namespace osprey;

namespace {

msg sample_trade(msg_builder& b) {
  return b.trade({0, 1'000, 2'000}, symbol_id{3}, price::from_dollars(101.25),
                 quantity{200});
}

} // namespace

TEST(msg, builds_and_reads_a_trade) {
  msg_builder b;
  auto m = sample_trade(b);
  ASSERT_TRUE(m);
  EXPECT_EQ(m.type(), fb::Payload::Trade);
  EXPECT_EQ(m.ts_event(), 1'000);
  EXPECT_EQ(m.ts_ingress(), 2'000);
  auto t = m.as<fb::Trade>();
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->symbol(), 3u);
  EXPECT_EQ(t->price(), 101'250'000);
  EXPECT_EQ(shares_from_nanos(t->size()), 200);
  EXPECT_EQ(m.as<fb::Quote>(), nullptr);
}

TEST(msg, copies_share_the_same_bytes) {
  msg_builder b;
  auto m = sample_trade(b);
  auto c = m;
  EXPECT_EQ(c.data(), m.data());
  EXPECT_EQ(m.use_count(), 2u);
  { auto d = std::move(c); EXPECT_EQ(d.data(), m.data()); }
  EXPECT_EQ(m.use_count(), 1u);
}

TEST(msg, stamps_sequence_in_place_when_unique) {
  msg_builder b;
  auto m = sample_trade(b);
  auto* before = m.data();
  auto s = msg::with_sequence(std::move(m), 42);
  EXPECT_EQ(s.data(), before);
  EXPECT_EQ(s.seq(), 42u);
}

TEST(msg, stamps_a_private_copy_when_shared) {
  msg_builder b;
  auto m = sample_trade(b);
  auto keep = m;
  auto s = msg::with_sequence(std::move(m), 7);
  EXPECT_NE(s.data(), keep.data());
  EXPECT_EQ(s.seq(), 7u);
  EXPECT_EQ(keep.seq(), 0u);
}

TEST(msg, a_replayed_event_arrives_anew_without_touching_the_original) {
  msg_builder b;
  auto original = msg::with_sequence(sample_trade(b), 9);
  auto keep = original;
  auto again = msg::as_arrival(std::move(original), 12345);
  EXPECT_EQ(again.seq(), 0u);
  EXPECT_EQ(again.ts_ingress(), 12345);
  EXPECT_EQ(again.ts_event(), keep.ts_event());
  EXPECT_EQ(keep.seq(), 9u); // shared: stamped a private copy
  EXPECT_NE(keep.ts_ingress(), 12345);
}

TEST(msg, parse_accepts_a_valid_buffer) {
  msg_builder b;
  auto m = sample_trade(b);
  std::string error;
  auto p = msg::parse(m.bytes(), error);
  ASSERT_TRUE(p) << error;
  EXPECT_EQ(p.as<fb::Trade>()->price(), 101'250'000);
}

TEST(msg, parse_refuses_a_truncated_buffer) {
  msg_builder b;
  auto m = sample_trade(b);
  std::string error;
  auto p = msg::parse(m.bytes().first(m.size() - 9), error);
  EXPECT_FALSE(p);
  EXPECT_NE(error.find("verification"), std::string::npos) << error;
}

TEST(msg, parse_refuses_garbage_with_the_identifier) {
  std::vector<uint8_t> junk(64, 0xff);
  junk[4] = 'O'; junk[5] = 'S'; junk[6] = 'P'; junk[7] = 'R';
  std::string error;
  EXPECT_FALSE(msg::parse(junk, error));
  EXPECT_FALSE(error.empty());
}

TEST(msg, parse_refuses_a_buffer_without_identifier) {
  std::vector<uint8_t> junk(64, 0);
  std::string error;
  EXPECT_FALSE(msg::parse(junk, error));
  EXPECT_NE(error.find("identifier"), std::string::npos);
}

TEST(msg, parse_refuses_a_too_short_buffer) {
  std::vector<uint8_t> tiny(3, 1);
  std::string error;
  EXPECT_FALSE(msg::parse(tiny, error));
  EXPECT_NE(error.find("too short"), std::string::npos);
}

TEST(msg_json, renders_fields_and_enum_names) {
  msg_builder b;
  auto m = b.order_denied({5, 10, 20}, symbol_id{1}, fb::Side::Sell,
                          quantity{10}, price{5}, fb::DenyReason::PriceCollar,
                          99, 50);
  auto j = to_json(m);
  EXPECT_NE(j.find("\"payload_type\": \"OrderDenied\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"reason\": \"PriceCollar\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"side\": \"Sell\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"seq\": 5"), std::string::npos) << j;
}

TEST(msg_json, renders_nan_as_null) {
  msg_builder b;
  signal_values v;
  v.sma = std::numeric_limits<double>::quiet_NaN();
  auto j = to_json(b.signal({}, symbol_id{0}, v));
  EXPECT_NE(j.find("\"sma\": null"), std::string::npos) << j;
}

TEST(units, notional_is_exact) {
  auto n = price::from_dollars(123.456789) * quantity{1000};
  EXPECT_EQ(n.micros, 123'456'789'000);
  EXPECT_EQ(to_string(money{-1'500'000}), "-1.500000");
}
