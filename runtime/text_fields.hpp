#pragma once

// Splitting the comma lists people type on the command line ("a=1..2, b=3")
// into trimmed fields.

#include <string>
#include <string_view>
#include <vector>

namespace osprey {

/// `s` without leading and trailing blanks (spaces, tabs, line ends).
inline std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos)
    return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string{s.substr(b, e - b + 1)};
}

/// The fields of `s` between `sep`s, each trimmed (empty fields kept).
inline std::vector<std::string> split_trimmed(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    auto at = s.find(sep, start);
    out.push_back(trim(s.substr(start, at == std::string_view::npos ? s.npos : at - start)));
    if (at == std::string_view::npos)
      return out;
    start = at + 1;
  }
}

} // namespace osprey
