#pragma once

// The journal: every message, appended to a file as size-prefixed records
//
//   [u32 little-endian length][length bytes: the message's FlatBuffers bytes]
//   [u32 little-endian length][...] ...
//
// The record bytes are exactly msg::bytes(), the same bytes the actors
// exchanged, so a run can be replayed bit for bit (see journal_reader.hpp).
//
// push() only enqueues the message handle (a reference-count bump, no copy)
// onto a lock-free multi-producer queue; one writer thread drains it in
// batches into a large buffer and writes that with ::write. Actors therefore
// never wait on the disk, and never make a system call to wake the writer:
// it polls, sleeping `idle_poll` between empty polls.
//
// Ordering: each actor pushes through its own lane() (a moodycamel producer
// token), so its records appear in the order it pushed them even though CAF
// moves it between threads. Records of different lanes interleave in any
// order; push() on the writer itself orders records per thread only.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <deque>

#include <concurrentqueue.h>

#include "messages/msg.hpp"
#include "messages/msg_sink.hpp"

namespace osprey {

/// When the writer asks the kernel to put written bytes on the device.
enum class fsync_policy {
  none,          ///< Never; the page cache decides (fastest, loses the tail on power loss).
  batch,         ///< fdatasync after each drained batch.
  every_message, ///< fdatasync after each record (slowest, loses nothing acknowledged).
};

/// How a journal_writer opens and syncs its file.
struct journal_options {
  /// When to fdatasync.
  fsync_policy fsync = fsync_policy::none;
  /// Truncates an existing file when true; appends to it when false.
  bool truncate = true;
};

/// A msg_sink that appends every pushed message to a journal file.
class journal_writer final : public msg_sink {
public:
  /// Opens `path` and starts the writer thread; throws std::runtime_error
  /// naming the path and the OS error when the file cannot be opened.
  explicit journal_writer(std::string path, journal_options opts = {});

  /// Closes the journal (see close()).
  ~journal_writer() override;

  journal_writer(const journal_writer&) = delete;
  journal_writer& operator=(const journal_writer&) = delete;

  /// Enqueues `m` for writing; never blocks on disk and never copies the bytes.
  /// Messages pushed after close() (which must not race with it) and messages
  /// above max_journal_record are dropped and counted in records_dropped().
  void push(const msg& m) override;

  /// Blocks until every message pushed before this call has been written (or
  /// has failed to be written, which write_errors() then shows); while pushes
  /// outpace the disk, that lasts until the writer catches up.
  void flush();

  /// Writes everything pushed so far, stops the writer thread and closes the
  /// file; safe to call twice.
  void close();

  /// Returns the path given at construction.
  const std::string& path() const noexcept { return path_; }

  /// Returns how many records are completely in the file.
  uint64_t records_written() const noexcept {
    return records_written_.load(std::memory_order_acquire);
  }

  /// Returns how many bytes (prefixes included) this writer put in the file.
  uint64_t bytes_written() const noexcept {
    return bytes_written_.load(std::memory_order_acquire);
  }

  /// Returns how many write or sync calls failed.
  uint64_t write_errors() const noexcept {
    return write_errors_.load(std::memory_order_acquire);
  }

  /// Returns how many records were lost: in a failed write, too large, or pushed after close().
  uint64_t records_dropped() const noexcept {
    return records_dropped_.load(std::memory_order_acquire);
  }

  /// Returns a description of the most recent write error, empty if none.
  std::string last_error() const;

  /// Returns a sink for one producer that keeps its records in order.
  msg_sink* lane() override;

private:
  void run();
  void append(const msg& m);
  void write_out();
  void sync();
  void fail(const char* what, int err);
  void publish(uint64_t done);

  std::string path_;
  journal_options opts_;
  int fd_ = -1;
  // Bytes known to be complete records; a failed write is cut back to here
  // so the file never keeps half a record in the middle.
  uint64_t good_size_ = 0;

  moodycamel::ConcurrentQueue<msg> queue_;

  /// One producer's way into the queue.
  class producer_lane final : public msg_sink {
  public:
    explicit producer_lane(journal_writer& w) : writer_(w), token_(w.queue_) {}
    void push(const msg& m) override { writer_.push_on(token_, m); }

  private:
    journal_writer& writer_;
    moodycamel::ProducerToken token_;
  };
  void push_on(moodycamel::ProducerToken& token, const msg& m);
  std::mutex lanes_mutex_;
  std::deque<producer_lane> lanes_; // guarded by lanes_mutex_; stable addresses
  std::atomic<uint64_t> pushed_{0};
  std::atomic<bool> closed_{false};
  std::atomic<bool> stop_{false};

  // Owned by the writer thread.
  std::vector<uint8_t> buffer_;
  uint64_t buffered_records_ = 0;
  bool unsynced_ = false; // bytes written since the last fdatasync

  std::atomic<uint64_t> records_written_{0};
  std::atomic<uint64_t> bytes_written_{0};
  std::atomic<uint64_t> write_errors_{0};
  std::atomic<uint64_t> records_dropped_{0};

  // flush() is for shutdown and tests, never for actors, so a mutex is fine.
  mutable std::mutex mutex_;
  std::condition_variable done_cv_;
  uint64_t done_ = 0;                      // guarded by mutex_
  std::atomic<uint64_t> flush_target_{0};  // highest pushed_ a flush waits for
  std::string last_error_;                 // guarded by mutex_
  std::mutex close_mutex_;

  std::thread thread_;
};

} // namespace osprey
