#pragma once

// Ticker extraction from news text: cashtags ($TSLA, $BRK.B) and the symbols
// and company names of a configured universe, matched as whole words.
//
// The rules, chosen so common English words never become tickers:
// 1. A cashtag is `$` (not preceded by a letter or digit) then 1-6 letters,
//    optionally `.` and 1-2 letters (share class), then a non-alphanumeric
//    byte. "$5" and "US$" are not cashtags. Cashtags are explicit, so they
//    are reported even for symbols outside the universe.
// 2. A bare symbol matches only when written in upper case as a whole word
//    ("TSLA", never "tsla" or "Tsla").
// 3. An ambiguous symbol (one letter, or an English word such as ALL, IT, ON,
//    A, NOW, CAT; see is_common_word_symbol, or flagged in the universe)
//    matches bare only in a symbol context: "(ON)", "NYSE: ALL",
//    "Nasdaq:ON". Anywhere else it must be a cashtag.
// 4. A company name matches case-sensitively as whole words ("Tesla",
//    "General Motors", "Apple's"), so "apple pie" is not Apple.
// Each symbol is reported once, at its first occurrence.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "actors/sentiment.hpp"

namespace osprey::sentiment {

/// One company of the universe: its symbol and the names it goes by.
struct ticker_entry {
  std::string symbol;
  std::vector<std::string> names;
  bool ambiguous = false; ///< force the symbol-context rule for this symbol
};

/// How a ticker was found.
enum class ticker_source : uint8_t { cashtag, symbol, name };

/// Returns "cashtag", "symbol" or "name".
inline std::string_view to_string(ticker_source s) {
  switch (s) {
    case ticker_source::cashtag: return "cashtag";
    case ticker_source::symbol: return "symbol";
    case ticker_source::name: return "name";
  }
  return "cashtag";
}

/// A ticker found in a text.
struct ticker_hit {
  std::string symbol;    ///< upper case ("BRK.B")
  ticker_source source = ticker_source::cashtag;
  uint32_t offset = 0;   ///< byte offset of the match in the text
};

/// Returns true for symbols that are also common English words or single
/// letters, which are only taken from cashtags or a symbol context.
inline bool is_common_word_symbol(std::string_view symbol) {
  if (symbol.size() <= 1)
    return true;
  static constexpr std::string_view words[] = {
    "ALL",  "AN",   "ARE",  "AT",   "BE",   "BIG",  "BOX",  "BY",   "CAN",  "CAR",  "CAT",
    "DO",   "EAT",  "EYE",  "FAST", "FIVE", "FOR",  "FUN",  "GO",   "GOOD", "HAS",  "HE",
    "HOME", "HOPE", "IT",   "KEY",  "LIFE", "LOVE", "LOW",  "MAN",  "ME",   "MY",   "NEW",
    "NOW",  "OK",   "ON",   "ONE",  "OR",   "OUT",  "PEAK", "PLAY", "POST", "REAL", "RUN",
    "SAFE", "SEE",  "SO",   "TECH", "TRUE", "TWO",  "UP",   "US",   "WELL", "WORK", "YOU",
    "CEO",  "CFO",  "EPS",  "IPO",  "USA",  "EU",   "UK",   "FDA",  "SEC",  "AI",   "TV",
  };
  for (auto w : words)
    if (w == symbol)
      return true;
  return false;
}

/// A universe of tradable symbols and names, and the extractor over it.
class ticker_universe {
public:
  ticker_universe() = default;

  /// Builds the lookup tables; symbols are upper-cased.
  explicit ticker_universe(std::vector<ticker_entry> entries) : entries_(std::move(entries)) {
    for (auto& e : entries_)
      for (char& c : e.symbol)
        if (c >= 'a' && c <= 'z')
          c = static_cast<char>(c - 'a' + 'A');
    for (size_t i = 0; i < entries_.size(); ++i) {
      by_symbol_.emplace(entries_[i].symbol, i);
      for (size_t n = 0; n < entries_[i].names.size(); ++n) {
        const std::string& name = entries_[i].names[n];
        const std::string_view key = first_word(name);
        if (!key.empty())
          by_name_key_[std::string(key)].push_back({i, n});
      }
    }
  }

  /// Returns the entries.
  const std::vector<ticker_entry>& entries() const { return entries_; }

  /// Appends to `out` the tickers of `text`, each symbol once.
  void extract(std::string_view text, std::vector<ticker_hit>& out) const {
    const size_t n = text.size();
    size_t i = 0;
    while (i < n) {
      const char c = text[i];
      if (c == '$') {
        i = take_cashtag(text, i, out);
        continue;
      }
      if (!is_alnum(c) || (i > 0 && is_alnum(text[i - 1]))) {
        ++i;
        continue;
      }
      // A word starts at i.
      size_t e = i;
      while (e < n && is_alnum(text[e]))
        ++e;
      const std::string_view word = text.substr(i, e - i);
      // Share-class suffix: "BRK.B".
      size_t sym_end = e;
      if (e + 1 < n && text[e] == '.' && is_upper(text[e + 1])) {
        size_t k = e + 1;
        while (k < n && is_upper(text[k]) && k - e <= 2)
          ++k;
        if (k - e - 1 <= 2 && (k == n || !is_alnum(text[k])))
          sym_end = k;
      }
      if (!take_symbol(text, i, sym_end, out) && sym_end != e)
        take_symbol(text, i, e, out);
      take_name(text, i, word, out);
      i = e;
    }
  }

  /// Returns the tickers of `text` (convenience; allocates).
  std::vector<ticker_hit> extract(std::string_view text) const {
    std::vector<ticker_hit> out;
    extract(text, out);
    return out;
  }

private:
  struct name_ref {
    size_t entry;
    size_t name;
  };

  static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
  static bool is_alpha(char c) { return is_upper(c) || (c >= 'a' && c <= 'z'); }
  static bool is_alnum(char c) { return is_alpha(c) || (c >= '0' && c <= '9'); }

  static std::string_view first_word(std::string_view name) {
    size_t e = 0;
    while (e < name.size() && is_alnum(name[e]))
      ++e;
    return name.substr(0, e);
  }

  static bool already(const std::vector<ticker_hit>& out, std::string_view symbol) {
    for (const auto& h : out)
      if (h.symbol == symbol)
        return true;
    return false;
  }

  static void add(std::vector<ticker_hit>& out, std::string_view symbol, ticker_source src,
                  size_t offset) {
    if (already(out, symbol))
      return;
    ticker_hit h;
    h.symbol.assign(symbol);
    for (char& c : h.symbol)
      if (c >= 'a' && c <= 'z')
        c = static_cast<char>(c - 'a' + 'A');
    h.source = src;
    h.offset = static_cast<uint32_t>(offset);
    out.push_back(std::move(h));
  }

  // Returns the index just past what was consumed.
  size_t take_cashtag(std::string_view text, size_t at, std::vector<ticker_hit>& out) const {
    const size_t n = text.size();
    if (at > 0 && is_alnum(text[at - 1]))
      return at + 1;
    size_t e = at + 1;
    while (e < n && is_alpha(text[e]) && e - at <= 6)
      ++e;
    const size_t letters = e - at - 1;
    if (letters == 0 || letters > 6 || (e < n && is_alnum(text[e])))
      return at + 1;
    size_t end = e;
    if (e + 1 < n && text[e] == '.' && is_alpha(text[e + 1])) {
      size_t k = e + 1;
      while (k < n && is_alpha(text[k]) && k - e <= 2)
        ++k;
      if (k - e - 1 <= 2 && (k == n || !is_alnum(text[k])))
        end = k;
    }
    add(out, text.substr(at + 1, end - at - 1), ticker_source::cashtag, at);
    return end;
  }

  // A symbol context: "(SYM)" or an exchange prefix "NYSE: SYM".
  static bool in_symbol_context(std::string_view text, size_t b, size_t e) {
    if (b > 0 && text[b - 1] == '(' && e < text.size() && text[e] == ')')
      return true;
    size_t k = b;
    while (k > 0 && text[k - 1] == ' ')
      --k;
    if (k == 0 || text[k - 1] != ':')
      return false;
    --k;
    size_t s = k;
    while (s > 0 && is_alpha(text[s - 1]))
      --s;
    std::string exchange(text.substr(s, k - s));
    for (char& c : exchange)
      if (c >= 'a' && c <= 'z')
        c = static_cast<char>(c - 'a' + 'A');
    return exchange == "NYSE" || exchange == "NASDAQ" || exchange == "AMEX" ||
           exchange == "ARCA" || exchange == "OTC" || exchange == "TSX" || exchange == "LSE";
  }

  bool take_symbol(std::string_view text, size_t b, size_t e, std::vector<ticker_hit>& out) const {
    const std::string_view sym = text.substr(b, e - b);
    for (char c : sym)
      if (c >= 'a' && c <= 'z')
        return false; // rule 2: bare symbols only in upper case
    auto it = by_symbol_.find(sym);
    if (it == by_symbol_.end())
      return false;
    const ticker_entry& entry = entries_[it->second];
    if ((entry.ambiguous || is_common_word_symbol(entry.symbol)) &&
        !in_symbol_context(text, b, e))
      return false;
    add(out, entry.symbol, ticker_source::symbol, b);
    return true;
  }

  void take_name(std::string_view text, size_t b, std::string_view first,
                 std::vector<ticker_hit>& out) const {
    auto it = by_name_key_.find(first);
    if (it == by_name_key_.end())
      return;
    for (const name_ref& ref : it->second) {
      const std::string& name = entries_[ref.entry].names[ref.name];
      if (text.substr(b).starts_with(name) &&
          (b + name.size() == text.size() || !is_alnum(text[b + name.size()]))) {
        add(out, entries_[ref.entry].symbol, ticker_source::name, b);
        return;
      }
    }
  }

  std::vector<ticker_entry> entries_;
  // Owned keys with transparent lookup, so copies of the universe stay valid.
  std::unordered_map<std::string, size_t, string_hash, std::equal_to<>> by_symbol_;
  std::unordered_map<std::string, std::vector<name_ref>, string_hash, std::equal_to<>>
    by_name_key_;
};

} // namespace osprey::sentiment
