#include "runtime/backtest_report.hpp"

#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "adapters/csv_fields.hpp"
#include "runtime/json_text.hpp"

namespace osprey {

namespace {

// Styles of the page; plain CSS, no external fonts, so it opens offline.
constexpr const char* page_style = R"css(
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px;
       color: #1f2328; background: #fff; }
h1 { font-size: 1.5em; margin-bottom: 4px; }
h2 { font-size: 1.15em; margin-top: 28px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eaeef2; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.win td.pnl { color: #1a7f37; }
tr.loss td.pnl { color: #cf222e; }
.chart { width: 100%; height: 320px; margin: 8px 0 4px 0; }
.chart.small { height: 200px; }
.note { color: #656d76; font-size: 0.9em; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 24px; }
)css";

// Draws the charts from the embedded data. Times are whole seconds (UTC), as
// lightweight-charts wants them; points sharing a second keep the last one.
constexpr const char* page_script = R"js(
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var note = document.getElementById('chart-note');
  var LC = window.LightweightCharts;
  if (!LC) {
    note.textContent = 'Charts unavailable: the lightweight-charts library was not found ' +
      'when this report was written (run scripts/setup). The tables below are complete.';
    window.reportRendered = false;
    return;
  }
  function seconds(ns) { return Math.floor(ns / 1e9); }
  function ascending(points) {
    var out = [];
    points.forEach(function (p) {
      if (out.length && out[out.length - 1].time === p.time) out[out.length - 1] = p;
      else if (!out.length || out[out.length - 1].time < p.time) out.push(p);
    });
    return out;
  }
  function chartIn(id) {
    return LC.createChart(document.getElementById(id), {
      autoSize: true,
      layout: { background: { color: '#ffffff' }, textColor: '#1f2328' },
      grid: { vertLines: { color: '#f0f2f4' }, horzLines: { color: '#f0f2f4' } },
      timeScale: { timeVisible: true, secondsVisible: false },
      rightPriceScale: { borderVisible: false }
    });
  }
  var percent = { type: 'custom', minMove: 0.01,
                  formatter: function (v) { return v.toFixed(2) + '%'; } };

  var equity = chartIn('equity-chart');
  equity.addSeries(LC.LineSeries, { color: '#2962ff', lineWidth: 2 })
    .setData(ascending(data.equity.map(function (p) {
      return { time: seconds(p.ts_ns), value: p.equity };
    })));
  equity.timeScale().fitContent();

  var drawdown = chartIn('drawdown-chart');
  // A baseline at 0%: the fill runs from the curve up to it.
  drawdown.addSeries(LC.BaselineSeries, {
      baseValue: { type: 'price', price: 0 }, lineWidth: 1, priceFormat: percent,
      bottomLineColor: '#cf222e', bottomFillColor1: 'rgba(207,34,46,0.05)',
      bottomFillColor2: 'rgba(207,34,46,0.35)', topLineColor: '#cf222e',
      topFillColor1: 'rgba(207,34,46,0)', topFillColor2: 'rgba(207,34,46,0)' })
    .setData(ascending(data.equity.map(function (p) {
      return { time: seconds(p.ts_ns), value: -100 * (p.drawdown || 0) };
    })));
  drawdown.timeScale().fitContent();

  // A marker sits on the last bar at or before the trade's time.
  function barTime(times, t) {
    var lo = 0, hi = times.length - 1, found = times.length ? times[0] : t;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (times[mid] <= t) { found = times[mid]; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }
  data.prices.forEach(function (sym, i) {
    var chart = chartIn('price-chart-' + i);
    var series = chart.addSeries(LC.CandlestickSeries, {
      upColor: '#1a7f37', downColor: '#cf222e', borderVisible: false,
      wickUpColor: '#1a7f37', wickDownColor: '#cf222e' });
    var bars = ascending(sym.bars.map(function (b) {
      return { time: seconds(b.ts_ns), open: b.open, high: b.high, low: b.low, close: b.close };
    }));
    series.setData(bars);
    var times = bars.map(function (b) { return b.time; });
    var markers = [];
    data.trades.forEach(function (t) {
      if (t.symbol !== sym.symbol) return;
      var isLong = t.side === 'long';
      markers.push({ time: barTime(times, seconds(t.entry_ts_ns)),
                     position: isLong ? 'belowBar' : 'aboveBar',
                     shape: isLong ? 'arrowUp' : 'arrowDown',
                     color: isLong ? '#1a7f37' : '#cf222e',
                     text: (isLong ? 'Buy ' : 'Short ') + t.qty });
      markers.push({ time: barTime(times, seconds(t.exit_ts_ns)),
                     position: isLong ? 'aboveBar' : 'belowBar',
                     shape: isLong ? 'arrowDown' : 'arrowUp',
                     color: '#6e7781',
                     text: (isLong ? 'Sell ' : 'Cover ') + t.pnl.toFixed(2) });
    });
    markers.sort(function (a, b) { return a.time - b.time; });
    LC.createSeriesMarkers(series, markers);
    chart.timeScale().fitContent();
  });
  note.textContent = '';
  window.reportRendered = true;
})();
)js";

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string price_text(price p) {
  return fixed(p.dollars(), 4);
}

std::string money_text(money m) {
  return fixed(m.dollars(), 2);
}

void write_prices_json(std::ostream& out, const std::vector<symbol_prices>& prices) {
  out << '[';
  for (size_t i = 0; i < prices.size(); ++i) {
    if (i > 0)
      out << ',';
    out << "{\"symbol\":" << json_string(prices[i].symbol) << ",\"bars\":[";
    const auto& bars = prices[i].bars;
    for (size_t k = 0; k < bars.size(); ++k) {
      const auto& b = bars[k];
      if (k > 0)
        out << ',';
      out << "{\"ts_ns\":" << b.ts_ns << ",\"open\":" << price_text(b.open)
          << ",\"high\":" << price_text(b.high) << ",\"low\":" << price_text(b.low)
          << ",\"close\":" << price_text(b.close) << '}';
    }
    out << "]}";
  }
  out << ']';
}

void write_summary(std::ostream& out, const report_data& d) {
  out << "<h2>Run</h2>\n<table class=\"summary\">\n";
  out << "<tr><th>Strategy</th><td>" << html_escape(d.strategy) << "</td></tr>\n";
  out << "<tr><th>Data files</th><td>";
  for (size_t i = 0; i < d.data_files.size(); ++i)
    out << (i > 0 ? "<br>" : "") << html_escape(d.data_files[i]);
  out << "</td></tr>\n";
  for (const auto& s : d.settings)
    out << "<tr><th>" << html_escape(s.name) << "</th><td>" << html_escape(s.value)
        << "</td></tr>\n";
  out << "</table>\n";
}

void write_metrics_table(std::ostream& out, const backtest_metrics& m) {
  out << "<h2>Metrics</h2>\n<table class=\"metrics\">\n";
  for (const auto& row : metric_rows(m)) {
    std::string value = format_metric(row.value, row.format);
    if (std::string_view{row.key} == "profit_factor" && m.profit_factor_infinite)
      value = "n/a (no losing trade)";
    out << "<tr data-key=\"" << row.key << "\"><th>" << html_escape(row.label)
        << "</th><td class=\"num\">" << html_escape(value) << "</td></tr>\n";
  }
  out << "</table>\n";
}

void write_trades_table(std::ostream& out, const std::vector<closed_trade>& trades) {
  out << "<h2>Trades (" << trades.size() << ")</h2>\n";
  if (trades.empty()) {
    out << "<p class=\"note\">No trades.</p>\n";
    return;
  }
  out << "<table class=\"trades\">\n<tr><th>Symbol</th><th>Side</th><th>Entry</th>"
         "<th class=\"num\">Price</th><th>Exit</th><th class=\"num\">Price</th>"
         "<th class=\"num\">Qty</th><th class=\"num\">Commission</th>"
         "<th class=\"num\">P&amp;L</th><th>Held</th></tr>\n";
  for (const auto& t : trades) {
    const char* kind = t.pnl.micros > 0 ? "win" : t.pnl.micros < 0 ? "loss" : "flat";
    out << "<tr class=\"" << kind << "\"><td>" << html_escape(t.symbol) << "</td><td>"
        << to_string(t.side) << "</td><td>" << csv::format_time(t.entry_ts_ns)
        << "</td><td class=\"num\">" << price_text(t.entry_price) << "</td><td>"
        << csv::format_time(t.exit_ts_ns) << "</td><td class=\"num\">"
        << price_text(t.exit_price) << "</td><td class=\"num\">" << to_string(t.qty)
        << "</td><td class=\"num\">" << money_text(t.commission)
        << "</td><td class=\"num pnl\">" << money_text(t.pnl) << "</td><td>"
        << format_duration(t.exit_ts_ns - t.entry_ts_ns) << "</td></tr>\n";
  }
  out << "</table>\n";
}

bool starts_with_ci(std::string_view s, size_t at, std::string_view word) {
  if (s.size() - at < word.size())
    return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[at + i])) != word[i])
      return false;
  return true;
}

} // namespace

std::filesystem::path find_chart_library(const std::filesystem::path& project_dir,
                                         std::string& error) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path candidates[] = {fs::current_path(ec) / chart_library_relative_path,
                                 project_dir / chart_library_relative_path};
  for (const auto& p : candidates)
    if (fs::is_regular_file(p, ec))
      return p;
  error = "lightweight-charts not found: looked for ";
  error += candidates[0].string();
  error += " and ";
  error += candidates[1].string();
  return {};
}

std::string load_chart_library(const std::filesystem::path& project_dir, std::string& error) {
  const auto path = find_chart_library(project_dir, error);
  if (path.empty())
    return {};
  std::ifstream in{path, std::ios::binary};
  std::ostringstream text;
  text << in.rdbuf();
  if (!in || text.str().empty()) {
    error = "cannot read the chart library ";
    error += path.string();
    return {};
  }
  return text.str();
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string script_safe_json(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (char c : json) {
    switch (c) {
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default: out += c;
    }
  }
  return out;
}

std::string script_safe_js(std::string_view js) {
  // "<\/script" and "<\!--" mean the same inside JavaScript strings and
  // regular expressions, the only places such text occurs in library code.
  std::string out;
  out.reserve(js.size());
  for (size_t i = 0; i < js.size(); ++i) {
    if (js[i] == '<' && (starts_with_ci(js, i, "</script") || starts_with_ci(js, i, "<!--"))) {
      out += '<';
      out += '\\';
      continue;
    }
    out += js[i];
  }
  return out;
}

void write_report_json(std::ostream& out, const report_data& d) {
  out << "{\"strategy\":" << json_string(d.strategy) << ",\"data_files\":[";
  for (size_t i = 0; i < d.data_files.size(); ++i)
    out << (i > 0 ? "," : "") << json_string(d.data_files[i]);
  out << "],\"settings\":[";
  for (size_t i = 0; i < d.settings.size(); ++i)
    out << (i > 0 ? "," : "") << "{\"name\":" << json_string(d.settings[i].name)
        << ",\"value\":" << json_string(d.settings[i].value) << '}';
  out << "],\"metrics\":";
  write_metrics_object_json(out, d.metrics);
  out << ",\"trades\":";
  write_trades_json(out, d.trades);
  out << ",\"equity\":";
  write_equity_json(out, d.equity, d.starting_cash);
  out << ",\"prices\":";
  write_prices_json(out, d.prices);
  out << '}';
}

void write_html_report(std::ostream& out, const report_data& d) {
  std::ostringstream json;
  write_report_json(json, d);

  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<title>Backtest: "
      << html_escape(d.strategy) << "</title>\n<style>" << page_style << "</style>\n</head>\n<body>\n";
  out << "<h1>Backtest: " << html_escape(d.strategy) << "</h1>\n";
  out << "<p class=\"note\" id=\"chart-note\">Charts are drawn by JavaScript.</p>\n";
  write_summary(out, d);

  out << "<h2>Equity</h2>\n<div class=\"chart\" id=\"equity-chart\"></div>\n";
  out << "<h2>Drawdown</h2>\n<div class=\"chart small\" id=\"drawdown-chart\"></div>\n";
  for (size_t i = 0; i < d.prices.size(); ++i)
    out << "<h2>" << html_escape(d.prices[i].symbol) << "</h2>\n<div class=\"chart\" id=\"price-chart-"
        << i << "\"></div>\n";

  out << "<div class=\"grid\"><div>\n";
  write_metrics_table(out, d.metrics);
  out << "</div></div>\n";
  write_trades_table(out, d.trades);

  out << "<script type=\"application/json\" id=\"report-data\">" << script_safe_json(json.str())
      << "</script>\n";
  if (!d.chart_library.empty())
    out << "<script>\n" << script_safe_js(d.chart_library) << "\n</script>\n";
  out << "<script>" << page_script << "</script>\n</body>\n</html>\n";
}

} // namespace osprey
