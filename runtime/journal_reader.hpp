#pragma once

// Reads the journal format written by journal_writer (see journal_writer.hpp):
// [u32 little-endian length][length bytes of one FlatBuffers Envelope]...
//
// Bytes from disk are untrusted: every record goes through msg::parse (the
// FlatBuffers verifier). A torn last record, which is what a crash in the
// middle of a write leaves, is tolerated; a complete record that is corrupt
// stops the reading there.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "messages/msg.hpp"

namespace osprey {

/// The largest record length a journal may hold; a longer prefix is corrupt.
inline constexpr uint32_t max_journal_record = 64u << 20;

/// What reading a journal found.
struct journal_read_result {
  /// Every valid record before the end, a torn tail or the first corrupt record.
  std::vector<msg> messages;
  /// Bytes consumed by valid records (the offset where reading stopped).
  uint64_t bytes_read = 0;
  /// True when the file ends inside a record (tolerated; `error` says where).
  bool torn_tail = false;
  /// Empty on a clean end; otherwise what stopped the reading and where.
  std::string error;
  /// The byte offset of the record named in `error`.
  uint64_t error_offset = 0;

  /// Returns true when a complete record was corrupt or the file could not be read.
  bool corrupt() const noexcept { return !error.empty() && !torn_tail; }
};

/// Reads every record of the journal at `path`; throws std::runtime_error
/// naming the path and the OS error only when the file cannot be opened.
journal_read_result read_journal(const std::string& path);

/// Calls `on_record` with each valid record in order without keeping them,
/// until the end, a torn tail, a corrupt record or `on_record` returns false;
/// fills `status` (except `messages`) and returns the number of records
/// passed. Throws like read_journal when the file cannot be opened.
uint64_t for_each_record(const std::string& path,
                         const std::function<bool(const msg&)>& on_record,
                         journal_read_result& status);

} // namespace osprey
