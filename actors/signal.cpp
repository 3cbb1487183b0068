#include "actors/signal.hpp"

#include <algorithm>

#include "actors/news_events.hpp"

namespace osprey {

symbol_indicators::symbol_indicators(const signal_params& p)
  : sma(p.sma_period),
    ema(p.ema_period),
    rsi(p.rsi_period),
    avg_volume(p.volume_period),
    high(p.high_period),
    low(p.low_period),
    extra(p.extra),
    extra_values(extra.width(), ind::not_ready),
    breakout(p.breakout_fields) {
  // nop
}

signal_values update_indicators(symbol_indicators& ind, const bar_fields& bar, int64_t session) {
  signal_values v;
  v.open = price{bar.open};
  v.high = price{bar.high};
  v.low = price{bar.low};
  v.close = price{bar.close};
  v.volume = quantity::from_nanos(bar.volume);
  auto close = static_cast<double>(bar.close) / micros_per_dollar;
  if (ind.breakout) {
    // Levels of the preceding bars, read before this bar enters the windows.
    v.ready = ind.high.ready() && ind.low.ready() && ind.avg_volume.ready();
    v.high_n = price{ind.high.ready() ? static_cast<int64_t>(ind.high.value()) : 0};
    v.low_m = price{ind.low.ready() ? static_cast<int64_t>(ind.low.value()) : 0};
    v.avg_volume = ind.avg_volume.value();
    ind.sma.update(close);
    ind.ema.update(close);
    ind.rsi.update(close);
    ind.avg_volume.update(shares_from_nanos(bar.volume));
    ind.high.update(static_cast<double>(bar.high));
    ind.low.update(static_cast<double>(bar.low));
    v.sma = ind.sma.value();
    v.ema = ind.ema.value();
    v.rsi = ind.rsi.value();
  }
  if (!ind.extra.empty()) {
    auto dollars = [](int64_t micros) { return static_cast<double>(micros) / micros_per_dollar; };
    ind::bar_input in{dollars(bar.open), dollars(bar.high), dollars(bar.low), close,
                      shares_from_nanos(bar.volume)};
    ind.extra.update(in, session, ind.extra_values.data());
    v.extra = ind.extra_values;
  }
  return v;
}

symbol_indicators& signal_state::indicators(uint32_t symbol) {
  while (symbols.size() <= symbol)
    symbols.emplace_back(params);
  return symbols[symbol];
}

namespace {

/// The traded symbols an item names: its symbol list, else the tickers in
/// its headline. Each once, in the order named.
void named_symbols(signal_state& st, const fb::NewsItem& item, std::vector<uint32_t>& out) {
  auto take = [&](std::string_view name) {
    auto it = st.symbol_ids.find(std::string{name});
    if (it != st.symbol_ids.end() && std::find(out.begin(), out.end(), it->second) == out.end())
      out.push_back(it->second);
  };
  if (item.symbols() && item.symbols()->size() > 0) {
    for (auto s : *item.symbols())
      take(s->string_view());
    return;
  }
  for (auto& hit : st.reader->universe.extract(item.headline()->string_view()))
    take(hit.symbol);
}

} // namespace

std::vector<msg> read_news(signal_state& st, const msg& m) {
  std::vector<msg> out;
  auto item = m.as<fb::NewsItem>();
  if (!item || !st.reader)
    return out;
  ++st.news;
  std::vector<uint32_t> symbols;
  named_symbols(st, *item, symbols);
  if (symbols.empty()) {
    ++st.news_unknown_symbols;
    return out;
  }
  auto headline = item->headline()->string_view();
  auto scores = st.reader->model.score(headline);
  news_sentiment_values v;
  v.news_id = item->id() ? item->id()->string_view() : std::string_view{};
  v.compound = scores.compound;
  v.positive = scores.pos;
  v.neutral = scores.neu;
  v.negative = scores.neg;
  for (auto& hit : sentiment::detect_events(headline)) {
    v.events |= 1u << static_cast<unsigned>(hit.tag);
    auto d = sentiment::direction(hit.tag);
    v.bullish_events += d > 0;
    v.bearish_events += d < 0;
  }
  for (auto sym : symbols) {
    st.narrative.mention(sym, m.ts_event(), scores.compound);
    auto n = st.narrative.metrics(sym, m.ts_event());
    v.mentions = n.mentions_window;
    v.velocity = n.velocity;
    v.sentiment = n.sentiment;
    v.sentiment_trend = n.sentiment_trend;
    v.trending = n.trending;
    out.push_back(st.builder.news_sentiment(stamp::caused_by(m), symbol_id{sym}, v));
  }
  return out;
}

msg signal_batch_of(signal_state& st, const msg& m) {
  auto batch = m.as<fb::BarBatch>();
  st.batch_rows.clear();
  st.batch_values.clear();
  uint32_t width = 0;
  for (auto row : *batch->bars()) {
    ++st.bars;
    auto& ind = st.indicators(row->symbol());
    auto v = update_indicators(ind, fields_of(*row), session_of(row->ts_event()));
    st.batch_rows.emplace_back(row->seq(), row->ts_event(), row->symbol(), v.ready,
                               v.open.micros, v.high.micros, v.low.micros, v.close.micros, v.volume.nanos, v.high_n.micros,
                               v.low_m.micros, v.sma, v.ema, v.rsi, v.avg_volume);
    width = static_cast<uint32_t>(v.extra.size());
    st.batch_values.insert(st.batch_values.end(), v.extra.begin(), v.extra.end());
  }
  ++st.batches;
  st.batch_width = width;
  return st.builder.signal_batch(stamp::caused_by(m), st.batch_rows, width, st.batch_values);
}

namespace {

void update_only(signal_routes& r) {
  r.only = r.rest;
  for (auto o : r.owner)
    if (o != r.rest)
      r.only = signal_routes::nobody;
}

} // namespace

void add_route(signal_routes& r, uint16_t who, std::span<const uint32_t> symbols, uint32_t known) {
  if (r.owner.size() < known)
    r.owner.resize(known, r.rest);
  if (symbols.empty()) {
    for (auto& o : r.owner)
      if (o == signal_routes::nobody)
        o = who;
    r.rest = who;
  }
  for (auto s : symbols) {
    if (r.owner.size() <= s)
      r.owner.resize(size_t{s} + 1, r.rest);
    r.owner[s] = who;
  }
  update_only(r);
}

void remove_route(signal_routes& r, uint16_t who) {
  for (auto& o : r.owner)
    if (o == who)
      o = signal_routes::nobody;
  if (r.rest == who)
    r.rest = signal_routes::nobody;
  update_only(r);
}

msg owned_rows(signal_state& st, uint16_t who, stamp s) {
  st.part_rows.clear();
  st.part_values.clear();
  auto width = st.batch_width;
  for (size_t i = 0; i < st.batch_rows.size(); ++i) {
    auto& row = st.batch_rows[i];
    if (st.routes.owner_of(row.symbol()) != who)
      continue;
    st.part_rows.push_back(row);
    auto first = st.batch_values.begin() + static_cast<ptrdiff_t>(i * width);
    st.part_values.insert(st.part_values.end(), first, first + width);
  }
  if (st.part_rows.empty())
    return {};
  return st.builder.signal_batch(s, st.part_rows, width, st.part_values);
}

void add_strategy_route(signal_state& st, msg_actor strategy, std::span<const uint32_t> symbols) {
  if (!strategy)
    return;
  auto known = static_cast<uint32_t>(std::max(st.symbol_ids.size(), st.symbols.size()));
  auto at = std::find(st.strategies.begin(), st.strategies.end(), strategy);
  if (at == st.strategies.end())
    at = std::find(st.strategies.begin(), st.strategies.end(), msg_actor{});
  if (at == st.strategies.end())
    at = st.strategies.insert(st.strategies.end(), msg_actor{});
  *at = std::move(strategy);
  add_route(st.routes, static_cast<uint16_t>(at - st.strategies.begin()), symbols, known);
}

void remove_strategy_route(signal_state& st, const msg_actor& strategy) {
  if (!strategy)
    return;
  auto at = std::find(st.strategies.begin(), st.strategies.end(), strategy);
  if (at == st.strategies.end())
    return;
  remove_route(st.routes, static_cast<uint16_t>(at - st.strategies.begin()));
  *at = msg_actor{};
}

void recover(signal_state& st, const msg& record) {
  if (record.seq() == 0)
    return;
  if (record.type() == fb::Payload::BarBatch) {
    signal_batch_of(st, record);
    return;
  }
  if (record.type() == fb::Payload::NewsItem) {
    read_news(st, record);
    return;
  }
  auto bar = record.as<fb::Bar>();
  if (!bar)
    return;
  ++st.bars;
  update_indicators(st.indicators(bar->symbol()), *bar, session_of(record.ts_event()));
}

namespace {

/// Sends `out`, about `symbol`, to the strategy that owns the symbol.
void route(signal_actor::stateful_pointer<signal_state> self, uint32_t symbol, const msg& out) {
  auto& st = self->state;
  auto who = st.routes.owner_of(symbol);
  if (who == signal_routes::nobody) {
    ++st.unrouted;
    return;
  }
  self->send(st.strategies[who], out);
}

/// Sends a batch's signals: whole to a strategy owning every symbol, else
/// each owning strategy its own rows.
void route_batch(signal_actor::stateful_pointer<signal_state> self, const msg& out) {
  auto& st = self->state;
  if (st.routes.only != signal_routes::nobody) {
    self->send(st.strategies[st.routes.only], out);
    return;
  }
  for (size_t who = 0; who < st.strategies.size(); ++who) {
    if (!st.strategies[who])
      continue;
    if (auto part = owned_rows(st, static_cast<uint16_t>(who), stamp::caused_by(out)))
      self->send(st.strategies[who], part);
  }
}

} // namespace

signal_actor::behavior_type
signal(signal_actor::stateful_pointer<signal_state> self,
       signal_settings settings) {
  auto& st = self->state;
  st.params = settings.params;
  st.narrative = narrative_tracker{settings.params.narrative};
  for (uint32_t i = 0; i < settings.symbols.size(); ++i)
    st.symbol_ids.emplace(settings.symbols[i], i);
  if (settings.news)
    st.reader.emplace(*settings.news);
  if (settings.recovered)
    for (auto& m : *settings.recovered)
      recover(self->state, m);
  add_strategy_route(st, settings.strategy, {});
  for (auto& r : settings.routes)
    add_strategy_route(st, r.strategy, r.symbols);
  auto journal = settings.journal;
  return {
    [self, journal](const msg& m) {
      auto& st = self->state;
      if (m.type() == fb::Payload::BarBatch) {
        auto out = signal_batch_of(st, m);
        route_batch(self, out);
        if (journal)
          journal->push(out);
        return;
      }
      auto bar = m.as<fb::Bar>();
      if (!bar) {
        for (auto& out : read_news(st, m)) {
          route(self, out.as<fb::NewsSentiment>()->symbol(), out);
          if (journal)
            journal->push(out);
        }
        return;
      }
      ++st.bars;
      auto values = update_indicators(st.indicators(bar->symbol()), *bar,
                                      session_of(m.ts_event()));
      auto out = st.builder.signal(stamp::caused_by(m), symbol_id{bar->symbol()},
                                   values);
      route(self, bar->symbol(), out);
      if (journal)
        journal->push(out);
    },
    [self](add_route_atom, msg_actor strategy, const std::vector<uint32_t>& symbols) {
      add_strategy_route(self->state, std::move(strategy), symbols);
    },
    [self](remove_route_atom, const msg_actor& strategy) {
      remove_strategy_route(self->state, strategy);
    },
  };
}

} // namespace osprey
