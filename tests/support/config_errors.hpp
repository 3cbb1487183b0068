#pragma once

// The error a configuration text raises, for tests of config errors.

#include <string>

#include "runtime/config.hpp"

namespace osprey::test {

/// Returns parse_config's error for `text` (as the file "test.toml"), or
/// "(no error)" when it parses.
inline std::string config_error_of(const std::string& text) {
  try {
    parse_config(text, "test.toml");
  } catch (const config_error& e) {
    return e.what();
  }
  return "(no error)";
}

} // namespace osprey::test
