#include "actors/sentiment.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "actors/sentiment_finance_words.hpp"

namespace osprey::sentiment {

namespace {

// Constants from the VADER paper's description of its heuristics.
constexpr double booster_incr = 0.293;   // "extremely good"
constexpr double booster_decr = -0.293;  // "slightly good"
constexpr double caps_incr = 0.733;      // "GOOD" among mixed-case words
constexpr double negation_scalar = -0.74;
constexpr double never_so_scalar = 1.25; // "never so good" intensifies
constexpr double exclamation_step = 0.292;
constexpr int exclamation_max = 4;
constexpr double question_step = 0.18;
constexpr double question_max = 0.96;
constexpr double compound_alpha = 15.0;
constexpr double no_override = std::numeric_limits<double>::quiet_NaN();

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// ASCII punctuation only (Python's string.punctuation); bytes >= 0x80 are
// word characters, so UTF-8 and latin-1 letters stay inside words.
bool is_punct(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 0x21 && u <= 0x2f) || (u >= 0x3a && u <= 0x40) || (u >= 0x5b && u <= 0x60) ||
         (u >= 0x7b && u <= 0x7e);
}

// Boosters raise the next sentiment word, dampeners lower it.
const std::unordered_map<std::string_view, double>& boosters() {
  static const std::unordered_map<std::string_view, double> table = [] {
    std::unordered_map<std::string_view, double> t;
    for (auto w : {"absolutely", "amazingly", "awfully", "completely", "considerable",
                   "considerably", "decidedly", "deeply", "enormous", "enormously", "entirely",
                   "especially", "exceptional", "exceptionally", "extreme", "extremely",
                   "fabulously", "fully", "greatly", "hella", "highly", "hugely", "incredible",
                   "incredibly", "intensely", "major", "majorly", "more", "most",
                   "particularly", "purely", "quite", "really", "remarkably", "so",
                   "substantially", "thoroughly", "total", "totally", "tremendous",
                   "tremendously", "uber", "unbelievably", "unusually", "utter", "utterly",
                   "very"})
      t.emplace(w, booster_incr);
    for (auto w : {"almost", "barely", "hardly", "kinda", "kindof", "kind-of", "less", "little",
                   "marginal", "marginally", "occasional", "occasionally", "partly", "scarce",
                   "scarcely", "slight", "slightly", "somewhat", "sorta", "sortof", "sort-of"})
      t.emplace(w, booster_decr);
    return t;
  }();
  return table;
}

const double* booster(std::string_view w) {
  const auto& t = boosters();
  auto it = t.find(w);
  return it == t.end() ? nullptr : &it->second;
}

bool is_negation(std::string_view w) {
  static const std::unordered_map<std::string_view, bool> words = [] {
    std::unordered_map<std::string_view, bool> t;
    for (auto x :
         {"aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "dont",
          "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither", "neednt", "never",
          "none", "nope", "nor", "not", "nothing", "nowhere", "oughtnt", "shant", "shouldnt",
          "uhuh", "wasnt", "werent", "without", "wont", "wouldnt", "rarely", "seldom", "despite",
          "uh-uh", "no"})
      t.emplace(x, true);
    return t;
  }();
  if (words.count(w) != 0)
    return true;
  return w.find("n't") != std::string_view::npos;
}

} // namespace

std::optional<lexicon> lexicon::parse(std::string_view text, std::string_view origin,
                                      std::string& error) {
  lexicon lex;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos)
      end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    if (line.empty())
      continue;
    const size_t tab1 = line.find('\t');
    const size_t tab2 = tab1 == std::string_view::npos ? tab1 : line.find('\t', tab1 + 1);
    auto fail = [&](std::string_view what) {
      error = origin;
      error += ":";
      error += std::to_string(line_no);
      error += ": ";
      error += what;
      return std::nullopt;
    };
    if (tab1 == 0 || tab1 == std::string_view::npos)
      return fail("expected `token<TAB>mean<TAB>...`");
    std::string mean_text(line.substr(tab1 + 1, tab2 == std::string_view::npos
                                                  ? std::string_view::npos
                                                  : tab2 - tab1 - 1));
    char* parsed_end = nullptr;
    const double mean = std::strtod(mean_text.c_str(), &parsed_end);
    if (mean_text.empty() || parsed_end != mean_text.c_str() + mean_text.size() ||
        !std::isfinite(mean))
      return fail("mean valence is not a number");
    // Keys are kept as written: lookups are lower-case, so an upper-case key
    // ("LOL") never shadows its lower-case twin ("lol"), as in VADER.
    lex.entries_[std::string(line.substr(0, tab1))] = mean;
  }
  if (lex.size() == 0) {
    error = origin;
    error += ": lexicon is empty";
    return std::nullopt;
  }
  return lex;
}

std::optional<lexicon> lexicon::load(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open sentiment lexicon ";
    error += path;
    return std::nullopt;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse(buf.str(), path, error);
}

void lexicon::set(std::string_view token, double valence) {
  auto it = entries_.find(token);
  if (it != entries_.end())
    it->second = valence;
  else
    entries_.emplace(std::string(token), valence);
}

void lexicon::erase(std::string_view token) {
  auto it = entries_.find(token);
  if (it != entries_.end())
    entries_.erase(it);
}

polarity classify(double compound, double neutral_band) {
  if (compound >= neutral_band && compound > 0)
    return polarity::positive;
  if (compound <= -neutral_band && compound < 0)
    return polarity::negative;
  return polarity::neutral;
}

std::string_view to_string(polarity p) {
  switch (p) {
    case polarity::positive: return "positive";
    case polarity::negative: return "negative";
    case polarity::neutral: return "neutral";
  }
  return "neutral";
}

const std::vector<std::pair<std::string_view, double>>& finance_lexicon_entries() {
  return finance_words::lexicon_entries();
}

lexicon make_finance_lexicon(lexicon general) {
  for (const auto& [word, valence] : finance_lexicon_entries()) {
    if (valence == 0.0)
      general.erase(word);
    else
      general.set(word, valence);
  }
  return general;
}

void tokenize(std::string_view text, std::string& lower, std::vector<token>& out) {
  out.clear();
  lower.assign(text.data(), text.size());
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    while (i < n && is_space(text[i]))
      ++i;
    if (i >= n)
      break;
    const size_t b = i;
    while (i < n && !is_space(text[i]))
      ++i;
    const size_t e = i;
    size_t sb = b, se = e;
    while (sb < se && is_punct(text[sb]))
      ++sb;
    while (se > sb && is_punct(text[se - 1]))
      --se;
    token t;
    // VADER keeps the punctuation of short tokens so emoticons (":)", ":-(")
    // and one-letter words stay lexicon keys.
    if (se - sb <= 2) {
      t.begin = static_cast<uint32_t>(b);
      t.size = static_cast<uint32_t>(e - b);
    } else {
      t.begin = static_cast<uint32_t>(sb);
      t.size = static_cast<uint32_t>(se - sb);
    }
    t.bare_begin = static_cast<uint32_t>(sb);
    t.bare_size = static_cast<uint32_t>(se - sb);
    bool has_upper = false, has_lower = false;
    for (size_t k = t.begin; k < t.begin + t.size; ++k) {
      has_upper |= text[k] >= 'A' && text[k] <= 'Z';
      has_lower |= text[k] >= 'a' && text[k] <= 'z';
    }
    t.all_caps = has_upper && !has_lower;
    out.push_back(t);
  }
}

double analyzer::base_valence(size_t i) const {
  if (!std::isnan(override_[i]))
    return override_[i];
  const token& t = tokens_[i];
  const double* v = lex_.find(std::string_view(lower_).substr(t.begin, t.size));
  return v ? *v : 0.0;
}

bool analyzer::has_entry(size_t i) const {
  if (!std::isnan(override_[i]))
    return override_[i] != 0.0;
  const token& t = tokens_[i];
  return lex_.find(std::string_view(lower_).substr(t.begin, t.size)) != nullptr;
}

void analyzer::apply_finance_phrases() {
  using namespace finance_words;
  const size_t n = tokens_.size();
  const std::string_view low(lower_);
  auto bare = [&](size_t i) {
    return low.substr(tokens_[i].bare_begin, tokens_[i].bare_size);
  };
  auto cls = [&](size_t i) { return classes_of(bare(i)); };
  auto free_slot = [&](size_t i) { return std::isnan(override_[i]); };
  // Finds the first token in [from, to) of class `c`, or n.
  auto find_class = [&](size_t from, size_t to, uint32_t c) {
    for (size_t k = from; k < std::min(to, n); ++k)
      if (cls(k) & c)
        return k;
    return n;
  };
  constexpr double phrase_valence = 2.0;
  constexpr double direction_valence = 1.5;

  // Pass 1: fixed phrases, where the object decides what the verb means.
  for (size_t i = 0; i < n; ++i) {
    if (!free_slot(i))
      continue;
    const uint32_t c = cls(i);
    if (c & (guide_up | guide_down)) {
      // "raises full-year guidance", "cuts its 2024 outlook"
      const size_t k = find_class(i + 1, i + 4, guide_noun);
      if (k < n) {
        override_[i] = (c & guide_up) ? phrase_valence : -phrase_valence;
        override_[k] = 0.0;
        continue;
      }
    }
    if (c & guide_noun) {
      // "guidance raised", "outlook cut"
      const size_t k = find_class(i + 1, i + 3, guide_up | guide_down);
      if (k < n && free_slot(k)) {
        override_[k] = (cls(k) & guide_up) ? phrase_valence : -phrase_valence;
        override_[i] = 0.0;
        continue;
      }
    }
    if (c & (beat_verb | miss_verb)) {
      // "beat analysts' estimates", "missed Wall Street expectations"
      const size_t k = find_class(i + 1, i + 5, estimate_noun);
      if (k < n) {
        override_[i] = (c & beat_verb) ? phrase_valence : -phrase_valence;
        override_[k] = 0.0;
        continue;
      }
    }
    if (bare(i) == "record" && i + 1 < n) {
      const uint32_t next = cls(i + 1);
      if (next & record_good)
        override_[i] = phrase_valence;
      else if (next & record_bad)
        override_[i] = -phrase_valence;
    }
  }

  // Pass 2: direction verbs. The subject decides the sign: a cost or a loss
  // going down is good news ("operating loss narrowed", "cut costs").
  for (size_t i = 0; i < n; ++i) {
    if (!free_slot(i))
      continue;
    const uint32_t c = cls(i);
    if (!(c & (dir_up | dir_down)))
      continue;
    double sign = (c & dir_up) ? 1.0 : -1.0;
    const double* base = lex_.find(low.substr(tokens_[i].begin, tokens_[i].size));
    // A reported move is the news itself, so it is scored at least as a
    // clearly positive/negative word (tuned on the development split).
    double magnitude = std::max(base ? std::fabs(*base) : 0.0, direction_valence);
    // Subject: up to 4 words back, stopping at a clause break.
    size_t subject = n;
    bool bad = false;
    for (size_t back = 1; back <= 4 && back <= i; ++back) {
      const size_t k = i - back;
      const uint32_t ck = cls(k);
      if (ck & (bad_noun | good_noun)) {
        subject = k;
        bad = (ck & bad_noun) != 0;
        break;
      }
      if (ck & clause_break)
        break;
    }
    // Object: "narrowed its loss", "cut costs"; or a destination: "slipped to
    // a net loss", "swung to a profit", where the noun alone gives the sign.
    bool destination = false;
    if (subject == n) {
      for (size_t k = i + 1; k < std::min(n, i + 5); ++k) {
        const uint32_t ck = cls(k);
        if (bare(k) == "to")
          destination = true;
        if (ck & (bad_noun | good_noun)) {
          subject = k;
          bad = (ck & bad_noun) != 0;
          break;
        }
        if (ck & clause_break)
          break;
      }
      if (subject == n)
        destination = false;
    }
    // "... from a loss of EUR 2 mn": the baseline of a comparison is not news.
    for (size_t k = i + 1; k < std::min(n, i + 8); ++k) {
      if (bare(k) != "from")
        continue;
      for (size_t m = k + 1; m < std::min(n, k + 6); ++m)
        if ((cls(m) & (bad_noun | good_noun)) && free_slot(m))
          override_[m] = 0.0;
      break;
    }
    // The subject's own valence ("loss", "profit") is carried by the verb.
    if (subject != n) {
      if (destination)
        sign = bad ? -1.0 : 1.0;
      else if (bad)
        sign = -sign;
      if (free_slot(subject))
        override_[subject] = 0.0;
    }
    // A percentage right after the verb makes the move the news itself.
    for (size_t k = i + 1; k < std::min(n, i + 6); ++k) {
      const std::string_view w = bare(k);
      const size_t bare_end = tokens_[k].bare_begin + tokens_[k].bare_size;
      const bool percent_sign = (bare_end < low.size() && low[bare_end] == '%') ||
                                (w.empty() && low[tokens_[k].begin] == '%');
      if (percent_sign || w == "percent" || w == "pct" || w == "per-cent") {
        magnitude += 0.5;
        break;
      }
    }
    override_[i] = sign * magnitude;
  }
}

scores analyzer::score(std::string_view text) {
  if (text.size() > max_text_bytes)
    text = text.substr(0, max_text_bytes);
  tokenize(text, lower_, tokens_);
  const size_t n = tokens_.size();
  override_.assign(n, no_override);
  if (finance_)
    apply_finance_phrases();

  const std::string_view low(lower_);
  auto word = [&](size_t i) { return low.substr(tokens_[i].begin, tokens_[i].size); };

  size_t caps_words = 0;
  for (const token& t : tokens_)
    caps_words += t.all_caps ? 1 : 0;
  // Caps only emphasise when the text also has non-caps words.
  const bool cap_differential = caps_words > 0 && caps_words < n;

  auto scalar_inc_dec = [&](size_t j, double valence) {
    const double* b = booster(word(j));
    if (!b)
      return 0.0;
    double s = valence < 0 ? -*b : *b;
    if (tokens_[j].all_caps && cap_differential)
      s += valence > 0 ? caps_incr : -caps_incr;
    return s;
  };

  auto negation_check = [&](double valence, size_t start, size_t i) {
    const auto is = [](std::string_view w, std::string_view a, std::string_view b) {
      return w == a || w == b;
    };
    if (start == 0) {
      if (is_negation(word(i - 1)))
        valence *= negation_scalar;
    } else if (start == 1) {
      if (word(i - 2) == "never" && is(word(i - 1), "so", "this"))
        valence *= never_so_scalar;
      else if (word(i - 2) == "without" && word(i - 1) == "doubt")
        ;
      else if (is_negation(word(i - 2)))
        valence *= negation_scalar;
    } else {
      if (word(i - 3) == "never" && (is(word(i - 2), "so", "this") || is(word(i - 1), "so", "this")))
        valence *= never_so_scalar;
      else if (word(i - 3) == "without" && (word(i - 2) == "doubt" || word(i - 1) == "doubt"))
        ;
      else if (is_negation(word(i - 3)))
        valence *= negation_scalar;
    }
    return valence;
  };

  valence_.assign(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    const std::string_view w = word(i);
    const bool overridden = !std::isnan(override_[i]);
    if (!overridden) {
      // Boosters and "kind of" shape their neighbour and score nothing.
      if (booster(w))
        continue;
      if (w == "kind" && i + 1 < n && word(i + 1) == "of")
        continue;
      // "no" followed by a sentiment word is a negator, not a sentiment.
      if (w == "no" && i + 1 < n && has_entry(i + 1))
        continue;
    }
    double v = base_valence(i);
    if (v == 0.0)
      continue;
    if (tokens_[i].all_caps && cap_differential)
      v += v > 0 ? caps_incr : -caps_incr;
    for (size_t start = 0; start < 3 && start < i; ++start) {
      const size_t j = i - start - 1;
      // A preceding sentiment word scores on its own; "no" still negates.
      if (has_entry(j) && word(j) != "no")
        continue;
      double s = scalar_inc_dec(j, v);
      if (start == 1)
        s *= 0.95;
      else if (start == 2)
        s *= 0.9;
      v += s;
      v = negation_check(v, start, i);
    }
    // "kind of good", "sort of bad" dampen.
    if (i >= 2 && word(i - 1) == "of" && (word(i - 2) == "kind" || word(i - 2) == "sort"))
      v += v > 0 ? booster_decr : -booster_decr;
    // "least good" negates, "at least good" and "very least" do not.
    if (i >= 1 && word(i - 1) == "least" && !has_entry(i - 1)) {
      if (!(i >= 2 && (word(i - 2) == "at" || word(i - 2) == "very")))
        v *= negation_scalar;
    }
    valence_[i] = v;
  }

  // "but": what comes after it carries the sentence.
  for (size_t b = 0; b < n; ++b) {
    if (word(b) != "but")
      continue;
    for (size_t k = 0; k < n; ++k) {
      if (k < b)
        valence_[k] *= 0.5;
      else if (k > b)
        valence_[k] *= 1.5;
    }
    break;
  }

  // Punctuation emphasis.
  int exclamations = 0, questions = 0;
  for (char ch : text) {
    exclamations += ch == '!';
    questions += ch == '?';
  }
  double amplifier = std::min(exclamations, exclamation_max) * exclamation_step;
  if (questions > 1)
    amplifier += questions <= 3 ? questions * question_step : question_max;

  double sum = 0.0, pos_sum = 0.0, neg_sum = 0.0;
  size_t neutral_count = 0;
  for (double v : valence_) {
    sum += v;
    // +-1 compensates for the neutral words counted as 1 each.
    if (v > 0)
      pos_sum += v + 1.0;
    else if (v < 0)
      neg_sum += v - 1.0;
    else
      ++neutral_count;
  }
  scores out;
  if (sum > 0)
    sum += amplifier;
  else if (sum < 0)
    sum -= amplifier;
  if (sum != 0.0)
    out.compound = std::clamp(sum / std::sqrt(sum * sum + compound_alpha), -1.0, 1.0);
  if (pos_sum > -neg_sum)
    pos_sum += amplifier;
  else if (pos_sum < -neg_sum)
    neg_sum -= amplifier;
  const double total = pos_sum - neg_sum + static_cast<double>(neutral_count);
  if (total > 0) {
    out.pos = pos_sum / total;
    out.neg = neg_sum < 0 ? -neg_sum / total : 0.0; // never print "-0.000"
    out.neu = static_cast<double>(neutral_count) / total;
  }
  return out;
}

} // namespace osprey::sentiment
