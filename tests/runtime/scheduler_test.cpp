// osprey's scheduler under real actor systems: every message delivered in
// order, timers, requests from outside, stealing, waking sleeping workers,
// resuming an actor that used up its throughput, and shutting down with work
// still queued. Every actor is spawned with at least one argument: CAF
// 0.17.6 dereferences a null pointer (UBSan reports it) for a functor
// spawned with none.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include <caf/all.hpp>

#include "actors/caf_types.hpp"
#include "messages/msg_builder.hpp"
#include "runtime/scheduler.hpp"

using namespace osprey;
using namespace std::chrono_literals;

namespace {

struct setup {
  uint32_t workers;
  idle_policy idle;
};

std::string name_of(const testing::TestParamInfo<setup>& info) {
  return std::to_string(info.param.workers) + "_workers_"
         + (info.param.idle == idle_policy::spin ? "spin" : "sleep");
}

class scheduler : public testing::TestWithParam<setup> {
protected:
  caf::actor_system_config config(size_t throughput = 0) {
    caf::actor_system_config cfg;
    register_message_types(cfg);
    install_scheduler(cfg, GetParam().workers, GetParam().idle);
    if (throughput)
      cfg.set("scheduler.max-throughput", throughput);
    return cfg;
  }
};

constexpr int32_t ring_size = 50;

/// Passes a countdown around a ring; the hop that reaches zero reports to
/// `done`. Each member quits after its last turn: the last lap (49 down to
/// 0) visits every member once.
caf::behavior ring_member(caf::event_based_actor* self, caf::actor next, caf::actor done) {
  return {[self, next, done](int32_t left) {
    if (left == 0) {
      self->send(done, caf::atom("finished"));
      self->quit();
      return;
    }
    self->send(next, left - 1);
    if (left < ring_size)
      self->quit();
  }};
}

TEST_P(scheduler, a_token_goes_round_a_ring_of_actors_every_hop) {
  auto cfg = config();
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  // Eight rings of 50 actors, a token each, all at once.
  constexpr int32_t hops = 20'000;
  for (int ring = 0; ring < 8; ++ring) {
    auto head = [](caf::event_based_actor* a, caf::actor done) -> caf::behavior {
      return {[a, done](caf::actor next) { a->become(ring_member(a, next, done)); }};
    };
    caf::actor first = sys.spawn(head, caf::actor{self});
    caf::actor next = first;
    for (int i = 1; i < ring_size; ++i)
      next = sys.spawn(ring_member, next, caf::actor{self});
    self->send(first, next);
    self->send(first, hops);
  }
  int finished = 0;
  self->receive_for(finished, 8)(
    [](caf::atom_value a) { EXPECT_EQ(a, caf::atom("finished")); },
    caf::after(30s) >> [&] { FAIL() << "only " << finished << " of 8 tokens came back"; });
  EXPECT_EQ(finished, 8);
}

TEST_P(scheduler, messages_between_two_actors_arrive_in_the_order_sent) {
  auto cfg = config();
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  caf::actor reporter = self;
  auto in_order = [](caf::stateful_actor<int32_t>* a, caf::actor reporter) -> caf::behavior {
    a->state = -1;
    return {[a, reporter](int32_t n) {
      if (n != a->state + 1)
        a->send(reporter, caf::atom("gap"), a->state, n);
      a->state = n;
      if (n == 99'999)
        a->send(reporter, caf::atom("finished"), n);
    }};
  };
  auto receiver = sys.spawn(in_order, reporter);
  auto feed = [](caf::event_based_actor* a, caf::actor receiver) -> caf::behavior {
    return {[a, receiver](int32_t count) {
      for (int32_t i = 0; i < count; ++i)
        a->send(receiver, i);
    }};
  };
  auto feeder = sys.spawn(feed, receiver);
  self->send(feeder, int32_t{100'000});
  bool done = false;
  while (!done)
    self->receive(
      [&](caf::atom_value, int32_t n) {
        EXPECT_EQ(n, 99'999);
        done = true;
      },
      [&](caf::atom_value, int32_t before, int32_t got) {
        ADD_FAILURE() << "after " << before << " came " << got;
      },
      caf::after(30s) >> [&] {
        ADD_FAILURE() << "the last message never came";
        done = true;
      });
}

TEST_P(scheduler, delayed_messages_come_after_their_delay) {
  auto cfg = config();
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  caf::actor reporter = self;
  auto start = std::chrono::steady_clock::now();
  auto ticker = [](caf::event_based_actor* a, caf::actor reporter) -> caf::behavior {
    a->delayed_send(a, 20ms, caf::atom("tick"));
    return {[a, reporter](caf::atom_value) { a->send(reporter, caf::atom("ticked")); }};
  };
  auto timer = sys.spawn(ticker, reporter);
  self->receive([](caf::atom_value a) { EXPECT_EQ(a, caf::atom("ticked")); },
                caf::after(10s) >> [] { FAIL() << "the delayed message never came"; });
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
  self->send_exit(timer, caf::exit_reason::user_shutdown);
}

TEST_P(scheduler, a_request_from_outside_is_answered_after_the_workers_went_idle) {
  auto cfg = config();
  caf::actor_system sys{cfg};
  auto multiplier = [](caf::event_based_actor*, int32_t factor) -> caf::behavior {
    return {[factor](int32_t x) { return factor * x; }};
  };
  auto doubler = sys.spawn(multiplier, int32_t{2});
  caf::scoped_actor self{sys};
  // Long enough for sleeping workers to reach their deepest sleep (CAF's
  // timings: 100 polls, then 500 of 50 us).
  std::this_thread::sleep_for(60ms);
  for (int32_t i = 0; i < 20; ++i) {
    self->request(doubler, 10s, i).receive(
      [&](int32_t r) { EXPECT_EQ(r, 2 * i); },
      [&](caf::error& e) { FAIL() << sys.render(e); });
    if (i % 5 == 0)
      std::this_thread::sleep_for(15ms);
  }
}

TEST_P(scheduler, an_actor_that_used_up_its_throughput_is_resumed_later) {
  // One message per resume: every message goes through resume_later.
  auto cfg = config(1);
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  caf::actor reporter = self;
  auto count = [](caf::stateful_actor<int32_t>* a, caf::actor reporter) -> caf::behavior {
    return {[a, reporter](int32_t n) {
      EXPECT_EQ(n, a->state);
      if (++a->state == 1'000)
        a->send(reporter, a->state);
    }};
  };
  auto counter = sys.spawn(count, reporter);
  for (int32_t i = 0; i < 1'000; ++i)
    self->send(counter, i);
  self->receive([](int32_t n) { EXPECT_EQ(n, 1'000); },
                caf::after(30s) >> [] { FAIL() << "not every message was handled"; });
}

TEST_P(scheduler, a_system_that_does_not_wait_for_its_actors_stops_them_mid_work) {
  std::atomic<int64_t> handled{0};
  {
    auto cfg = config();
    caf::actor_system sys{cfg};
    sys.await_actors_before_shutdown(false);
    // Pairs that bounce a message for good: the workers never run dry, and
    // the scheduler has to stop with jobs still queued and release them.
    for (int i = 0; i < 8; ++i) {
      auto bouncer = [](caf::event_based_actor* self,
                        std::atomic<int64_t>* handled) -> caf::behavior {
        return {[self, handled](caf::actor other, int32_t n) {
          handled->fetch_add(1, std::memory_order_relaxed);
          self->send(other, caf::actor_cast<caf::actor>(self), n + 1);
        }};
      };
      auto a = sys.spawn(bouncer, &handled);
      auto b = sys.spawn(bouncer, &handled);
      caf::anon_send(a, b, int32_t{0});
    }
    while (handled.load() < 10'000)
      std::this_thread::sleep_for(1ms);
  }
  EXPECT_GE(handled.load(), 10'000);
}

// -- ingress ----------------------------------------------------------------------

/// A message numbered `n` (its event time) from sender `from` (its symbol).
msg numbered(msg_builder& b, uint32_t from, int64_t n) {
  return b.trade({0, n, 0}, symbol_id{from}, price{1}, quantity{1});
}

struct order_check {
  std::vector<int64_t> next; ///< The number expected next, by sender.
  int64_t received = 0;
  int64_t out_of_order = 0;
};

/// Counts what arrives and whether each sender's numbers come in order;
/// reports (received, out of order) to `reporter` once `total` arrived.
caf::behavior order_checker(caf::stateful_actor<order_check>* a, caf::actor reporter,
                            int64_t total) {
  return {[a, reporter, total](const msg& m) {
    auto& s = a->state;
    auto from = m.as<fb::Trade>()->symbol();
    if (from >= s.next.size())
      s.next.resize(from + 1, 0);
    if (m.ts_event() != s.next[from])
      ++s.out_of_order;
    s.next[from] = m.ts_event() + 1;
    if (++s.received == total)
      a->send(reporter, s.received, s.out_of_order);
  }};
}

void expect_all_in_order(caf::scoped_actor& self, int64_t total) {
  self->receive(
    [&](int64_t received, int64_t out_of_order) {
      EXPECT_EQ(received, total);
      EXPECT_EQ(out_of_order, 0);
    },
    caf::after(60s) >> [&] { FAIL() << "not all " << total << " messages arrived"; });
}

TEST_P(scheduler, an_ingress_delivers_every_message_in_the_order_pushed) {
  auto cfg = config();
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  // Many times what the ring holds: every cell is reused, and a sender
  // faster than the actor meets a full ring and waits.
  constexpr int64_t total = 100'000;
  auto checker = sys.spawn(order_checker, caf::actor{self}, total);
  auto in = open_ingress(sys, caf::actor_cast<caf::strong_actor_ptr>(checker));
  msg_builder b;
  for (int64_t i = 0; i < total; ++i)
    in->push(numbered(b, 0, i));
  expect_all_in_order(self, total);
}

TEST_P(scheduler, an_ingress_keeps_each_of_several_senders_in_order) {
  auto cfg = config();
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  constexpr uint32_t senders = 4;
  constexpr int64_t each = 25'000;
  auto checker = sys.spawn(order_checker, caf::actor{self}, int64_t{senders * each});
  auto in = open_ingress(sys, caf::actor_cast<caf::strong_actor_ptr>(checker));
  std::vector<std::thread> threads;
  for (uint32_t s = 0; s < senders; ++s)
    threads.emplace_back([&in, s] {
      msg_builder b;
      for (int64_t i = 0; i < each; ++i)
        in->push(numbered(b, s, i));
    });
  for (auto& t : threads)
    t.join();
  expect_all_in_order(self, senders * each);
}

TEST_P(scheduler, an_ingress_wakes_workers_that_went_to_sleep) {
  auto cfg = config();
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto echo = [](caf::event_based_actor* a, caf::actor reporter) -> caf::behavior {
    return {[a, reporter](const msg& m) { a->send(reporter, m.ts_event()); }};
  };
  auto target = sys.spawn(echo, caf::actor{self});
  auto in = open_ingress(sys, caf::actor_cast<caf::strong_actor_ptr>(target));
  msg_builder b;
  for (int64_t i = 0; i < 10; ++i) {
    // Long enough for a sleeping worker to reach its deepest sleep (CAF's
    // timings: 100 polls, then 500 naps of 50 us).
    std::this_thread::sleep_for(i == 0 ? 60ms : 12ms);
    in->push(numbered(b, 0, i));
    self->receive([&](int64_t n) { EXPECT_EQ(n, i); },
                  caf::after(10s) >> [&] { FAIL() << "message " << i << " never came"; });
  }
}

TEST_P(scheduler, an_actor_can_push_into_an_ingress_more_than_the_ring_holds) {
  // An actor on a worker pushing into a ring that worker reads could wait
  // on itself for ever; on a worker thread a push is a send instead.
  auto cfg = config();
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  constexpr int64_t total = 50'000;
  auto checker = sys.spawn(order_checker, caf::actor{self}, total);
  auto in = open_ingress(sys, caf::actor_cast<caf::strong_actor_ptr>(checker));
  auto flood = [](caf::event_based_actor*, std::shared_ptr<ingress> in) -> caf::behavior {
    return {[in](int64_t count) {
      msg_builder b;
      for (int64_t i = 0; i < count; ++i)
        in->push(numbered(b, 0, i));
    }};
  };
  auto flooder = sys.spawn(flood, in);
  self->send(flooder, total);
  expect_all_in_order(self, total);
  self->send_exit(flooder, caf::exit_reason::user_shutdown);
}

TEST_P(scheduler, an_ingress_neither_keeps_its_actor_alive_nor_fails_after_the_system) {
  std::shared_ptr<ingress> in;
  {
    auto cfg = config();
    caf::actor_system sys{cfg};
    auto quiet = [](caf::event_based_actor*, int32_t) -> caf::behavior {
      return {[](const msg&) {}};
    };
    auto target = sys.spawn(quiet, int32_t{0});
    in = open_ingress(sys, caf::actor_cast<caf::strong_actor_ptr>(target));
    msg_builder b;
    in->push(numbered(b, 0, 0));
    // Leaving the scope waits for every actor: with the ingress holding the
    // target alive, this would never end.
  }
  msg_builder b;
  for (int64_t i = 0; i < 100'000; ++i) // more than the ring holds: dropped, no wait
    in->push(numbered(b, 0, i));
  SUCCEED();
}

INSTANTIATE_TEST_SUITE_P(idle_policies, scheduler,
                         testing::Values(setup{1, idle_policy::spin},
                                         setup{2, idle_policy::spin},
                                         setup{1, idle_policy::sleep},
                                         setup{2, idle_policy::sleep}),
                         name_of);

TEST_P(scheduler, workers_are_idle_only_when_no_actor_runs_or_waits_to) {
  auto cfg = config();
  caf::actor_system sys{cfg};
  std::atomic<bool> release{false}, started{false};
  auto hold = [](caf::event_based_actor*, std::atomic<bool>* started,
                 std::atomic<bool>* release) -> caf::behavior {
    return {[started, release](int32_t) {
      started->store(true);
      while (!release->load())
        std::this_thread::yield();
    }};
  };
  auto holder = sys.spawn(hold, &started, &release);
  auto wait_idle = [&] {
    auto give_up = std::chrono::steady_clock::now() + 10s;
    while (workers_idle(sys) != true && std::chrono::steady_clock::now() < give_up)
      std::this_thread::yield();
    return workers_idle(sys);
  };
  EXPECT_EQ(wait_idle(), true);
  caf::anon_send(holder, int32_t{1});
  while (!started.load())
    std::this_thread::yield();
  EXPECT_EQ(workers_idle(sys), false); // a job in hand
  release.store(true);
  EXPECT_EQ(wait_idle(), true);
  caf::anon_send_exit(holder, caf::exit_reason::user_shutdown);
}

TEST(workers_idle_on_cafs_scheduler, cannot_tell) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  EXPECT_EQ(workers_idle(sys), std::nullopt);
}

TEST(ingress_on_cafs_scheduler, is_a_plain_send_that_keeps_the_order) {
  caf::actor_system_config cfg;
  register_message_types(cfg);
  cfg.set("scheduler.max-threads", size_t{2});
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  constexpr int64_t total = 20'000;
  auto checker = sys.spawn(order_checker, caf::actor{self}, total);
  auto in = open_ingress(sys, caf::actor_cast<caf::strong_actor_ptr>(checker));
  msg_builder b;
  for (int64_t i = 0; i < total; ++i)
    in->push(numbered(b, 0, i));
  expect_all_in_order(self, total);
}

TEST(scheduler_stealing, an_idle_worker_takes_a_job_its_busy_sibling_queued) {
  caf::actor_system_config cfg;
  install_scheduler(cfg, 2, idle_policy::spin);
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  caf::actor reporter = self;
  std::atomic<bool> released{false};
  auto release = [](caf::event_based_actor*, std::atomic<bool>* flag) -> caf::behavior {
    return {[flag](caf::atom_value) { flag->store(true); }};
  };
  auto releaser = sys.spawn(release, &released);
  // The blocker wakes the releaser, which lands on the blocker's own worker,
  // then holds that worker until the releaser has run: only the other worker
  // taking it from there can end the wait.
  auto block = [](caf::event_based_actor* a, std::atomic<bool>* flag, caf::actor releaser,
                  caf::actor reporter) -> caf::behavior {
    return {[flag, releaser, reporter, a](caf::atom_value) {
      a->send(releaser, caf::atom("release"));
      auto give_up = std::chrono::steady_clock::now() + 10s;
      while (!flag->load() && std::chrono::steady_clock::now() < give_up)
        std::this_thread::yield();
      a->send(reporter, flag->load());
    }};
  };
  auto blocker = sys.spawn(block, &released, releaser, reporter);
  self->send(blocker, caf::atom("block"));
  self->receive([](bool was_released) { EXPECT_TRUE(was_released); },
                caf::after(30s) >> [] { FAIL() << "the blocker never answered"; });
}

} // namespace
