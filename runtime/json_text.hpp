#pragma once

// JSON text for the command line's --json outputs.

#include <string>
#include <string_view>

namespace osprey {

/// Escapes `text` as the inside of a JSON string; bytes that are not valid
/// UTF-8 become U+FFFD, control characters \uXXXX (the JSON escape).
std::string json_escape(std::string_view text);

/// Returns `text` as a quoted JSON string.
std::string json_string(std::string_view text);

} // namespace osprey
