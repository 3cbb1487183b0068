#include "adapters/csv_replay.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "adapters/csv_fields.hpp"

namespace osprey {

namespace {

constexpr int64_t micros = 1'000'000;

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_ascii(std::string_view s) noexcept {
  // Eight bytes at a time: any byte >= 0x80 sets its top bit.
  uint64_t any = 0;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    any |= word;
  }
  for (; i < s.size(); ++i)
    any |= static_cast<unsigned char>(s[i]);
  return (any & 0x8080808080808080ull) == 0;
}

// Returns the line starting at `pos` (without "\n" or "\r\n") and moves `pos`
// past it.
std::string_view take_line(std::string_view buf, size_t& pos) noexcept {
  auto start = pos;
  auto nl = static_cast<const char*>(
    std::memchr(buf.data() + start, '\n', buf.size() - start));
  size_t end = nl ? static_cast<size_t>(nl - buf.data()) : buf.size();
  pos = nl ? end + 1 : buf.size();
  auto line = buf.substr(start, end - start);
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  return line;
}

std::string dollars(int64_t v) {
  return to_string(price{v});
}

} // namespace

const char* to_string(csv_problem p) noexcept {
  switch (p) {
    case csv_problem::empty_line: return "empty_line";
    case csv_problem::wrong_column_count: return "wrong_column_count";
    case csv_problem::non_utf8: return "non_utf8";
    case csv_problem::bad_number: return "bad_number";
    case csv_problem::bad_time: return "bad_time";
    case csv_problem::bad_field: return "bad_field";
    case csv_problem::non_positive_price: return "non_positive_price";
    case csv_problem::high_below_low: return "high_below_low";
    case csv_problem::crossed_quote: return "crossed_quote";
    case csv_problem::out_of_order: return "out_of_order";
    case csv_problem::duplicate_time: return "duplicate_time";
  }
  return "unknown";
}

uint64_t replay_report::skipped() const noexcept {
  return std::accumulate(counts.begin(), counts.end(), uint64_t{0});
}

std::string symbol_from_path(std::string_view path) {
  auto slash = path.find_last_of('/');
  auto base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  auto cut = base.find('_');
  if (cut == std::string_view::npos)
    cut = base.find('.');
  return std::string{base.substr(0, cut)};
}

std::optional<csv_columns> detect_columns(std::string_view header,
                                          std::string_view first_row,
                                          std::string& error) {
  csv::fields f;
  csv::split(header, f);
  if (f.too_many) {
    error = "header has more than 32 fields";
    return std::nullopt;
  }
  std::vector<std::string> names;
  for (size_t i = 0; i < f.count; ++i)
    names.push_back(lower(f.at[i]));
  csv_columns c;
  c.count = names.size();
  if (names.size() >= 3 && names[0] == "ts_event" && names[1] == "symbol"
      && names[2] == "kind") {
    c.layout = csv_layout::osprey;
    c.date = 0;
    c.symbol = 1;
    c.count = 0; // per kind
    return c;
  }
  auto find = [&](std::initializer_list<std::string_view> candidates) {
    for (size_t i = 0; i < names.size(); ++i)
      for (auto cand : candidates)
        if (names[i] == cand)
          return static_cast<int>(i);
    return -1;
  };
  c.date = find({"date", "datetime", "timestamp", "xdate", "ts_event"});
  if (c.date < 0 && !names.empty() && names[0].empty())
    c.date = 0; // pandas writes the index column without a name (GOOG)
  c.time = find({"time"});
  if (c.date < 0 && c.time >= 0)
    std::swap(c.date, c.time); // a lone `time` column holds date and time
  c.symbol = find({"symbol", "ticker"});
  c.open = find({"open", "o"});
  c.high = find({"high", "h"});
  c.low = find({"low", "l"});
  c.close = find({"close", "c"});
  c.adj_close = find({"adj close", "adj_close", "adjclose", "adjusted close"});
  c.volume = find({"volume", "vol", "v"});
  c.dividend = find({"dividend", "dividends"});
  c.split = find({"split", "splits", "split_ratio"});
  c.bid = find({"bid"});
  c.ask = find({"ask"});
  c.bid_size = find({"bid_size", "bidsize", "bid size"});
  c.ask_size = find({"ask_size", "asksize", "ask size"});
  c.price = find({"price", "last"});
  c.size = find({"size", "qty", "quantity"});
  if (c.date < 0) {
    error = "no date column (date, datetime, timestamp, xdate, or an unnamed "
            "first column)";
    return std::nullopt;
  }
  if (c.bid >= 0 && c.ask >= 0)
    c.layout = csv_layout::quotes;
  else if (c.open >= 0 && c.high >= 0 && c.low >= 0 && c.close >= 0)
    c.layout = csv_layout::bars;
  else if (c.price >= 0)
    c.layout = csv_layout::trades;
  else {
    error = "no open/high/low/close, bid/ask or price columns";
    return std::nullopt;
  }
  // The STOXX file names `Date` but its rows carry Date,Time: one field more
  // than the header, the one after the date a time of day.
  if (c.time < 0 && !first_row.empty()) {
    csv::fields r;
    csv::split(first_row, r);
    auto d = static_cast<size_t>(c.date);
    if (!r.too_many && r.count == names.size() + 1 && d + 1 < r.count
        && csv::parse_time_of_day(r.at[d + 1])) {
      for (int* col : {&c.symbol, &c.open, &c.high, &c.low, &c.close,
                       &c.adj_close, &c.volume, &c.dividend, &c.split, &c.bid,
                       &c.ask, &c.bid_size, &c.ask_size, &c.price, &c.size})
        if (*col > c.date)
          ++*col;
      c.time = c.date + 1;
      c.count = names.size() + 1;
    }
  }
  return c;
}

namespace detail {

// One parsed, valid event waiting in the merge.
using csv_event = csv_record;

// A back-adjustment applying to every row before `line`.
struct adjustment {
  size_t line = 0;
  int64_t num = 1, den = 1; // cumulative split ratio (prices / num * den)
  double dividend = 1.0;    // cumulative dividend factor
};

// One file: its bytes, its layout and a cursor. Produces valid events in file
// order and reports every skipped row.
class csv_source {
public:
  csv_source(std::string path, std::string_view symbol,
             const csv_replay_options& opt, symbol_table& symbols,
             replay_report& report)
    : path_(std::move(path)), opt_(opt), symbols_(symbols) {
    std::ifstream in{path_, std::ios::binary};
    if (!in) {
      std::string e = "csv replay: cannot open '";
      e += path_;
      e += "': ";
      e += std::strerror(errno);
      throw std::runtime_error(e);
    }
    // One read into one buffer; rows are parsed from it as they are needed.
    in.seekg(0, std::ios::end);
    auto size = static_cast<std::streamoff>(in.tellg());
    in.seekg(0, std::ios::beg);
    buf_.resize(size > 0 ? static_cast<size_t>(size) : 0);
    if (size > 0 && !in.read(buf_.data(), size)) {
      std::string e = "csv replay: cannot read '";
      e += path_;
      e += "'";
      throw std::runtime_error(e);
    }
    if (buf_.compare(0, 3, "\xEF\xBB\xBF") == 0)
      pos_ = 3; // UTF-8 byte order mark
    std::string_view all{buf_};
    std::string_view header;
    if (opt_.has_header && pos_ < all.size()) {
      header = take_line(all, pos_);
      ++line_;
    }
    if (opt_.columns) {
      cols_ = *opt_.columns;
      if (cols_.count == 0 && cols_.layout != csv_layout::osprey) {
        // Rows must have as many fields as the header, or without a header
        // as the first row.
        size_t peek = pos_;
        csv::fields f;
        csv::split(opt_.has_header ? header : take_line(all, peek), f);
        cols_.count = f.count;
      }
    } else {
      if (!opt_.has_header) {
        std::string e = "csv replay: '";
        e += path_;
        e += "' has no header and no columns were given";
        throw std::runtime_error(e);
      }
      if (header.empty() && pos_ >= all.size()) {
        note(report, "is empty");
        done_ = true;
        return;
      }
      size_t peek = pos_;
      auto first = take_line(all, peek);
      std::string error;
      auto c = detect_columns(header, first, error);
      if (!c) {
        std::string e = "csv replay: cannot detect the layout of '";
        e += path_;
        e += "' from its header '";
        e += header;
        e += "': ";
        e += error;
        e += " (set csv_replay_options::columns)";
        throw std::runtime_error(e);
      }
      cols_ = *c;
    }
    if (!symbol.empty())
      fixed_symbol_ = symbols_.intern(symbol);
    else if (cols_.symbol < 0) {
      auto name = symbol_from_path(path_);
      if (name.empty()) {
        std::string e = "csv replay: no symbol for '";
        e += path_;
        e += "' (no symbol column, no name before '_' or '.')";
        throw std::runtime_error(e);
      }
      fixed_symbol_ = symbols_.intern(name);
    }
    describe(report);
    if (cols_.layout == csv_layout::bars) {
      interval_s_ = opt_.bar_interval_s ? opt_.bar_interval_s : infer_interval();
      std::string s = "bar interval ";
      s += std::to_string(interval_s_);
      s += opt_.bar_interval_s ? " s (configured)" : " s (inferred)";
      note(report, s);
      if (cols_.split >= 0 || (cols_.dividend >= 0 && opt_.adjust_dividends))
        plan_adjustments(report);
    }
  }

  const csv_event& current() const noexcept { return current_; }

  // Moves to the next valid event; false at the end of the file.
  bool advance(replay_report& report) {
    std::string_view all{buf_};
    while (!done_ && pos_ < all.size()) {
      auto line = take_line(all, pos_);
      ++line_;
      ++report.rows;
      if (parse(line, current_, report) && in_order(current_, report)) {
        prev_line_ = line_;
        return true;
      }
    }
    done_ = true;
    return false;
  }

private:
  void note(replay_report& report, std::string_view what) {
    std::string s = path_;
    s += ": ";
    s += what;
    report.notes.push_back(std::move(s));
  }

  void problem(replay_report& report, csv_problem p, std::string_view detail) {
    ++report.counts[static_cast<size_t>(p)];
    if (report.problems.size() >= opt_.max_report_messages)
      return;
    std::string s = path_;
    s += ':';
    s += std::to_string(line_);
    s += ": ";
    s += to_string(p);
    s += ": ";
    s += detail;
    report.problems.push_back(std::move(s));
  }

  void describe(replay_report& report) {
    static constexpr const char* names[] = {"osprey", "bars", "quotes", "trades"};
    std::string s = "layout ";
    s += names[static_cast<size_t>(cols_.layout)];
    if (cols_.time >= 0)
      s += " with separate date and time columns";
    if (cols_.adj_close >= 0)
      s += opt_.adjust_by_adj_close ? ", adjusted by Adj Close" : ", Adj Close ignored";
    note(report, s);
  }

  // Returns the field `col` of `f`; empty when the column is absent.
  static std::string_view field(const csv::fields& f, int col) noexcept {
    if (col < 0 || static_cast<size_t>(col) >= f.count)
      return {};
    return f.at[static_cast<size_t>(col)];
  }

  // Returns the event time of a non-osprey row, or nullopt with `daily` unset.
  std::optional<int64_t> row_time(const csv::fields& f, bool& intraday) const {
    auto dt = csv::parse_date_time(field(f, cols_.date));
    if (!dt)
      return std::nullopt;
    if (cols_.time >= 0) {
      auto t = csv::parse_time_of_day(field(f, cols_.time));
      if (!t || dt->has_time)
        return std::nullopt;
      dt->time_ns = *t;
      dt->has_time = true;
    }
    intraday = dt->has_time;
    if (!intraday)
      return dt->day_ns + opt_.daily_close_ns;
    return dt->day_ns + dt->time_ns - opt_.utc_offset_ns;
  }

  uint32_t infer_interval() {
    std::string_view all{buf_};
    size_t pos = pos_;
    csv::fields f;
    std::optional<int64_t> prev;
    int64_t step = 0;
    for (int n = 0; n < 256 && pos < all.size(); ++n) {
      csv::split(take_line(all, pos), f);
      bool intraday = false;
      auto ts = row_time(f, intraday);
      if (!ts)
        continue;
      if (!intraday)
        return 86'400;
      if (prev && *ts > *prev && (step == 0 || *ts - *prev < step))
        step = *ts - *prev;
      prev = ts;
    }
    if (step <= 0)
      return 60;
    return static_cast<uint32_t>(std::max<int64_t>(1, step / csv::ns_per_second));
  }

  // Reads the split and dividend columns ahead of the rows, so that bars
  // before each event are back-adjusted while streaming.
  void plan_adjustments(replay_report& report) {
    std::string_view all{buf_};
    size_t pos = pos_, line = line_;
    csv::fields f;
    std::optional<int64_t> prev_close;
    std::vector<adjustment> events;
    while (pos < all.size()) {
      auto text = take_line(all, pos);
      ++line;
      csv::split(text, f);
      if (f.too_many || f.count != cols_.count)
        continue;
      auto open = csv::parse_micros(field(f, cols_.open));
      auto close = csv::parse_micros(field(f, cols_.close));
      if (!open || !close || *open <= 0 || *close <= 0)
        continue;
      adjustment a;
      a.line = line;
      bool any = false;
      auto ratio = csv::parse_micros(field(f, cols_.split));
      if (cols_.split >= 0 && ratio && *ratio > 0 && *ratio != micros
          && opt_.splits != split_adjustment::never) {
        std::string what = "line ";
        what += std::to_string(line);
        what += ": split ";
        what += dollars(*ratio);
        bool apply = opt_.splits == split_adjustment::always || !prev_close;
        if (!apply) {
          // The gap across the split date tells raw prices from adjusted ones.
          double gap = std::log(static_cast<double>(*prev_close) / *open);
          double r = std::log(static_cast<double>(*ratio) / micros);
          apply = std::abs(gap - r) < std::abs(gap);
          what += apply ? " shows in the prices (previous close "
                        : " already reflected in the prices (previous close ";
          what += dollars(*prev_close);
          what += ", open ";
          what += dollars(*open);
          what += ")";
        }
        what += apply ? ": earlier bars back-adjusted" : ": not applied";
        note(report, what);
        if (apply) {
          auto g = std::gcd(*ratio, micros);
          a.num = *ratio / g;
          a.den = micros / g;
          any = true;
        }
      }
      auto div = csv::parse_micros(field(f, cols_.dividend));
      if (opt_.adjust_dividends && cols_.dividend >= 0 && div && *div > 0) {
        if (prev_close && *div < *prev_close) {
          a.dividend = 1.0 - static_cast<double>(*div) / *prev_close;
          any = true;
        } else {
          std::string what = "line ";
          what += std::to_string(line);
          what += ": dividend ";
          what += dollars(*div);
          what += " not applied (no previous close above it)";
          note(report, what);
        }
      }
      if (any)
        events.push_back(a);
      prev_close = close;
    }
    // Suffix products: a row before events[i] takes the product of events
    // i..end; the entry after the last event is the identity.
    adjustments_.assign(events.size() + 1, adjustment{});
    adjustments_.back().line = SIZE_MAX;
    for (size_t i = events.size(); i-- > 0;) {
      auto& next = adjustments_[i + 1];
      auto& out = adjustments_[i];
      out.line = events[i].line;
      __int128 num = static_cast<__int128>(next.num) * events[i].num;
      __int128 den = static_cast<__int128>(next.den) * events[i].den;
      __int128 a = num, b = den;
      while (b != 0)
        a = std::exchange(b, a % b);
      num /= a;
      den /= a;
      if (num > INT64_MAX || den > INT64_MAX) {
        note(report, "split ratios overflow; adjustment stops here");
        num = next.num;
        den = next.den;
      }
      out.num = static_cast<int64_t>(num);
      out.den = static_cast<int64_t>(den);
      out.dividend = next.dividend * events[i].dividend;
    }
    adj_at_ = 0;
  }

  bool number(replay_report& report, const csv::fields& f, int col,
              const char* name, int64_t& out) {
    auto text = field(f, col);
    auto v = csv::parse_micros(text);
    if (!v) {
      std::string d = name;
      d += " '";
      d += text;
      d += "' is not a decimal number";
      problem(report, csv_problem::bad_number, d);
      return false;
    }
    out = *v;
    return true;
  }

  bool positive(replay_report& report, const char* name, int64_t v) {
    if (v > 0)
      return true;
    std::string d = name;
    d += ' ';
    d += dollars(v);
    d += " is not positive";
    problem(report, csv_problem::non_positive_price, d);
    return false;
  }

  /// Reads a share count (volume, size) into nano-shares.
  bool shares(replay_report& report, const csv::fields& f, int col,
              const char* name, int64_t& out) {
    if (col < 0) {
      out = 0;
      return true;
    }
    auto text = field(f, col);
    auto v = parse_quantity(text);
    if (!v || v->nanos < 0) {
      std::string d = name;
      d += " '";
      d += text;
      d += "' is not a share count (0 or more, up to 9 decimals, below 9.2 billion)";
      problem(report, csv_problem::bad_number, d);
      return false;
    }
    out = v->nanos;
    return true;
  }

  bool symbol_of(replay_report& report, const csv::fields& f, symbol_id& out) {
    if (fixed_symbol_) {
      out = *fixed_symbol_;
      return true;
    }
    auto name = field(f, cols_.symbol);
    if (name.empty()) {
      problem(report, csv_problem::bad_field, "empty symbol");
      return false;
    }
    // Rows of one symbol come in runs; skip the table lookup within a run.
    if (name != last_symbol_name_) {
      last_symbol_name_.assign(name);
      last_symbol_ = symbols_.intern(name);
    }
    out = last_symbol_;
    return true;
  }

  bool wrong_count(replay_report& report, const csv::fields& f, size_t want) {
    if (!f.too_many && f.count == want)
      return false;
    std::string d = "expected ";
    d += std::to_string(want);
    d += " fields, found ";
    d += f.too_many ? std::string{"more than 32"} : std::to_string(f.count);
    problem(report, csv_problem::wrong_column_count, d);
    return true;
  }

  bool bad_time(replay_report& report, std::string_view text) {
    std::string d = "cannot read a time from '";
    d += text;
    d += "'";
    problem(report, csv_problem::bad_time, d);
    return false;
  }

  bool parse(std::string_view line, csv_event& e, replay_report& report) {
    if (line.empty()) {
      problem(report, csv_problem::empty_line, "empty line");
      return false;
    }
    if (!is_ascii(line) && !csv::valid_utf8(line)) {
      problem(report, csv_problem::non_utf8, "bytes that are not UTF-8");
      return false;
    }
    csv::split(line, f_);
    if (cols_.layout == csv_layout::osprey)
      return parse_osprey(e, report);
    if (wrong_count(report, f_, cols_.count))
      return false;
    bool intraday = false;
    auto ts = row_time(f_, intraday);
    if (!ts) {
      std::string text{field(f_, cols_.date)};
      if (cols_.time >= 0) {
        text += ' ';
        text += field(f_, cols_.time);
      }
      return bad_time(report, text);
    }
    e.ts = *ts;
    if (!symbol_of(report, f_, e.symbol))
      return false;
    switch (cols_.layout) {
      case csv_layout::quotes:
        return parse_quote(e, report, cols_.bid, cols_.bid_size, cols_.ask,
                           cols_.ask_size);
      case csv_layout::trades:
        return parse_trade(e, report, cols_.price, cols_.size);
      default:
        return parse_bar(e, report);
    }
  }

  bool parse_bar(csv_event& e, replay_report& report, int first = -1) {
    // `first` >= 0: osprey layout, open..volume in consecutive fields.
    bool own = first >= 0;
    int o = own ? first : cols_.open, h = own ? first + 1 : cols_.high,
        l = own ? first + 2 : cols_.low, c = own ? first + 3 : cols_.close,
        vcol = own ? first + 4 : cols_.volume;
    int64_t open, high, low, close, volume;
    if (!number(report, f_, o, "open", open) || !number(report, f_, h, "high", high)
        || !number(report, f_, l, "low", low) || !number(report, f_, c, "close", close)
        || !shares(report, f_, vcol, "volume", volume))
      return false;
    if (!positive(report, "open", open) || !positive(report, "high", high)
        || !positive(report, "low", low) || !positive(report, "close", close))
      return false;
    if (high < low) {
      std::string d = "high ";
      d += dollars(high);
      d += " is below low ";
      d += dollars(low);
      problem(report, csv_problem::high_below_low, d);
      return false;
    }
    if (first < 0) {
      if (cols_.adj_close >= 0) {
        int64_t adj;
        if (!number(report, f_, cols_.adj_close, "adj close", adj)
            || !positive(report, "adj close", adj))
          return false;
        if (opt_.adjust_by_adj_close) {
          open = csv::mul_div_round(open, adj, close);
          high = csv::mul_div_round(high, adj, close);
          low = csv::mul_div_round(low, adj, close);
          close = adj;
        }
      }
      int64_t unused;
      if ((cols_.split >= 0 && !number(report, f_, cols_.split, "split", unused))
          || (cols_.dividend >= 0
              && !number(report, f_, cols_.dividend, "dividend", unused)))
        return false;
      if (!adjustments_.empty()) {
        while (adjustments_[adj_at_].line <= line_)
          ++adj_at_;
        const auto& a = adjustments_[adj_at_];
        auto scale = [&](int64_t p) -> int64_t {
          auto q = csv::mul_div_round(p, a.den, a.num);
          if (a.dividend == 1.0)
            return q;
          return std::llround(static_cast<double>(q) * a.dividend);
        };
        open = scale(open);
        high = scale(high);
        low = scale(low);
        close = scale(close);
        volume = csv::mul_div_round(volume, a.num, a.den);
      }
    }
    e.type = fb::Payload::Bar;
    e.interval_s = interval_s_;
    e.v = {open, high, low, close, volume};
    return true;
  }

  bool parse_quote(csv_event& e, replay_report& report, int bid_col,
                   int bid_size_col, int ask_col, int ask_size_col) {
    int64_t bid, ask, bid_size, ask_size;
    if (!number(report, f_, bid_col, "bid", bid)
        || !shares(report, f_, bid_size_col, "bid size", bid_size)
        || !number(report, f_, ask_col, "ask", ask)
        || !shares(report, f_, ask_size_col, "ask size", ask_size)
        || !positive(report, "bid", bid) || !positive(report, "ask", ask))
      return false;
    if (bid > ask) {
      std::string d = "bid ";
      d += dollars(bid);
      d += " is above ask ";
      d += dollars(ask);
      problem(report, csv_problem::crossed_quote, d);
      return false;
    }
    e.type = fb::Payload::Quote;
    e.v = {bid, bid_size, ask, ask_size, 0};
    return true;
  }

  bool parse_trade(csv_event& e, replay_report& report, int price_col, int size_col) {
    int64_t px, size;
    if (!number(report, f_, price_col, "price", px) || !positive(report, "price", px)
        || !shares(report, f_, size_col, "size", size))
      return false;
    e.type = fb::Payload::Trade;
    e.v = {px, size, 0, 0, 0};
    return true;
  }

  bool parse_osprey(csv_event& e, replay_report& report) {
    if (f_.too_many || f_.count < 3) {
      problem(report, csv_problem::wrong_column_count,
              "expected ts_event,symbol,kind and the kind's fields");
      return false;
    }
    auto kind = f_.at[2];
    size_t want = kind == "bar" ? 9 : kind == "trade" ? 5 : kind == "quote" ? 7 : 0;
    if (want == 0) {
      std::string d = "kind '";
      d += kind;
      d += "' is not bar, trade or quote";
      problem(report, csv_problem::bad_field, d);
      return false;
    }
    if (wrong_count(report, f_, want))
      return false;
    auto text = f_.at[0];
    if (!last_time_text_.empty() && text == last_time_text_)
      e.ts = last_time_;
    else if (auto ns = csv::parse_int(text))
      e.ts = *ns;
    else if (auto dt = csv::parse_date_time(text); dt && dt->has_time)
      e.ts = dt->day_ns + dt->time_ns;
    else
      return bad_time(report, text);
    if (text != last_time_text_) {
      last_time_text_.assign(text);
      last_time_ = e.ts;
    }
    if (!symbol_of(report, f_, e.symbol))
      return false;
    if (kind == "trade")
      return parse_trade(e, report, 3, 4);
    if (kind == "quote")
      return parse_quote(e, report, 3, 4, 5, 6);
    auto interval = csv::parse_int(f_.at[3]);
    if (!interval || *interval <= 0 || *interval > UINT32_MAX) {
      std::string d = "interval_s '";
      d += f_.at[3];
      d += "' is not a positive whole number of seconds";
      problem(report, csv_problem::bad_number, d);
      return false;
    }
    if (!parse_bar(e, report, 4))
      return false;
    e.interval_s = static_cast<uint32_t>(*interval);
    return true;
  }

  // Checks the file's own order; records the event as the latest when valid.
  bool in_order(const csv_event& e, replay_report& report) {
    if (have_prev_ && e.ts < prev_ts_) {
      std::string d = csv::format_time(e.ts);
      d += " is before ";
      d += csv::format_time(prev_ts_);
      d += " of line ";
      d += std::to_string(prev_line_);
      problem(report, csv_problem::out_of_order, d);
      return false;
    }
    if (!have_prev_ || e.ts != prev_ts_)
      ++time_step_;
    // One slot per symbol and kind: the time step it was last seen in.
    size_t slot = size_t{e.symbol.value} * 3
                  + (e.type == fb::Payload::Bar ? 0 : e.type == fb::Payload::Quote ? 1 : 2);
    if (slot >= seen_.size())
      seen_.resize(slot + 3);
    bool tick = e.type != fb::Payload::Bar;
    if (seen_[slot].step == time_step_ && !(tick && opt_.keep_equal_time_ticks)) {
      std::string d = "a second ";
      d += payload_name(e.type);
      d += " for ";
      d += symbols_.name(e.symbol);
      d += " at ";
      d += csv::format_time(e.ts);
      d += " (first on line ";
      d += std::to_string(seen_[slot].line);
      d += ")";
      problem(report, csv_problem::duplicate_time, d);
      return false;
    }
    seen_[slot] = {time_step_, line_};
    prev_ts_ = e.ts;
    have_prev_ = true;
    return true;
  }

  std::string path_;
  const csv_replay_options& opt_;
  symbol_table& symbols_;
  std::string buf_;
  size_t pos_ = 0;
  size_t line_ = 0;
  bool done_ = false;
  csv_columns cols_;
  std::optional<symbol_id> fixed_symbol_;
  std::string last_symbol_name_;
  symbol_id last_symbol_;
  uint32_t interval_s_ = 0;
  std::vector<adjustment> adjustments_;
  size_t adj_at_ = 0;
  csv::fields f_;
  csv_event current_;
  bool have_prev_ = false;
  int64_t prev_ts_ = 0;
  size_t prev_line_ = 0;
  // Rows of one time step: a second row of a symbol and kind is refused.
  struct seen_at {
    uint64_t step = 0;
    size_t line = 0;
  };
  uint64_t time_step_ = 0;
  std::vector<seen_at> seen_;
  // Rows of one time step come together: parse their time text once.
  std::string last_time_text_;
  int64_t last_time_ = 0;
};

} // namespace detail

csv_replay::csv_replay(std::vector<std::string> paths,
                       csv_replay_options options, symbol_table& symbols)
  : options_(std::move(options)) {
  sources_.reserve(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    std::string_view symbol = options_.symbol;
    if (i < options_.symbols_by_file.size() && !options_.symbols_by_file[i].empty())
      symbol = options_.symbols_by_file[i];
    sources_.push_back(std::make_unique<detail::csv_source>(
      std::move(paths[i]), symbol, options_, symbols, report_));
  }
  for (uint32_t i = 0; i < sources_.size(); ++i)
    if (sources_[i]->advance(report_))
      heap_.push_back(i);
  // std heaps keep the largest on top: "a after b" puts the earliest first.
  std::make_heap(heap_.begin(), heap_.end(),
                 [this](uint32_t a, uint32_t b) { return before(b, a); });
}

csv_replay::~csv_replay() = default;

bool csv_replay::before(uint32_t a, uint32_t b) const noexcept {
  auto ta = sources_[a]->current().ts, tb = sources_[b]->current().ts;
  return ta < tb || (ta == tb && a < b); // ties: file order, so the merge is stable
}

std::optional<int64_t> csv_replay::peek_time() const noexcept {
  if (heap_.empty())
    return std::nullopt;
  return sources_[heap_.front()]->current().ts;
}

bool csv_replay::next_record(csv_record& out) {
  if (heap_.empty())
    return false;
  auto later = [this](uint32_t a, uint32_t b) { return before(b, a); };
  std::pop_heap(heap_.begin(), heap_.end(), later);
  auto i = heap_.back();
  auto& src = *sources_[i];
  out = src.current();
  ++report_.messages;
  if (src.advance(report_))
    std::push_heap(heap_.begin(), heap_.end(), later);
  else
    heap_.pop_back();
  return true;
}

bool csv_replay::next(msg& out) {
  csv_record e;
  if (!next_record(e))
    return false;
  stamp st{0, e.ts, e.ts};
  switch (e.type) {
    case fb::Payload::Quote:
      out = builder_.quote(st, e.symbol, price{e.v[0]}, quantity::from_nanos(e.v[1]),
                           price{e.v[2]}, quantity::from_nanos(e.v[3]));
      break;
    case fb::Payload::Trade:
      out = builder_.trade(st, e.symbol, price{e.v[0]}, quantity::from_nanos(e.v[1]));
      break;
    default:
      out = builder_.bar(st, e.symbol, e.interval_s, price{e.v[0]}, price{e.v[1]},
                         price{e.v[2]}, price{e.v[3]}, quantity::from_nanos(e.v[4]));
      break;
  }
  return true;
}

replay_result read_all_csv(std::vector<std::string> paths,
                           csv_replay_options options, symbol_table& symbols) {
  csv_replay replay{std::move(paths), std::move(options), symbols};
  replay_result r;
  msg m;
  while (replay.next(m))
    r.messages.push_back(std::move(m));
  r.report = replay.report();
  return r;
}

} // namespace osprey
