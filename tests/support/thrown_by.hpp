#pragma once

// The message a call throws, for tests of error text.

#include <exception>
#include <functional>
#include <string>

namespace osprey::test {

/// Returns what `f` throws (a std::exception's what()), or
/// "(nothing thrown)".
inline std::string thrown_by(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& ex) {
    return ex.what();
  }
  return "(nothing thrown)";
}

} // namespace osprey::test
