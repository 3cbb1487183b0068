#include <gtest/gtest.h>

#include "runtime/config.hpp"
#include "../support/config_errors.hpp"

using namespace osprey;

using test::config_error_of;

TEST(config, the_demo_file_equals_the_built_in_defaults) {
  auto c = load_config(std::string{OSPREY_SOURCE_DIR} + "/configs/demo.toml");
  auto d = default_config();
  EXPECT_EQ(c.market.symbols, d.market.symbols);
  EXPECT_EQ(c.market.seed, d.market.seed);
  EXPECT_EQ(c.broker.latency_ns, d.broker.latency_ns);
  EXPECT_EQ(c.broker.commission_per_share, d.broker.commission_per_share);
  EXPECT_EQ(c.risk.max_order_notional, d.risk.max_order_notional);
  EXPECT_EQ(c.risk.rate_window_ns, d.risk.rate_window_ns);
  EXPECT_EQ(c.risk.max_net_exposure, d.risk.max_net_exposure);
  EXPECT_EQ(c.risk.max_cancels_per_window, d.risk.max_cancels_per_window);
  EXPECT_EQ(c.risk.cancel_window_ns, d.risk.cancel_window_ns);
  EXPECT_EQ(c.risk.duplicate_window_ns, d.risk.duplicate_window_ns);
  EXPECT_EQ(c.risk.allow_short_selling, d.risk.allow_short_selling);
  EXPECT_EQ(c.risk.trading_hours, d.risk.trading_hours);
  EXPECT_EQ(c.risk.market_open_ns, d.risk.market_open_ns);
  EXPECT_EQ(c.risk.market_close_ns, d.risk.market_close_ns);
  EXPECT_EQ(c.risk.auction_window_ns, d.risk.auction_window_ns);
  EXPECT_EQ(c.risk.starting_cash, d.risk.starting_cash);
  EXPECT_EQ(c.risk.starting_cash, d.orders.starting_cash);
  EXPECT_EQ(c.risk.margin_multiplier, d.risk.margin_multiplier);
  EXPECT_EQ(c.risk.daily_loss_soft, d.risk.daily_loss_soft);
  EXPECT_EQ(c.risk.daily_loss_hard, d.risk.daily_loss_hard);
  EXPECT_EQ(c.risk.drawdown_soft, d.risk.drawdown_soft);
  EXPECT_EQ(c.risk.drawdown_hard, d.risk.drawdown_hard);
  EXPECT_EQ(c.risk.flatten_on_halt, d.risk.flatten_on_halt);
  EXPECT_EQ(c.orders.starting_cash, d.orders.starting_cash);
  EXPECT_EQ(c.strategy.position_notional, d.strategy.position_notional);
  EXPECT_EQ(c.scheduler.profile, d.scheduler.profile);
  EXPECT_EQ(c.journal_path, d.journal_path);
  EXPECT_EQ(c.signal.narrative.window_ns, d.signal.narrative.window_ns);
  EXPECT_EQ(c.signal.narrative.baseline_ns, d.signal.narrative.baseline_ns);
  EXPECT_EQ(c.signal.narrative.trending_min_mentions, d.signal.narrative.trending_min_mentions);
  EXPECT_EQ(c.signal.extra.size(), d.signal.extra.size());
  EXPECT_EQ(c.strategy.min_news_sentiment, d.strategy.min_news_sentiment);
}

TEST(config, reads_values_into_the_structs) {
  auto c = parse_config(R"(
[scheduler]
workers = 1
profile = "spin"
implementation = "caf"
[risk]
max_order_notional = 1234.5
rate_window = "250ms"
[market]
symbols = ["IBM"]
)", "x.toml");
  EXPECT_EQ(c.scheduler.workers, 1u);
  EXPECT_EQ(c.scheduler.profile, latency_profile::spin);
  EXPECT_EQ(c.scheduler.kind, scheduler_kind::caf);
  EXPECT_EQ(c.risk.max_order_notional, money{1'234'500'000});
  EXPECT_EQ(c.risk.rate_window_ns, 250'000'000);
  EXPECT_EQ(c.market.symbols, std::vector<std::string>{"IBM"});
}

TEST(config, reads_the_risk_account_modes_and_hours) {
  auto c = parse_config(R"(
[risk]
max_net_exposure = 500000.0
max_cancels_per_window = 7
cancel_window = "2s"
duplicate_window = "250ms"
allow_short_selling = true
trading_hours = true
market_open = "13:30"
market_close = "20:00:30"
auction_window = "5m"
margin_multiplier = 4
daily_loss_soft = 1000.0
daily_loss_hard = 2000.5
drawdown_soft = 0
drawdown_hard = 3000.0
flatten_on_halt = true
)", "x.toml");
  auto s = int64_t{1'000'000'000};
  EXPECT_EQ(c.risk.max_net_exposure, money{500'000 * micros_per_dollar});
  EXPECT_EQ(c.risk.max_cancels_per_window, 7u);
  EXPECT_EQ(c.risk.cancel_window_ns, 2 * s);
  EXPECT_EQ(c.risk.duplicate_window_ns, 250'000'000);
  EXPECT_TRUE(c.risk.allow_short_selling);
  EXPECT_TRUE(c.risk.trading_hours);
  EXPECT_EQ(c.risk.market_open_ns, (13 * 3600 + 30 * 60) * s);
  EXPECT_EQ(c.risk.market_close_ns, (20 * 3600 + 30) * s);
  EXPECT_EQ(c.risk.auction_window_ns, 300 * s);
  EXPECT_EQ(c.risk.margin_multiplier, 4);
  EXPECT_EQ(c.orders.margin_multiplier, 4); // one account, one multiplier
  EXPECT_EQ(c.risk.daily_loss_soft, money{1'000 * micros_per_dollar});
  EXPECT_EQ(c.risk.daily_loss_hard, money{2'000'500'000});
  EXPECT_EQ(c.risk.drawdown_soft, money{});
  EXPECT_EQ(c.risk.drawdown_hard, money{3'000 * micros_per_dollar});
  EXPECT_TRUE(c.risk.flatten_on_halt);
}

TEST(config, a_risk_switch_must_be_true_or_false) {
  auto e = config_error_of("[risk]\nflatten_on_halt = \"yes\"\n");
  EXPECT_EQ(e, "test.toml:2: risk.flatten_on_halt: expected true or false");
}

TEST(config, a_market_time_must_be_a_time_of_day) {
  EXPECT_EQ(config_error_of("[risk]\nmarket_open = \"9:30am\"\n"),
            "test.toml:2: risk.market_open: expected a UTC time of day such as "
            "\"14:30\"");
  EXPECT_EQ(config_error_of("[risk]\n\nmarket_close = \"24:00\"\n"),
            "test.toml:3: risk.market_close: expected a UTC time of day such as "
            "\"14:30\"");
  EXPECT_EQ(config_error_of("[risk]\nmarket_close = 1600\n"),
            "test.toml:2: risk.market_close: expected a UTC time of day such as "
            "\"14:30\"");
}

TEST(config, a_margin_multiplier_out_of_range_says_the_range) {
  auto e = config_error_of("[risk]\nmargin_multiplier = 11\n");
  EXPECT_EQ(e, "test.toml:2: risk.margin_multiplier: must be between 0 and 10, "
               "got 11");
}

TEST(config, a_misspelt_risk_key_is_refused) {
  auto e = config_error_of("[risk]\ndaily_los_hard = 10.0\n");
  EXPECT_EQ(e, "test.toml:2: risk.daily_los_hard: unknown key");
}

TEST(config, a_syntax_error_names_file_and_line) {
  auto e = config_error_of("[risk]\nmax_position = 10\nmax_order_quantity = = 3\n");
  EXPECT_EQ(e.rfind("test.toml:3: ", 0), 0u) << e;
}

TEST(config, an_unknown_key_names_file_line_and_key) {
  auto e = config_error_of("[risk]\nmax_position = 10\nmax_postion = 10\n");
  EXPECT_EQ(e, "test.toml:3: risk.max_postion: unknown key");
}

TEST(config, an_unknown_section_is_refused) {
  auto e = config_error_of("[rsik]\nmax_position = 10\n");
  EXPECT_EQ(e, "test.toml:1: rsik: unknown key");
}

TEST(config, a_wrong_type_names_the_key) {
  auto e = config_error_of("[risk]\n\nmax_position = \"lots\"\n");
  EXPECT_EQ(e, "test.toml:3: risk.max_position: expected a number");
}

TEST(config, an_out_of_range_value_says_the_range) {
  auto e = config_error_of("[strategy]\ntrailing_stop = 1.5\n");
  EXPECT_NE(e.find("test.toml:2: strategy.trailing_stop: must be between"),
            std::string::npos) << e;
}

TEST(config, a_bad_duration_is_explained) {
  auto e = config_error_of("[broker]\nlatency = \"fast\"\n");
  EXPECT_NE(e.find("test.toml:2: broker.latency: not a duration: \"fast\""),
            std::string::npos) << e;
}

TEST(config, a_bad_choice_lists_the_options) {
  auto e = config_error_of("[scheduler]\nprofile = \"turbo\"\n");
  EXPECT_EQ(e, "test.toml:2: scheduler.profile: expected one of \"efficient\", "
               "\"spin\", \"deterministic\"");
}

TEST(config, the_scheduler_is_osprey_s_unless_told) {
  EXPECT_EQ(parse_config("", "x.toml").scheduler.kind, scheduler_kind::osprey);
  auto e = config_error_of("[scheduler]\nimplementation = \"fast\"\n");
  EXPECT_EQ(e, "test.toml:2: scheduler.implementation: expected one of \"osprey\", \"caf\"");
}

TEST(config, an_empty_symbol_list_is_refused) {
  auto e = config_error_of("[market]\nsymbols = []\n");
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

TEST(config, the_risk_ledger_starts_from_the_order_managers_cash) {
  auto c = parse_config("[orders]\nstarting_cash = 25000.0\n", "x.toml");
  EXPECT_EQ(c.risk.starting_cash, money{25'000 * micros_per_dollar});
  EXPECT_EQ(config_error_of("[risk]\nstarting_cash = 1.0\n"),
            "test.toml:2: risk.starting_cash: unknown key");
}

TEST(config, reads_the_broker_session_and_the_journal_fsync) {
  auto c = parse_config(R"([engine]
journal_fsync = "batch"
[broker]
session_open = "13:30"
session_close = "20:00"
closing_auction = "2m"
)", "x.toml");
  auto s = int64_t{1'000'000'000};
  EXPECT_EQ(c.journal_fsync, fsync_policy::batch);
  EXPECT_EQ(c.broker.session_open_utc_ns, (13 * 3600 + 30 * 60) * s);
  EXPECT_EQ(c.broker.day_end_utc_ns, 20 * 3600 * s);
  EXPECT_EQ(c.broker.closing_auction_ns, 120 * s);
}

TEST(config, a_session_that_closes_before_it_opens_is_refused) {
  EXPECT_EQ(config_error_of("[broker]\nsession_open = \"21:30\"\n"),
            "test.toml:2: broker.session_open: the session must open before it closes");
  EXPECT_EQ(config_error_of("[engine]\njournal_fsync = \"sometimes\"\n").rfind(
              "test.toml:2: engine.journal_fsync:", 0),
            0u);
}

TEST(config, reads_the_collector_section_and_refuses_a_fractional_bar_interval) {
  auto c = parse_config("[collector]\nbar_interval = \"5m\"\nstale_after = \"30s\"\n", "x.toml");
  EXPECT_EQ(c.collector.bar_interval_ns, 300'000'000'000);
  EXPECT_EQ(c.collector.stale_after_ns, 30'000'000'000);
  EXPECT_EQ(config_error_of("[collector]\nbar_interval = \"1500ms\"\n"),
            "test.toml:2: collector.bar_interval: must be a whole number of seconds (0: off)");
}

TEST(config, reads_the_signal_extras_news_windows_and_lexicon) {
  auto c = parse_config(R"(
[signal]
indicators = "rsi:14,macd:12:26:9"
news_window = "30m"
news_baseline = "2h"
trending_velocity = 4
trending_min_mentions = 3
lexicon = "/opt/vader.txt"
[strategy]
min_news_sentiment = -0.25
)",
                        "test.toml");
  ASSERT_EQ(c.signal.extra.size(), 2u);
  EXPECT_EQ(c.signal.extra[1].columns[2], "macd_12_26_9_hist");
  EXPECT_EQ(c.signal.narrative.window_ns, 1'800'000'000'000);
  EXPECT_EQ(c.signal.narrative.baseline_ns, 7'200'000'000'000);
  EXPECT_DOUBLE_EQ(c.signal.narrative.trending_velocity, 4);
  EXPECT_EQ(c.signal.narrative.trending_min_mentions, 3u);
  EXPECT_EQ(c.sentiment_lexicon, "/opt/vader.txt");
  EXPECT_DOUBLE_EQ(c.strategy.min_news_sentiment, -0.25);
}

TEST(config, a_bad_indicator_list_names_the_entry_and_the_line) {
  auto e = config_error_of("[signal]\n\nindicators = \"rsi:14,foo:2\"\n");
  EXPECT_EQ(e.rfind("test.toml:3: signal.indicators: foo:2: unknown indicator \"foo\" (known: sma ",
                    0),
            0u)
    << e;
  EXPECT_EQ(config_error_of("[signal]\nindicators = 14\n"),
            "test.toml:2: signal.indicators: expected a string such as \"rsi:14,macd:12:26:9\"");
  EXPECT_EQ(config_error_of("[signal]\nnews_window = \"0s\"\n"),
            "test.toml:2: signal.news_window: must be positive");
}

TEST(config, reads_the_universe_of_company_names) {
  auto c = parse_config("[universe]\nAAPL = [\"Apple\", \"Apple Inc.\"]\nMSFT = [\"Microsoft\"]\n",
                        "test.toml");
  ASSERT_EQ(c.universe.size(), 2u);
  EXPECT_EQ(c.universe[0].symbol, "AAPL");
  EXPECT_EQ(c.universe[0].names, (std::vector<std::string>{"Apple", "Apple Inc."}));
  EXPECT_EQ(config_error_of("[universe]\nAAPL = \"Apple\"\n"),
            "test.toml:2: universe.AAPL: expected an array of company names, such as "
            "[\"Apple\", \"Apple Inc.\"]");
  EXPECT_EQ(config_error_of("[universe]\nAAPL = [\"\"]\n"),
            "test.toml:2: universe.AAPL: expected a non-empty string");
}

TEST(config, reads_a_replay_column_mapping) {
  auto c = parse_config(R"(
[replay]
batch = 500
symbol = "SPY"
daily_close = "20:00"
utc_offset = "5h"
utc_offset_sign = "-"
adjust_dividends = true
splits = "never"
has_header = false
[replay.columns]
layout = "bars"
date = 0
time = 1
open = 2
high = 3
low = 4
close = 5
volume = 6
)",
                        "test.toml");
  EXPECT_EQ(c.replay.symbol, "SPY");
  EXPECT_EQ(c.replay_batch, 500u);
  EXPECT_EQ(c.replay.daily_close_ns, 20LL * 3'600'000'000'000);
  EXPECT_EQ(c.replay.utc_offset_ns, -5LL * 3'600'000'000'000);
  EXPECT_TRUE(c.replay.adjust_dividends);
  EXPECT_FALSE(c.replay.has_header);
  EXPECT_EQ(c.replay.splits, split_adjustment::never);
  ASSERT_TRUE(c.replay.columns);
  EXPECT_EQ(c.replay.columns->time, 1);
  EXPECT_EQ(c.replay.columns->volume, 6);
  EXPECT_EQ(c.replay.columns->adj_close, -1);
}

TEST(config, a_replay_mapping_without_its_key_columns_is_refused) {
  EXPECT_EQ(config_error_of("[replay]\n[replay.columns]\nlayout = \"bars\"\ndate = 0\nopen = 1\n"),
            "test.toml:2: replay.columns: the mapping needs the close column");
  EXPECT_EQ(config_error_of("[replay]\n[replay.columns]\nlayout = \"quotes\"\ndate = 0\nbid = 1\n"),
            "test.toml:2: replay.columns: the mapping needs the ask column");
  EXPECT_EQ(config_error_of("[replay.columns]\ndate = 0\nclose = 1\nvolum = 2\n"),
            "test.toml:4: replay.columns.volum: unknown key");
}

TEST(config, settings_from_the_command_line_go_over_the_file_and_name_themselves) {
  auto c = parse_config("[strategy]\nvolume_factor = 3.0\n", "test.toml",
                        {"strategy.volume_factor=2", "signal.indicators=rsi:14",
                         "broker.bar_fills=next_close", "risk.allow_short_selling=true"});
  EXPECT_DOUBLE_EQ(c.strategy.volume_factor, 2);
  ASSERT_EQ(c.signal.extra.size(), 1u);
  EXPECT_EQ(c.broker.bar_fills, bar_fill::next_close);
  EXPECT_TRUE(c.risk.allow_short_selling);
  auto e = [](std::string o) {
    try {
      parse_config("", "test.toml", {o});
    } catch (const config_error& x) {
      return std::string{x.what()};
    }
    return std::string{"(no error)"};
  };
  EXPECT_EQ(e("strategy.volume_factor=5000"),
            "--set strategy.volume_factor: must be between "
            "0.000000 and 1000.000000");
  EXPECT_EQ(e("volume_factor=2"),
            "--set volume_factor=2: expected SECTION.KEY=VALUE, e.g. strategy.volume_factor=2");
  EXPECT_EQ(e("strategy.volum_factor=2"), "--set strategy.volum_factor: unknown key");
}
