#pragma once

// The built-in strategies written in the rule language, with their
// parameters. `[rules] strategy = "trend"` picks one; `[rules] fast = 20`
// (or `--set rules.fast=20`, what a parameter search varies) changes a
// parameter. Each text is the rule set after substituting {name} by the
// parameter's value.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace osprey {

struct rule_template {
  const char* name;
  const char* summary;
  const char* text;
  std::vector<std::pair<const char*, double>> defaults;
};

inline const std::vector<rule_template>& rule_templates() {
  static const std::vector<rule_template> all = {
    {"momentum", "5- and 20-day returns both up, on above-average volume",
     "entry: roc({short}) > {short_min} and roc({long}) > {long_min} and "
     "volume > {volume_factor} * avg(volume, 20)\n"
     "exit: roc({short}) < 0\n",
     {{"short", 5}, {"long", 20}, {"short_min", 0}, {"long_min", 0}, {"volume_factor", 1.2}}},
    {"mean_reversion", "buy oversold (RSI, lower Bollinger band), sell at the mean",
     "entry: rsi({rsi}) < {oversold} or close < bb({bb}, {k}).lower\n"
     "exit: rsi({rsi}) > {overbought} or close > bb({bb}, {k}).middle\n",
     {{"rsi", 14}, {"oversold", 30}, {"overbought", 70}, {"bb", 20}, {"k", 2}}},
    {"trend", "moving-average cross: in above, out below",
     "entry: crosses_above(sma(close, {fast}), sma(close, {slow}))\n"
     "exit: crosses_below(sma(close, {fast}), sma(close, {slow}))\n",
     {{"fast", 50}, {"slow", 200}}},
    {"gap_and_go", "a gap up on heavy volume that holds, out when it fails",
     "entry: gap_pct > {gap} and volume > {volume_factor} * avg(volume, 20) and close > open\n"
     "exit: close < lowest(low, {hold})[1]\n",
     {{"gap", 3}, {"volume_factor", 2}, {"hold", 3}}},
    {"sentiment", "positive news flow on more mentions than usual",
     "entry: sentiment > {min_sentiment} and mentions >= {min_mentions}\n"
     "exit: sentiment < {exit_sentiment}\n",
     {{"min_sentiment", 0.3}, {"min_mentions", 2}, {"exit_sentiment", 0}}},
  };
  return all;
}

/// Returns the template called `name`, or null.
inline const rule_template* find_rule_template(std::string_view name) {
  for (auto& t : rule_templates())
    if (name == t.name)
      return &t;
  return nullptr;
}

} // namespace osprey
