#include "runtime/evaluate_command.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "actors/narrative.hpp"
#include "actors/run_features.hpp"
#include "adapters/csv_fields.hpp"
#include "adapters/csv_replay.hpp"
#include "adapters/news_replay.hpp"
#include "messages/symbol_table.hpp"
#include "runtime/history_store.hpp"
#include "runtime/json_text.hpp"

namespace osprey {

namespace {

std::string number(double x) {
  if (!std::isfinite(x))
    return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", x);
  return buf;
}

std::string date_of(int64_t ts) {
  return csv::format_time(ts).substr(0, 10);
}

/// Daily bars per symbol name from the data files.
std::map<std::string, std::vector<daily_bar>> load_bars(const std::vector<std::string>& files,
                                                        std::ostream& err) {
  symbol_table symbols;
  auto result = read_all_csv(files, csv_replay_options{}, symbols);
  for (auto& p : result.report.problems)
    err << "osprey evaluate: skipped " << p << "\n";
  std::map<std::string, std::vector<daily_bar>> out;
  for (auto& m : result.messages)
    if (auto b = m.as<fb::Bar>()) {
      auto& v = out[std::string{symbols.name(symbol_id{b->symbol()})}];
      v.push_back({m.ts_event(), price{b->open()}.dollars(), price{b->high()}.dollars(),
                   price{b->low()}.dollars(), price{b->close()}.dollars(),
                   static_cast<double>(b->volume())});
    }
  return out;
}

bool mentions(const fb::NewsItem& item, const std::string& ticker) {
  if (auto syms = item.symbols())
    for (auto s : *syms)
      if (s->str() == ticker)
        return true;
  auto headline = item.headline()->str();
  return headline.find("$" + ticker) != std::string::npos;
}

struct evaluation {
  std::string ticker;
  int64_t ts = 0;
  run_score score;
  upside_band band;
  std::vector<comparable> setups;
  const std::vector<daily_bar>* bars = nullptr;
};

void print_text(std::ostream& out, const evaluation& e) {
  char line[256];
  std::snprintf(line, sizeof line, "%s as of %s: run score %.1f — %s\n", e.ticker.c_str(),
                date_of(e.ts).c_str(), e.score.score, to_string(e.score.call));
  out << line;
  for (auto& p : e.score.pillars) {
    if (!p.present) {
      out << "  " << p.name << ": absent (no inputs), left out of the score\n";
      continue;
    }
    std::snprintf(line, sizeof line, "  %s %.1f\n", p.name.c_str(), p.score);
    out << line;
    for (auto& s : p.parts) {
      std::snprintf(line, sizeof line, "    %-26s %5.1f  %s\n", s.name.c_str(), s.score,
                    s.evidence.c_str());
      out << line;
    }
  }
  if (std::isnan(e.band.median)) {
    out << "  upside band: no comparable set-ups in the history\n";
  } else {
    std::snprintf(line, sizeof line,
                  "  upside band: %+.1f%% .. %+.1f%% (median %+.1f%%) from %zu comparable set-ups\n",
                  e.band.low * 100, e.band.high * 100, e.band.median * 100, e.setups.size());
    out << line;
    for (auto& c : e.setups) {
      std::snprintf(line, sizeof line, "    %s  distance %.2f  then %+.1f%%\n",
                    date_of((*e.bars)[c.index].ts).c_str(), c.distance, c.forward_return * 100);
      out << line;
    }
  }
}

std::string to_json(const evaluation& e) {
  std::ostringstream j;
  j << "{\"ticker\": " << json_string(e.ticker) << ", \"date\": " << json_string(date_of(e.ts))
    << ", \"run_score\": " << number(e.score.score)
    << ", \"verdict\": " << json_string(to_string(e.score.call)) << ", \"pillars\": [";
  for (size_t k = 0; k < e.score.pillars.size(); ++k) {
    auto& p = e.score.pillars[k];
    j << (k ? ", " : "") << "{\"name\": " << json_string(p.name)
      << ", \"present\": " << (p.present ? "true" : "false") << ", \"score\": " << number(p.score)
      << ", \"parts\": [";
    for (size_t s = 0; s < p.parts.size(); ++s)
      j << (s ? ", " : "") << "{\"name\": " << json_string(p.parts[s].name)
        << ", \"score\": " << number(p.parts[s].score)
        << ", \"evidence\": " << json_string(p.parts[s].evidence) << "}";
    j << "]}";
  }
  j << "], \"upside_band\": {\"low\": " << number(e.band.low)
    << ", \"median\": " << number(e.band.median) << ", \"high\": " << number(e.band.high)
    << "}, \"comparables\": [";
  for (size_t c = 0; c < e.setups.size(); ++c)
    j << (c ? ", " : "") << "{\"date\": " << json_string(date_of((*e.bars)[e.setups[c].index].ts))
      << ", \"distance\": " << number(e.setups[c].distance)
      << ", \"forward_return\": " << number(e.setups[c].forward_return) << "}";
  j << "]}";
  return j.str();
}

} // namespace

int evaluate_command(const evaluate_options& opts, const headline_reader& read_headline,
                     std::ostream& out, std::ostream& err) {
  if (opts.tickers.empty()) {
    err << "osprey evaluate: name at least one ticker\n";
    return 2;
  }
  if (opts.data.empty()) {
    err << "osprey evaluate: give the tickers' daily bars with --data FILE...\n";
    return 2;
  }
  try {
    auto bars = load_bars(opts.data, err);
    std::vector<msg> news;
    for (auto& f : opts.news) {
      auto r = read_news(f);
      for (auto& p : r.problems)
        err << "osprey evaluate: skipped " << p.file << ":" << p.line << ": " << p.what << "\n";
      news.insert(news.end(), r.items.begin(), r.items.end());
    }
    std::sort(news.begin(), news.end(),
              [](const msg& a, const msg& b) { return a.ts_event() < b.ts_event(); });
    std::unique_ptr<history_store> history;
    if (!opts.history_path.empty())
      history = std::make_unique<history_store>(opts.history_path);

    int code = 0;
    bool first = true;
    if (opts.json)
      out << "[";
    for (auto& ticker : opts.tickers) {
      auto it = bars.find(ticker);
      if (it == bars.end() || it->second.empty()) {
        err << "osprey evaluate: no daily bars for " << ticker << " in the --data files\n";
        code = 1;
        continue;
      }
      evaluation e;
      e.ticker = ticker;
      e.bars = &it->second;
      auto i = it->second.size() - 1;
      e.ts = it->second[i].ts;
      // Narrative: the ticker's news up to the evaluation time.
      narrative_params np;
      np.window_ns = opts.news_window_ns;
      np.baseline_ns = opts.news_baseline_ns;
      narrative_tracker tracker{np};
      int bullish = 0, bearish = 0;
      bool any_news = false;
      for (auto& m : news) {
        auto item = m.as<fb::NewsItem>();
        if (m.ts_event() > e.ts || !mentions(*item, ticker))
          continue;
        auto text = item->headline()->str();
        auto reading = read_headline(text);
        tracker.mention(0, m.ts_event(), reading.sentiment);
        if (m.ts_event() > e.ts - opts.news_window_ns) {
          bullish += reading.bullish_events;
          bearish += reading.bearish_events;
        }
        any_news = true;
      }
      narrative_features nf;
      if (any_news) {
        auto nm = tracker.metrics(0, e.ts);
        nf.mentions = nm.mentions_window;
        nf.velocity = nm.velocity;
        if (nm.mentions_window) {
          nf.sentiment = nm.sentiment;
          nf.sentiment_trend = nm.sentiment_trend;
          nf.positive_events = bullish;
          nf.negative_events = bearish;
        }
      }
      e.score = score_run(institutional_at(it->second, i), nf, other_at(it->second, i),
                          opts.weights);
      e.setups = comparable_setups(it->second, i, opts.comparables, opts.horizon);
      e.band = band_of(e.setups);
      auto json = to_json(e);
      if (opts.json) {
        out << (first ? "" : ",\n ") << json;
      } else {
        print_text(out, e);
      }
      first = false;
      if (history)
        history->add({e.ts, ticker, e.score.score, to_string(e.score.call),
                      e.score.pillars[0].score, e.score.pillars[1].score,
                      e.score.pillars[2].score, json});
    }
    if (opts.json)
      out << "]\n";
    return code;
  } catch (const std::exception& ex) {
    err << "osprey evaluate: " << ex.what() << "\n";
    return 1;
  }
}

int history_command(const std::string& ticker, const std::string& history_path,
                    std::ostream& out, std::ostream& err) {
  try {
    history_store h{history_path};
    auto rows = h.of(ticker);
    if (rows.empty()) {
      out << "no evaluations of " << ticker << " in " << history_path << "\n";
      return 0;
    }
    char line[160];
    for (auto& r : rows) {
      std::snprintf(line, sizeof line,
                    "%s %s run score %5.1f %-15s institutional %5.1f narrative %5.1f other %5.1f\n",
                    date_of(r.ts).c_str(), r.ticker.c_str(), r.score, r.verdict.c_str(),
                    r.institutional, r.narrative, r.other);
      out << line;
    }
    return 0;
  } catch (const std::exception& ex) {
    err << "osprey history: " << ex.what() << "\n";
    return 1;
  }
}

} // namespace osprey
