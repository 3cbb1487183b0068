#pragma once

// The finance layer's word data: the finance lexicon (valences that override
// or extend the general VADER lexicon) and the word classes the phrase rules
// look for. Kept apart from the scorer so the data can be read and reviewed
// on its own; docs/SENTIMENT.md explains how the valences were chosen.

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace osprey::sentiment::finance_words {

/// Finance valences on VADER's -4..+4 scale. Reasoning, by group:
/// - Results verbs ("beat", "miss", "outperform") carry the news itself but
///   are missing from (or too weak in) a social-media lexicon: +-1.5..1.8.
/// - Direction verbs ("rose", "fell", "increased", "decreased") are the core
///   of financial reporting; a moderate +-1.0 so that a direction alone
///   crosses the neutral band but an opposite strong word can outweigh it.
///   Their sign is flipped by the phrase rules when the subject is a cost or
///   a loss ("operating loss decreased" is good news).
/// - Hard events ("bankruptcy", "insolvency", "fraud") are strongly negative
///   (-2.5..-3.0); softer ones ("probe", "recall", "lawsuit") -1.2..-1.5.
/// - "profit" is lowered from VADER's 1.9 to 1.0: a profit figure on its own
///   ("operating profit totalled EUR 5 mn") is neutral news.
/// - 0 removes a word that a general lexicon scores but that is neutral in
///   finance text ("gross" profit, "vice" president, "shares", "interest",
///   "credit", "crude" oil, "united", "fund").
inline const std::vector<std::pair<std::string_view, double>>& lexicon_entries() {
  static const std::vector<std::pair<std::string_view, double>> entries{
    // results against expectations
    {"beat", 1.5}, {"beats", 1.5}, {"outperform", 1.8}, {"outperforms", 1.8},
    {"outperformed", 1.8}, {"underperform", -1.8}, {"underperforms", -1.8},
    {"underperformed", -1.8}, {"miss", -1.5}, {"misses", -1.5}, {"missed", -1.5},
    {"tops", 1.2}, {"topped", 1.2}, {"exceeded", 1.2}, {"exceeds", 1.2},
    {"shortfall", -1.5}, {"disappointing", -2.0},
    // analyst actions
    {"upgrade", 1.5}, {"upgrades", 1.5}, {"upgraded", 1.5},
    {"downgrade", -1.5}, {"downgrades", -1.5}, {"downgraded", -1.5},
    {"bullish", 2.0}, {"bearish", -2.0}, {"overweight", 1.0}, {"underweight", -1.0},
    // price and figure direction
    {"surge", 1.8}, {"surges", 1.8}, {"surged", 1.8}, {"soar", 2.0}, {"soars", 2.0},
    {"soared", 2.0}, {"jump", 1.2}, {"jumps", 1.2}, {"jumped", 1.2}, {"rally", 1.5},
    {"rallies", 1.5}, {"rallied", 1.5}, {"rise", 1.0}, {"rises", 1.0}, {"rose", 1.0},
    {"risen", 1.0}, {"rising", 0.8}, {"climb", 1.0}, {"climbs", 1.0}, {"climbed", 1.0},
    {"gain", 1.2}, {"gains", 1.2}, {"gained", 1.0}, {"increase", 1.0}, {"increases", 1.0},
    {"increased", 1.0}, {"increasing", 0.8}, {"grew", 1.0}, {"grow", 0.8}, {"grows", 0.8},
    {"growth", 1.2}, {"improved", 1.2}, {"improve", 1.0}, {"improves", 1.0},
    {"improvement", 1.2}, {"higher", 0.8}, {"doubled", 1.5}, {"tripled", 1.5},
    {"expand", 0.8}, {"expanded", 0.8}, {"expansion", 0.8}, {"widened", 0.6},
    {"plunge", -2.2}, {"plunges", -2.2}, {"plunged", -2.2}, {"tumble", -1.8},
    {"tumbles", -1.8}, {"tumbled", -1.8}, {"slump", -1.8}, {"slumps", -1.8},
    {"slumped", -1.8}, {"sank", -1.5}, {"sink", -1.5}, {"sinks", -1.5}, {"slid", -1.2},
    {"slide", -1.2}, {"slides", -1.2}, {"fall", -1.0}, {"falls", -1.0}, {"fell", -1.0},
    {"fallen", -1.0}, {"falling", -0.8}, {"decline", -1.0}, {"declines", -1.0},
    {"declined", -1.0}, {"declining", -0.8}, {"decrease", -1.0}, {"decreases", -1.0},
    {"decreased", -1.0}, {"decreasing", -0.8}, {"drop", -1.0}, {"drops", -1.0},
    {"dropped", -1.0}, {"lower", -0.6}, {"lowered", -1.0}, {"weaker", -1.2},
    {"narrowed", -0.6}, {"down", -0.5}, {"slowdown", -1.2}, {"downturn", -1.5},
    // profit and loss
    {"profit", 1.0}, {"profits", 1.0}, {"profitable", 1.5}, {"profitability", 0.8},
    {"loss", -1.5}, {"losses", -1.5}, {"deficit", -1.2}, {"writedown", -1.5},
    {"impairment", -1.5}, {"warning", -1.5}, {"warns", -1.5}, {"warned", -1.5},
    // corporate events
    {"dilution", -1.2}, {"dilutive", -1.2}, {"offering", -0.3}, {"bankruptcy", -3.0},
    {"bankrupt", -3.0}, {"insolvency", -2.5}, {"insolvent", -2.5}, {"default", -1.5},
    {"defaulted", -2.0}, {"layoffs", -1.8}, {"layoff", -1.8}, {"redundancies", -1.5},
    {"recall", -1.2}, {"recalls", -1.2}, {"recalled", -1.2}, {"probe", -1.2},
    {"investigation", -1.0}, {"lawsuit", -1.5}, {"lawsuits", -1.5}, {"sued", -1.5},
    {"sues", -1.5}, {"delisted", -2.0}, {"halted", -1.0}, {"suspended", -1.0},
    {"buyback", 1.0}, {"repurchase", 0.8}, {"won", 1.8}, {"wins", 1.8}, {"awarded", 1.8},
    {"buy", 1.2},
    // neutral in finance text, scored by a general lexicon
    {"gross", 0.0}, {"vice", 0.0}, {"share", 0.0}, {"shares", 0.0}, {"interest", 0.0},
    {"credit", 0.0}, {"crude", 0.0}, {"united", 0.0}, {"fund", 0.0}, {"funds", 0.0},
    {"demand", 0.0}, {"natural", 0.0}, {"care", 0.0}, {"like", 0.0}, {"capital", 0.0},
  };
  return entries;
}

/// Word classes for the phrase rules (bit flags).
enum word_class : uint32_t {
  guide_up = 1u << 0,       ///< raise(s/d), lift(s/ed), boost(s/ed)
  guide_down = 1u << 1,     ///< cut(s), lower(s/ed), slash(es/ed), trim(s/med)
  guide_noun = 1u << 2,     ///< guidance, forecast, outlook
  beat_verb = 1u << 3,      ///< beat(s), top(s/ped), exceed(s/ed), surpass(ed)
  miss_verb = 1u << 4,      ///< miss(es/ed), lag(s/ged)
  estimate_noun = 1u << 5,  ///< estimates, expectations, consensus, views
  record_good = 1u << 6,    ///< what follows "record" in good news
  record_bad = 1u << 7,     ///< what follows "record" in bad news
  dir_up = 1u << 8,         ///< a figure went up
  dir_down = 1u << 9,       ///< a figure went down
  bad_noun = 1u << 10,      ///< a figure that is better when lower
  clause_break = 1u << 11,  ///< ends the subject window of a direction verb
  good_noun = 1u << 12,     ///< a figure that is better when higher
};

/// Returns the phrase-rule classes of each word that has any.
inline const std::unordered_map<std::string_view, uint32_t>& classes() {
  static const std::unordered_map<std::string_view, uint32_t> table = [] {
    std::unordered_map<std::string_view, uint32_t> t;
    auto add = [&t](std::initializer_list<std::string_view> words, uint32_t c) {
      for (auto w : words)
        t[w] |= c;
    };
    add({"raise", "raises", "raised", "raising", "lifts", "lifted", "boosts", "boosted",
         "ups", "upped", "hikes", "hiked"},
        guide_up);
    add({"cut", "cuts", "cutting", "lowers", "lowered", "lowering", "slashes", "slashed",
         "trims", "trimmed", "reduces", "reduced", "lower"},
        guide_down);
    add({"guidance", "forecast", "forecasts", "outlook", "target", "targets"}, guide_noun);
    add({"beat", "beats", "beating", "top", "tops", "topped", "exceed", "exceeds", "exceeded",
         "surpass", "surpasses", "surpassed"},
        beat_verb);
    add({"miss", "misses", "missed", "missing", "lag", "lags", "lagged", "trailed"}, miss_verb);
    add({"estimate", "estimates", "expectations", "expectation", "consensus", "views",
         "forecast", "forecasts"},
        estimate_noun);
    add({"revenue", "revenues", "sales", "profit", "profits", "earnings", "high", "highs",
         "quarter", "results", "year", "orders", "order", "income", "margin", "growth"},
        record_good);
    add({"low", "lows", "loss", "losses", "deficit", "fine", "decline", "drop"}, record_bad);
    add({"rose", "rise", "rises", "risen", "rising", "increased", "increase", "increases",
         "grew", "grow", "grows", "climbed", "climb", "jumped", "jump", "jumps", "gained",
         "gain", "gains", "up", "higher", "widened", "widen", "widens", "doubled", "soared",
         "surged", "improved", "improves", "improve", "strengthened", "tripled", "expanded"},
        dir_up);
    add({"fell", "fall", "falls", "fallen", "falling", "decreased", "decrease", "decreases",
         "declined", "decline", "declines", "dropped", "drop", "drops", "down", "lower",
         "lowered", "narrowed", "narrow", "narrows", "narrowing", "cut", "cuts", "reduced",
         "reduce", "reduces", "slashed", "shrank", "shrunk", "halved", "plunged", "slumped", "contracted",
         "diminished", "weakened", "deteriorated", "slipped", "slid", "sank", "tumbled"},
        dir_down);
    add({"loss", "losses", "cost", "costs", "expenses", "expense", "debt", "deficit",
         "debts", "liabilities", "unemployment", "impairment", "impairments", "writedowns",
         "provisions", "charges"},
        bad_noun);
    add({"profit", "profits", "sales", "revenue", "revenues", "earnings", "eps", "ebitda", "ebit",
         "income", "margin", "margins", "turnover", "orders", "dividend", "volume", "volumes",
         "deliveries", "production", "output", "demand", "price", "prices", "share", "shares",
         "stock", "value", "result", "results", "growth"},
        good_noun);
    add({"and", "while", "but", "whereas", "although", "from", "compared"}, clause_break);
    return t;
  }();
  return table;
}

/// Returns the classes of a lower-case bare word (0 when it has none).
inline uint32_t classes_of(std::string_view word) {
  const auto& t = classes();
  auto it = t.find(word);
  return it == t.end() ? 0u : it->second;
}

} // namespace osprey::sentiment::finance_words
