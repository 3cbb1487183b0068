#pragma once

// `osprey sentiment [TEXT...]`: scores news texts with the finance model (or
// plain VADER), and prints per text the VADER scores, the label, the tickers
// found and the event tags, as text or JSON lines.

#include <iosfwd>
#include <string>
#include <vector>

#include "actors/news_tickers.hpp"

namespace osprey {

/// The places the VADER lexicon is looked for, in order, when no path is
/// configured: the npm package `vader-sentiment` installed under the project
/// (`npm install vader-sentiment` puts `vader_lexicon.txt` at the package
/// root), then the shared development data beside the checkout.
std::vector<std::string> default_sentiment_lexicon_paths(const std::string& project_dir);

/// Returns the lexicon to load: `configured` when it is not empty (whether or
/// not it exists, so a wrong setting is reported rather than hidden), else
/// the first existing default path, else an empty string.
std::string find_sentiment_lexicon(const std::string& configured, const std::string& project_dir);

/// Runs the command over `texts`, or over each non-blank line of `in` when
/// `texts` is empty. `json` prints one JSON object a line; `plain_vader`
/// scores with plain VADER instead of the finance model; `lexicon_path` may
/// be empty (see find_sentiment_lexicon, looked up from the current
/// directory). Tickers come from cashtags and from `universe`. Returns the
/// exit code: 0, or 2 when the lexicon cannot be found or read (the reason,
/// naming the paths, goes to `err`).
int sentiment_command(const std::vector<std::string>& texts, bool json, bool plain_vader,
                      const std::string& lexicon_path, std::istream& in, std::ostream& out,
                      std::ostream& err,
                      const sentiment::ticker_universe& universe = sentiment::ticker_universe{});

} // namespace osprey
