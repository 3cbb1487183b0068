#pragma once

// Evaluation helpers for the sentiment models: readers for the labelled data
// sets (Financial PhraseBank, SemEval-2017 task 5 headlines, FiQA-2018 posts),
// the development/test split, three-class accuracy, neutral-band tuning and
// correlation. Used by the accuracy test and the benchmark; not on any hot
// path.

#include <cmath>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "actors/sentiment.hpp"

namespace osprey::sentiment::eval {

/// A sentence with a three-class label.
struct labelled_sentence {
  std::string text;
  polarity label = polarity::neutral;
};

/// A text with a continuous gold score in [-1, 1].
struct scored_text {
  std::string text;
  double gold = 0.0;
};

/// Returns the whole file, or nullopt when it cannot be read.
inline std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

/// Parses PhraseBank lines `sentence@label` (the last '@' splits; bytes are
/// kept as they are, latin-1 or UTF-8). Lines without a known label are
/// skipped.
inline std::vector<labelled_sentence> parse_phrasebank(std::string_view text) {
  std::vector<labelled_sentence> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos)
      end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    const size_t at = line.rfind('@');
    if (at == std::string_view::npos)
      continue;
    const std::string_view label = line.substr(at + 1);
    labelled_sentence s;
    s.text.assign(line.substr(0, at));
    if (label == "positive")
      s.label = polarity::positive;
    else if (label == "negative")
      s.label = polarity::negative;
    else if (label == "neutral")
      s.label = polarity::neutral;
    else
      continue;
    out.push_back(std::move(s));
  }
  return out;
}

/// The PhraseBank split: even lines (0, 2, ...) are the development split
/// used for tuning, odd lines the test split used only for reporting.
inline void split(const std::vector<labelled_sentence>& all, std::vector<labelled_sentence>& dev,
                  std::vector<labelled_sentence>& test) {
  for (size_t i = 0; i < all.size(); ++i)
    (i % 2 == 0 ? dev : test).push_back(all[i]);
}

/// Decodes the JSON string starting at the opening quote `at`; \uXXXX
/// escapes become UTF-8. Returns the index after the closing quote.
inline size_t json_string(std::string_view s, size_t at, std::string& out) {
  out.clear();
  size_t i = at + 1;
  while (i < s.size() && s[i] != '"') {
    if (s[i] == '\\' && i + 1 < s.size()) {
      const char e = s[i + 1];
      i += 2;
      switch (e) {
        case 'n': out += ' '; break;
        case 't': out += ' '; break;
        case 'r': break;
        case 'u': {
          if (i + 4 > s.size())
            return s.size();
          const unsigned cp = static_cast<unsigned>(std::stoul(std::string(s.substr(i, 4)), nullptr, 16));
          i += 4;
          if (cp < 0x80) {
            out += static_cast<char>(cp);
          } else if (cp < 0x800) {
            out += static_cast<char>(0xc0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3f));
          } else {
            out += static_cast<char>(0xe0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
          }
          break;
        }
        default: out += e; break;
      }
      continue;
    }
    out += s[i++];
  }
  return i + 1;
}

/// Collects, in file order, pairs of (text field, score field) from a JSON
/// file where each record has the text before its score, e.g. SemEval's
/// "title"/"sentiment" or FiQA's "sentence"/"sentiment_score". The score may
/// be a number or a quoted number. Not a general JSON parser: enough for
/// these two files.
inline std::vector<scored_text> parse_scored_json(std::string_view s, std::string_view text_key,
                                                  std::string_view score_key) {
  std::vector<scored_text> out;
  std::string tkey = "\"";
  tkey += text_key;
  tkey += "\"";
  std::string skey = "\"";
  skey += score_key;
  skey += "\"";
  size_t pos = 0;
  std::string buf;
  while (true) {
    const size_t t = s.find(tkey, pos);
    if (t == std::string_view::npos)
      break;
    const size_t q = s.find('"', s.find(':', t + tkey.size()));
    pos = json_string(s, q, buf);
    const size_t k = s.find(skey, pos);
    if (k == std::string_view::npos)
      break;
    size_t v = s.find(':', k + skey.size()) + 1;
    while (v < s.size() && (s[v] == ' ' || s[v] == '"'))
      ++v;
    scored_text st;
    st.text = buf;
    st.gold = std::strtod(std::string(s.substr(v, 32)).c_str(), nullptr);
    out.push_back(std::move(st));
    pos = v;
  }
  return out;
}

/// Returns the fraction of sentences whose classified compound matches the
/// label.
inline double accuracy(analyzer& model, const std::vector<labelled_sentence>& data, double band) {
  if (data.empty())
    return 0.0;
  size_t right = 0;
  for (const auto& s : data)
    right += classify(model.score(s.text).compound, band) == s.label ? 1 : 0;
  return static_cast<double>(right) / static_cast<double>(data.size());
}

/// Returns the neutral band in [0, 0.95] (steps of 0.01) with the best
/// accuracy on `dev`; ties keep the smaller band.
inline double tune_band(analyzer& model, const std::vector<labelled_sentence>& dev) {
  std::vector<double> compounds;
  compounds.reserve(dev.size());
  for (const auto& s : dev)
    compounds.push_back(model.score(s.text).compound);
  double best_band = 0.0, best = -1.0;
  for (int b = 0; b <= 95; ++b) {
    const double band = b / 100.0;
    size_t right = 0;
    for (size_t i = 0; i < dev.size(); ++i)
      right += classify(compounds[i], band) == dev[i].label ? 1 : 0;
    const double acc = static_cast<double>(right) / static_cast<double>(dev.size());
    if (acc > best + 1e-12) {
      best = acc;
      best_band = band;
    }
  }
  return best_band;
}

/// Agreement and correlation of compound with continuous gold scores.
struct score_agreement {
  double sign_agreement = 0.0; ///< share of non-zero-gold items where sign(compound) == sign(gold)
  double pearson = 0.0;
  size_t items = 0;
};

/// Returns the agreement of `model` with `data`.
inline score_agreement agreement(analyzer& model, const std::vector<scored_text>& data) {
  score_agreement r;
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  size_t signed_items = 0, same = 0;
  for (const auto& d : data) {
    const double x = model.score(d.text).compound, y = d.gold;
    sx += x;
    sy += y;
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
    if (y != 0.0) {
      ++signed_items;
      same += (x > 0 && y > 0) || (x < 0 && y < 0) ? 1 : 0;
    }
  }
  const double n = static_cast<double>(data.size());
  r.items = data.size();
  if (signed_items > 0)
    r.sign_agreement = static_cast<double>(same) / static_cast<double>(signed_items);
  const double den = std::sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
  if (den > 0)
    r.pearson = (n * sxy - sx * sy) / den;
  return r;
}

} // namespace osprey::sentiment::eval
