#pragma once

// Strong, exact units for money and sizes. A quantity can never be passed
// where a price is expected, and no double ever holds a price or cash amount.

#include <compare>
#include <cstdint>
#include <string>

namespace osprey {

/// Micro-dollars per dollar: the fixed-point scale of prices and money.
inline constexpr int64_t micros_per_dollar = 1'000'000;

/// A price in micro-dollars per share.
struct price {
  int64_t micros = 0;

  static constexpr price from_dollars(double d) noexcept {
    return price{static_cast<int64_t>(d * micros_per_dollar + (d >= 0 ? 0.5 : -0.5))};
  }
  constexpr double dollars() const noexcept {
    return static_cast<double>(micros) / micros_per_dollar;
  }
  constexpr auto operator<=>(const price&) const = default;
  constexpr price operator+(price o) const noexcept { return {micros + o.micros}; }
  constexpr price operator-(price o) const noexcept { return {micros - o.micros}; }
};

/// An amount of money in micro-dollars (cash, notional, P&L).
struct money {
  int64_t micros = 0;

  constexpr double dollars() const noexcept {
    return static_cast<double>(micros) / micros_per_dollar;
  }
  constexpr auto operator<=>(const money&) const = default;
  constexpr money operator+(money o) const noexcept { return {micros + o.micros}; }
  constexpr money operator-(money o) const noexcept { return {micros - o.micros}; }
  constexpr money operator-() const noexcept { return {-micros}; }
  constexpr money& operator+=(money o) noexcept { micros += o.micros; return *this; }
  constexpr money& operator-=(money o) noexcept { micros -= o.micros; return *this; }
};

/// A number of shares; signed where it is a position.
struct quantity {
  int64_t shares = 0;

  constexpr auto operator<=>(const quantity&) const = default;
  constexpr quantity operator+(quantity o) const noexcept { return {shares + o.shares}; }
  constexpr quantity operator-(quantity o) const noexcept { return {shares - o.shares}; }
  constexpr quantity operator-() const noexcept { return {-shares}; }
  constexpr quantity& operator+=(quantity o) noexcept { shares += o.shares; return *this; }
  constexpr quantity& operator-=(quantity o) noexcept { shares -= o.shares; return *this; }
};

/// Returns the notional value of `q` shares at `p`.
constexpr money operator*(price p, quantity q) noexcept {
  return money{p.micros * q.shares};
}

/// An interned symbol; the index into the run's symbol_table.
struct symbol_id {
  uint32_t value = 0;
  constexpr auto operator<=>(const symbol_id&) const = default;
};

/// A client order id, unique for the life of a journal.
struct client_order_id {
  uint64_t value = 0;
  constexpr auto operator<=>(const client_order_id&) const = default;
};

/// Formats micro-dollars as a decimal dollar string ("-12.345600").
std::string to_string(money m);
std::string to_string(price p);

} // namespace osprey
