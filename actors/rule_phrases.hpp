#pragma once

// A deterministic translator from common English screening phrases to rule
// text ("RSI below 30 and volume spike above 2x average" ->
// "rsi(14) < 30 and volume > 2 * avg(volume, 20)"). It knows a fixed
// vocabulary (docs/RULES.md lists it); anything else is refused, naming the
// words it did not understand. The text it produces always goes through the
// ordinary compiler, so a translation can never do more than a typed rule.

#include <string>
#include <string_view>
#include <vector>

namespace osprey::rules {

/// A translation, or a refusal.
struct phrase_translation {
  bool ok = false;
  std::string rule;                      ///< The rule text (when ok).
  std::vector<std::string> not_understood; ///< Words outside the vocabulary (when refused).
  std::string message;                   ///< Why it was refused, for people.
};

/// Translates `text` into rule text that compile_rules() accepts, or refuses.
phrase_translation translate_phrase(std::string_view text);

} // namespace osprey::rules
