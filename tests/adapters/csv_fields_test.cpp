#include <gtest/gtest.h>

#include "adapters/csv_fields.hpp"

using namespace osprey::csv;

TEST(csv_fields, parses_decimals_into_exact_micros) {
  EXPECT_EQ(parse_micros("123.4567"), 123'456'700);
  EXPECT_EQ(parse_micros("100"), 100'000'000);
  EXPECT_EQ(parse_micros("0.000001"), 1);
  EXPECT_EQ(parse_micros("-2.5"), -2'500'000);
  EXPECT_EQ(parse_micros("+7."), 7'000'000);
  EXPECT_EQ(parse_micros(".5"), 500'000);
  // 58.747143 is not exactly representable as a double; the text is.
  EXPECT_EQ(parse_micros("58.747143"), 58'747'143);
}

TEST(csv_fields, rounds_a_seventh_decimal_half_away_from_zero) {
  EXPECT_EQ(parse_micros("0.0000005"), 1);
  EXPECT_EQ(parse_micros("0.0000004999"), 0);
  EXPECT_EQ(parse_micros("1.2345675"), 1'234'568);
  EXPECT_EQ(parse_micros("-1.2345675"), -1'234'568);
  EXPECT_EQ(parse_micros("-1.23456749"), -1'234'567);
}

TEST(csv_fields, rejects_text_that_is_not_a_plain_decimal) {
  for (auto bad : {"", "-", ".", "abc", "1e5", "1.2.3", "1,5", "12 ", "0x10",
                   "9999999999999"})
    EXPECT_FALSE(parse_micros(bad)) << bad;
}

TEST(csv_fields, parses_nanosecond_integers_up_to_int64) {
  EXPECT_EQ(parse_int("1767623460000000000"), 1'767'623'460'000'000'000);
  EXPECT_EQ(parse_int("-42"), -42);
  EXPECT_EQ(parse_int("9223372036854775807"), INT64_MAX);
  EXPECT_FALSE(parse_int("9223372036854775808"));
  EXPECT_FALSE(parse_int("12a"));
  EXPECT_FALSE(parse_int(""));
}

TEST(csv_fields, converts_dates_and_times_to_utc_nanoseconds) {
  auto d = parse_date_time("2012-01-03");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->day_ns, 1'325'548'800 * ns_per_second);
  EXPECT_FALSE(d->has_time);
  auto compact = parse_date_time("199706011928");
  ASSERT_TRUE(compact);
  EXPECT_TRUE(compact->has_time);
  EXPECT_EQ(compact->day_ns + compact->time_ns, 865'193'280 * ns_per_second);
  auto iso = parse_date_time("2026-01-05T14:31:00.25Z");
  ASSERT_TRUE(iso);
  EXPECT_EQ(iso->day_ns + iso->time_ns, 1'767'623'460 * ns_per_second + 250'000'000);
  EXPECT_EQ(parse_date_time("20000229")->day_ns, 951'782'400 * ns_per_second);
  EXPECT_EQ(parse_time_of_day("09:01:00"), 32'460 * ns_per_second);
  EXPECT_EQ(parse_time_of_day("0901"), 32'460 * ns_per_second);
}

TEST(csv_fields, rejects_impossible_dates_and_times) {
  for (auto bad : {"2013-02-29", "2012-13-01", "2012-00-10", "2012-1-3",
                   "12-01-03", "2012-01-03X", "2012-01-03 25:00", "yesterday"})
    EXPECT_FALSE(parse_date_time(bad)) << bad;
  EXPECT_FALSE(parse_time_of_day("09:60"));
  EXPECT_FALSE(parse_time_of_day("9:01"));
}

TEST(csv_fields, formats_times_back_for_reports) {
  EXPECT_EQ(format_time(865'193'280 * ns_per_second), "1997-06-01T19:28:00Z");
  EXPECT_EQ(format_time(1'767'623'460 * ns_per_second + 250'000'000),
            "2026-01-05T14:31:00.250000000Z");
}

TEST(csv_fields, splits_quoted_fields_and_trims_them) {
  fields f;
  split(R"(199706011928,1,"ANZM, Ltd",24.8, 25 ,0)", f);
  ASSERT_EQ(f.count, 6u);
  EXPECT_EQ(f.at[2], "ANZM, Ltd");
  EXPECT_EQ(f.at[4], "25");
  split(",Open", f);
  ASSERT_EQ(f.count, 2u);
  EXPECT_EQ(f.at[0], "");
}

TEST(csv_fields, validates_utf8) {
  EXPECT_TRUE(valid_utf8("plain"));
  EXPECT_TRUE(valid_utf8("Z\xC3\xBCrich \xE2\x82\xAC \xF0\x9F\x93\x88"));
  EXPECT_FALSE(valid_utf8("\xFF"));
  EXPECT_FALSE(valid_utf8("caf\xE9"));           // Latin-1
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(valid_utf8("\xE2\x82"));          // truncated
}

TEST(csv_fields, multiplies_and_divides_with_rounding_half_away_from_zero) {
  EXPECT_EQ(mul_div_round(92'842'857, 1, 7), 13'263'265);
  EXPECT_EQ(mul_div_round(5, 1, 2), 3);
  EXPECT_EQ(mul_div_round(-5, 1, 2), -3);
  EXPECT_EQ(mul_div_round(2'179'012, 1'883'304, 2'117'284), 1'938'210);
}
