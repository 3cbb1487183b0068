#include "runtime/journal_reader.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

namespace osprey {

namespace {

// Reads a file front to back through one buffer that grows only for records
// larger than it.
class chunk_reader {
public:
  explicit chunk_reader(int fd) : fd_(fd), buf_(size_t{1} << 20) {}

  /// Makes at least `n` bytes available at data() unless the file ends
  /// first; returns how many are available, or -1 with `err` set on a read error.
  int64_t fill(size_t n, int& err) {
    if (end_ - pos_ >= n)
      return static_cast<int64_t>(end_ - pos_);
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
    if (buf_.size() < n)
      buf_.resize(n);
    while (end_ < n && !eof_) {
      const ssize_t r = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
      if (r > 0)
        end_ += static_cast<size_t>(r);
      else if (r == 0)
        eof_ = true;
      else if (errno != EINTR) {
        err = errno;
        return -1;
      }
    }
    return static_cast<int64_t>(end_);
  }

  const uint8_t* data() const noexcept { return buf_.data() + pos_; }
  void consume(size_t n) noexcept { pos_ += n; }

private:
  int fd_;
  std::vector<uint8_t> buf_;
  size_t pos_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
};

struct fd_closer {
  int fd;
  ~fd_closer() { ::close(fd); }
};

} // namespace

uint64_t for_each_record(const std::string& path,
                         const std::function<bool(const msg&)>& on_record,
                         journal_read_result& status) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw std::runtime_error("cannot open journal '" + path
                             + "' for reading: " + std::strerror(errno));
  fd_closer closer{fd};
  chunk_reader reader{fd};
  status.bytes_read = 0;
  status.torn_tail = false;
  status.error.clear();
  status.error_offset = 0;

  const std::string where = "journal '" + path + "': ";
  auto stop = [&](uint64_t offset, std::string what, bool torn) {
    status.error = where + what;
    status.error_offset = offset;
    status.torn_tail = torn;
  };
  auto read_failed = [&](uint64_t offset, int err) {
    stop(offset, "read failed at byte offset " + std::to_string(offset) + ": "
                   + std::strerror(err), false);
  };

  uint64_t offset = 0;
  uint64_t count = 0;
  for (;;) {
    int err = 0;
    int64_t avail = reader.fill(4, err);
    if (avail < 0) {
      read_failed(offset, err);
      break;
    }
    if (avail == 0)
      break; // a clean end between records
    if (avail < 4) {
      stop(offset,
           "torn tail at byte offset " + std::to_string(offset)
             + ": the length prefix is incomplete, "
             + std::to_string(4 - avail) + " of its 4 bytes are missing",
           true);
      break;
    }
    const uint8_t* p = reader.data();
    const uint32_t len = uint32_t{p[0]} | uint32_t{p[1]} << 8
                         | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
    if (len > max_journal_record) {
      stop(offset,
           "corrupt record at byte offset " + std::to_string(offset)
             + ": length prefix of " + std::to_string(len)
             + " bytes exceeds the limit of " + std::to_string(max_journal_record),
           false);
      break;
    }
    const size_t record = 4 + size_t{len};
    avail = reader.fill(record, err);
    if (avail < 0) {
      read_failed(offset, err);
      break;
    }
    if (static_cast<size_t>(avail) < record) {
      stop(offset,
           "torn tail at byte offset " + std::to_string(offset) + ": record of "
             + std::to_string(len) + " bytes is incomplete, "
             + std::to_string(record - static_cast<size_t>(avail))
             + " bytes are missing",
           true);
      break;
    }
    std::string why;
    msg m = msg::parse({reader.data() + 4, len}, why);
    if (!m) {
      stop(offset,
           "corrupt record at byte offset " + std::to_string(offset) + ": " + why,
           false);
      break;
    }
    reader.consume(record);
    offset += record;
    status.bytes_read = offset;
    ++count;
    if (!on_record(m))
      break;
  }
  return count;
}

journal_read_result read_journal(const std::string& path) {
  journal_read_result result;
  for_each_record(
    path,
    [&result](const msg& m) {
      result.messages.push_back(m);
      return true;
    },
    result);
  return result;
}

} // namespace osprey
