#pragma once

// Replays market-data CSV files as the same Bar / Trade / Quote messages the
// synthetic market and the live feed produce, merged from many files into one
// stream in event-time order.
//
// Formats, detected from the header row (or given as csv_columns):
//
//   osprey     the first three header fields are `ts_event,symbol,kind`; the
//              rest of the header is free text. One row per event, the field
//              count depends on the kind:
//                ts_event,symbol,bar,interval_s,open,high,low,close,volume
//                ts_event,symbol,trade,price,size
//                ts_event,symbol,quote,bid,bid_size,ask,ask_size
//              ts_event is integer nanoseconds since the epoch, or ISO 8601
//              UTC `2026-01-05T14:31:00.25Z`; it is always UTC (utc_offset_ns
//              does not apply). A bar's ts_event is its close time. Kinds
//              may mix in one file; the file is sorted by ts_event.
//   bars       any header naming open, high, low and close (or o,h,l,c), a
//              date column (`date`, `datetime`, `timestamp`, or an unnamed
//              first column as in the GOOG file) and optionally `time`,
//              `volume`, `adj close`, `dividend`, `split`, `symbol`/`ticker`:
//              Yahoo/backtrader, zipline, GOOG, STOXX. When the header has
//              no `time` column but the first data row has one more field
//              than the header and that field after the date is a time of day
//              (the STOXX 1-minute file), it is read as Date,Time,...
//   quotes     a header naming `bid` and `ask` (sizes optional:
//              `bid_size`/`ask_size`) and a date column (`xdate` too, as in
//              the USDTHB file: YYYYMMDDHHMM). Other columns (contributor,
//              delay, flag) are ignored; a missing size is 0 (unknown).
//   trades     a header naming `price` (and optionally `size`/`qty`).
//
// Header names are compared trimmed, unquoted and lower-cased. The rules are
// tried in the order above (osprey, then bid+ask, then OHLC, then price); a
// header matching none, or with no date column, is a start-up error.
//
// Adjustments. Yahoo: with adjust_by_adj_close, open/high/low are scaled by
// Adj Close / Close and the close becomes Adj Close. zipline: `split` on a
// row is new shares per old share effective that date (7.0 for AAPL's 7:1);
// every earlier bar's prices are divided by it and its volume multiplied
// (split_adjustment decides when); `dividend` on a row is the cash amount
// going ex that date, and with adjust_dividends every earlier bar's prices
// are multiplied by 1 - dividend / the previous row's close.
//
// Times. Dates are YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD, optionally with a
// time (T, space, or compact YYYYMMDDHHMM[SS]). A date without a time is a
// daily bar stamped at daily_close_ns after midnight UTC (21:00 by default).
// A date with a time is local time at utc_offset_ns and taken as the bar's
// close time. The bar interval is bar_interval_s, or 86400 for daily files,
// or for intraday files the smallest positive step among the first 256 rows.
//
// Prices are parsed from the decimal text straight into micro-dollars,
// never through double ("123.4567" -> 123'456'700); digits beyond the sixth
// decimal round half away from zero. Adjustments (Adj Close, splits,
// dividends) are products and quotients of those exact integers in 128 bits,
// rounded half away from zero; only a dividend factor goes through double.
//
// The symbol is options.symbols_by_file[i], else options.symbol, else a
// `symbol`/`ticker` column, else the file name up to its first underscore
// (`AAPL_daily_2012-2014.csv` -> AAPL; with no underscore, up to the first
// dot). Symbols are interned in the symbol_table given at construction.
//
// Order and bad input. Each file must be sorted by time in itself. A row
// earlier than the previous valid row of its file is reported and skipped;
// a row with the same time as a previous row of the same symbol and kind is
// a duplicate, reported and skipped (bars always; trades and quotes only
// when keep_equal_time_ticks is false, because tick files at minute
// resolution legitimately hold several quotes per minute: 504 of the 2982
// valid USDTHB quotes share their minute with another contributor's quote).
// Malformed rows are reported with file:line and what was wrong, counted in
// the replay_report, and skipped; the run continues. A missing or unreadable
// file, or a header whose layout cannot be detected, throws at construction
// (a start-up error naming the path).
//
// Journal as a source (for whoever wires it): a journal replay yields msg
// handles already in ts_event order per journal. To merge a journal with CSV
// files, wrap it in the same shape as a CSV source (peek the ts_event of the
// next record, pop it) and put it in the merge heap beside the files; the
// tie rule (time, then source order) keeps the merge stable. Skip the
// journal's SymbolDirectory record after interning its names here.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/msg.hpp"
#include "messages/msg_builder.hpp"
#include "messages/symbol_table.hpp"
#include "messages/units.hpp"

namespace osprey {

/// Which family of rows a CSV file holds.
enum class csv_layout : uint8_t {
  osprey, ///< ts_event,symbol,kind,... (mixed kinds, documented above)
  bars,   ///< OHLC(V) bars
  quotes, ///< bid/ask ticks
  trades, ///< price/size ticks
};

/// Column positions (0-based; -1 absent) of a CSV file's fields.
struct csv_columns {
  csv_layout layout = csv_layout::bars;
  int date = -1, time = -1, symbol = -1;
  int open = -1, high = -1, low = -1, close = -1, adj_close = -1, volume = -1;
  int dividend = -1, split = -1;
  int bid = -1, ask = -1, bid_size = -1, ask_size = -1;
  int price = -1, size = -1;
  /// Fields every row must have; 0: as many as the header (osprey: per kind).
  size_t count = 0;
};

/// Whether zipline `split` columns back-adjust the bars before each split.
enum class split_adjustment : uint8_t {
  /// Adjust only when the prices show the split: the previous close is
  /// nearer to open x ratio than to the open. Files whose prices are already
  /// split-adjusted (the zipline AAPL and KO files are) stay as they are, and
  /// the report notes the decision.
  automatic,
  always, ///< Divide earlier prices by the ratio and multiply volumes.
  never,  ///< Ignore the split column.
};

/// How to read the files.
struct csv_replay_options {
  /// Column positions to use instead of detecting them from the header.
  std::optional<csv_columns> columns;
  /// Whether the first line is a header (required when columns is empty).
  bool has_header = true;
  /// Symbol for every row of every file, overriding columns and file names.
  std::string symbol;
  /// Symbol per file, in the order of the paths (overrides `symbol`); an
  /// empty or missing entry falls back to the other rules. Useful when two
  /// file names share a prefix (STOXX50_futures_..., STOXX50_index_...).
  std::vector<std::string> symbols_by_file;
  /// Time after midnight UTC at which a daily bar is stamped (its close).
  int64_t daily_close_ns = 21LL * 3600 * 1'000'000'000;
  /// Offset of intraday local times from UTC: UTC = local - utc_offset_ns.
  int64_t utc_offset_ns = 0;
  /// Bar interval in seconds; 0 infers it (86400 daily, else the row step).
  uint32_t bar_interval_s = 0;
  /// Scale open, high, low by Adj Close / Close and report Adj Close as the
  /// close (Yahoo files). Volume is left alone: Yahoo volumes are already
  /// split-adjusted and Adj Close also folds in dividends.
  bool adjust_by_adj_close = false;
  /// How zipline `split` columns are applied.
  split_adjustment splits = split_adjustment::automatic;
  /// Multiply prices before each ex-dividend date by 1 - dividend / the
  /// previous close (zipline `dividend` column).
  bool adjust_dividends = false;
  /// Keep trades or quotes of one symbol that share a timestamp.
  bool keep_equal_time_ticks = true;
  /// How many problem messages the report keeps (all are counted).
  size_t max_report_messages = 100;
};

/// What was wrong with a skipped row.
enum class csv_problem : uint8_t {
  empty_line,
  wrong_column_count,
  non_utf8,
  bad_number,
  bad_time,
  bad_field, ///< empty symbol, unknown kind
  non_positive_price,
  high_below_low,
  crossed_quote, ///< bid above ask
  out_of_order,
  duplicate_time,
};

inline constexpr size_t csv_problem_count = 11;

/// Returns the problem's name ("out_of_order").
const char* to_string(csv_problem p) noexcept;

/// What a replay read, skipped and decided.
struct replay_report {
  /// Skipped rows per problem, indexed by csv_problem.
  std::array<uint64_t, csv_problem_count> counts{};
  /// Data lines read (header excluded, skipped ones included).
  uint64_t rows = 0;
  /// Messages next() returned.
  uint64_t messages = 0;
  /// The first max_report_messages problems: "path:line: problem: detail".
  std::vector<std::string> problems;
  /// Decisions taken per file (detected layout, interval, adjustments).
  std::vector<std::string> notes;

  /// Returns how many rows were skipped for `p`.
  uint64_t count(csv_problem p) const noexcept {
    return counts[static_cast<size_t>(p)];
  }
  /// Returns how many rows were skipped for any reason.
  uint64_t skipped() const noexcept;
};

/// Returns the columns of a file whose header is `header` and whose first
/// data line is `first_row` (empty if none), or nullopt with `error` set.
std::optional<csv_columns> detect_columns(std::string_view header,
                                          std::string_view first_row,
                                          std::string& error);

/// Returns the symbol a file name implies: the base name up to its first
/// underscore, or up to its first dot when it has none.
std::string symbol_from_path(std::string_view path);

/// One usable row, before it becomes a message: v holds the payload's
/// numbers in schema order (bar: open, high, low, close, volume; quote: bid,
/// bid size, ask, ask size; trade: price, size), prices in micro-dollars.
struct csv_record {
  int64_t ts = 0;
  symbol_id symbol;
  fb::Payload type = fb::Payload::Bar;
  uint32_t interval_s = 0;
  std::array<int64_t, 5> v{};
};

namespace detail {
class csv_source;
} // namespace detail

/// Streams the rows of several CSV files as messages in event-time order.
class csv_replay {
public:
  /// Opens and checks every file; throws std::runtime_error naming the path
  /// when a file is missing or its layout cannot be detected.
  csv_replay(std::vector<std::string> paths, csv_replay_options options,
             symbol_table& symbols);
  ~csv_replay();
  csv_replay(const csv_replay&) = delete;
  csv_replay& operator=(const csv_replay&) = delete;

  /// Sets `out` to the next message (ts_ingress = ts_event, seq 0) and
  /// returns true, or returns false when every file is exhausted.
  bool next(msg& out);

  /// Sets `out` to the next row without building its message (a caller
  /// that gathers rows into a BarBatch), or returns false at the end.
  bool next_record(csv_record& out);

  /// Returns the ts_event of the message next() will return.
  std::optional<int64_t> peek_time() const noexcept;

  /// Returns the counts and first problems so far.
  const replay_report& report() const noexcept { return report_; }

private:
  bool before(uint32_t a, uint32_t b) const noexcept;

  csv_replay_options options_;
  std::vector<std::unique_ptr<detail::csv_source>> sources_;
  std::vector<uint32_t> heap_; // indices of sources with a pending event
  replay_report report_;
  msg_builder builder_;
};

/// Everything a replay produced, for tests and small tools.
struct replay_result {
  std::vector<msg> messages;
  replay_report report;
};

/// Replays `paths` to the end into memory.
replay_result read_all_csv(std::vector<std::string> paths,
                           csv_replay_options options, symbol_table& symbols);

} // namespace osprey
