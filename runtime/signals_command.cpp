#include "runtime/signals_command.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <ostream>
#include <stdexcept>

#include "actors/indicator_catalog.hpp"
#include "adapters/csv_fields.hpp"
#include "adapters/csv_replay.hpp"
#include "messages/symbol_table.hpp"

namespace osprey {

namespace {

void print_value(std::ostream& out, double v) {
  out << ',';
  if (std::isfinite(v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    out << buf;
  }
}

/// The list's specs; errors read "--indicators: ENTRY: problem".
std::vector<ind::indicator_spec> parse_list(const std::string& list) {
  try {
    return ind::parse_indicator_list(list);
  } catch (const std::invalid_argument& e) {
    std::string what = "--indicators: ";
    what += e.what();
    throw std::invalid_argument(what);
  }
}

} // namespace

std::vector<std::string> indicator_columns(const std::string& list) {
  return ind::columns_of(parse_list(list));
}

int signals_command(const std::vector<std::string>& files, const std::string& list,
                    std::ostream& out, std::ostream& err) {
  std::vector<ind::indicator_spec> specs;
  try {
    specs = parse_list(list);
  } catch (const std::invalid_argument& e) {
    err << "osprey signals: " << e.what() << "\n";
    return 2;
  }
  try {
    symbol_table symbols;
    csv_replay replay{files, csv_replay_options{}, symbols};
    std::map<uint32_t, ind::indicator_set> live; // per symbol
    bool header = false;
    msg m;
    std::vector<double> values;
    while (replay.next(m)) {
      auto bar = m.as<fb::Bar>();
      if (!bar)
        continue; // trades and quotes carry no bar
      bool intraday = bar->interval_s() < 86'400;
      if (!header) {
        out << (intraday ? "date,time,symbol" : "date,symbol");
        for (auto& s : specs)
          for (auto& c : s.columns)
            out << ',' << c;
        out << '\n';
        header = true;
      }
      auto& set = live.try_emplace(bar->symbol(), specs).first->second;
      ind::bar_input in{price{bar->open()}.dollars(), price{bar->high()}.dollars(),
                        price{bar->low()}.dollars(), price{bar->close()}.dollars(),
                        shares_from_nanos(bar->volume())};
      // Intraday bars: the session is the UTC day of the bar's start.
      auto day = (m.ts_event() - 1) / 86'400'000'000'000;
      set.update(in, day);
      values.resize(set.width());
      set.values(values.data());
      auto when = csv::format_time(m.ts_event());
      auto t = when.find('T');
      if (intraday)
        out << when.substr(0, t) << ',' << when.substr(t + 1, 8);
      else
        out << when.substr(0, t);
      out << ',' << symbols.name(symbol_id{bar->symbol()});
      for (auto v : values)
        print_value(out, v);
      out << '\n';
    }
    for (auto& p : replay.report().problems)
      err << "osprey signals: skipped " << p << "\n";
    return 0;
  } catch (const std::exception& e) {
    err << "osprey signals: " << e.what() << "\n";
    return 1;
  }
}

} // namespace osprey
