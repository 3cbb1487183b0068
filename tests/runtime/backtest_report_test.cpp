// The self-contained HTML report: inlined library, embedded data, escaping.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "runtime/backtest_report.hpp"

using namespace osprey;

namespace {

constexpr int64_t day = 86'400'000'000'000;
constexpr int64_t t0 = 1'700'000'000'000'000'000;
const std::string evil = "</script><script>alert(1)</script>";

report_data sample(const std::string& symbol, const std::string& strategy) {
  report_data d;
  d.strategy = strategy;
  d.data_files = {"data/" + symbol + ".csv"};
  d.settings = {{"commission", "0.005/share"}, {"note", "a < b & c"}};
  d.starting_cash = money{1'000'000'000};
  for (int i = 0; i < 5; ++i) {
    d.equity.push_back({t0 + i * day, money{(1000 + 10 * i * (i % 2 ? -1 : 1)) * 1'000'000},
                        money{i % 2 ? 500'000'000 : 0}});
  }
  symbol_prices p;
  p.symbol = symbol;
  for (int i = 0; i < 5; ++i) {
    const int64_t c = (100 + i) * 1'000'000;
    p.bars.push_back({t0 + i * day, price{c - 500'000}, price{c + 1'000'000},
                      price{c - 1'000'000}, price{c}});
  }
  d.prices.push_back(p);
  closed_trade t;
  t.symbol = symbol;
  t.entry_ts_ns = t0 + day;
  t.exit_ts_ns = t0 + 3 * day;
  t.entry_price = price{101'000'000};
  t.exit_price = price{103'000'000};
  t.qty = quantity{5};
  t.commission = money{1'000'000};
  t.pnl = money{9'000'000};
  d.trades.push_back(t);
  metrics_options o;
  o.starting_cash = d.starting_cash;
  d.metrics = compute_metrics(d.equity, d.trades, o);
  return d;
}

std::string html_of(const report_data& d) {
  std::ostringstream out;
  write_html_report(out, d);
  return out.str();
}

// The text between `open` and the next "</script>".
std::string script_after(const std::string& html, const std::string& open) {
  const auto at = html.find(open);
  if (at == std::string::npos)
    return {};
  const auto begin = at + open.size();
  return html.substr(begin, html.find("</script>", begin) - begin);
}

// A minimal JSON well-formedness check: strings closed, brackets balanced,
// nothing after the top value. Enough to catch broken escaping.
bool balanced_json(const std::string& s) {
  std::string stack;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      else if (static_cast<unsigned char>(c) < 0x20)
        return false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '{' || c == '[')
      stack += c;
    else if (c == '}' || c == ']') {
      if (stack.empty() || stack.back() != (c == '}' ? '{' : '['))
        return false;
      stack.pop_back();
      if (stack.empty() && i + 1 != s.size())
        return false;
    }
  }
  return stack.empty() && !in_string && !s.empty();
}

} // namespace

TEST(backtest_report, inlines_the_chart_library_and_the_data) {
  auto d = sample("AAPL", "sma_cross");
  d.chart_library = "window.LightweightCharts = {marker: 'LIBRARY-SOURCE'};";
  const auto html = html_of(d);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<script>\nwindow.LightweightCharts = {marker: 'LIBRARY-SOURCE'};\n</script>"),
            std::string::npos);
  const auto json = script_after(html, "<script type=\"application/json\" id=\"report-data\">");
  ASSERT_FALSE(json.empty());
  EXPECT_TRUE(balanced_json(json)) << json;
  EXPECT_EQ(json.rfind("{\"strategy\":\"sma_cross\",\"data_files\":[\"data/AAPL.csv\"]", 0), 0u);
  EXPECT_NE(json.find("\"equity\":[{\"ts_ns\":1700000000000000000"), std::string::npos);
  EXPECT_NE(json.find("\"prices\":[{\"symbol\":\"AAPL\",\"bars\":[{\"ts_ns\":"), std::string::npos);
  EXPECT_NE(json.find("\"trades\":[{\"symbol\":\"AAPL\",\"side\":\"long\""), std::string::npos);
  // No external resource: the page opens offline.
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos);
}

TEST(backtest_report, draws_the_charts_and_tables) {
  auto html = html_of(sample("AAPL", "sma_cross"));
  EXPECT_NE(html.find("id=\"equity-chart\""), std::string::npos);
  EXPECT_NE(html.find("id=\"drawdown-chart\""), std::string::npos);
  EXPECT_NE(html.find("id=\"price-chart-0\""), std::string::npos);
  EXPECT_NE(html.find("createSeriesMarkers"), std::string::npos);
  EXPECT_NE(html.find("<tr data-key=\"sharpe\"><th>Sharpe</th>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num pnl\">9.00</td>"), std::string::npos);
  EXPECT_NE(html.find("<th>note</th><td>a &lt; b &amp; c</td>"), std::string::npos);
}

TEST(backtest_report, escapes_a_script_injection_in_names) {
  auto d = sample(evil, evil);
  d.data_files.push_back(evil);
  d.chart_library = "var s = '</script><!-- x';";
  const auto html = html_of(d);
  // Exactly our own script elements close: data, library and page script.
  size_t closes = 0;
  for (auto at = html.find("</script"); at != std::string::npos; at = html.find("</script", at + 1))
    ++closes;
  EXPECT_EQ(closes, 3u) << html;
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("var s = '<\\/script><\\!-- x';"), std::string::npos);
  const auto json = script_after(html, "<script type=\"application/json\" id=\"report-data\">");
  EXPECT_TRUE(balanced_json(json)) << json;
  EXPECT_NE(json.find("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"), std::string::npos);
}

TEST(backtest_report, still_writes_the_tables_without_the_library) {
  auto html = html_of(sample("AAPL", "sma_cross"));
  EXPECT_NE(html.find("Charts unavailable"), std::string::npos);
  EXPECT_NE(html.find("<table class=\"metrics\">"), std::string::npos);
  EXPECT_NE(html.find("<table class=\"trades\">"), std::string::npos);
}

TEST(backtest_report, finds_the_chart_library_under_the_project_directory) {
  namespace fs = std::filesystem;
  const auto root = fs::temp_directory_path() / (std::to_string(::getpid()) + "-report-project");
  fs::remove_all(root);
  // Run from an empty directory, so ./node_modules cannot answer instead.
  const auto cwd = fs::current_path();
  const auto empty = root / "elsewhere";
  fs::create_directories(empty);
  fs::current_path(empty);
  std::string error;
  EXPECT_TRUE(find_chart_library(root, error).empty());
  EXPECT_NE(error.find("lightweight-charts not found"), std::string::npos);
  EXPECT_NE(error.find(root.string()), std::string::npos);
  EXPECT_TRUE(load_chart_library(root, error).empty());

  const auto lib = root / chart_library_relative_path;
  fs::create_directories(lib.parent_path());
  std::ofstream{lib} << "/* lib */";
  error.clear();
  EXPECT_EQ(find_chart_library(root, error), lib);
  EXPECT_EQ(load_chart_library(root, error), "/* lib */");
  fs::current_path(cwd);
  fs::remove_all(root);
}

TEST(backtest_report, inlines_the_installed_library_when_present) {
  std::string error;
  const auto lib = load_chart_library(OSPREY_SOURCE_DIR, error);
  if (lib.empty())
    FAIL() << error << " (run scripts/setup)";
  auto d = sample("AAPL", "sma_cross");
  d.chart_library = lib;
  const auto html = html_of(d);
  EXPECT_NE(html.find("TradingView Lightweight Charts"), std::string::npos);
  EXPECT_GT(html.size(), lib.size());
}

TEST(backtest_report, writes_identical_bytes_for_identical_inputs) {
  EXPECT_EQ(html_of(sample("AAPL", "x")), html_of(sample("AAPL", "x")));
}
