#include "runtime/evaluation_inputs.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <initializer_list>
#include <ostream>
#include <stdexcept>

#include "adapters/csv_fields.hpp"
#include "adapters/csv_replay.hpp"
#include "adapters/news_replay.hpp"
#include "messages/symbol_table.hpp"

namespace osprey {

namespace {

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// Collects "file:line: what" problems of one file.
struct problem_log {
  const std::string& file;
  std::vector<std::string>& into;

  void operator()(size_t line, const std::string& what) const {
    std::string p = file;
    p += ':';
    p += std::to_string(line);
    p += ": ";
    p += what;
    into.push_back(std::move(p));
  }
};

std::ifstream open_or_throw(const std::string& path, const char* what) {
  std::ifstream in{path};
  if (!in) {
    std::string e = "cannot read the ";
    e += what;
    e += " file ";
    e += path;
    throw std::runtime_error(e);
  }
  return in;
}

/// Parses a YYYY-MM-DD date (no time) into its UTC midnight.
bool parse_day(std::string_view s, int64_t& out) {
  if (s.size() != 10 || s[4] != '-')
    return false;
  auto d = csv::parse_date_time(s);
  if (!d || d->has_time)
    return false;
  out = d->day_ns;
  return true;
}

/// Parses a whole decimal field as a finite double.
bool parse_number(std::string_view s, double& out) {
  if (s.empty())
    return false;
  if (s.front() == '+')
    s.remove_prefix(1);
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size() && std::isfinite(out);
}

/// Splits a line (dropping a trailing CR) into fields; false when there
/// are too many.
bool fields_of(std::string& line, csv::fields& f) {
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  csv::split(line, f);
  return !f.too_many;
}

/// Reads the header line and checks it names `expected` in order.
bool header_ok(std::istream& in, const std::vector<std::string>& expected,
               const problem_log& report) {
  std::string line;
  if (!std::getline(in, line)) {
    report(1, "empty file: expected a header row");
    return false;
  }
  csv::fields f;
  fields_of(line, f);
  bool ok = f.count == expected.size();
  for (size_t k = 0; ok && k < expected.size(); ++k)
    ok = lower(f.at[k]) == expected[k];
  if (!ok) {
    std::string what = "the header must be ";
    for (size_t k = 0; k < expected.size(); ++k) {
      what += k ? "," : "";
      what += expected[k];
    }
    what += "; the file is skipped";
    report(1, what);
  }
  return ok;
}

/// Joins pieces into one message (no `"literal" + string`: see CONVENTIONS).
std::string say(std::initializer_list<std::string_view> pieces) {
  std::string s;
  for (auto p : pieces)
    s += p;
  return s;
}

} // namespace

bool mentions(const read_news_item& item, const std::string& ticker) {
  if (std::find(item.symbols.begin(), item.symbols.end(), ticker) != item.symbols.end())
    return true;
  return item.headline.find("$" + ticker) != std::string::npos;
}

read_rows<option_interest_row> read_option_interest(const std::string& path) {
  read_rows<option_interest_row> out;
  auto in = open_or_throw(path, "options");
  problem_log report{path, out.problems};
  if (!header_ok(in, {"date", "symbol", "expiry", "strike", "type", "open_interest"}, report))
    return out;
  std::string line;
  csv::fields f;
  for (size_t n = 2; std::getline(in, line); ++n) {
    if (!fields_of(line, f) || f.count != 6) {
      if (csv::trim(line).empty()) {
        report(n, "empty line");
        continue;
      }
      std::string what = "expected 6 fields, found ";
      what += f.too_many ? "too many" : std::to_string(f.count);
      report(n, what);
      continue;
    }
    option_interest_row r;
    if (!parse_day(f.at[0], r.date)) {
      report(n, say({"date \"", f.at[0], "\" is not YYYY-MM-DD"}));
      continue;
    }
    r.symbol = std::string{f.at[1]};
    if (r.symbol.empty()) {
      report(n, "empty symbol");
      continue;
    }
    if (!parse_day(f.at[2], r.expiry)) {
      report(n, say({"expiry \"", f.at[2], "\" is not YYYY-MM-DD"}));
      continue;
    }
    if (r.expiry < r.date) {
      report(n, say({"expiry ", f.at[2], " is before the date ", f.at[0]}));
      continue;
    }
    if (!parse_number(f.at[3], r.strike) || r.strike <= 0) {
      report(n, say({"strike \"", f.at[3], "\" is not a positive number"}));
      continue;
    }
    auto type = lower(f.at[4]);
    if (type == "call" || type == "c") {
      r.call = true;
    } else if (type == "put" || type == "p") {
      r.call = false;
    } else {
      report(n, say({"type \"", f.at[4], "\" is not call, put, C or P"}));
      continue;
    }
    auto oi = csv::parse_int(f.at[5]);
    if (!oi || *oi < 0) {
      report(n, say({"open_interest \"", f.at[5], "\" is not a whole number >= 0"}));
      continue;
    }
    r.open_interest = *oi;
    out.rows.push_back(std::move(r));
  }
  return out;
}

double call_put_oi_ratio(const std::vector<option_interest_row>& rows, const std::string& symbol,
                         int64_t day) {
  bool found = false;
  int64_t latest = 0;
  for (auto& r : rows)
    if (r.symbol == symbol && r.date <= day && (!found || r.date > latest)) {
      latest = r.date;
      found = true;
    }
  if (!found)
    return missing;
  int64_t calls = 0, puts = 0;
  for (auto& r : rows)
    if (r.symbol == symbol && r.date == latest)
      (r.call ? calls : puts) += r.open_interest;
  return puts > 0 ? static_cast<double>(calls) / static_cast<double>(puts) : missing;
}

read_rows<fundamentals_row> read_fundamentals(const std::string& path) {
  read_rows<fundamentals_row> out;
  auto in = open_or_throw(path, "fundamentals");
  problem_log report{path, out.problems};
  if (!header_ok(in,
                 {"symbol", "date", "eps_actual", "eps_estimate", "revenue", "revenue_year_ago"},
                 report))
    return out;
  static const char* const names[] = {"eps_actual", "eps_estimate", "revenue",
                                      "revenue_year_ago"};
  std::string line;
  csv::fields f;
  for (size_t n = 2; std::getline(in, line); ++n) {
    if (!fields_of(line, f) || f.count != 6) {
      if (csv::trim(line).empty()) {
        report(n, "empty line");
        continue;
      }
      std::string what = "expected 6 fields, found ";
      what += f.too_many ? "too many" : std::to_string(f.count);
      report(n, what);
      continue;
    }
    fundamentals_row r;
    r.symbol = std::string{f.at[0]};
    if (r.symbol.empty()) {
      report(n, "empty symbol");
      continue;
    }
    if (!parse_day(f.at[1], r.date)) {
      report(n, say({"date \"", f.at[1], "\" is not YYYY-MM-DD"}));
      continue;
    }
    double* cells[] = {&r.eps_actual, &r.eps_estimate, &r.revenue, &r.revenue_year_ago};
    bool ok = true;
    for (size_t k = 0; k < 4 && ok; ++k) {
      auto text = f.at[2 + k];
      if (text.empty())
        continue; // allowed: that feature is missing
      ok = parse_number(text, *cells[k]);
      if (!ok)
        report(n, say({names[k], " \"", text, "\" is not a number"}));
    }
    if (!ok)
      continue;
    if (r.revenue < 0 || r.revenue_year_ago < 0) {
      report(n, "revenue must not be negative");
      continue;
    }
    auto dup = std::find_if(out.rows.begin(), out.rows.end(), [&](const fundamentals_row& o) {
      return o.symbol == r.symbol && o.date == r.date;
    });
    if (dup != out.rows.end()) {
      report(n, say({"a second report of ", r.symbol, " on ", f.at[1]}));
      continue;
    }
    out.rows.push_back(std::move(r));
  }
  return out;
}

void fill_fundamentals(const std::vector<fundamentals_row>& rows, const std::string& symbol,
                       int64_t day, other_features& into) {
  const fundamentals_row* latest = nullptr;
  for (auto& r : rows)
    if (r.symbol == symbol && r.date <= day && (!latest || r.date > latest->date))
      latest = &r;
  if (!latest)
    return;
  if (std::isfinite(latest->eps_actual) && std::isfinite(latest->eps_estimate)
      && latest->eps_estimate != 0)
    into.earnings_surprise_pct =
      (latest->eps_actual - latest->eps_estimate) / std::fabs(latest->eps_estimate) * 100.0;
  if (std::isfinite(latest->revenue) && std::isfinite(latest->revenue_year_ago)
      && latest->revenue_year_ago > 0)
    into.revenue_growth_pct = (latest->revenue / latest->revenue_year_ago - 1.0) * 100.0;
}

evaluation_inputs load_evaluation_inputs(const evaluation_files& files,
                                         const headline_reader& read_headline,
                                         std::ostream& err) {
  evaluation_inputs in;
  auto skipped = [&err](const std::string& p) { err << "osprey evaluate: skipped " << p << "\n"; };

  symbol_table symbols;
  auto result = read_all_csv(files.data, csv_replay_options{}, symbols);
  for (auto& p : result.report.problems)
    skipped(p);
  for (auto& m : result.messages) {
    if (auto b = m.as<fb::Bar>()) {
      in.bars[std::string{symbols.name(symbol_id{b->symbol()})}].push_back(
        {m.ts_event(), price{b->open()}.dollars(), price{b->high()}.dollars(),
         price{b->low()}.dollars(), price{b->close()}.dollars(),
         shares_from_nanos(b->volume())});
    } else if (auto t = m.as<fb::Trade>()) {
      in.trades[std::string{symbols.name(symbol_id{t->symbol()})}].push_back(
        {m.ts_event(), t->price(), quantity::from_nanos(t->size()).whole_shares()});
    }
  }
  // A symbol that only trades: its daily bars come from its trades.
  for (auto& [symbol, prints] : in.trades)
    if (in.bars.find(symbol) == in.bars.end())
      in.bars[symbol] = daily_bars_from_trades(prints);

  for (auto& f : files.news) {
    auto r = read_news(f);
    for (auto& p : r.problems)
      skipped(say({p.file, ":", std::to_string(p.line), ": ", p.what}));
    for (auto& m : r.items) {
      auto item = m.as<fb::NewsItem>();
      read_news_item n;
      n.ts = m.ts_event();
      n.headline = item->headline()->str();
      if (auto syms = item->symbols())
        for (auto s : *syms)
          n.symbols.push_back(s->str());
      n.reading = read_headline(n.headline);
      in.news.push_back(std::move(n));
    }
  }
  std::stable_sort(in.news.begin(), in.news.end(),
                   [](const read_news_item& a, const read_news_item& b) { return a.ts < b.ts; });

  for (auto& f : files.options) {
    auto r = read_option_interest(f);
    for (auto& p : r.problems)
      skipped(p);
    in.options.insert(in.options.end(), r.rows.begin(), r.rows.end());
  }
  for (auto& f : files.fundamentals) {
    auto r = read_fundamentals(f);
    for (auto& p : r.problems)
      skipped(p);
    in.fundamentals.insert(in.fundamentals.end(), r.rows.begin(), r.rows.end());
  }
  return in;
}

} // namespace osprey
