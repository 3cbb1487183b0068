#pragma once

// The process heap's page size. osprey's executables link mimalloc as the
// allocator and (runtime/huge_pages.cpp) ask it, before it starts, to back
// its segments with transparent huge pages (2 MiB). A heap that grows (the
// order manager keeps every order and its history) then takes a first-touch
// page fault every 2 MiB instead of every 4 KiB: in bench/tick_to_order one
// order in ten paid 1.5-2 us for such a fault on 4 KiB pages
// (docs/BENCHMARKS.md, "huge pages"). Fewer TLB misses too.
// MIMALLOC_LARGE_OS_PAGES=0 in the environment turns it off.

namespace osprey {

/// Returns whether the process allocator is mimalloc on huge pages.
bool huge_pages_in_use();

} // namespace osprey
