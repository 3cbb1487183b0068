#include "runtime/backtest_cli.hpp"

#include <iostream>
#include <tuple>

namespace osprey {

void add_backtest_command(CLI::App& app, backtest_cli& cli) {
  auto* b = app.add_subcommand(
    "backtest", "Replay history through the actors with the simulated broker; report the results");
  cli.command = b;
  auto& o = cli.options;
  b->add_option("--data", o.data,
                "CSV bar files (symbol from the file name or a column), or one journal")
    ->required()
    ->check(CLI::ExistingFile);
  b->add_option("--config", o.config_path,
                "TOML configuration (default: built-in, with loss and drawdown halts off)")
    ->check(CLI::ExistingFile);
  b->add_option("--set", o.overrides,
                "SECTION.KEY=VALUE over the configuration, e.g. strategy.volume_factor=2");
  b->add_option("--strategy", cli.strategy,
                "breakout (default), momentum, mean_reversion, trend, gap_and_go, sentiment "
                "(parameters: --set rules.NAME=VALUE; see docs/RULES.md)");
  b->add_option("--entry", cli.entry, "Entry rule (rule language); with --exit etc.: a custom strategy");
  b->add_option("--exit", cli.exit, "Exit rule");
  b->add_option("--short-entry", cli.short_entry, "Short entry rule (with --long-short)");
  b->add_option("--short-exit", cli.short_exit, "Short exit rule");
  b->add_option("--size", cli.size, "Sizing: 10% equity | 100 shares | $5000 | risk 1%");
  b->add_option("--stop", cli.stop, "Stop distance: 5% or an expression such as 2 * atr(14)");
  b->add_option("--target", cli.target, "Target distance, as --stop");
  b->add_option("--opposite", cli.opposite, "An opposite signal: ignore | close (default) | reverse")
    ->check(CLI::IsMember({"ignore", "close", "reverse"}));
  b->add_flag("--long-short", cli.long_short, "Trade both sides (needs risk.allow_short_selling)");
  b->add_flag("--fractional", cli.fractional,
              "Size entries in fractions of a share (to the nano-share), not whole shares");
  b->add_option("--fill", cli.fill,
                "next_open (default) | next_close | next_quote | same_close (look-ahead, for "
                "comparisons)")
    ->check(CLI::IsMember({"next_open", "next_close", "next_quote", "same_close"}));
  b->add_option("--end", cli.end,
                "Open positions at the end: close (at the last close, default) | open (at the "
                "last open) | keep (marked to market)")
    ->check(CLI::IsMember({"close", "open", "keep"}));
  b->add_option("--from", cli.from,
                "Trade from this date (YYYY-MM-DD, UTC); earlier bars only warm the indicators");
  b->add_option("--to", cli.to, "Stop after this date (YYYY-MM-DD, inclusive)");
  b->add_option("--exits", cli.exits,
                "How stop and target levels exit: strategy (checked on each bar, default) | "
                "bracket (sent with the entry as the venue's bracket order)")
    ->check(CLI::IsMember({"strategy", "bracket"}));
  b->add_option("--batch", o.batch, "Bars of one time step per message (1: one per bar)")
    ->check(CLI::Range(1u, 1'000'000u));
  b->add_option("--journal", o.journal_path, "Also write the run's journal here");
  b->add_flag("--json", o.json, "Print the results as JSON");
  b->add_option("--report", o.report_path, "Write a self-contained HTML report");
  b->add_flag("--no-progress", cli.no_progress, "No progress bar");
}

int run_backtest_command(backtest_cli& cli, const std::string& project_dir) {
  auto& o = cli.options;
  for (auto [text, end_of_day, out, name] :
       {std::tuple{&cli.from, false, &o.from_ns, "--from"},
        std::tuple{&cli.to, true, &o.to_ns, "--to"}}) {
    if (text->empty())
      continue;
    *out = parse_backtest_time(*text, end_of_day);
    if (!*out) {
      std::cerr << "osprey backtest: " << name << " \"" << *text
                << "\" is not a date (YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS)\n";
      return 2;
    }
  }
  if (cli.fill == "next_open")
    o.fill = bar_fill::next_open;
  else if (cli.fill == "next_close")
    o.fill = bar_fill::next_close;
  else if (cli.fill == "next_quote")
    o.fill = bar_fill::none;
  else if (cli.fill == "same_close")
    o.fill = bar_fill::same_close;
  if (cli.end == "open")
    o.end = end_policy::close_at_last_open;
  else if (cli.end == "keep")
    o.end = end_policy::keep_open;
  o.progress = !cli.no_progress;
  // The strategy options are settings of the [rules] section, so a config
  // file and the command line say the same things the same way.
  auto quoted = [](const std::string& v) {
    std::string q = "\"";
    for (char c : v)
      q += c == '"' || c == '\\' ? std::string{"\\"} + c : std::string{c};
    return q + "\"";
  };
  auto set = [&](const char* key, const std::string& v) {
    if (!v.empty())
      o.overrides.push_back(std::string{"rules."} + key + "=" + quoted(v));
  };
  set("strategy", cli.strategy);
  set("entry", cli.entry);
  set("exit", cli.exit);
  set("short_entry", cli.short_entry);
  set("short_exit", cli.short_exit);
  set("size", cli.size);
  set("stop", cli.stop);
  set("target", cli.target);
  set("opposite", cli.opposite);
  set("exits", cli.exits);
  if (cli.long_short)
    o.overrides.push_back("rules.long_short=true");
  if (cli.fractional)
    for (auto* section : {"rules", "strategy", "rebalance"})
      o.overrides.push_back(std::string{section} + ".fractional=true");
  if (!cli.entry.empty() && cli.strategy.empty())
    o.overrides.push_back("rules.strategy=\"custom\"");
  o.project_dir = project_dir;
  return backtest_command(o, std::cout, std::cerr);
}

} // namespace osprey
