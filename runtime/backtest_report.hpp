#pragma once

// The backtest's HTML report: one self-contained file that opens offline,
// with the lightweight-charts library and the run's data inlined. Charts:
// the equity curve, the drawdown (underwater) curve and each traded symbol's
// prices with entry and exit markers; tables: the metrics and the trades.

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "messages/units.hpp"
#include "runtime/backtest_metrics.hpp"

namespace osprey {

/// One bar of a traded symbol's prices, for its chart.
struct price_bar {
  int64_t ts_ns = 0;
  price open;
  price high;
  price low;
  price close;
};

/// A traded symbol and its bars in time order.
struct symbol_prices {
  std::string symbol;
  std::vector<price_bar> bars;
};

/// A named setting shown in the report's configuration summary.
struct report_setting {
  std::string name;
  std::string value;
};

/// Everything the report shows.
struct report_data {
  std::string strategy;                 // strategy name, the page's title
  std::vector<std::string> data_files;  // bar files the run read
  std::vector<report_setting> settings; // options of the run, in display order
  money starting_cash;
  backtest_metrics metrics;
  equity_curve equity;
  std::vector<closed_trade> trades;
  std::vector<symbol_prices> prices;
  std::string chart_library; // the library's JavaScript; empty: tables only
};

/// Where the library's standalone build lives inside node_modules.
inline constexpr const char* chart_library_relative_path =
  "node_modules/lightweight-charts/dist/lightweight-charts.standalone.production.js";

/// Returns the lightweight-charts standalone build found under ./node_modules
/// or <project_dir>/node_modules, or an empty path with `error` naming the
/// places looked in.
std::filesystem::path find_chart_library(const std::filesystem::path& project_dir,
                                         std::string& error);

/// Returns the library's source found by find_chart_library, or an empty
/// string with `error` set when it is missing or unreadable.
std::string load_chart_library(const std::filesystem::path& project_dir, std::string& error);

/// Escapes text for HTML element content and attribute values.
std::string html_escape(std::string_view text);

/// Makes JSON text safe inside a <script> element: '<', '>' and '&' become
/// \u escapes, which only ever occur inside JSON strings.
std::string script_safe_json(std::string_view json);

/// Makes JavaScript source safe to inline in a <script> element: breaks up
/// every "</script" and "<!--".
std::string script_safe_js(std::string_view js);

/// Writes the report's data as one JSON object (the page's embedded data).
void write_report_json(std::ostream& out, const report_data& data);

/// Writes the whole report as one HTML page.
void write_html_report(std::ostream& out, const report_data& data);

} // namespace osprey
