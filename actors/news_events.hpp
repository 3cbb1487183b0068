#pragma once

// Event tags for news headlines: keyword and phrase rules over the lower-case
// bare words of a text, with negation awareness and a confidence in (0, 1].
//
// Confidence reflects how specific the evidence is: a verb with its object
// ("beats estimates", "raises guidance") scores 0.9; a single keyword that is
// usually but not always the event ("probe", "in talks") 0.6-0.7.
// A negation ("not", "no", "n't", "denies", "without", "fails to") within the
// three words before a trigger suppresses the tag, except for earnings, where
// "fails to beat" is a miss and "did not miss" is a (weak) beat.
// Hedges ("seeks", "awaits", "pending", "files for") before an FDA approval
// word suppress it: asking for approval is not being approved.

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "actors/sentiment.hpp"

namespace osprey::sentiment {

/// The event kinds a headline can be tagged with.
enum class event_tag : uint8_t {
  earnings_beat,
  earnings_miss,
  guidance_raised,
  guidance_cut,
  fda_approval,
  fda_rejection,
  merger_acquisition,
  share_offering,
  buyback,
  lawsuit_investigation,
  analyst_upgrade,
  analyst_downgrade,
  short_report,
};

/// Returns the tag's stable snake_case name.
inline std::string_view to_string(event_tag t) {
  switch (t) {
    case event_tag::earnings_beat: return "earnings_beat";
    case event_tag::earnings_miss: return "earnings_miss";
    case event_tag::guidance_raised: return "guidance_raised";
    case event_tag::guidance_cut: return "guidance_cut";
    case event_tag::fda_approval: return "fda_approval";
    case event_tag::fda_rejection: return "fda_rejection";
    case event_tag::merger_acquisition: return "merger_acquisition";
    case event_tag::share_offering: return "share_offering";
    case event_tag::buyback: return "buyback";
    case event_tag::lawsuit_investigation: return "lawsuit_investigation";
    case event_tag::analyst_upgrade: return "analyst_upgrade";
    case event_tag::analyst_downgrade: return "analyst_downgrade";
    case event_tag::short_report: return "short_report";
  }
  return "unknown";
}

/// Which way a tag usually moves the stock: +1 bullish, -1 bearish, 0 it
/// depends (a merger is good for the target, often not for the buyer).
inline int direction(event_tag t) {
  switch (t) {
    case event_tag::earnings_beat:
    case event_tag::guidance_raised:
    case event_tag::fda_approval:
    case event_tag::buyback:
    case event_tag::analyst_upgrade:
      return 1;
    case event_tag::earnings_miss:
    case event_tag::guidance_cut:
    case event_tag::fda_rejection:
    case event_tag::share_offering:
    case event_tag::lawsuit_investigation:
    case event_tag::analyst_downgrade:
    case event_tag::short_report:
      return -1;
    case event_tag::merger_acquisition:
      return 0;
  }
  return 0;
}

/// One tag and how sure the rule is.
struct event_hit {
  event_tag tag = event_tag::earnings_beat;
  double confidence = 0.0;
};

namespace events_detail {

using words_t = std::vector<std::string_view>;

inline bool any_of(std::string_view w, std::initializer_list<std::string_view> list) {
  for (auto x : list)
    if (w == x)
      return true;
  return false;
}

inline bool is_negator(std::string_view w) {
  return any_of(w, {"not", "no", "never", "without", "denies", "denied", "deny", "fails", "failed",
                    "fail", "unable", "nor", "neither", "rules", "dismisses", "cannot"}) ||
         w.find("n't") != std::string_view::npos ||
         any_of(w, {"didnt", "doesnt", "dont", "isnt", "wasnt", "wont", "cant"});
}

// True when a negation sits in the three words before index i.
inline bool negated(const words_t& w, size_t i) {
  for (size_t k = i >= 3 ? i - 3 : 0; k < i; ++k)
    if (is_negator(w[k]))
      return true;
  return false;
}

// Index of the first word in [from, to) that is in `list`, or w.size().
inline size_t find_in(const words_t& w, size_t from, size_t to,
                      std::initializer_list<std::string_view> list) {
  for (size_t k = from; k < std::min(to, w.size()); ++k)
    if (any_of(w[k], list))
      return k;
  return w.size();
}

template <size_t N>
size_t find_in(const words_t& w, size_t from, size_t to, const std::string_view (&list)[N]) {
  for (size_t k = from; k < std::min(to, w.size()); ++k)
    for (auto x : list)
      if (w[k] == x)
        return k;
  return w.size();
}

inline bool contains(const words_t& w, std::initializer_list<std::string_view> list) {
  return find_in(w, 0, w.size(), list) < w.size();
}

inline void add(std::vector<event_hit>& out, event_tag tag, double confidence) {
  for (auto& h : out)
    if (h.tag == tag) {
      h.confidence = std::max(h.confidence, confidence);
      return;
    }
  out.push_back({tag, confidence});
}

inline constexpr std::string_view results_objects[] = {
  "estimates", "estimate", "expectations", "expectation", "consensus", "views", "forecast",
  "forecasts", "eps", "earnings", "profit", "revenue", "revenues", "sales", "street",
  "projections"};

inline void earnings(const words_t& w, std::vector<event_hit>& out) {
  const size_t n = w.size();
  for (size_t i = 0; i < n; ++i) {
    const bool beat = any_of(w[i], {"beat", "beats", "tops", "topped", "exceeds", "exceeded",
                                    "surpasses", "surpassed", "top", "exceed", "surpass"});
    const bool miss = any_of(w[i], {"miss", "misses", "missed"});
    bool short_of = false;
    if (any_of(w[i], {"falls", "fell", "fall", "comes", "came"}) && i + 2 < n &&
        w[i + 1] == "short" && w[i + 2] == "of")
      short_of = true;
    if (beat || miss || short_of) {
      const size_t from = short_of ? i + 3 : i + 1;
      const bool object_after = find_in(w, from, from + 4, results_objects) < n;
      const bool object_before =
        i > 0 && any_of(w[i - 1], {"earnings", "eps", "profit", "revenue", "sales", "quarterly"});
      if (!object_after && !object_before)
        continue;
      const bool positive = beat;
      if (negated(w, i)) {
        // "fails to beat" is a miss; "did not miss" a weak beat.
        add(out, positive ? event_tag::earnings_miss : event_tag::earnings_beat,
            positive ? 0.8 : 0.5);
      } else {
        add(out, positive ? event_tag::earnings_beat : event_tag::earnings_miss,
            object_after ? 0.9 : 0.85);
      }
    }
    // "better-than-expected earnings", "weaker-than-expected revenue"
    const bool better = w[i].find("better-than-expected") != std::string_view::npos ||
                        w[i].find("stronger-than-expected") != std::string_view::npos;
    const bool worse = w[i].find("worse-than-expected") != std::string_view::npos ||
                       w[i].find("weaker-than-expected") != std::string_view::npos;
    if ((better || worse) && find_in(w, i + 1, i + 4, results_objects) < n &&
        !negated(w, i))
      add(out, better ? event_tag::earnings_beat : event_tag::earnings_miss, 0.8);
  }
}

inline constexpr std::string_view guidance_nouns[] = {
  "guidance", "outlook", "forecast", "forecasts", "target", "targets", "view"};

// "price target" is an analyst's number, not the company's guidance.
inline bool is_price_target(const words_t& w, size_t k) {
  return any_of(w[k], {"target", "targets"}) && k > 0 && w[k - 1] == "price";
}

inline void guidance(const words_t& w, std::vector<event_hit>& out) {
  const size_t n = w.size();
  for (size_t i = 0; i < n; ++i) {
    const bool up = any_of(w[i], {"raises", "raised", "raise", "raising", "lifts", "lifted",
                                  "boosts", "boosted", "ups", "upped", "hikes", "hiked"});
    const bool down = any_of(w[i], {"cuts", "cut", "cutting", "lowers", "lowered", "lowering",
                                    "slashes", "slashed", "trims", "trimmed", "reduces",
                                    "reduced"});
    if (up || down) {
      const size_t k = find_in(w, i + 1, i + 5, guidance_nouns);
      if (k < n && !is_price_target(w, k) && !negated(w, i)) {
        add(out, up ? event_tag::guidance_raised : event_tag::guidance_cut, 0.9);
        continue;
      }
    }
    if (any_of(w[i], {"guidance", "outlook"}) && i + 1 < n && !negated(w, i)) {
      const size_t k = find_in(w, i + 1, i + 3, {"raised", "lifted", "boosted", "cut", "lowered",
                                                 "slashed", "trimmed", "reduced"});
      if (k < n)
        add(out,
            any_of(w[k], {"raised", "lifted", "boosted"}) ? event_tag::guidance_raised
                                                          : event_tag::guidance_cut,
            0.85);
    }
    // "profit warning", "warns on full year"
    if ((w[i] == "warning" && i > 0 && any_of(w[i - 1], {"profit", "earnings", "sales"})) ||
        (any_of(w[i], {"warns", "warned"}) && !negated(w, i) &&
         find_in(w, i + 1, i + 5, {"profit", "profits", "earnings", "sales", "revenue", "year",
                                   "outlook", "results"}) < n))
      add(out, event_tag::guidance_cut, 0.7);
  }
}

inline void fda(const words_t& w, std::vector<event_hit>& out) {
  if (!contains(w, {"fda", "ema", "regulators", "regulator"}))
    return;
  const size_t n = w.size();
  for (size_t i = 0; i < n; ++i) {
    const bool approve = any_of(w[i], {"approves", "approved", "approval", "approve", "clears",
                                       "cleared", "clearance", "nod", "greenlights"});
    const bool reject = any_of(w[i], {"rejects", "rejected", "rejection", "crl", "refuses",
                                      "declines", "denies"});
    if (approve) {
      const bool hedged =
        find_in(w, i >= 4 ? i - 4 : 0, i,
                {"seeks", "seek", "seeking", "awaits", "await", "awaiting", "pending", "files",
                 "filed", "submits", "submitted", "applies", "apply", "application", "may",
                 "could", "might", "expects", "expected", "hopes", "decision", "delays",
                 "delayed", "for", "toward", "towards", "ahead"}) < i ||
        (i + 1 < n && any_of(w[i + 1], {"pending", "decision", "delayed", "expected"}));
      if (negated(w, i))
        add(out, event_tag::fda_rejection, 0.7);
      else if (!hedged)
        add(out, event_tag::fda_approval, 0.9);
    } else if (reject && !negated(w, i)) {
      add(out, event_tag::fda_rejection, 0.9);
    } else if (w[i] == "complete" && i + 2 < n && w[i + 1] == "response" && w[i + 2] == "letter") {
      add(out, event_tag::fda_rejection, 0.85);
    }
  }
}

inline void merger(const words_t& w, std::vector<event_hit>& out) {
  const size_t n = w.size();
  for (size_t i = 0; i < n; ++i) {
    double conf = 0.0;
    if (any_of(w[i], {"acquire", "acquires", "acquired", "acquisition", "acquisitions",
                      "merger", "merge", "merges", "merging", "takeover", "buyout", "acquiring"}))
      conf = 0.8;
    else if (any_of(w[i], {"buy", "purchase"}) && i > 1 && w[i - 1] == "to" &&
             any_of(w[i - 2], {"agrees", "agreed", "deal", "plans", "offers", "offered", "bid",
                               "move", "talks"}))
      conf = 0.8;
    if (conf == 0.0 || negated(w, i))
      continue;
    // "calls off the merger", "terminates acquisition" are not new deals.
    if (find_in(w, i >= 4 ? i - 4 : 0, i, {"calls", "called", "terminates", "terminated",
                                             "scraps", "scrapped", "abandons", "abandoned"}) < i)
      continue;
    if (find_in(w, i >= 4 ? i - 4 : 0, i, {"talks", "considering", "weighs", "explores",
                                             "rumor", "rumour", "reportedly"}) < i)
      conf = 0.6;
    add(out, event_tag::merger_acquisition, conf);
  }
}

inline void offering(const words_t& w, std::vector<event_hit>& out) {
  const size_t n = w.size();
  for (size_t i = 0; i < n; ++i) {
    if (any_of(w[i], {"offering", "offerings", "placement", "raise", "raises"})) {
      const size_t k = find_in(w, i >= 3 ? i - 3 : 0, i,
                               {"share", "shares", "stock", "secondary", "public", "equity",
                                "follow-on", "common", "ipo", "convertible", "at-the-market",
                                "private"});
      const bool equity_raise = any_of(w[i], {"raise", "raises"});
      if (equity_raise) {
        // "to raise $500 million in a share sale" is caught by "sale" below.
        continue;
      }
      if (k < i && !negated(w, k))
        add(out, event_tag::share_offering, 0.85);
    }
    if (any_of(w[i], {"dilution", "dilutive"}) && !negated(w, i))
      add(out, event_tag::share_offering, 0.7);
    if (w[i] == "sale" && i > 0 && any_of(w[i - 1], {"share", "stock", "equity"}) &&
        !negated(w, i))
      add(out, event_tag::share_offering, 0.8);
  }
}

inline void buyback(const words_t& w, std::vector<event_hit>& out) {
  const size_t n = w.size();
  for (size_t i = 0; i < n; ++i) {
    const bool hit = any_of(w[i], {"buyback", "buybacks", "buy-back", "buy-backs", "repurchase",
                                   "repurchases", "repurchasing", "repurchased"}) ||
                     (any_of(w[i], {"buy", "buys", "buying", "bought"}) && i + 1 < n &&
                      w[i + 1] == "back");
    if (!hit || negated(w, i))
      continue;
    // "suspends buyback" is the end of one, not a buyback.
    if (find_in(w, i >= 3 ? i - 3 : 0, i, {"suspends", "suspended", "halts", "halted", "cancels",
                                             "cancelled", "scraps", "ends", "pauses"}) < i)
      continue;
    add(out, event_tag::buyback, 0.9);
  }
}

inline void legal(const words_t& w, std::vector<event_hit>& out) {
  const size_t n = w.size();
  for (size_t i = 0; i < n; ++i) {
    double conf = 0.0;
    if (any_of(w[i], {"lawsuit", "lawsuits", "sued", "sues", "subpoena", "subpoenaed",
                      "indicted", "indictment", "class-action"}) ||
        (w[i] == "class" && i + 1 < n && w[i + 1] == "action"))
      conf = 0.85;
    else if (any_of(w[i], {"probe", "probes", "probing", "investigation", "investigations",
                           "investigating", "investigates", "inquiry"}))
      conf = 0.7;
    if (conf == 0.0 || negated(w, i))
      continue;
    // A space probe is not a regulator's probe.
    if (i > 0 && any_of(w[i - 1], {"space", "mars", "lunar", "solar"}))
      continue;
    add(out, event_tag::lawsuit_investigation, conf);
  }
}

inline void analyst(const words_t& w, std::vector<event_hit>& out) {
  const size_t n = w.size();
  const bool rating_context =
    contains(w, {"buy", "outperform", "overweight", "rating", "analyst", "analysts", "neutral",
                 "hold", "sell", "underperform", "underweight", "market-perform",
                 "sector-perform", "equal-weight", "strong-buy", "accumulate", "reduce",
                 "peer-perform", "moody's", "s&p", "fitch", "junk"});
  for (size_t i = 0; i < n; ++i) {
    const bool up = any_of(w[i], {"upgrade", "upgrades", "upgraded"});
    const bool down = any_of(w[i], {"downgrade", "downgrades", "downgraded"});
    if ((up || down) && !negated(w, i)) {
      if (rating_context)
        add(out, up ? event_tag::analyst_upgrade : event_tag::analyst_downgrade, 0.9);
      else if (i + 1 < n && any_of(w[i + 1], {"by", "at"}))
        add(out, up ? event_tag::analyst_upgrade : event_tag::analyst_downgrade, 0.7);
    }
    // "raises price target", "cuts PT"
    if (any_of(w[i], {"target", "pt"}) && i > 0 && (w[i] == "pt" || w[i - 1] == "price")) {
      const size_t from = i >= 4 ? i - 4 : 0;
      if (find_in(w, from, i, {"raises", "raised", "lifts", "ups", "boosts", "hikes"}) < i &&
          !negated(w, from))
        add(out, event_tag::analyst_upgrade, 0.6);
      else if (find_in(w, from, i, {"cuts", "cut", "lowers", "lowered", "slashes", "trims"}) < i &&
               !negated(w, from))
        add(out, event_tag::analyst_downgrade, 0.6);
    }
  }
}

inline void short_report(const words_t& w, std::vector<event_hit>& out) {
  const size_t n = w.size();
  for (size_t i = 0; i < n; ++i) {
    if (any_of(w[i], {"short-seller", "short-sellers", "short-selling"}) ||
        (w[i] == "short" && i + 1 < n &&
         any_of(w[i + 1], {"seller", "sellers", "report", "attack", "thesis"}))) {
      if (!negated(w, i))
        add(out, event_tag::short_report, 0.85);
    }
    if (any_of(w[i], {"hindenburg", "citron", "gotham", "kerrisdale", "grizzly", "iceberg"}) ||
        (w[i] == "muddy" && i + 1 < n && w[i + 1] == "waters") ||
        (w[i] == "spruce" && i + 1 < n && w[i + 1] == "point")) {
      if (contains(w, {"report", "short", "shorts", "alleges", "accuses", "against", "bet",
                       "bets", "fraud"}))
        add(out, event_tag::short_report, 0.9);
    }
  }
}

} // namespace events_detail

/// Appends to `out` the events of a text given as lower-case bare words
/// (edge punctuation stripped), each tag once with its highest confidence.
inline void detect_events(const std::vector<std::string_view>& words,
                          std::vector<event_hit>& out) {
  using namespace events_detail;
  earnings(words, out);
  guidance(words, out);
  fda(words, out);
  merger(words, out);
  offering(words, out);
  buyback(words, out);
  legal(words, out);
  analyst(words, out);
  short_report(words, out);
}

/// Splits `text` into lower-case bare words (in `lower_buf`, `words`) and
/// returns its events; any bytes are safe.
inline std::vector<event_hit> detect_events(std::string_view text) {
  std::string lower;
  std::vector<token> tokens;
  tokenize(text.substr(0, std::min(text.size(), max_text_bytes)), lower, tokens);
  std::vector<std::string_view> words;
  words.reserve(tokens.size());
  for (const token& t : tokens)
    if (t.bare_size > 0)
      words.push_back(std::string_view(lower).substr(t.bare_begin, t.bare_size));
  std::vector<event_hit> out;
  detect_events(words, out);
  return out;
}

} // namespace osprey::sentiment
