#pragma once

// Where `osprey run` takes its market events from: the synthetic market, a
// journal of an earlier run, or CSV files. Each gives events in event-time
// order, stamped as they enter the process.

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/csv_replay.hpp"
#include "adapters/synthetic_market.hpp"
#include "messages/msg.hpp"
#include "messages/msg_builder.hpp"
#include "messages/symbol_table.hpp"

namespace osprey {

class market_feed {
public:
  virtual ~market_feed() = default;

  /// Returns the event time of the next event, or nullopt when there is none.
  virtual std::optional<int64_t> peek_time() = 0;

  /// Returns the next event stamped with `ts_ingress` (peek_time() must have
  /// said there is one).
  virtual msg next(int64_t ts_ingress) = 0;

  /// Prints what the source read and skipped, if it has anything to say.
  virtual void print_report(std::ostream&) const {}
};

/// The synthetic market: never runs dry.
class synthetic_feed final : public market_feed {
public:
  synthetic_feed(const synthetic_market_config& cfg, const symbol_table& symbols)
    : market_(cfg, symbols) {}
  std::optional<int64_t> peek_time() override { return market_.peek_time(); }
  msg next(int64_t ts_ingress) override { return market_.next(ts_ingress); }

private:
  synthetic_market market_;
};

/// Events held in memory, handed out in order (the backtest bench reads a
/// feed into one first, to time the replay apart from the reading).
class memory_feed : public market_feed {
public:
  explicit memory_feed(std::vector<msg> events) : events_(std::move(events)) {}
  /// Reads every event of `source` (stamped with their event times).
  static memory_feed read_all(market_feed& source);
  std::optional<int64_t> peek_time() override;
  msg next(int64_t ts_ingress) override;
  size_t size() const noexcept { return events_.size(); }

private:
  std::vector<msg> events_;
  size_t next_ = 0;
};

/// The market events (trades, quotes, bars the collector sequenced) of a
/// journal, in the order it recorded them, arriving anew.
class journal_feed final : public memory_feed {
public:
  /// Reads the journal at `path`; throws std::runtime_error naming the path
  /// when it cannot be read or is corrupt before its end (a torn tail is
  /// tolerated). `symbols` receives the journal's symbol names, in order.
  journal_feed(const std::string& path, std::vector<std::string>& symbols);
};

/// Another feed with news items merged in by event time (a market event
/// and a news item at the same time: the market event first).
class with_news final : public market_feed {
public:
  /// `news`: NewsItem messages in any order (sorted here, stable).
  with_news(std::unique_ptr<market_feed> market, std::vector<msg> news);
  std::optional<int64_t> peek_time() override;
  msg next(int64_t ts_ingress) override;
  void print_report(std::ostream& out) const override { market_->print_report(out); }

private:
  bool news_first();

  std::unique_ptr<market_feed> market_;
  std::vector<msg> news_;
  size_t next_news_ = 0;
};

/// The events of CSV files (bars, trades, quotes; see csv_replay.hpp),
/// merged by event time. Rows that cannot be used are reported, not fed.
///
/// With `batch_rows` > 1, bars of the same event time (one per symbol) go
/// out together as one BarBatch of up to that many rows: a replay of many
/// symbols then costs one actor hop per time step instead of one per bar.
/// A batch never holds two bars of one symbol, so no actor decides on a
/// bar before the orders of the symbol's previous bar are out, as without
/// batches.
class csv_feed final : public market_feed {
public:
  /// Opens the files; `symbols` receives the symbols they name. Throws
  /// std::runtime_error naming a file that is missing or unreadable.
  csv_feed(std::vector<std::string> paths, const csv_replay_options& options,
           symbol_table& symbols, size_t batch_rows = 1)
    : replay_(std::move(paths), options, symbols), batch_rows_(batch_rows) {}
  std::optional<int64_t> peek_time() override;
  msg next(int64_t ts_ingress) override;
  void print_report(std::ostream& out) const override;
  const replay_report& report() const noexcept { return replay_.report(); }

private:
  /// The next row of the files (the one read ahead first).
  bool take(csv_record& out);
  msg message_of(const csv_record& row, int64_t ts_ingress);

  csv_replay replay_;
  size_t batch_rows_;
  csv_record ahead_;                ///< Read ahead while closing a batch.
  bool have_ahead_ = false;
  msg_builder builder_;
  std::vector<fb::BarRow> rows_;    ///< The batch being gathered.
  std::vector<uint64_t> in_batch_;  ///< Per symbol: the batch it was last in.
  uint64_t batch_number_ = 0;
  uint64_t batches_ = 0, batched_bars_ = 0;
};

} // namespace osprey
