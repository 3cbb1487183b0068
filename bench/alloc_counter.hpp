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

// Out of line, so g++ does not pair an inlined malloc with a free it cannot
// see came from the same replacement (-Wmismatched-new-delete).
[[gnu::noinline]] inline void* counted_allocate(std::size_t n) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1))
    return p;
  throw std::bad_alloc{};
}

[[gnu::noinline]] inline void counted_release(void* p) noexcept {
  std::free(p);
}

} // namespace osprey::bench

void* operator new(std::size_t n) { return osprey::bench::counted_allocate(n); }
void* operator new[](std::size_t n) { return osprey::bench::counted_allocate(n); }
void operator delete(void* p) noexcept { osprey::bench::counted_release(p); }
void operator delete[](void* p) noexcept { osprey::bench::counted_release(p); }
void operator delete(void* p, std::size_t) noexcept { osprey::bench::counted_release(p); }
void operator delete[](void* p, std::size_t) noexcept { osprey::bench::counted_release(p); }
