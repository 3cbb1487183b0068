#pragma once

// Counts heap allocations, so a benchmark can report allocations per
// operation (the hot paths' target is zero). Include it in exactly one
// translation unit of a benchmark: it replaces the global operator new.

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace osprey::bench {

inline std::atomic<uint64_t> allocations{0};

} // namespace osprey::bench

// g++ 12 sees free() of memory from this operator new after inlining and
// warns of a mismatch; both sides of the pair are defined here, over malloc.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t n) {
  osprey::bench::allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1))
    return p;
  throw std::bad_alloc{};
}
void* operator new[](std::size_t n) {
  return ::operator new(n);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
