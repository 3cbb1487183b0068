#include "adapters/news_replay.hpp"

#include <fstream>
#include <stdexcept>

#include <simdjson.h>

#include "adapters/csv_fields.hpp"
#include "messages/msg_builder.hpp"

namespace osprey {

std::optional<int64_t> parse_rfc3339(std::string_view s) {
  using csv::detail::digits;
  unsigned y, mo, d, h, mi, sec;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo)
      || s[7] != '-' || !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
      || !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':'
      || !digits(s, 17, 2, sec))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > csv::days_in_month(y, mo) || h > 23 || mi > 59
      || sec > 60)
    return std::nullopt;
  size_t at = 19;
  int64_t frac_ns = 0;
  if (at < s.size() && s[at] == '.') {
    ++at;
    int64_t scale = 100'000'000;
    size_t start = at;
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
      frac_ns += (s[at] - '0') * scale;
      scale /= 10;
      ++at;
    }
    if (at == start)
      return std::nullopt;
  }
  int64_t offset_s = 0;
  if (at < s.size() && (s[at] == 'Z' || s[at] == 'z')) {
    ++at;
  } else if (at < s.size() && (s[at] == '+' || s[at] == '-')) {
    unsigned oh, om;
    if (!digits(s, at + 1, 2, oh) || at + 3 >= s.size() || s[at + 3] != ':'
        || !digits(s, at + 4, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_s = (s[at] == '+' ? 1 : -1) * static_cast<int64_t>(oh * 3600 + om * 60);
    at += 6;
  } else {
    return std::nullopt; // RFC 3339 requires an offset
  }
  if (at != s.size())
    return std::nullopt;
  auto seconds = csv::days_from_civil(y, mo, d) * 86'400
                 + static_cast<int64_t>(h * 3600 + mi * 60 + sec) - offset_s;
  return seconds * 1'000'000'000 + frac_ns;
}

news_read_result read_news(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    throw std::runtime_error("news file " + path + ": cannot open it");
  news_read_result out;
  simdjson::ondemand::parser parser;
  msg_builder builder;
  std::string line;
  uint64_t number = 0;
  auto problem = [&](std::string what) {
    out.problems.push_back({path, number, std::move(what)});
  };
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    simdjson::padded_string padded{line};
    simdjson::ondemand::document doc;
    simdjson::ondemand::object obj;
    if (parser.iterate(padded).get(doc) || doc.get_object().get(obj)) {
      problem("not a JSON object");
      continue;
    }
    std::string id, headline, summary, source, time_text;
    std::vector<std::string> symbols;
    std::optional<int64_t> ts;
    bool bad = false;
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key)) {
        bad = true;
        break;
      }
      auto value = field.value();
      std::string_view text;
      if (key == "headline" || key == "summary" || key == "source" || key == "id") {
        if (value.get_string().get(text)) {
          if (key != "id") {
            problem(std::string{key} + " is not a string");
            bad = true;
            break;
          }
          int64_t n;
          if (value.get_int64().get(n)) {
            problem("id is neither a string nor a number");
            bad = true;
            break;
          }
          id = std::to_string(n);
          continue;
        }
        (key == "headline" ? headline : key == "summary" ? summary : key == "source" ? source : id) =
          std::string{text};
      } else if (key == "created_at" || key == "time") {
        int64_t n;
        if (!value.get_string().get(text)) {
          ts = parse_rfc3339(text);
          if (!ts) {
            problem(std::string{key} + " is not an RFC 3339 time: \"" + std::string{text} + "\"");
            bad = true;
            break;
          }
        } else if (!value.get_int64().get(n)) {
          ts = n;
        } else {
          problem(std::string{key} + " is neither a time nor nanoseconds");
          bad = true;
          break;
        }
      } else if (key == "symbols") {
        simdjson::ondemand::array arr;
        if (value.get_array().get(arr)) {
          problem("symbols is not an array");
          bad = true;
          break;
        }
        for (auto el : arr) {
          if (el.get_string().get(text)) {
            problem("symbols holds something that is not a string");
            bad = true;
            break;
          }
          symbols.emplace_back(text);
        }
        if (bad)
          break;
      }
      // Other fields (author, url, images, ...) are not needed: skipped.
    }
    if (bad)
      continue;
    if (headline.find_first_not_of(" \t") == std::string::npos) {
      problem("no headline");
      continue;
    }
    if (!ts) {
      problem("no created_at (or time)");
      continue;
    }
    std::vector<std::string_view> views(symbols.begin(), symbols.end());
    out.items.push_back(builder.news({0, *ts, 0}, id, headline, summary, views, source));
  }
  return out;
}

} // namespace osprey
