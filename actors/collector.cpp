#include "actors/collector.hpp"

#include <algorithm>

namespace osprey {

namespace {

struct market_key {
  uint32_t symbol;
  size_t kind;
};

bool key_of(const msg& m, market_key& key) {
  switch (m.type()) {
    case fb::Payload::Trade:
      key = {m.as<fb::Trade>()->symbol(), 0};
      return true;
    case fb::Payload::Quote:
      key = {m.as<fb::Quote>()->symbol(), 1};
      return true;
    case fb::Payload::Bar:
      key = {m.as<fb::Bar>()->symbol(), 2};
      return true;
    default:
      return false;
  }
}

// Two events with the same time are duplicates when they say the same thing;
// the sequence number and ingress time differ between copies, so compare the
// payload fields rather than the bytes.
bool same_content(const msg& a, const msg& b) {
  switch (a.type()) {
    case fb::Payload::Trade: {
      auto x = a.as<fb::Trade>(), y = b.as<fb::Trade>();
      return x->price() == y->price() && x->size() == y->size();
    }
    case fb::Payload::Quote: {
      auto x = a.as<fb::Quote>(), y = b.as<fb::Quote>();
      return x->bid() == y->bid() && x->ask() == y->ask()
             && x->bid_size() == y->bid_size() && x->ask_size() == y->ask_size();
    }
    case fb::Payload::Bar: {
      auto x = a.as<fb::Bar>(), y = b.as<fb::Bar>();
      return x->open() == y->open() && x->high() == y->high()
             && x->low() == y->low() && x->close() == y->close()
             && x->volume() == y->volume() && x->interval_s() == y->interval_s();
    }
    default:
      return false;
  }
}

} // namespace

uint8_t market_kind_of(const msg& m) noexcept {
  switch (m.type()) {
    case fb::Payload::Trade:
      return trades;
    case fb::Payload::Quote:
      return quotes;
    case fb::Payload::Bar:
    case fb::Payload::BarBatch:
      return bars;
    case fb::Payload::NewsItem:
      return news;
    default:
      return 0;
  }
}

namespace {

/// Remembers a news id; returns false when it was already seen.
bool remember_news(collector_state& st, const std::string& id) {
  if (id.empty())
    return true; // no id: nothing to compare by
  if (st.news_seen.contains(id))
    return false;
  if (st.news_ring.size() < collector_state::news_ids_kept) {
    st.news_ring.push_back(id);
  } else {
    st.news_seen.erase(st.news_ring[st.news_next]);
    st.news_ring[st.news_next] = id;
    st.news_next = (st.news_next + 1) % collector_state::news_ids_kept;
  }
  st.news_seen.insert(id);
  return true;
}

std::string news_id(const msg& m) {
  auto n = m.as<fb::NewsItem>();
  return n && n->id() ? n->id()->str() : std::string{};
}

} // namespace

const msg* collector_state::last_event(uint32_t symbol, size_t kind) const {
  if (symbol >= last.size() || kind >= kinds || !last[symbol][kind])
    return nullptr;
  return &last[symbol][kind];
}

admission admit(collector_state& st, msg m, msg& out) {
  if (m.type() == fb::Payload::NewsItem) {
    if (!remember_news(st, news_id(m))) {
      ++st.stats.duplicates_dropped;
      return admission::duplicate;
    }
    out = msg::with_sequence(std::move(m), st.next_seq++);
    ++st.stats.accepted;
    ++st.stats.news;
    return admission::accept;
  }
  market_key key;
  if (!key_of(m, key)) {
    ++st.stats.refused;
    return admission::not_market_data;
  }
  if (key.symbol >= st.last.size())
    st.last.resize(key.symbol + 1);
  auto& prev = st.last[key.symbol][key.kind];
  if (prev) {
    if (m.ts_event() < prev.ts_event()) {
      ++st.stats.out_of_order_dropped;
      return admission::out_of_order;
    }
    if (m.ts_event() == prev.ts_event() && same_content(m, prev)) {
      ++st.stats.duplicates_dropped;
      return admission::duplicate;
    }
  }
  out = msg::with_sequence(std::move(m), st.next_seq++);
  prev = out;
  ++st.stats.accepted;
  return admission::accept;
}

namespace {

/// The later of the symbol's last Bar message and last batch row, if any.
bool previous_bar(const collector_state& st, uint32_t symbol, fb::BarRow& prev) {
  bool have = false;
  if (symbol < st.last.size() && st.last[symbol][2]) {
    auto b = st.last[symbol][2].as<fb::Bar>();
    prev = fb::BarRow{0, st.last[symbol][2].ts_event(), b->symbol(), b->interval_s(),
                      b->open(), b->high(), b->low(), b->close(), b->volume()};
    have = true;
  }
  if (symbol < st.last_rows.size() && st.last_rows[symbol].seen
      && (!have || st.last_rows[symbol].row.ts_event() > prev.ts_event())) {
    prev = st.last_rows[symbol].row;
    have = true;
  }
  return have;
}

bool same_bar(const fb::BarRow& a, const fb::BarRow& b) {
  return a.open() == b.open() && a.high() == b.high() && a.low() == b.low()
         && a.close() == b.close() && a.volume() == b.volume()
         && a.interval_s() == b.interval_s();
}

void remember_row(collector_state& st, const fb::BarRow& row) {
  if (row.symbol() >= st.last_rows.size())
    st.last_rows.resize(row.symbol() + 1);
  st.last_rows[row.symbol()] = {true, row};
}

} // namespace

admission admit_batch(collector_state& st, const msg& m, msg& out) {
  auto batch = m.as<fb::BarBatch>();
  if (!batch) {
    ++st.stats.refused;
    return admission::not_market_data;
  }
  st.batch_rows.clear();
  admission worst = admission::duplicate;
  for (auto row : *batch->bars()) {
    fb::BarRow prev;
    if (previous_bar(st, row->symbol(), prev)) {
      if (row->ts_event() < prev.ts_event()) {
        ++st.stats.out_of_order_dropped;
        worst = admission::out_of_order;
        continue;
      }
      if (row->ts_event() == prev.ts_event() && same_bar(*row, prev)) {
        ++st.stats.duplicates_dropped;
        continue;
      }
    }
    fb::BarRow stamped{st.next_seq++, row->ts_event(), row->symbol(), row->interval_s(),
                       row->open(), row->high(), row->low(), row->close(), row->volume()};
    remember_row(st, stamped);
    st.batch_rows.push_back(stamped);
  }
  if (st.batch_rows.empty())
    return worst;
  st.stats.accepted += st.batch_rows.size();
  auto& first = st.batch_rows.front();
  out = st.builder.bar_batch({first.seq(), first.ts_event(), m.ts_ingress()}, st.batch_rows);
  return admission::accept;
}

void collector_state::configure(const collector_params& p) {
  bars = bar_builder{p.bar_interval_ns};
  stale = stale_watch{};
  stale.quiet_ns = p.stale_after_ns;
  session = session_clock{};
  session.open_ns = p.session_open_ns;
  session.close_ns = p.session_close_ns;
  due.reserve(64);
  built.reserve(64);
  went_stale.reserve(64);
}

namespace {

/// Advances the bar builder and the stale watch over one accepted event;
/// fills st.due with the bars it completes.
void advance(collector_state& st, const msg& m, market_key key, std::vector<symbol_id>* stale_out) {
  auto ts = m.ts_event();
  st.due.clear();
  st.last_edge = on_time(st.session, ts);
  if (key.kind != 2) // built bars are not news of the symbol trading
    on_event(st.stale, symbol_id{key.symbol}, ts);
  if (stale_out)
    stale_symbols(st.stale, ts, *stale_out);
  if (st.bars.interval_ns <= 0)
    return;
  if (ts >= st.next_bar_close) {
    close_due(st.bars, ts, st.due);
    st.next_bar_close = (ts / st.bars.interval_ns + 1) * st.bars.interval_ns;
  }
  if (auto t = m.as<fb::Trade>())
    if (auto bar = on_trade(st.bars, symbol_id{key.symbol}, ts, price{t->price()},
                            quantity::from_nanos(t->size())))
      st.due.push_back(*bar);
}

} // namespace

void derive(collector_state& st, const msg& accepted, std::vector<msg>& bars_out,
            std::vector<symbol_id>& stale_out) {
  market_key key;
  if (!key_of(accepted, key))
    return;
  auto gaps_before = st.bars.gaps;
  auto stale_before = stale_out.size();
  advance(st, accepted, key, &stale_out);
  st.stats.bar_gaps += st.bars.gaps - gaps_before;
  st.stats.stale_reports += stale_out.size() - stale_before;
  for (auto& b : st.due) {
    auto bar = st.builder.bar({st.next_seq++, b.close_ns, accepted.ts_ingress()}, b.symbol,
                              b.interval_s, b.open, b.high, b.low, b.close, b.volume);
    if (b.symbol.value >= st.last.size())
      st.last.resize(b.symbol.value + 1);
    st.last[b.symbol.value][2] = bar;
    ++st.stats.accepted;
    ++st.stats.bars_built;
    bars_out.push_back(std::move(bar));
  }
}

void derive_batch(collector_state& st, const msg& accepted, std::vector<symbol_id>& stale_out) {
  auto stale_before = stale_out.size();
  st.last_edge = session_edge::none;
  int64_t last_ts = accepted.ts_event();
  for (auto row : *accepted.as<fb::BarBatch>()->bars()) {
    // The first session edge the batch crosses is the one reported.
    auto edge = on_time(st.session, row->ts_event());
    if (st.last_edge == session_edge::none)
      st.last_edge = edge;
    on_event(st.stale, symbol_id{row->symbol()}, row->ts_event());
    last_ts = row->ts_event();
  }
  stale_symbols(st.stale, last_ts, stale_out);
  st.stats.stale_reports += stale_out.size() - stale_before;
}

void recover(collector_state& st, const msg& record) {
  if (auto h = record.as<fb::Health>()) {
    if (h->component()->string_view() == "collector") {
      st.stats.duplicates_dropped = h->duplicates_dropped();
      st.stats.out_of_order_dropped = h->out_of_order_dropped();
    }
    return;
  }
  if (record.type() == fb::Payload::NewsItem && record.seq() != 0) {
    remember_news(st, news_id(record));
    st.next_seq = std::max(st.next_seq, record.seq() + 1);
    ++st.stats.accepted;
    ++st.stats.news;
    return;
  }
  if (auto batch = record.as<fb::BarBatch>(); batch && record.seq() != 0) {
    for (auto row : *batch->bars()) {
      remember_row(st, *row);
      st.next_seq = std::max(st.next_seq, row->seq() + 1);
      ++st.stats.accepted;
      on_time(st.session, row->ts_event());
      on_event(st.stale, symbol_id{row->symbol()}, row->ts_event());
    }
    return;
  }
  market_key key;
  // Only events the collector sequenced: derived messages have other types.
  if (!key_of(record, key) || record.seq() == 0)
    return;
  if (key.symbol >= st.last.size())
    st.last.resize(key.symbol + 1);
  st.last[key.symbol][key.kind] = record;
  st.next_seq = std::max(st.next_seq, record.seq() + 1);
  ++st.stats.accepted;
  // The bars it completed are journaled after it: only the builder moves.
  advance(st, record, key, nullptr);
}

collector_actor::behavior_type
collector(collector_actor::stateful_pointer<collector_state> self,
          collector_settings settings) {
  self->state.configure(settings.params);
  if (settings.recovered)
    for (auto& m : *settings.recovered)
      recover(self->state, m);
  return {
    [self, settings](msg& m) {
      auto& st = self->state;
      msg stamped;
      auto accepted_before = st.stats.accepted;
      bool is_batch = m.type() == fb::Payload::BarBatch;
      if (is_batch ? admit_batch(st, m, stamped) != admission::accept
                   : admit(st, std::move(m), stamped) != admission::accept)
        return;
      auto publish = [&](const msg& e) {
        auto kind = market_kind_of(e);
        for (auto& sub : settings.subscribers)
          if (sub.kinds & kind)
            self->send(sub.actor, e);
        if (settings.journal)
          settings.journal->push(e);
      };
      // Bars built from trades are sequenced, and published, after the event
      // that completed them.
      st.built.clear();
      st.went_stale.clear();
      if (is_batch)
        derive_batch(st, stamped, st.went_stale);
      else
        derive(st, stamped, st.built, st.went_stale);
      publish(stamped);
      for (auto& b : st.built)
        publish(b);
      if (!settings.journal)
        return;
      if (st.last_edge != session_edge::none) {
        bool opened = st.last_edge == session_edge::opened;
        settings.journal->push(st.builder.alert(
          stamp::caused_by(stamped), fb::Severity::Info,
          opened ? "session_open" : "session_close",
          opened ? "the session opened (first event in session time)"
                 : "the session closed (first event after the close)"));
      }
      for (auto s : st.went_stale) {
        std::string text = "no market data for symbol #";
        text += std::to_string(s.value);
        text += " for over ";
        text += std::to_string(st.stale.quiet_ns / 1'000'000'000);
        text += " s";
        settings.journal->push(st.builder.alert(stamp::caused_by(stamped),
                                                fb::Severity::Warning, "stale_symbol", text));
      }
      if (health_due(st, settings.health_every, accepted_before))
        settings.journal->push(st.builder.health(
          stamp::caused_by(stamped), "collector",
          {st.stats.accepted, st.stats.duplicates_dropped,
           st.stats.out_of_order_dropped}));
    },
    [self](stats_atom) { return self->state.stats; },
  };
}

} // namespace osprey
