// This test executable runs on glibc's allocator: the heap reports small
// pages and nothing breaks. The real binary on mimalloc, with and without
// MIMALLOC_LARGE_OS_PAGES=0, is checked end to end in osprey_e2e_test.

#include <gtest/gtest.h>

#include "runtime/heap.hpp"

namespace {

TEST(heap, without_mimalloc_the_pages_are_small) {
  EXPECT_FALSE(osprey::huge_pages_in_use());
}

} // namespace
