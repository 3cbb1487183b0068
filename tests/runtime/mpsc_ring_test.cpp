// The ring behind an ingress: first in, first out; a full ring refuses
// without losing what it holds; indices survive many laps; and several
// writers at once lose nothing and keep each writer's order.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "runtime/mpsc_ring.hpp"

using namespace osprey;

namespace {

TEST(mpsc_ring, refuses_a_capacity_that_is_not_a_power_of_two) {
  EXPECT_THROW(mpsc_ring<int>{0}, std::invalid_argument);
  EXPECT_THROW(mpsc_ring<int>{1}, std::invalid_argument);
  EXPECT_THROW(mpsc_ring<int>{12}, std::invalid_argument);
  EXPECT_EQ(mpsc_ring<int>{16}.capacity(), 16u);
}

TEST(mpsc_ring, hands_values_out_in_the_order_they_went_in) {
  mpsc_ring<int> r{8};
  int out = 0;
  EXPECT_FALSE(r.ready());
  EXPECT_FALSE(r.try_pop(out));
  for (int i = 1; i <= 5; ++i) {
    int v = i;
    ASSERT_TRUE(r.try_push(v));
  }
  EXPECT_TRUE(r.ready());
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(r.try_pop(out));
    EXPECT_EQ(out, i);
  }
  EXPECT_FALSE(r.try_pop(out));
}

TEST(mpsc_ring, a_full_ring_refuses_and_keeps_the_value_and_what_it_holds) {
  mpsc_ring<std::unique_ptr<int>> r{4};
  for (int i = 0; i < 4; ++i) {
    auto v = std::make_unique<int>(i);
    ASSERT_TRUE(r.try_push(v));
    EXPECT_EQ(v, nullptr); // moved in
  }
  auto extra = std::make_unique<int>(99);
  EXPECT_FALSE(r.try_push(extra));
  ASSERT_NE(extra, nullptr);
  EXPECT_EQ(*extra, 99);
  std::unique_ptr<int> out;
  ASSERT_TRUE(r.try_pop(out));
  EXPECT_EQ(*out, 0);
  EXPECT_TRUE(r.try_push(extra)); // the freed cell takes it
  for (int want : {1, 2, 3, 99}) {
    ASSERT_TRUE(r.try_pop(out));
    EXPECT_EQ(*out, want);
  }
}

TEST(mpsc_ring, a_popped_cell_lets_go_of_its_value) {
  mpsc_ring<std::shared_ptr<int>> r{2};
  auto shared = std::make_shared<int>(7);
  auto copy = shared;
  ASSERT_TRUE(r.try_push(copy));
  std::shared_ptr<int> out;
  ASSERT_TRUE(r.try_pop(out));
  out.reset();
  EXPECT_EQ(shared.use_count(), 1); // the ring holds no reference
}

TEST(mpsc_ring, keeps_order_over_many_laps) {
  mpsc_ring<uint64_t> r{4};
  uint64_t next_in = 0, next_out = 0, out = 0;
  for (int round = 0; round < 10'000; ++round) {
    for (int k = 0; k < 3; ++k) {
      auto v = next_in;
      ASSERT_TRUE(r.try_push(v));
      ++next_in;
    }
    for (int k = 0; k < 3; ++k) {
      ASSERT_TRUE(r.try_pop(out));
      ASSERT_EQ(out, next_out++);
    }
  }
}

TEST(mpsc_ring, several_writers_lose_nothing_and_keep_their_own_order) {
  constexpr uint64_t writers = 4, per_writer = 200'000;
  mpsc_ring<uint64_t> r{64}; // small: writers meet a full ring often
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (uint64_t w = 0; w < writers; ++w)
    threads.emplace_back([&, w] {
      while (!go.load())
        std::this_thread::yield();
      for (uint64_t i = 0; i < per_writer; ++i) {
        auto v = w << 32 | i;
        while (!r.try_push(v))
          std::this_thread::yield();
      }
    });
  go.store(true);
  // The writers must be joined whatever happens: count what is wrong and
  // report it after.
  std::vector<uint64_t> next(writers, 0);
  uint64_t out = 0, out_of_order = 0, foreign = 0;
  for (uint64_t got = 0; got < writers * per_writer;) {
    if (!r.try_pop(out)) {
      std::this_thread::yield();
      continue;
    }
    ++got;
    auto w = out >> 32, i = out & 0xffff'ffff;
    if (w >= writers) {
      ++foreign;
      continue;
    }
    if (i != next[w])
      ++out_of_order;
    next[w] = i + 1;
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(foreign, 0u);
  EXPECT_EQ(out_of_order, 0u);
  EXPECT_FALSE(r.try_pop(out));
  for (uint64_t w = 0; w < writers; ++w)
    EXPECT_EQ(next[w], per_writer);
}

} // namespace
