#include "runtime/scheduler.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <pthread.h>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/detail/thread_safe_actor_clock.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/send.hpp>
#include <caf/execution_unit.hpp>
#include <caf/resumable.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

#include "actors/caf_types.hpp"
#include "runtime/mpsc_ring.hpp"

namespace osprey {
namespace {

void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

/// A test-and-test-and-set lock. The queues it guards are held for a few
/// instructions, so parking a thread in the kernel would cost more than
/// spinning.
class spin_lock {
public:
  void lock() noexcept {
    while (locked_.exchange(true, std::memory_order_acquire))
      while (locked_.load(std::memory_order_relaxed))
        cpu_relax();
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

private:
  std::atomic<bool> locked_{false};
};

/// A double-ended queue of jobs on a power-of-two ring. It grows and never
/// shrinks, so a worker in steady state does not allocate. The indices wrap
/// around size_t, which the power-of-two capacity divides.
class job_ring {
public:
  size_t size() const noexcept { return tail_ - head_; }

  void push_back(caf::resumable* job) {
    if (size() == slots_.size())
      grow();
    slots_[tail_++ & mask()] = job;
  }

  void push_front(caf::resumable* job) {
    if (size() == slots_.size())
      grow();
    slots_[--head_ & mask()] = job;
  }

  caf::resumable* pop_back() noexcept {
    return size() ? slots_[--tail_ & mask()] : nullptr;
  }

  caf::resumable* pop_front() noexcept {
    return size() ? slots_[head_++ & mask()] : nullptr;
  }

private:
  size_t mask() const noexcept { return slots_.size() - 1; }

  void grow() {
    auto n = size();
    std::vector<caf::resumable*> bigger(std::max<size_t>(64, 2 * slots_.size()));
    for (size_t i = 0; i < n; ++i)
      bigger[i] = slots_[(head_ + i) & mask()];
    slots_.swap(bigger);
    head_ = 0;
    tail_ = n;
  }

  std::vector<caf::resumable*> slots_;
  size_t head_ = 0;
  size_t tail_ = 0;
};

/// A job ring that other threads may reach: behind a lock, with its length
/// readable without the lock so that polling an empty queue touches one
/// shared word. A queue no other thread reaches (`shared` false: the only
/// worker's own) skips the lock.
class job_queue {
public:
  explicit job_queue(bool shared) : shared_(shared) {}

  size_t approximate_size() const noexcept { return size_.load(std::memory_order_seq_cst); }

  void push_back(caf::resumable* job) {
    locked([&] { ring_.push_back(job); });
  }

  void push_front(caf::resumable* job) {
    locked([&] { ring_.push_front(job); });
  }

  caf::resumable* pop_back() {
    if (approximate_size() == 0)
      return nullptr;
    caf::resumable* job = nullptr;
    locked([&] { job = ring_.pop_back(); });
    return job;
  }

  caf::resumable* pop_front() {
    if (approximate_size() == 0)
      return nullptr;
    caf::resumable* job = nullptr;
    locked([&] { job = ring_.pop_front(); });
    return job;
  }

private:
  template <class F>
  void locked(F&& f) {
    if (!shared_) {
      f();
      size_.store(ring_.size(), std::memory_order_relaxed);
      return;
    }
    std::lock_guard<spin_lock> guard{lock_};
    f();
    // Sequentially consistent: an external queue's length pairs with the
    // worker's `sleeping_` flag (see worker::external_enqueue).
    size_.store(ring_.size(), std::memory_order_seq_cst);
  }

  bool shared_;
  spin_lock lock_;
  job_ring ring_;
  std::atomic<size_t> size_{0};
};

class coordinator;
class worker;

/// Sends `m` to `target` as a message from no one; `host` is the execution
/// unit CAF schedules `target` on when the message wakes it.
void deliver(caf::abstract_actor& target, msg m, caf::execution_unit* host) {
  target.enqueue(caf::make_mailbox_element(nullptr, caf::make_message_id(), {}, std::move(m)),
                 host);
}

/// Sends `m` to `target` if it still exists (an ingress does not keep its
/// actor alive: the actor system could never finish otherwise).
void deliver(const caf::weak_actor_ptr& target, msg m, caf::execution_unit* host) {
  if (auto alive = target.lock())
    deliver(*alive->get(), std::move(m), host);
}

/// An ingress on osprey's scheduler: a ring that one worker (its reader)
/// polls between jobs.
class ring_ingress final : public ingress {
public:
  ring_ingress(const caf::strong_actor_ptr& target, worker& reader)
    : target_(caf::actor_cast<caf::weak_actor_ptr>(target)), reader_(reader), ring_(capacity) {}

  void push(msg m) override;

  /// Sends up to a batch of waiting messages as `host`; returns how many.
  /// The reader's thread only.
  size_t deliver_some(caf::execution_unit* host) {
    constexpr size_t batch = 16;
    if (!ring_.ready())
      return 0;
    auto alive = target_.lock();
    size_t n = 0;
    msg m;
    while (n < batch && ring_.try_pop(m)) {
      if (alive)
        deliver(*alive->get(), std::move(m), host);
      ++n;
    }
    return n;
  }

  bool ready() const noexcept { return ring_.ready(); }

  /// Called once the workers have stopped: later pushes are dropped, and
  /// the actor's control block is let go while its system still exists.
  void close() {
    closed_.store(true, std::memory_order_release);
    msg m;
    while (ring_.try_pop(m)) {
    }
    target_.reset();
  }

private:
  /// Enough for a burst of a whole market's quotes; a full ring means the
  /// actors are behind, and the sender waits.
  static constexpr size_t capacity = size_t{1} << 14;

  caf::weak_actor_ptr target_;
  worker& reader_;
  mpsc_ring<msg> ring_;
  std::atomic<bool> closed_{false};
};

/// The worker whose thread this is, if any.
thread_local worker* current_worker = nullptr;

/// One worker thread. Jobs it schedules itself (an actor it sent to) go on
/// its local queue and run last-in first-out, as in CAF: the actor just woken
/// runs next, while its message is hot. Jobs from other threads go on its
/// external queue and run in arrival order after the local ones.
class worker final : public caf::execution_unit {
public:
  worker(coordinator& parent, size_t index, size_t siblings, idle_policy idle);

  /// CAF calls this with the execution unit of the actor that sent: on this
  /// worker's thread, except for a handle kept and used elsewhere.
  void exec_later(caf::resumable* job) override {
    if (current_worker == this)
      local_.push_back(job);
    else
      external_enqueue(job);
  }

  /// Called from any thread.
  void external_enqueue(caf::resumable* job);

  /// Makes this worker the reader of `ingress`. Any thread.
  void adopt(ring_ingress* ingress);

  /// Called by a sender after its push: wakes this worker if it naps.
  void ingress_pushed();

  /// Called by an idle sibling: the oldest job, external ones first.
  caf::resumable* steal() {
    if (auto* job = external_.pop_front())
      return job;
    return local_.pop_front();
  }

  void start();
  void wake();

  /// Whether the worker found nothing to do on its last look: every queue
  /// it reads empty and no job in hand.
  bool idle() const noexcept { return found_nothing_.load(std::memory_order_acquire); }
  void join() { thread_.join(); }

  /// Releases the jobs still queued once the thread has stopped.
  void drain(void (*release)(caf::resumable*)) {
    while (auto* job = local_.pop_back())
      release(job);
    while (auto* job = external_.pop_front())
      release(job);
  }

private:
  void run();
  caf::resumable* next_job();
  bool poll_ingresses();
  bool ingress_ready() const noexcept;
  void wait_for_work(size_t idle_polls);

  coordinator& parent_;
  size_t index_;
  idle_policy idle_;
  job_queue local_;
  job_queue external_;
  std::mutex sleep_mutex_;
  std::condition_variable wake_;
  std::atomic<bool> sleeping_{false};
  std::atomic<bool> found_nothing_{false};
  // Published by a release store of the count; never removed (an ingress
  // lives as long as the scheduler).
  static constexpr size_t max_ingresses = 8;
  std::array<std::atomic<ring_ingress*>, max_ingresses> ingresses_{};
  std::atomic<size_t> ingress_count_{0};
  std::mutex adopt_mutex_;
  std::thread thread_;
};

void ring_ingress::push(msg m) {
  if (current_worker) {
    // A worker's own thread never waits on a ring it may be the reader of.
    deliver(target_, std::move(m), current_worker);
    return;
  }
  // Once closed, the workers (the reader among them) may be gone.
  if (closed_.load(std::memory_order_acquire))
    return;
  for (uint32_t tries = 1; !ring_.try_push(m); ++tries) {
    if (closed_.load(std::memory_order_acquire))
      return;
    if (tries % 64 == 0)
      std::this_thread::yield();
    else
      cpu_relax();
  }
  reader_.ingress_pushed();
}

class coordinator final : public caf::scheduler::abstract_coordinator {
public:
  coordinator(caf::actor_system& sys, idle_policy idle)
    : abstract_coordinator(sys), idle_(idle) {}

  /// A job scheduled from outside the workers (another thread, a timer, a
  /// detached actor): the workers take turns.
  void enqueue(caf::resumable* job) override {
    auto i = next_worker_.fetch_add(1, std::memory_order_relaxed) % workers_.size();
    workers_[i]->external_enqueue(job);
  }

  caf::detail::thread_safe_actor_clock& clock() noexcept override { return clock_; }

  bool stopping() const noexcept { return stopping_.load(std::memory_order_acquire); }

  /// Opens an ingress into `target`; the workers take turns reading them.
  std::shared_ptr<ring_ingress> open_ingress(const caf::strong_actor_ptr& target) {
    std::lock_guard<std::mutex> guard{ingress_mutex_};
    auto& reader = *workers_[ingresses_.size() % workers_.size()];
    auto in = std::make_shared<ring_ingress>(target, reader);
    reader.adopt(in.get());
    ingresses_.push_back(in);
    return in;
  }

  bool idle() const noexcept {
    for (auto& w : workers_)
      if (!w->idle())
        return false;
    return true;
  }

  caf::resumable* steal_for(const worker& thief) {
    for (auto& w : workers_)
      if (w.get() != &thief)
        if (auto* job = w->steal())
          return job;
    return nullptr;
  }

protected:
  void start() override {
    auto n = std::max<size_t>(1, num_workers());
    for (size_t i = 0; i < n; ++i)
      workers_.push_back(std::make_unique<worker>(*this, i, n - 1, idle_));
    for (auto& w : workers_)
      w->start();
    timer_ = std::thread{[this] {
      pthread_setname_np(pthread_self(), "osprey.clock");
      system().thread_started();
      clock_.run_dispatch_loop();
      system().thread_terminates();
    }};
    abstract_coordinator::start();
  }

  /// Runs once the actor system has no actors left, or (when it does not
  /// wait for them) at once: the workers finish the job in hand and exit;
  /// what is still queued is released unrun.
  void stop() override {
    stop_actors();
    stopping_.store(true, std::memory_order_release);
    for (auto& w : workers_)
      w->wake();
    for (auto& w : workers_)
      w->join();
    for (auto& w : workers_)
      w->drain(&abstract_coordinator::cleanup_and_release);
    {
      std::lock_guard<std::mutex> guard{ingress_mutex_};
      for (auto& in : ingresses_)
        in->close();
    }
    clock_.cancel_dispatch_loop();
    timer_.join();
  }

private:
  idle_policy idle_;
  std::vector<std::unique_ptr<worker>> workers_;
  std::atomic<bool> stopping_{false};
  std::mutex ingress_mutex_;
  std::vector<std::shared_ptr<ring_ingress>> ingresses_;
  caf::detail::thread_safe_actor_clock clock_;
  std::thread timer_;
};

worker::worker(coordinator& parent, size_t index, size_t siblings, idle_policy idle)
  : caf::execution_unit(&parent.system()),
    parent_(parent),
    index_(index),
    idle_(idle),
    // With no sibling to steal from it, only this thread reaches the local queue.
    local_(siblings > 0),
    external_(true) {}

void worker::external_enqueue(caf::resumable* job) {
  external_.push_back(job);
  // Pairs with wait_for_work: the queue's length and `sleeping_` are both
  // sequentially consistent, so either the worker sees the job before it
  // sleeps or this sees it asleep and wakes it.
  if (sleeping_.load(std::memory_order_seq_cst))
    wake();
}

void worker::adopt(ring_ingress* ingress) {
  std::lock_guard<std::mutex> guard{adopt_mutex_};
  auto n = ingress_count_.load(std::memory_order_relaxed);
  if (n == max_ingresses)
    throw std::length_error("osprey scheduler: more than " + std::to_string(max_ingresses)
                            + " ingresses on one worker");
  ingresses_[n].store(ingress, std::memory_order_relaxed);
  ingress_count_.store(n + 1, std::memory_order_release);
}

void worker::ingress_pushed() {
  if (idle_ == idle_policy::spin)
    return;
  // Pairs with the fence in wait_for_work: either the worker sees the
  // message before it naps or this sees it napping and wakes it.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (sleeping_.load(std::memory_order_relaxed))
    wake();
}

bool worker::poll_ingresses() {
  size_t delivered = 0;
  auto n = ingress_count_.load(std::memory_order_acquire);
  for (size_t i = 0; i < n; ++i)
    delivered += ingresses_[i].load(std::memory_order_relaxed)->deliver_some(this);
  return delivered > 0;
}

bool worker::ingress_ready() const noexcept {
  auto n = ingress_count_.load(std::memory_order_acquire);
  for (size_t i = 0; i < n; ++i)
    if (ingresses_[i].load(std::memory_order_relaxed)->ready())
      return true;
  return false;
}

void worker::wake() {
  std::lock_guard<std::mutex> guard{sleep_mutex_};
  wake_.notify_one();
}

void worker::start() {
  thread_ = std::thread{[this] {
    auto name = "osprey.work." + std::to_string(index_);
    pthread_setname_np(pthread_self(), name.c_str());
    // No CAF logger on this thread: with none, CAF skips its per-resume
    // actor-id bookkeeping (it logs nothing at Debian's build level anyway).
    current_worker = this;
    system().thread_started();
    run();
    system().thread_terminates();
  }};
}

caf::resumable* worker::next_job() {
  if (auto* job = local_.pop_back())
    return job;
  // Messages from outside become sends of this worker's: the actor they
  // wake lands on the local queue.
  if (poll_ingresses())
    if (auto* job = local_.pop_back())
      return job;
  if (auto* job = external_.pop_front())
    return job;
  return parent_.steal_for(*this);
}

void worker::run() {
  auto throughput = parent_.max_throughput();
  size_t idle_polls = 0;
  for (;;) {
    auto* job = next_job();
    if (!job) {
      if (!found_nothing_.load(std::memory_order_relaxed))
        found_nothing_.store(true, std::memory_order_release);
      if (parent_.stopping())
        return;
      wait_for_work(idle_polls++);
      continue;
    }
    idle_polls = 0;
    // Published by whatever the job sends: anyone who sees its effects
    // sees the worker busy.
    if (found_nothing_.load(std::memory_order_relaxed))
      found_nothing_.store(false, std::memory_order_relaxed);
    auto result = job->resume(this, throughput);
    switch (result) {
      case caf::resumable::resume_later:
        // It used up its throughput: behind everything queued here.
        local_.push_front(job);
        break;
      case caf::resumable::done:
      case caf::resumable::awaiting_message:
        caf::intrusive_ptr_release(job);
        break;
      case caf::resumable::shutdown_execution_unit:
        return;
    }
    if (parent_.stopping())
      return;
  }
}

void worker::wait_for_work(size_t idle_polls) {
  // CAF's timings for a sleeping worker: 100 quick polls, then 500 naps of
  // 50 us, then naps of up to 10 ms; a sibling's queue is polled again after
  // each. Unlike CAF's, a nap here is a wait that a job from outside cuts
  // short, so an event that finds the worker asleep waits for a wake-up,
  // not for the rest of the nap.
  constexpr size_t quick_polls = 100;
  constexpr size_t short_naps = 500;
  if (idle_ == idle_policy::spin || idle_polls < quick_polls) {
    cpu_relax();
    return;
  }
  auto nap = idle_polls < quick_polls + short_naps ? std::chrono::microseconds{50}
                                                  : std::chrono::microseconds{10'000};
  std::unique_lock<std::mutex> guard{sleep_mutex_};
  sleeping_.store(true, std::memory_order_seq_cst);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (external_.approximate_size() == 0 && !ingress_ready() && !parent_.stopping())
    wake_.wait_for(guard, nap);
  sleeping_.store(false, std::memory_order_relaxed);
}

/// An ingress on any other scheduler: a plain send from no one.
class send_ingress final : public ingress {
public:
  explicit send_ingress(const caf::strong_actor_ptr& target)
    : target_(caf::actor_cast<caf::weak_actor_ptr>(target)) {}
  void push(msg m) override { deliver(target_, std::move(m), nullptr); }

private:
  caf::weak_actor_ptr target_;
};

} // namespace

void install_scheduler(caf::actor_system_config& cfg, uint32_t workers, idle_policy idle) {
  cfg.set("scheduler.max-threads", static_cast<size_t>(std::max<uint32_t>(1, workers)));
  cfg.module_factories.push_back([idle](caf::actor_system& sys) -> caf::actor_system::module* {
    return new coordinator(sys, idle);
  });
}

std::optional<bool> workers_idle(caf::actor_system& sys) {
  if (auto* ours = dynamic_cast<coordinator*>(&sys.scheduler()))
    return ours->idle();
  return std::nullopt;
}

std::shared_ptr<ingress> open_ingress(caf::actor_system& sys, caf::strong_actor_ptr target) {
  if (!target)
    throw std::invalid_argument("open_ingress: no target actor");
  if (auto* ours = dynamic_cast<coordinator*>(&sys.scheduler()))
    return ours->open_ingress(target);
  return std::make_shared<send_ingress>(target);
}

} // namespace osprey
