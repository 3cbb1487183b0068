#pragma once

// Parsing TOML text the way the configuration does, for the commands that
// read sections of their own ([alert]) from the same file.

#include <string>
#include <string_view>

#include <toml++/toml.h>

namespace osprey {

/// Parses `text`; a syntax error becomes a config_error "source:line: what".
toml::table parse_toml(std::string_view text, const std::string& source);

} // namespace osprey
