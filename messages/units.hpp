#pragma once

// Strong, exact units for money and sizes. A quantity can never be passed
// where a price is expected, and no double ever holds a price or cash amount.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

/// Nano-shares per share: the fixed-point scale of quantities. Alpaca trades
/// fractions of a share to nine decimals, so nine decimals lose nothing.
inline constexpr int64_t nanos_per_share = 1'000'000'000;

/// A number of shares in nano-shares; signed where it is a position.
///
/// `quantity{100}` is 100 whole shares and only takes a constant, so a raw
/// wire value or a computed count can never be mistaken for whole shares:
/// those go through from_nanos() or of_shares(), which say which they mean.
struct quantity {
  int64_t nanos = 0;

  constexpr quantity() noexcept = default;
  consteval quantity(int64_t whole_shares) : nanos(whole_shares * nanos_per_share) {}

  static constexpr quantity from_nanos(int64_t n) noexcept {
    quantity q;
    q.nanos = n;
    return q;
  }
  static constexpr quantity of_shares(int64_t whole_shares) noexcept {
    return from_nanos(whole_shares * nanos_per_share);
  }

  /// The quantity in shares, for statistics and display only.
  constexpr double shares() const noexcept {
    return static_cast<double>(nanos) / nanos_per_share;
  }
  /// Whole shares, truncated toward zero.
  constexpr int64_t whole_shares() const noexcept { return nanos / nanos_per_share; }
  constexpr bool is_whole() const noexcept { return nanos % nanos_per_share == 0; }
  /// Drops the fraction of a share, toward zero.
  constexpr quantity truncated() const noexcept {
    return from_nanos(nanos - nanos % nanos_per_share);
  }
  constexpr quantity abs() const noexcept { return from_nanos(nanos < 0 ? -nanos : nanos); }

  constexpr auto operator<=>(const quantity&) const = default;
  constexpr quantity operator+(quantity o) const noexcept { return from_nanos(nanos + o.nanos); }
  constexpr quantity operator-(quantity o) const noexcept { return from_nanos(nanos - o.nanos); }
  constexpr quantity operator-() const noexcept { return from_nanos(-nanos); }
  constexpr quantity& operator+=(quantity o) noexcept { nanos += o.nanos; return *this; }
  constexpr quantity& operator-=(quantity o) noexcept { nanos -= o.nanos; return *this; }
};

/// Returns a raw wire quantity (nano-shares) in shares, for statistics.
constexpr double shares_from_nanos(int64_t nanos) noexcept {
  return quantity::from_nanos(nanos).shares();
}

/// Returns a * b / c, truncated toward zero, without overflowing in between.
/// The result must fit in 64 bits; c must not be zero.
constexpr int64_t mul_div(int64_t a, int64_t b, int64_t c) noexcept {
  int64_t ab = 0;
  if (!__builtin_mul_overflow(a, b, &ab))
    return ab / c;
  return static_cast<int64_t>(static_cast<__int128>(a) * b / c);
}

/// Returns the notional value of `q` at `p`, truncated toward zero to the
/// micro-dollar.
constexpr money operator*(price p, quantity q) noexcept {
  // Whole shares and the fraction apart keep the common case in 64 bits.
  int64_t whole = q.nanos / nanos_per_share, frac = q.nanos % nanos_per_share;
  int64_t whole_notional = 0, frac_notional = 0;
  if (__builtin_mul_overflow(p.micros, whole, &whole_notional)
      || __builtin_mul_overflow(p.micros, frac, &frac_notional))
    return money{mul_div(p.micros, q.nanos, nanos_per_share)};
  return money{whole_notional + frac_notional / nanos_per_share};
}

/// Returns the price per share of `notional` spent on `q` (not zero).
constexpr price per_share(money notional, quantity q) noexcept {
  return price{mul_div(notional.micros, nanos_per_share, q.nanos)};
}

/// Returns the quantity `notional` buys at `p` (positive), truncated to the
/// nano-share.
constexpr quantity quantity_for(money notional, price p) noexcept {
  return quantity::from_nanos(mul_div(notional.micros, nanos_per_share, p.micros));
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
/// Formats a quantity in shares with only the decimals it needs ("100",
/// "-0.25", "3.000000001").
std::string to_string(quantity q);

/// Parses a decimal share count with up to nine decimals ("100", "0.5",
/// "-1.25"); nullopt when `text` is not one or does not fit.
std::optional<quantity> parse_quantity(std::string_view text) noexcept;

} // namespace osprey
