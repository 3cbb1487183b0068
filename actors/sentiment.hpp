#pragma once

// News sentiment: a VADER-style rule-based scorer and a finance-aware layer on
// top of it.
//
// The scorer follows the published VADER algorithm (Hutto & Gilbert, 2014):
// a valence lexicon, booster/dampener words, ALL-CAPS emphasis, negation in
// the three preceding words, the "but" shift, "!"/"?" emphasis and the
// compound normalisation s / sqrt(s^2 + 15). The finance layer merges a small
// built-in finance lexicon into the general one and assigns valences to a few
// phrases ("beat estimates", "cut guidance", "operating loss narrowed") before
// the same VADER modifiers run, so negation and emphasis still apply.
//
// Everything is plain data and plain functions: no threads, no globals. An
// analyzer keeps its scratch buffers between calls, so scoring does not
// allocate once the buffers have grown to the longest text seen; use one
// analyzer per thread (or per actor).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace osprey::sentiment {

/// Transparent string hash so lookups by string_view do not allocate.
struct string_hash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

/// Token -> mean valence (VADER scale, about -4..+4). Lookups use lower-case
/// tokens, so upper-case keys of a file are kept but never match.
class lexicon {
public:
  /// Parses VADER's format, one `token<TAB>mean<TAB>sd<TAB>[ratings]` a line.
  /// Returns nullopt and fills `error` (naming `origin` and the line) when a
  /// line is malformed; blank lines are skipped.
  static std::optional<lexicon> parse(std::string_view text, std::string_view origin,
                                      std::string& error);

  /// Reads and parses a lexicon file; errors name the path.
  static std::optional<lexicon> load(const std::string& path, std::string& error);

  /// Sets (or replaces) the valence of a lower-case token.
  void set(std::string_view token, double valence);

  /// Removes a token, so that it scores as a neutral word.
  void erase(std::string_view token);

  /// Returns the valence of a lower-case token, or nullptr when absent.
  const double* find(std::string_view token) const {
    auto it = entries_.find(token);
    return it == entries_.end() ? nullptr : &it->second;
  }

  /// Returns the number of tokens.
  size_t size() const { return entries_.size(); }

private:
  std::unordered_map<std::string, double, string_hash, std::equal_to<>> entries_;
};

/// VADER's four scores. pos + neu + neg == 1 (neu == 1 for a text with no
/// words at all); compound is in [-1, 1].
struct scores {
  double compound = 0.0;
  double pos = 0.0;
  double neu = 1.0;
  double neg = 0.0;
};

/// Three-class label derived from compound with a neutral band.
enum class polarity : int8_t { negative = -1, neutral = 0, positive = 1 };

/// Returns positive when compound >= band, negative when compound <= -band,
/// neutral otherwise.
polarity classify(double compound, double neutral_band);

/// Returns "positive", "neutral" or "negative".
std::string_view to_string(polarity p);

/// The neutral band on compound tuned on the PhraseBank development split for
/// each model (see docs/SENTIMENT.md).
inline constexpr double plain_vader_neutral_band = 0.43;
inline constexpr double finance_neutral_band = 0.34;

/// Texts longer than this are scored on their first `max_text_bytes` bytes,
/// so one pathological input cannot stall a pipeline.
inline constexpr size_t max_text_bytes = 64 * 1024;

/// Returns the built-in finance lexicon entries (token, valence); a valence
/// of 0 means "remove from the general lexicon" (words such as "gross" or
/// "vice" that general lexicons score but that are neutral in news).
const std::vector<std::pair<std::string_view, double>>& finance_lexicon_entries();

/// Returns `general` with the finance entries merged over it.
lexicon make_finance_lexicon(lexicon general);

/// One word of a text, as offsets into the text.
struct token {
  uint32_t begin = 0;      ///< VADER form: edge punctuation kept when the bare word is <= 2 chars
  uint32_t size = 0;
  uint32_t bare_begin = 0; ///< bare form: all edge punctuation stripped
  uint32_t bare_size = 0;
  bool all_caps = false;   ///< has a letter and no lower-case letter
};

/// Splits `text` on ASCII whitespace into `out` (cleared first) and writes its
/// ASCII-lower-cased copy into `lower` (bytes >= 0x80 are kept as they are, so
/// any byte sequence is safe).
void tokenize(std::string_view text, std::string& lower, std::vector<token>& out);

/// A VADER scorer; with `finance` set it also applies the finance phrase
/// rules (use a lexicon from make_finance_lexicon for the finance model).
class analyzer {
public:
  analyzer(lexicon lex, bool finance) : lex_(std::move(lex)), finance_(finance) {}

  /// Returns the plain VADER model over `general`.
  static analyzer plain_vader(lexicon general) { return analyzer(std::move(general), false); }

  /// Returns the finance model: finance lexicon merged over `general`, plus
  /// the finance phrase rules.
  static analyzer finance_model(lexicon general) {
    return analyzer(make_finance_lexicon(std::move(general)), true);
  }

  /// Returns the scores of `text` (any bytes; truncated to max_text_bytes).
  scores score(std::string_view text);

  /// Returns the neutral band tuned for this model.
  double neutral_band() const { return finance_ ? finance_neutral_band : plain_vader_neutral_band; }

  /// True for the finance model.
  bool finance() const { return finance_; }

  /// The tokens and lower-cased text of the last scored text (for the ticker
  /// and event layers, which share the tokenisation).
  const std::vector<token>& last_tokens() const { return tokens_; }
  std::string_view last_lower() const { return lower_; }

private:
  double base_valence(size_t i) const;
  bool has_entry(size_t i) const;
  void apply_finance_phrases();

  lexicon lex_;
  bool finance_;
  // Scratch reused between calls so scoring does not allocate.
  std::string lower_;
  std::vector<token> tokens_;
  std::vector<double> valence_;
  std::vector<double> override_; // NaN = no phrase override for that token
};

} // namespace osprey::sentiment
