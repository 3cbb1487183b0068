#include "actors/rule_phrases.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>

#include "actors/rule_compiler.hpp"

namespace osprey::rules {

namespace {

using words = std::vector<std::string>;

// Words that carry no meaning in a screening phrase.
constexpr std::string_view filler[] = {"the", "a", "an", "is", "are", "its", "their", "of", "by",
                                       "than", "when", "to", "stock", "stocks", "shares", "has",
                                       "have", "ratio", "score", "day", "days", "period", "$"};

bool is_filler(std::string_view w) {
  return std::find(std::begin(filler), std::end(filler), w) != std::end(filler);
}

// Every word the translator understands (for naming the ones it does not).
constexpr std::string_view vocabulary[] = {
  "rsi", "price", "close", "closing", "volume", "spike", "surge", "pe", "sentiment", "mentions",
  "news", "velocity", "eps", "surprise", "revenue", "growth", "gap", "gaps", "gapped", "up", "down",
  "crosses", "cross", "crossing", "crossed", "above", "over", "below", "under", "greater", "more",
  "exceeds", "higher", "less", "lower", "at", "least", "most", "x", "times", "average", "avg",
  "moving", "ma", "sma", "ema", "exponential", "simple", "high", "low", "new", "week", "month",
  "year", "heavy", "unusual", "%", "vwap", ">", "<", "and", "with", "plus", "while"};

bool known_word(std::string_view w) {
  if (is_filler(w) || std::isdigit(static_cast<unsigned char>(w[0])))
    return true;
  return std::find(std::begin(vocabulary), std::end(vocabulary), w) != std::end(vocabulary);
}

std::optional<double> number_of(std::string_view w) {
  double v = 0;
  auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
  if (ec != std::errc{} || end != w.data() + w.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

std::string num(double v) {
  char buf[32];
  // Fixed notation: the rule lexer reads 1000000, not 1e+06.
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return ec == std::errc{} ? std::string(buf, end) : std::to_string(v);
}

// Lower-cases, reads "p/e" as "pe", and splits "50-day", "2x", "3%" and
// "14day" into separate words.
words tokenize(std::string_view text) {
  std::string s;
  for (char c : text)
    s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view pe : {"p/e", "p / e", "p/ e", "p /e"}) {
    for (auto at = s.find(pe); at != std::string::npos; at = s.find(pe))
      s.replace(at, pe.size(), "pe");
  }
  words out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty())
      out.push_back(cur);
    cur.clear();
  };
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool digit = std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && !cur.empty() && std::isdigit(static_cast<unsigned char>(cur.back())));
    bool alpha = std::isalpha(static_cast<unsigned char>(c)) || c == '\'';
    if (digit || alpha) {
      bool cur_digit = !cur.empty() && (std::isdigit(static_cast<unsigned char>(cur.back())) || cur.back() == '.');
      if (!cur.empty() && cur_digit != digit)
        flush();
      if (c != '\'')
        cur += c;
    } else {
      flush();
      if (c == '%' || c == '>' || c == '<' || c == ',' || c == '$')
        out.emplace_back(1, c);
    }
  }
  flush();
  return out;
}

struct clause_reader {
  words w;
  size_t i = 0;

  bool done() const { return i >= w.size(); }
  bool at(std::string_view s) const { return i < w.size() && w[i] == s; }
  bool take(std::string_view s) {
    if (!at(s))
      return false;
    ++i;
    return true;
  }
  template <class... S>
  bool take_any(S... s) {
    return (take(s) || ...);
  }
  std::optional<double> take_number() {
    if (i < w.size())
      if (auto v = number_of(w[i])) {
        ++i;
        return v;
      }
    return std::nullopt;
  }
};

struct subject {
  std::string text;      // "close", "rsi(14)"
  std::string field;     // bar field for "2x average", or empty
  bool percent_points = false;
};

std::optional<subject> read_subject(clause_reader& r) {
  auto save = r.i;
  if (auto n = r.take_number()) {
    if (r.take("rsi"))
      return subject{"rsi(" + num(*n) + ")", "", false};
    r.i = save;
    return std::nullopt;
  }
  if (r.take("rsi")) {
    auto save2 = r.i;
    if (auto n = r.take_number(); n && *n >= 2 && *n == std::floor(*n) && !r.at("%") && !r.done())
      return subject{"rsi(" + num(*n) + ")", "", false};
    r.i = save2;
    return subject{"rsi(14)", "", false};
  }
  if (r.take_any("price", "close")) {
    return subject{"close", "close", false};
  }
  if (r.take("closing")) {
    r.take("price");
    return subject{"close", "close", false};
  }
  if (r.take("volume")) {
    r.take_any("spike", "surge");
    return subject{"volume", "volume", false};
  }
  if (r.take("pe"))
    return subject{"pe", "", false};
  if (r.take("sentiment"))
    return subject{"sentiment", "", false};
  if (r.take("mentions"))
    return subject{"mentions", "", false};
  if (r.take("news") && r.take("velocity"))
    return subject{"news_velocity", "", false};
  r.i = save;
  if (r.take("eps")) {
    r.take("surprise");
    return subject{"eps_surprise_pct", "", true};
  }
  if (r.take("revenue") && r.take("growth"))
    return subject{"revenue_growth_pct", "", true};
  r.i = save;
  return std::nullopt;
}

// Returns ">", "<", ">=", "<=", "crosses_above" or "crosses_below".
std::optional<std::string> read_comparator(clause_reader& r) {
  if (r.take_any("crosses", "cross", "crossing", "crossed")) {
    if (r.take_any("above", "over"))
      return "crosses_above";
    if (r.take_any("below", "under"))
      return "crosses_below";
    return std::nullopt;
  }
  if (r.take("at")) {
    if (r.take("least"))
      return ">=";
    if (r.take("most"))
      return "<=";
    return std::nullopt;
  }
  if (r.take_any("above", "over", "greater", "more", "exceeds", "higher", ">"))
    return ">";
  if (r.take_any("under", "below", "less", "lower", "<"))
    return "<";
  return std::nullopt;
}

std::optional<std::string> read_value(clause_reader& r, const subject& s) {
  auto n = r.take_number();
  if (!n) {
    if (r.take("vwap"))
      return "vwap";
    if (r.take_any("average", "avg") && !s.field.empty()) {
      r.take("volume");
      return "avg(" + s.field + ", 20)";
    }
    return std::nullopt;
  }
  if (r.take_any("x", "times")) {
    if (s.field.empty())
      return std::nullopt;
    r.take_any("average", "avg");
    r.take("volume");
    return num(*n) + " * avg(" + s.field + ", 20)";
  }
  bool whole = *n >= 1 && *n == std::floor(*n);
  if (whole && r.take("ema")) {
    return "ema(close, " + num(*n) + ")";
  }
  if (whole && r.take("exponential")) {
    if (r.take("moving") && r.take("average"))
      return "ema(close, " + num(*n) + ")";
    return std::nullopt;
  }
  r.take("simple");
  if (whole && (r.take_any("sma", "ma") || (r.take("moving") && r.take("average")) ||
                r.take_any("average", "avg"))) {
    return s.field == "volume" ? "avg(volume, " + num(*n) + ")" : "sma(close, " + num(*n) + ")";
  }
  if (whole && r.take("high"))
    return "highest(high, " + num(*n) + ")[1]";
  if (whole && r.take("low"))
    return "lowest(low, " + num(*n) + ")[1]";
  if (r.take("%")) {
    if (!s.percent_points)
      return std::nullopt;
  }
  return num(*n);
}

// Bars in a unit: trading days.
std::optional<int> bars_in(double n, std::string_view unit) {
  if (unit == "day")
    return static_cast<int>(n);
  if (unit == "week")
    return n == 52 ? 252 : static_cast<int>(n * 5);
  if (unit == "month")
    return static_cast<int>(n * 21);
  if (unit == "year")
    return static_cast<int>(n * 252);
  return std::nullopt;
}

std::optional<std::string> read_clause(clause_reader& r) {
  // "new 52-week high", "new 20-day low", "new high" (a year).
  if (r.take("new")) {
    int bars = 252;
    if (auto n = r.take_number()) {
      if (*n < 1 || *n != std::floor(*n) || r.done())
        return std::nullopt;
      // "day" is a filler word, so "new 20-day low" arrives as "new 20 low".
      auto b = bars_in(*n, r.w[r.i]);
      if (b)
        ++r.i;
      bars = b ? *b : static_cast<int>(*n);
    }
    if (r.take("high"))
      return "high > highest(high, " + std::to_string(bars) + ")[1]";
    if (r.take("low"))
      return "low < lowest(low, " + std::to_string(bars) + ")[1]";
    return std::nullopt;
  }
  // "gap up by more than 3%", "gaps down", "gap up".
  if (r.take_any("gap", "gaps", "gapped")) {
    bool up = r.take("up");
    if (!up && !r.take("down"))
      return std::nullopt;
    if (r.done())
      return up ? "gap_pct > 0" : "gap_pct < 0";
    auto cmp = read_comparator(r);
    if (cmp != ">" && cmp != ">=")
      return std::nullopt;
    auto n = r.take_number();
    if (!n)
      return std::nullopt;
    r.take("%");
    if (up)
      return "gap_pct " + *cmp + " " + num(*n);
    return "gap_pct " + std::string(*cmp == ">" ? "<" : "<=") + " " + num(-*n);
  }
  // "high volume", "heavy volume", "volume spike" on its own.
  if (r.take_any("high", "heavy", "unusual")) {
    if (r.take("volume"))
      return "volume > 1.5 * avg(volume, 20)";
    return std::nullopt;
  }
  auto save = r.i;
  if (r.take("volume") && r.take_any("spike", "surge") && r.done())
    return "volume > 2 * avg(volume, 20)";
  r.i = save;
  auto s = read_subject(r);
  if (!s)
    return std::nullopt;
  auto cmp = read_comparator(r);
  if (!cmp)
    return std::nullopt;
  auto v = read_value(r, *s);
  if (!v)
    return std::nullopt;
  if (*cmp == "crosses_above" || *cmp == "crosses_below")
    return *cmp + "(" + s->text + ", " + *v + ")";
  return s->text + " " + *cmp + " " + *v;
}

} // namespace

phrase_translation translate_phrase(std::string_view text) {
  phrase_translation out;
  auto all = tokenize(text);
  for (auto& w : all)
    if (!known_word(w) && w != "," &&
        std::find(out.not_understood.begin(), out.not_understood.end(), w) == out.not_understood.end())
      out.not_understood.push_back(w);
  if (!out.not_understood.empty()) {
    out.message = "did not understand";
    for (size_t k = 0; k < out.not_understood.size(); ++k) {
      out.message += k ? ", \"" : " \"";
      out.message += out.not_understood[k];
      out.message += '"';
    }
    return out;
  }
  // Split into clauses on the joining words; drop fillers.
  std::vector<words> clauses(1);
  for (auto& w : all) {
    if (w == "and" || w == "with" || w == "plus" || w == "while" || w == ",") {
      if (!clauses.back().empty())
        clauses.emplace_back();
    } else if (!is_filler(w)) {
      clauses.back().push_back(w);
    }
  }
  if (clauses.back().empty())
    clauses.pop_back();
  if (clauses.empty()) {
    out.message = "the phrase is empty";
    return out;
  }
  std::string rule;
  for (auto& c : clauses) {
    clause_reader r{c};
    auto part = read_clause(r);
    if (!part || !r.done()) {
      std::string joined;
      for (auto& w : c) {
        if (!joined.empty())
          joined += ' ';
        joined += w;
      }
      out.message = "could not make a condition of \"";
      out.message += joined;
      out.message += '"';
      return out;
    }
    if (!rule.empty())
      rule += " and ";
    rule += *part;
  }
  // Whatever the phrase said, the result must be an ordinary rule.
  auto compiled = compile_rules(rule);
  if (!compiled) {
    out.message = "the translation \"" + rule + "\" does not compile: " + compiled.error().message;
    return out;
  }
  out.ok = true;
  out.rule = std::move(rule);
  return out;
}

} // namespace osprey::rules
