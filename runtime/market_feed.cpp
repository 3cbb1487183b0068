#include "runtime/market_feed.hpp"

#include <algorithm>
#include <ostream>
#include <stdexcept>

#include "runtime/journal_reader.hpp"

namespace osprey {

namespace {

/// The market events of the journal at `path`, in order; `symbols` gets the
/// journal's symbol names.
std::vector<msg> market_events_of(const std::string& path, std::vector<std::string>& symbols) {
  std::vector<msg> events;
  auto read = read_journal(path);
  if (read.corrupt())
    throw std::runtime_error("journal " + path + ": " + read.error);
  for (auto& m : read.messages) {
    if (auto dir = m.as<fb::SymbolDirectory>()) {
      if (symbols.empty())
        for (auto n : *dir->names())
          symbols.push_back(n->str());
      continue;
    }
    auto t = m.type();
    bool market = t == fb::Payload::Trade || t == fb::Payload::Quote || t == fb::Payload::Bar
                  || t == fb::Payload::BarBatch || t == fb::Payload::NewsItem;
    // seq != 0: what the collector accepted (and built), not derived copies.
    if (market && m.seq() != 0)
      events.push_back(std::move(m));
  }
  if (symbols.empty())
    throw std::runtime_error("journal " + path + ": no SymbolDirectory record");
  return events;
}

} // namespace

journal_feed::journal_feed(const std::string& path, std::vector<std::string>& symbols)
  : memory_feed{market_events_of(path, symbols)} {
}

memory_feed memory_feed::read_all(market_feed& source) {
  std::vector<msg> events;
  while (auto t = source.peek_time())
    events.push_back(source.next(*t));
  return memory_feed{std::move(events)};
}

std::optional<int64_t> memory_feed::peek_time() {
  if (next_ >= events_.size())
    return std::nullopt;
  return events_[next_].ts_event();
}

msg memory_feed::next(int64_t ts_ingress) {
  // Handed out once: the feed drops its handle so the event is stamped in place.
  return msg::as_arrival(std::move(events_[next_++]), ts_ingress);
}

std::optional<int64_t> csv_feed::peek_time() {
  if (have_ahead_)
    return ahead_.ts;
  return replay_.peek_time();
}

bool csv_feed::take(csv_record& out) {
  if (have_ahead_) {
    out = ahead_;
    have_ahead_ = false;
    return true;
  }
  return replay_.next_record(out);
}

msg csv_feed::message_of(const csv_record& e, int64_t ts_ingress) {
  stamp st{0, e.ts, ts_ingress};
  switch (e.type) {
    case fb::Payload::Quote:
      return builder_.quote(st, e.symbol, price{e.v[0]}, quantity::from_nanos(e.v[1]), price{e.v[2]},
                            quantity::from_nanos(e.v[3]));
    case fb::Payload::Trade: return builder_.trade(st, e.symbol, price{e.v[0]}, quantity::from_nanos(e.v[1]));
    default:
      return builder_.bar(st, e.symbol, e.interval_s, price{e.v[0]}, price{e.v[1]},
                          price{e.v[2]}, price{e.v[3]}, quantity::from_nanos(e.v[4]));
  }
}

msg csv_feed::next(int64_t ts_ingress) {
  csv_record first;
  take(first);
  if (batch_rows_ <= 1 || first.type != fb::Payload::Bar)
    return message_of(first, ts_ingress);
  auto row_of = [](const csv_record& e) {
    return fb::BarRow{0, e.ts, e.symbol.value, e.interval_s, e.v[0], e.v[1], e.v[2], e.v[3], e.v[4]};
  };
  ++batch_number_;
  auto mark = [&](uint32_t symbol) {
    if (symbol >= in_batch_.size())
      in_batch_.resize(symbol + 1, 0);
    bool fresh = in_batch_[symbol] != batch_number_;
    in_batch_[symbol] = batch_number_;
    return fresh;
  };
  rows_.clear();
  rows_.push_back(row_of(first));
  mark(first.symbol.value);
  while (rows_.size() < batch_rows_ && replay_.peek_time() == first.ts) {
    replay_.next_record(ahead_);
    have_ahead_ = true;
    if (ahead_.type != fb::Payload::Bar || !mark(ahead_.symbol.value))
      break; // not a bar, or the symbol's second bar: it starts the next event
    rows_.push_back(row_of(ahead_));
    have_ahead_ = false;
  }
  if (rows_.size() == 1)
    return message_of(first, ts_ingress);
  ++batches_;
  batched_bars_ += rows_.size();
  return builder_.bar_batch({0, first.ts, ts_ingress}, rows_);
}

void csv_feed::print_report(std::ostream& out) const {
  auto& r = replay_.report();
  out << "replay: " << r.rows << " rows read, " << r.messages << " events fed, "
      << r.skipped() << " rows skipped\n";
  if (batches_)
    out << "replay: " << batched_bars_ << " bars went in " << batches_
        << " batches of bars of the same time\n";
  for (auto& p : r.problems)
    out << "  " << p << "\n";
}

with_news::with_news(std::unique_ptr<market_feed> market, std::vector<msg> news)
  : market_(std::move(market)), news_(std::move(news)) {
  std::stable_sort(news_.begin(), news_.end(),
                   [](const msg& a, const msg& b) { return a.ts_event() < b.ts_event(); });
}

bool with_news::news_first() {
  if (next_news_ >= news_.size())
    return false;
  auto market = market_->peek_time();
  return !market || news_[next_news_].ts_event() < *market;
}

std::optional<int64_t> with_news::peek_time() {
  if (news_first())
    return news_[next_news_].ts_event();
  return market_->peek_time();
}

msg with_news::next(int64_t ts_ingress) {
  if (news_first())
    return msg::as_arrival(std::move(news_[next_news_++]), ts_ingress);
  return market_->next(ts_ingress);
}

} // namespace osprey
