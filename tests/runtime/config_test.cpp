#include <gtest/gtest.h>

#include "runtime/config.hpp"

using namespace osprey;

namespace {

std::string error_of(const std::string& text) {
  try {
    parse_config(text, "test.toml");
  } catch (const config_error& e) {
    return e.what();
  }
  return "(no error)";
}

} // namespace

TEST(config, the_demo_file_equals_the_built_in_defaults) {
  auto c = load_config(std::string{OSPREY_SOURCE_DIR} + "/configs/demo.toml");
  auto d = default_config();
  EXPECT_EQ(c.market.symbols, d.market.symbols);
  EXPECT_EQ(c.market.seed, d.market.seed);
  EXPECT_EQ(c.broker.latency_ns, d.broker.latency_ns);
  EXPECT_EQ(c.broker.commission_per_share, d.broker.commission_per_share);
  EXPECT_EQ(c.risk.max_order_notional, d.risk.max_order_notional);
  EXPECT_EQ(c.risk.rate_window_ns, d.risk.rate_window_ns);
  EXPECT_EQ(c.orders.starting_cash, d.orders.starting_cash);
  EXPECT_EQ(c.strategy.position_notional, d.strategy.position_notional);
  EXPECT_EQ(c.scheduler.profile, d.scheduler.profile);
  EXPECT_EQ(c.journal_path, d.journal_path);
}

TEST(config, reads_values_into_the_structs) {
  auto c = parse_config(R"(
[scheduler]
workers = 1
profile = "spin"
[risk]
max_order_notional = 1234.5
rate_window = "250ms"
[market]
symbols = ["IBM"]
)", "x.toml");
  EXPECT_EQ(c.scheduler.workers, 1u);
  EXPECT_EQ(c.scheduler.profile, latency_profile::spin);
  EXPECT_EQ(c.risk.max_order_notional, money{1'234'500'000});
  EXPECT_EQ(c.risk.rate_window_ns, 250'000'000);
  EXPECT_EQ(c.market.symbols, std::vector<std::string>{"IBM"});
}

TEST(config, a_syntax_error_names_file_and_line) {
  auto e = error_of("[risk]\nmax_position = 10\nmax_order_quantity = = 3\n");
  EXPECT_EQ(e.rfind("test.toml:3: ", 0), 0u) << e;
}

TEST(config, an_unknown_key_names_file_line_and_key) {
  auto e = error_of("[risk]\nmax_position = 10\nmax_postion = 10\n");
  EXPECT_EQ(e, "test.toml:3: risk.max_postion: unknown key");
}

TEST(config, an_unknown_section_is_refused) {
  auto e = error_of("[rsik]\nmax_position = 10\n");
  EXPECT_EQ(e, "test.toml:1: rsik: unknown key");
}

TEST(config, a_wrong_type_names_the_key) {
  auto e = error_of("[risk]\n\nmax_position = \"lots\"\n");
  EXPECT_EQ(e, "test.toml:3: risk.max_position: expected an integer");
}

TEST(config, an_out_of_range_value_says_the_range) {
  auto e = error_of("[strategy]\ntrailing_stop = 1.5\n");
  EXPECT_NE(e.find("test.toml:2: strategy.trailing_stop: must be between"),
            std::string::npos) << e;
}

TEST(config, a_bad_duration_is_explained) {
  auto e = error_of("[broker]\nlatency = \"fast\"\n");
  EXPECT_NE(e.find("test.toml:2: broker.latency: not a duration: \"fast\""),
            std::string::npos) << e;
}

TEST(config, a_bad_choice_lists_the_options) {
  auto e = error_of("[scheduler]\nprofile = \"turbo\"\n");
  EXPECT_EQ(e, "test.toml:2: scheduler.profile: expected one of \"efficient\", "
               "\"spin\", \"deterministic\"");
}

TEST(config, an_empty_symbol_list_is_refused) {
  auto e = error_of("[market]\nsymbols = []\n");
  EXPECT_EQ(e, "test.toml:2: market.symbols: must not be empty");
}

TEST(config, a_missing_file_is_named) {
  try {
    load_config("/nonexistent/osprey.toml");
    FAIL() << "no error";
  } catch (const config_error& e) {
    EXPECT_EQ(std::string{e.what()},
              "/nonexistent/osprey.toml: cannot open the configuration file");
  }
}

TEST(config, parses_durations) {
  EXPECT_EQ(parse_duration("250ms"), 250'000'000);
  EXPECT_EQ(parse_duration("2m"), 120'000'000'000);
  EXPECT_EQ(parse_duration("1.5s"), 1'500'000'000);
  EXPECT_EQ(parse_duration("15us"), 15'000);
  EXPECT_FALSE(parse_duration("s"));
  EXPECT_FALSE(parse_duration("10 parsecs"));
  EXPECT_FALSE(parse_duration(""));
}
