#include "runtime/journal_writer.hpp"

#include "runtime/journal_reader.hpp"

#include <array>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <limits>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace osprey {

namespace {

// Records are gathered into one buffer of this size before each ::write.
constexpr size_t buffer_bytes = size_t{1} << 20;
// Messages taken off the queue per dequeue call.
constexpr size_t dequeue_batch = 256;
// The writer polls the queue and sleeps this long after finding it empty, so
// producers never make a system call to wake it. It bounds how long a record
// waits in memory and how long flush() and close() wait.
constexpr auto idle_poll = std::chrono::microseconds{500};

std::string os_error(int err) {
  return std::strerror(err);
}

} // namespace

journal_writer::journal_writer(std::string path, journal_options opts)
  : path_(std::move(path)), opts_(opts), queue_(4096) {
  int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC;
  if (opts_.truncate)
    flags |= O_TRUNC;
  fd_ = ::open(path_.c_str(), flags, 0644);
  if (fd_ < 0)
    throw std::runtime_error("cannot open journal '" + path_
                             + "' for writing: " + os_error(errno));
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode))
    good_size_ = static_cast<uint64_t>(st.st_size);
  buffer_.reserve(buffer_bytes);
  thread_ = std::thread([this] { run(); });
}

journal_writer::~journal_writer() {
  close();
}

void journal_writer::push(const msg& m) {
  // Empty handles are the writer's internal wake-up signal; nothing to write.
  if (!m)
    return;
  if (closed_.load(std::memory_order_acquire) || !queue_.enqueue(m)) {
    records_dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  pushed_.fetch_add(1, std::memory_order_release);
}

msg_sink* journal_writer::lane() {
  std::lock_guard guard{lanes_mutex_};
  return &lanes_.emplace_back(*this);
}

void journal_writer::push_on(moodycamel::ProducerToken& token, const msg& m) {
  if (!m)
    return;
  if (closed_.load(std::memory_order_acquire) || !queue_.enqueue(token, m)) {
    records_dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  pushed_.fetch_add(1, std::memory_order_release);
}

void journal_writer::flush() {
  if (closed_.load(std::memory_order_acquire))
    return;
  const uint64_t target = pushed_.load(std::memory_order_acquire);
  uint64_t prev = flush_target_.load(std::memory_order_relaxed);
  while (prev < target
         && !flush_target_.compare_exchange_weak(prev, target,
                                                 std::memory_order_release))
    ;
  std::unique_lock lock{mutex_};
  done_cv_.wait(lock, [&] { return done_ >= target; });
}

void journal_writer::close() {
  std::lock_guard guard{close_mutex_};
  if (!thread_.joinable())
    return;
  closed_.store(true, std::memory_order_release);
  stop_.store(true, std::memory_order_release);
  thread_.join();
  // Anything still queued was pushed concurrently with close().
  msg left;
  while (queue_.try_dequeue(left))
    if (left)
      records_dropped_.fetch_add(1, std::memory_order_relaxed);
  if (::close(fd_) != 0)
    fail("close", errno);
  fd_ = -1;
}

std::string journal_writer::last_error() const {
  std::lock_guard lock{mutex_};
  return last_error_;
}

void journal_writer::run() {
  std::array<msg, dequeue_batch> items;
  uint64_t done = 0;
  for (;;) {
    // A pending flush or close must not wait for the idle timeout.
    const bool urgent = stop_.load(std::memory_order_acquire)
                        || flush_target_.load(std::memory_order_acquire) > done;
    size_t n = queue_.try_dequeue_bulk(items.begin(), items.size());
    if (n == 0 && !urgent) {
      std::this_thread::sleep_for(idle_poll);
      continue;
    }
    const bool stopping = stop_.load(std::memory_order_acquire);
    // Every push counted here finished its enqueue before this load, so the
    // drain below (which runs until the queue looks empty) picks it up.
    const uint64_t seen = pushed_.load(std::memory_order_acquire);
    while (n > 0) {
      for (size_t i = 0; i < n; ++i) {
        if (items[i])
          append(items[i]);
        items[i] = msg{}; // drop our reference as soon as the bytes are copied
      }
      n = queue_.try_dequeue_bulk(items.begin(), items.size());
    }
    write_out();
    if (unsynced_ && opts_.fsync == fsync_policy::batch)
      sync();
    done = seen;
    publish(seen);
    if (stopping)
      break;
  }
  // Nothing pushed from now on will be written; release every flush waiter.
  publish(std::numeric_limits<uint64_t>::max());
}

void journal_writer::append(const msg& m) {
  const auto bytes = m.bytes();
  if (bytes.size() > max_journal_record) {
    // The reader would stop at such a record and lose everything after it.
    records_dropped_.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock{mutex_};
    last_error_ = "journal '" + path_ + "': dropped a message of "
                  + std::to_string(bytes.size()) + " bytes, above the record limit of "
                  + std::to_string(max_journal_record);
    return;
  }
  const size_t record = 4 + bytes.size();
  if (buffer_.size() + record > buffer_.capacity())
    write_out();
  const auto len = static_cast<uint32_t>(bytes.size());
  const uint8_t prefix[4] = {static_cast<uint8_t>(len), static_cast<uint8_t>(len >> 8),
                             static_cast<uint8_t>(len >> 16),
                             static_cast<uint8_t>(len >> 24)};
  // A record larger than the buffer grows it once; write_out shrinks it back.
  buffer_.insert(buffer_.end(), prefix, prefix + 4);
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  ++buffered_records_;
  if (opts_.fsync == fsync_policy::every_message) {
    write_out();
    sync();
  }
}

void journal_writer::write_out() {
  if (buffer_.empty())
    return;
  const uint8_t* p = buffer_.data();
  size_t left = buffer_.size();
  while (left > 0) {
    const ssize_t w = ::write(fd_, p, left);
    if (w > 0) {
      p += w;
      left -= static_cast<size_t>(w);
      continue;
    }
    if (w < 0 && errno == EINTR)
      continue;
    fail("write", w < 0 ? errno : EIO);
    // Cut a partly written batch back to whole records (best effort: not
    // every file type can be truncated), so later batches stay readable.
    if (left != buffer_.size() && ::ftruncate(fd_, static_cast<off_t>(good_size_)) != 0)
      fail("ftruncate after a failed write", errno);
    records_dropped_.fetch_add(buffered_records_, std::memory_order_relaxed);
    break;
  }
  if (left == 0) {
    good_size_ += buffer_.size();
    unsynced_ = true;
    bytes_written_.fetch_add(buffer_.size(), std::memory_order_release);
    records_written_.fetch_add(buffered_records_, std::memory_order_release);
  }
  buffered_records_ = 0;
  buffer_.clear();
  if (buffer_.capacity() > buffer_bytes) {
    buffer_ = {};
    buffer_.reserve(buffer_bytes);
  }
}

void journal_writer::sync() {
  unsynced_ = false;
  if (::fdatasync(fd_) != 0)
    fail("fdatasync", errno);
}

void journal_writer::fail(const char* what, int err) {
  write_errors_.fetch_add(1, std::memory_order_release);
  std::lock_guard lock{mutex_};
  last_error_ = "journal '" + path_ + "': " + what + " failed: " + os_error(err);
}

void journal_writer::publish(uint64_t done) {
  {
    std::lock_guard lock{mutex_};
    if (done > done_)
      done_ = done;
  }
  done_cv_.notify_all();
}

} // namespace osprey
