#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "messages/units.hpp"

namespace osprey {

/// Interns ticker names into dense ids. Built once at start-up by runtime and
/// read-only afterwards, so actors index arrays by id on the hot path.
class symbol_table {
public:
  /// Returns the id of `name`, adding it if it is new.
  symbol_id intern(std::string_view name);

  /// Returns the id of `name` if it is known.
  std::optional<symbol_id> find(std::string_view name) const;

  /// Returns the name of `id`; "?" for an id this table never issued.
  const std::string& name(symbol_id id) const;

  size_t size() const noexcept { return names_.size(); }
  const std::vector<std::string>& names() const noexcept { return names_; }

private:
  // Looks names up by string_view without building a std::string (a CSV
  // replay interns every row's symbol).
  struct name_hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::vector<std::string> names_;
  std::unordered_map<std::string, uint32_t, name_hash, std::equal_to<>> ids_;
};

} // namespace osprey
