#include "runtime/sentiment_command.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <istream>
#include <ostream>

#include "actors/news_events.hpp"
#include "actors/sentiment.hpp"
#include "runtime/json_text.hpp"

namespace osprey {

namespace {

std::string fixed(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

void print_item(std::string_view text, const sentiment::scores& s, sentiment::polarity label,
                const std::vector<sentiment::ticker_hit>& tickers,
                const std::vector<sentiment::event_hit>& events, bool json, std::ostream& out) {
  if (json) {
    std::string line = "{\"text\":\"";
    line += json_escape(text);
    line += "\",\"compound\":";
    line += fixed(s.compound, 4);
    line += ",\"pos\":";
    line += fixed(s.pos, 3);
    line += ",\"neu\":";
    line += fixed(s.neu, 3);
    line += ",\"neg\":";
    line += fixed(s.neg, 3);
    line += ",\"label\":\"";
    line += sentiment::to_string(label);
    line += "\",\"tickers\":[";
    for (size_t i = 0; i < tickers.size(); ++i) {
      line += i ? ",{\"symbol\":\"" : "{\"symbol\":\"";
      line += json_escape(tickers[i].symbol);
      line += "\",\"source\":\"";
      line += sentiment::to_string(tickers[i].source);
      line += "\"}";
    }
    line += "],\"events\":[";
    for (size_t i = 0; i < events.size(); ++i) {
      line += i ? ",{\"tag\":\"" : "{\"tag\":\"";
      line += sentiment::to_string(events[i].tag);
      line += "\",\"confidence\":";
      line += fixed(events[i].confidence, 2);
      line += "}";
    }
    line += "]}\n";
    out << line;
    return;
  }
  std::string line = "compound=";
  line += fixed(s.compound, 4);
  line += " pos=";
  line += fixed(s.pos, 3);
  line += " neu=";
  line += fixed(s.neu, 3);
  line += " neg=";
  line += fixed(s.neg, 3);
  line += " label=";
  line += sentiment::to_string(label);
  line += " tickers=";
  for (size_t i = 0; i < tickers.size(); ++i) {
    if (i)
      line += ',';
    line += tickers[i].symbol;
  }
  if (tickers.empty())
    line += '-';
  line += " events=";
  for (size_t i = 0; i < events.size(); ++i) {
    if (i)
      line += ',';
    line += sentiment::to_string(events[i].tag);
    line += ':';
    line += fixed(events[i].confidence, 2);
  }
  if (events.empty())
    line += '-';
  line += " text=\"";
  line += json_escape(text);
  line += "\"\n";
  out << line;
}

} // namespace

std::vector<std::string> default_sentiment_lexicon_paths(const std::string& project_dir) {
  const std::filesystem::path base(project_dir.empty() ? "." : project_dir);
  return {(base / "node_modules" / "vader-sentiment" / "vader_lexicon.txt").string(),
          (base / ".." / "shared" / "data" / "lexicons" / "vader_lexicon.txt").string()};
}

std::string find_sentiment_lexicon(const std::string& configured, const std::string& project_dir) {
  if (!configured.empty())
    return configured;
  for (const auto& p : default_sentiment_lexicon_paths(project_dir)) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec))
      return p;
  }
  return {};
}

int sentiment_command(const std::vector<std::string>& texts, bool json, bool plain_vader,
                      const std::string& lexicon_path, std::istream& in, std::ostream& out,
                      std::ostream& err, const sentiment::ticker_universe& universe) {
  const std::string path = find_sentiment_lexicon(lexicon_path, ".");
  if (path.empty()) {
    err << "sentiment: no VADER lexicon found; pass --lexicon PATH, or run "
           "`npm install vader-sentiment` in the project directory. Looked for:";
    for (const auto& p : default_sentiment_lexicon_paths("."))
      err << ' ' << p;
    err << '\n';
    return 2;
  }
  std::string error;
  auto lex = sentiment::lexicon::load(path, error);
  if (!lex) {
    err << "sentiment: " << error << '\n';
    return 2;
  }
  auto model = plain_vader ? sentiment::analyzer::plain_vader(std::move(*lex))
                           : sentiment::analyzer::finance_model(std::move(*lex));

  std::vector<sentiment::ticker_hit> tickers;
  std::vector<sentiment::event_hit> events;
  std::vector<std::string_view> words;
  auto run_one = [&](std::string_view text) {
    const sentiment::scores s = model.score(text);
    tickers.clear();
    universe.extract(text.substr(0, std::min(text.size(), sentiment::max_text_bytes)), tickers);
    // Events read the same tokens the scorer just produced.
    words.clear();
    const std::string_view low = model.last_lower();
    for (const auto& t : model.last_tokens())
      if (t.bare_size > 0)
        words.push_back(low.substr(t.bare_begin, t.bare_size));
    events.clear();
    sentiment::detect_events(words, events);
    print_item(text, s, sentiment::classify(s.compound, model.neutral_band()), tickers, events,
               json, out);
  };

  if (!texts.empty()) {
    for (const auto& t : texts)
      run_one(t);
  } else {
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r')
        line.pop_back();
      if (line.find_first_not_of(" \t\f\v") == std::string::npos)
        continue;
      run_one(line);
    }
  }
  return 0;
}

} // namespace osprey
