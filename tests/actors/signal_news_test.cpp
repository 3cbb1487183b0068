// The signal actor's extra indicators and its reading of news, as plain
// functions over its state.

#include <gtest/gtest.h>

#include <cmath>

#include "actors/indicator_catalog.hpp"
#include "actors/news_events.hpp"
#include "actors/signal.hpp"
#include "messages/msg_builder.hpp"

using namespace osprey;

namespace {

constexpr int64_t minute = 60'000'000'000;

msg bar(msg_builder& b, double open, double high, double low, double close, int64_t volume,
        int64_t ts = 0) {
  return b.bar({1, ts, ts}, symbol_id{0}, 60, price::from_dollars(open),
               price::from_dollars(high), price::from_dollars(low), price::from_dollars(close),
               quantity::of_shares(volume));
}

std::shared_ptr<const news_reader> reader() {
  std::string error;
  auto lex = sentiment::lexicon::parse("good\t1.9\t0\t[]\ngreat\t3.1\t0\t[]\nbad\t-2.5\t0\t[]\n",
                                       "test lexicon", error);
  EXPECT_TRUE(lex) << error;
  return std::make_shared<const news_reader>(
    news_reader{sentiment::analyzer::finance_model(std::move(*lex)),
                sentiment::ticker_universe{{{"AAPL", {"Apple"}, false}}}});
}

signal_state news_state() {
  signal_state st;
  st.reader.emplace(*reader());
  st.symbol_ids = {{"AAPL", 0}, {"MSFT", 1}};
  return st;
}

msg news(msg_builder& b, int64_t ts, std::string_view id, std::string_view headline,
         std::vector<std::string_view> symbols) {
  return b.news({7, ts, ts}, id, headline, "", symbols, "test");
}

} // namespace

TEST(signal_extras, a_signal_carries_the_configured_indicators_in_list_order) {
  signal_params p;
  p.extra = ind::parse_indicator_list("sma:2,gap");
  symbol_indicators ind{p};
  msg_builder b;
  update_indicators(ind, *bar(b, 10, 11, 9, 10, 100).as<fb::Bar>());
  auto v = update_indicators(ind, *bar(b, 12, 13, 11, 12, 100).as<fb::Bar>());
  ASSERT_EQ(v.extra.size(), 2u);
  EXPECT_DOUBLE_EQ(v.extra[0], 11.0);       // (10 + 12) / 2
  EXPECT_DOUBLE_EQ(v.extra[1], 20.0);       // opened 12 after closing 10
  auto m = b.signal({}, symbol_id{0}, v);
  auto s = m.as<fb::Signal>();
  ASSERT_NE(s->values(), nullptr);
  ASSERT_EQ(s->values()->size(), 2u);
  EXPECT_DOUBLE_EQ(s->values()->Get(0), 11.0);
  EXPECT_DOUBLE_EQ(s->values()->Get(1), 20.0);
}

TEST(signal_extras, without_extras_a_signal_has_no_values_vector) {
  signal_params p;
  symbol_indicators ind{p};
  msg_builder b;
  auto v = update_indicators(ind, *bar(b, 10, 11, 9, 10, 100).as<fb::Bar>());
  EXPECT_TRUE(v.extra.empty());
  EXPECT_EQ(b.signal({}, symbol_id{0}, v).as<fb::Signal>()->values(), nullptr);
}

TEST(signal_extras, extras_warm_up_as_nan) {
  signal_params p;
  p.extra = ind::parse_indicator_list("rsi:14");
  symbol_indicators ind{p};
  msg_builder b;
  auto v = update_indicators(ind, *bar(b, 10, 11, 9, 10, 100).as<fb::Bar>());
  ASSERT_EQ(v.extra.size(), 1u);
  EXPECT_TRUE(std::isnan(v.extra[0]));
}

TEST(signal_news, an_item_becomes_one_reading_per_traded_symbol_it_names) {
  auto st = news_state();
  msg_builder b;
  auto out = read_news(st, news(b, minute, "n1", "Apple beats estimates, great quarter",
                                {"AAPL", "MSFT", "ZZZZ"}));
  ASSERT_EQ(out.size(), 2u); // ZZZZ is not traded
  auto a = out[0].as<fb::NewsSentiment>();
  auto m = out[1].as<fb::NewsSentiment>();
  ASSERT_TRUE(a && m);
  EXPECT_EQ(a->symbol(), 0u);
  EXPECT_EQ(m->symbol(), 1u);
  EXPECT_EQ(a->news_id()->str(), "n1");
  EXPECT_GT(a->compound(), 0.3);
  EXPECT_NEAR(a->positive() + a->neutral() + a->negative(), 1.0, 1e-9);
  auto beat = 1u << static_cast<unsigned>(sentiment::event_tag::earnings_beat);
  EXPECT_EQ(a->events() & beat, beat);
  EXPECT_EQ(a->bullish_events(), 1);
  EXPECT_EQ(a->bearish_events(), 0);
  EXPECT_EQ(a->mentions(), 1u);
  EXPECT_DOUBLE_EQ(a->sentiment(), a->compound());
  // The reading traces back to the news item.
  EXPECT_EQ(out[0].seq(), 7u);
  EXPECT_EQ(out[0].ts_event(), minute);
}

TEST(signal_news, the_narrative_accumulates_per_symbol) {
  auto st = news_state();
  msg_builder b;
  read_news(st, news(b, minute, "n1", "good news", {"AAPL"}));
  auto out = read_news(st, news(b, 2 * minute, "n2", "bad news", {"AAPL"}));
  ASSERT_EQ(out.size(), 1u);
  auto n = out[0].as<fb::NewsSentiment>();
  EXPECT_EQ(n->mentions(), 2u);
  EXPECT_LT(n->compound(), 0);
  // The window's mean of one good and one bad headline.
  auto good = st.reader->model.score("good news").compound;
  auto bad = st.reader->model.score("bad news").compound;
  EXPECT_NEAR(n->sentiment(), (good + bad) / 2, 1e-12);
  EXPECT_EQ(st.news, 2u);
}

TEST(signal_news, an_item_without_symbols_is_matched_by_company_name) {
  auto st = news_state();
  msg_builder b;
  auto out = read_news(st, news(b, minute, "n3", "Apple opens a great new store", {}));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].as<fb::NewsSentiment>()->symbol(), 0u);
}

TEST(signal_news, items_about_nothing_traded_are_counted_not_read) {
  auto st = news_state();
  msg_builder b;
  EXPECT_TRUE(read_news(st, news(b, minute, "n4", "Weather is good", {})).empty());
  EXPECT_TRUE(read_news(st, news(b, minute, "n5", "good", {"ZZZZ"})).empty());
  EXPECT_EQ(st.news_unknown_symbols, 2u);
}

TEST(signal_news, without_a_reader_news_is_ignored) {
  signal_state st;
  st.symbol_ids = {{"AAPL", 0}};
  msg_builder b;
  EXPECT_TRUE(read_news(st, news(b, minute, "n1", "good", {"AAPL"})).empty());
}

TEST(signal_news, recovery_rebuilds_the_narrative_from_the_journaled_news) {
  auto live = news_state();
  auto recovered = news_state();
  msg_builder b;
  std::vector<msg> journal = {news(b, minute, "n1", "good", {"AAPL"}),
                              news(b, 2 * minute, "n2", "great", {"AAPL"})};
  for (auto& m : journal) {
    read_news(live, m);
    recover(recovered, m);
  }
  auto next = news(b, 3 * minute, "n3", "bad", {"AAPL"});
  auto a = read_news(live, next);
  auto r = read_news(recovered, next);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(a[0].as<fb::NewsSentiment>()->mentions(), 3u);
  EXPECT_DOUBLE_EQ(a[0].as<fb::NewsSentiment>()->sentiment(),
                   r[0].as<fb::NewsSentiment>()->sentiment());
  EXPECT_EQ(r[0].as<fb::NewsSentiment>()->mentions(), 3u);
}
