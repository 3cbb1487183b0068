#include "messages/units.hpp"

#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

using namespace osprey;

TEST(quantity, whole_shares_and_fractions_share_one_scale) {
  EXPECT_EQ(quantity{100}.nanos, 100 * nanos_per_share);
  EXPECT_EQ(quantity::of_shares(7), quantity{7});
  EXPECT_EQ(quantity::from_nanos(500'000'000).shares(), 0.5);
  EXPECT_TRUE(quantity{3}.is_whole());
  EXPECT_FALSE(quantity::from_nanos(3 * nanos_per_share + 1).is_whole());
  EXPECT_EQ(quantity::from_nanos(2'750'000'000).truncated(), quantity{2});
  EXPECT_EQ(quantity::from_nanos(-2'750'000'000).truncated(), quantity{-2});
  EXPECT_EQ(quantity::from_nanos(-2'750'000'000).whole_shares(), -2);
  EXPECT_EQ((-quantity{4}).abs(), quantity{4});
}

TEST(quantity, prints_only_the_decimals_it_needs) {
  EXPECT_EQ(to_string(quantity{100}), "100");
  EXPECT_EQ(to_string(quantity{}), "0");
  EXPECT_EQ(to_string(quantity::from_nanos(-250'000'000)), "-0.25");
  EXPECT_EQ(to_string(quantity::from_nanos(3 * nanos_per_share + 1)), "3.000000001");
  EXPECT_EQ(to_string(quantity::from_nanos(std::numeric_limits<int64_t>::min())),
            "-9223372036.854775808");
}

TEST(quantity, parses_decimals_to_the_nano_share_and_refuses_the_rest) {
  EXPECT_EQ(parse_quantity("100"), quantity{100});
  EXPECT_EQ(parse_quantity("120.0"), quantity{120});
  EXPECT_EQ(parse_quantity("0.5")->nanos, 500'000'000);
  EXPECT_EQ(parse_quantity(".25")->nanos, 250'000'000);
  EXPECT_EQ(parse_quantity("-1.000000001")->nanos, -1'000'000'001);
  EXPECT_EQ(parse_quantity("9223372036.854775807")->nanos, std::numeric_limits<int64_t>::max());
  EXPECT_FALSE(parse_quantity("9223372036.854775808")); // one nano-share too many
  EXPECT_FALSE(parse_quantity("99999999999"));
  EXPECT_FALSE(parse_quantity("0.0000000001")); // a tenth decimal would be lost
  EXPECT_FALSE(parse_quantity(""));
  EXPECT_FALSE(parse_quantity("."));
  EXPECT_FALSE(parse_quantity("1e3"));
  EXPECT_FALSE(parse_quantity("12 "));
  EXPECT_FALSE(parse_quantity("many"));
  for (auto text : {"0", "1", "0.5", "-0.25", "3.000000001", "75555200", "1234.56789"})
    EXPECT_EQ(to_string(*parse_quantity(text)), text);
}

TEST(quantity, notional_truncates_toward_zero_and_never_overflows_in_between) {
  auto px = price::from_dollars(123.456789);
  EXPECT_EQ((px * quantity{1000}).micros, 123'456'789'000);
  // Half a share: 61.7283945 dollars, truncated to the micro-dollar.
  EXPECT_EQ((px * quantity::from_nanos(500'000'000)).micros, 61'728'394);
  EXPECT_EQ((px * quantity::from_nanos(-500'000'000)).micros, -61'728'394);
  // $600,000 a share (a whole-share price above $9,223): the fraction's
  // product leaves 64 bits, the result does not.
  auto dear = price::from_dollars(600'000);
  EXPECT_EQ((dear * quantity::from_nanos(1'500'000'000)).micros, 900'000 * micros_per_dollar);
  // Ten million shares at $500: $5 billion.
  EXPECT_EQ((price::from_dollars(500) * quantity{10'000'000}).micros,
            5'000'000'000 * micros_per_dollar);
}

TEST(quantity, per_share_and_quantity_for_invert_the_notional) {
  money spent{1'000 * micros_per_dollar};
  auto q = quantity_for(spent, price::from_dollars(3));
  EXPECT_EQ(q.nanos, 333'333'333'333); // 333.333333333 shares, truncated
  EXPECT_LE(price::from_dollars(3) * q, spent);
  EXPECT_EQ(per_share(money{1'500 * micros_per_dollar}, quantity{1000}), price::from_dollars(1.5));
  EXPECT_EQ(per_share(money{50 * micros_per_dollar}, quantity::from_nanos(250'000'000)),
            price::from_dollars(200));
  // A cost basis above 64 bits of micro-dollars x nano-shares.
  EXPECT_EQ(per_share(money{9'000'000 * micros_per_dollar}, quantity{30'000}),
            price::from_dollars(300));
}

TEST(quantity, mul_div_is_exact_past_64_bits) {
  EXPECT_EQ(mul_div(7, 3, 2), 10);
  EXPECT_EQ(mul_div(-7, 3, 2), -10);
  EXPECT_EQ(mul_div(int64_t{1} << 62, 8, 16), int64_t{1} << 61);
}
