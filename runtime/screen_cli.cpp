#include "runtime/screen_cli.hpp"

#include <iostream>

#include "runtime/llm_cli.hpp"

namespace osprey {

void add_screen_command(CLI::App& app, screen_cli& cli) {
  auto* s = app.add_subcommand(
    "screen", "Evaluate one rule over every symbol of the data at a date; print the passing "
              "symbols ranked");
  cli.command = s;
  auto& o = cli.options;
  // Not ->required(): the command itself says what is missing (exit 2).
  s->add_option("--data", o.data,
                "CSV bar files: the universe (symbol from the file name or a column)");
  auto* rule =
    s->add_option("--rule", o.rule, "The rule, e.g. \"rsi(14) < 30 and close > sma(close, 50)\"");
  auto* phrase = s->add_option(
    "--phrase", o.phrase, "The rule in plain English, e.g. \"rsi below 30 with volume spike\"");
  rule->excludes(phrase);
  phrase->excludes(rule);
  add_llm_flags(*s, o.llm, phrase);
  s->add_option("--date", o.date,
                "YYYY-MM-DD: screen each symbol's last bar on or before it (default: its latest)");
  s->add_option("--fundamentals", o.fundamentals,
                "Earnings reports, symbol,date,eps_actual,eps_estimate,revenue,revenue_year_ago: "
                "pe, eps_surprise_pct and revenue_growth_pct as of each bar's day");
  s->add_option("--rank", o.rank,
                "A number expression to rank by (default: the first comparison's left side)");
  s->add_flag("--ascending", o.ascending, "Lowest rank first");
  s->add_option("--top", o.top, "Show at most N rows");
  s->add_flag("--all", o.all, "Show failing and skipped symbols too, with why");
  s->add_flag("--json", o.json, "Print a JSON array instead of a table");
  s->add_option("--tolerance", o.tolerance,
                "Seed weight left in ema/rsi/atr/adx/macd when warming on the last bars only (0: "
                "every bar)")
    ->capture_default_str();
}

int run_screen_command(screen_cli& cli, const std::string&) {
  return screen_command(cli.options, std::cout, std::cerr, llm_process_environment());
}

} // namespace osprey
