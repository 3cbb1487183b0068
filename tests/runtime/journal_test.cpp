#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "messages/msg_builder.hpp"
#include "runtime/journal_reader.hpp"
#include "runtime/journal_writer.hpp"

using namespace osprey;
namespace fs = std::filesystem;

namespace {

// Builds `n` messages cycling through several payload types.
std::vector<msg> sample_messages(size_t n) {
  msg_builder b;
  std::vector<msg> out;
  out.reserve(n);
  const std::array<std::string_view, 2> syms{"AAPL", "MSFT"};
  for (size_t i = 0; i < n; ++i) {
    const stamp s{i, static_cast<int64_t>(1'000 * i), static_cast<int64_t>(1'000 * i + 7)};
    const symbol_id sym{static_cast<uint32_t>(i % 17)};
    switch (i % 6) {
      case 0:
        out.push_back(b.trade(s, sym, price{100'000'000 + static_cast<int64_t>(i)},
                              quantity::of_shares(static_cast<int64_t>(i % 500 + 1))));
        break;
      case 1:
        out.push_back(b.quote(s, sym, price{99'990'000}, quantity{300},
                              price{100'010'000}, quantity{200}));
        break;
      case 2:
        out.push_back(b.news(s, "id-" + std::to_string(i), "Headline " + std::to_string(i),
                             std::string(i % 300, 'x'), syms, "test"));
        break;
      case 3:
        out.push_back(b.order_filled(s, client_order_id{i}, sym, fb::Side::Buy,
                                     quantity{10}, price{50'000'000}, quantity{10},
                                     quantity{0}, money{1'000}));
        break;
      case 4:
        out.push_back(b.alert(s, fb::Severity::Warning, "stale", "no ticks for 5 s"));
        break;
      default:
        out.push_back(b.bar(s, sym, 60, price{1}, price{3}, price{1}, price{2},
                            quantity{1'000}));
        break;
    }
  }
  return out;
}

std::vector<uint8_t> file_bytes(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

void write_bytes(const fs::path& p, const std::vector<uint8_t>& bytes) {
  std::ofstream out{p, std::ios::binary | std::ios::trunc};
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// Returns the byte offset at which each record starts, plus the file's end.
std::vector<uint64_t> record_offsets(const std::vector<msg>& ms) {
  std::vector<uint64_t> offsets{0};
  for (const auto& m : ms)
    offsets.push_back(offsets.back() + 4 + m.size());
  return offsets;
}

bool same_bytes(const msg& a, const msg& b) {
  return std::ranges::equal(a.bytes(), b.bytes());
}

class journal : public ::testing::Test {
protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path()
           / ("osprey_journal_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path file(const std::string& name) const { return dir_ / name; }

  // Writes `ms` to a fresh journal and returns its path.
  fs::path write_journal(const std::vector<msg>& ms, journal_options opts = {},
                         const std::string& name = "j.bin") {
    auto p = file(name);
    journal_writer w{p.string(), opts};
    for (const auto& m : ms)
      w.push(m);
    w.close();
    EXPECT_EQ(w.write_errors(), 0u) << w.last_error();
    return p;
  }

  fs::path dir_;
};

} // namespace

TEST_F(journal, round_trips_thousands_of_messages_byte_for_byte_and_in_order) {
  const auto ms = sample_messages(3'000);
  const auto p = file("j.bin");
  journal_writer w{p.string()};
  for (const auto& m : ms)
    w.push(m);
  w.close();
  const uint64_t expected_size = record_offsets(ms).back();
  EXPECT_EQ(w.records_written(), ms.size());
  EXPECT_EQ(w.bytes_written(), expected_size);
  EXPECT_EQ(w.write_errors(), 0u);
  EXPECT_EQ(w.records_dropped(), 0u);
  EXPECT_EQ(fs::file_size(p), expected_size);

  const auto r = read_journal(p.string());
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_FALSE(r.torn_tail);
  EXPECT_EQ(r.bytes_read, expected_size);
  ASSERT_EQ(r.messages.size(), ms.size());
  for (size_t i = 0; i < ms.size(); ++i)
    ASSERT_TRUE(same_bytes(r.messages[i], ms[i])) << "record " << i;
  EXPECT_EQ(r.messages[2].type(), fb::Payload::NewsItem);
  EXPECT_EQ(r.messages[3].as<fb::OrderFilled>()->client_order_id(), 3u);
}

TEST_F(journal, writes_the_length_prefix_little_endian_followed_by_the_message_bytes) {
  const auto ms = sample_messages(1);
  const auto bytes = file_bytes(write_journal(ms));
  ASSERT_EQ(bytes.size(), 4 + ms[0].size());
  const auto len = ms[0].size();
  EXPECT_EQ(bytes[0], len & 0xff);
  EXPECT_EQ(bytes[1], (len >> 8) & 0xff);
  EXPECT_EQ(bytes[2], (len >> 16) & 0xff);
  EXPECT_EQ(bytes[3], (len >> 24) & 0xff);
  EXPECT_TRUE(std::equal(bytes.begin() + 4, bytes.end(), ms[0].bytes().begin()));
}

TEST_F(journal, keeps_each_producers_records_in_push_order) {
  constexpr uint32_t producers = 4;
  constexpr uint64_t per_producer = 5'000;
  const auto p = file("j.bin");
  {
    journal_writer w{p.string()};
    std::vector<std::thread> threads;
    for (uint32_t t = 0; t < producers; ++t)
      threads.emplace_back([&w, t] {
        msg_builder b;
        for (uint64_t i = 0; i < per_producer; ++i)
          w.push(b.trade({i, 0, 0}, symbol_id{t}, price{1}, quantity{1}));
      });
    for (auto& t : threads)
      t.join();
    w.flush();
    EXPECT_EQ(w.records_written(), producers * per_producer);
  }
  const auto r = read_journal(p.string());
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.messages.size(), producers * per_producer);
  std::array<uint64_t, producers> next{};
  for (const auto& m : r.messages) {
    const auto producer = m.as<fb::Trade>()->symbol();
    ASSERT_LT(producer, producers);
    ASSERT_EQ(m.seq(), next[producer]) << "producer " << producer;
    ++next[producer];
  }
  for (auto n : next)
    EXPECT_EQ(n, per_producer);
}

TEST_F(journal, flush_returns_once_everything_pushed_before_it_is_in_the_file) {
  const auto ms = sample_messages(1'000);
  const auto offsets = record_offsets(ms);
  const auto p = file("j.bin");
  journal_writer w{p.string()};
  w.flush(); // nothing pushed: returns at once
  EXPECT_EQ(fs::file_size(p), 0u);

  for (size_t i = 0; i < 600; ++i)
    w.push(ms[i]);
  w.flush();
  // Checked while the writer is still open: flush alone put the bytes there.
  EXPECT_EQ(fs::file_size(p), offsets[600]);
  EXPECT_EQ(w.records_written(), 600u);
  EXPECT_EQ(read_journal(p.string()).messages.size(), 600u);

  for (size_t i = 600; i < ms.size(); ++i)
    w.push(ms[i]);
  w.flush();
  EXPECT_EQ(fs::file_size(p), offsets.back());
  const auto r = read_journal(p.string());
  ASSERT_EQ(r.messages.size(), ms.size());
  EXPECT_TRUE(same_bytes(r.messages.back(), ms.back()));
  w.close();
  w.flush(); // after close: returns, does not hang
}

TEST_F(journal, releases_its_reference_once_the_message_is_written) {
  const auto ms = sample_messages(1);
  journal_writer w{file("j.bin").string()};
  w.push(ms[0]);
  w.flush();
  EXPECT_EQ(ms[0].use_count(), 1u);
}

TEST_F(journal, drops_and_counts_messages_pushed_after_close) {
  const auto ms = sample_messages(3);
  const auto p = file("j.bin");
  journal_writer w{p.string()};
  w.push(ms[0]);
  w.close();
  w.close(); // twice is fine
  w.push(ms[1]);
  w.push(ms[2]);
  EXPECT_EQ(w.records_written(), 1u);
  EXPECT_EQ(w.records_dropped(), 2u);
  EXPECT_EQ(read_journal(p.string()).messages.size(), 1u);
}

TEST_F(journal, appends_to_an_existing_file_unless_told_to_truncate) {
  const auto ms = sample_messages(10);
  const std::vector<msg> first(ms.begin(), ms.begin() + 4);
  const std::vector<msg> second(ms.begin() + 4, ms.end());
  write_journal(first);
  write_journal(second, {.fsync = fsync_policy::none, .truncate = false});
  auto r = read_journal(file("j.bin").string());
  ASSERT_EQ(r.messages.size(), ms.size());
  for (size_t i = 0; i < ms.size(); ++i)
    EXPECT_TRUE(same_bytes(r.messages[i], ms[i])) << "record " << i;

  write_journal(second); // truncate = true by default
  r = read_journal(file("j.bin").string());
  ASSERT_EQ(r.messages.size(), second.size());
  EXPECT_TRUE(same_bytes(r.messages[0], second[0]));
}

TEST_F(journal, every_fsync_policy_writes_the_same_file) {
  const auto ms = sample_messages(500);
  const auto none = file_bytes(write_journal(ms, {.fsync = fsync_policy::none}, "none"));
  const auto batch = file_bytes(write_journal(ms, {.fsync = fsync_policy::batch}, "batch"));
  const auto every =
    file_bytes(write_journal(ms, {.fsync = fsync_policy::every_message}, "every"));
  EXPECT_EQ(none.size(), record_offsets(ms).back());
  EXPECT_EQ(none, batch);
  EXPECT_EQ(none, every);
}

TEST_F(journal, reads_every_complete_record_before_a_torn_tail) {
  const auto ms = sample_messages(20);
  const auto offsets = record_offsets(ms);
  const auto whole = file_bytes(write_journal(ms));
  const size_t j = 7; // the record the cut lands in
  const uint64_t start = offsets[j];
  const uint64_t len = ms[j].size();
  struct cut_case {
    uint64_t cut;
    uint64_t missing;
  };
  const std::vector<cut_case> cuts{
    {start + 1, 3},             // inside the length prefix
    {start + 3, 1},             // one prefix byte short
    {start + 4, len},           // prefix complete, no message bytes
    {start + 4 + len / 2, len - len / 2},
    {start + 4 + len - 1, 1},   // one message byte short
  };
  for (const auto& c : cuts) {
    SCOPED_TRACE("cut at " + std::to_string(c.cut));
    const auto p = file("cut.bin");
    write_bytes(p, {whole.begin(), whole.begin() + static_cast<ptrdiff_t>(c.cut)});
    const auto r = read_journal(p.string());
    EXPECT_TRUE(r.torn_tail);
    EXPECT_FALSE(r.corrupt());
    EXPECT_EQ(r.error_offset, start);
    EXPECT_EQ(r.bytes_read, start);
    EXPECT_NE(r.error.find("torn tail at byte offset " + std::to_string(start)),
              std::string::npos) << r.error;
    EXPECT_NE(r.error.find(std::to_string(c.missing)), std::string::npos) << r.error;
    ASSERT_EQ(r.messages.size(), j);
    for (size_t i = 0; i < j; ++i)
      EXPECT_TRUE(same_bytes(r.messages[i], ms[i]));
  }
}

TEST_F(journal, a_file_cut_on_a_record_boundary_or_empty_reads_cleanly) {
  const auto ms = sample_messages(5);
  const auto offsets = record_offsets(ms);
  const auto whole = file_bytes(write_journal(ms));
  const auto p = file("cut.bin");
  write_bytes(p, {whole.begin(), whole.begin() + static_cast<ptrdiff_t>(offsets[3])});
  auto r = read_journal(p.string());
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_FALSE(r.torn_tail);
  EXPECT_EQ(r.messages.size(), 3u);

  write_bytes(p, {});
  r = read_journal(p.string());
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.messages.empty());
  EXPECT_EQ(r.bytes_read, 0u);
}

TEST_F(journal, stops_at_a_record_that_fails_verification_and_keeps_earlier_ones) {
  const auto ms = sample_messages(12);
  const auto offsets = record_offsets(ms);
  const auto whole = file_bytes(write_journal(ms));
  const size_t j = 5;
  // Byte 4 of a message is its file identifier; byte 3 is the top of the
  // root offset, which then points far outside the message.
  for (const uint64_t at : {uint64_t{4 + 4}, uint64_t{4 + 3}}) {
    SCOPED_TRACE("flipped message byte " + std::to_string(at - 4));
    auto bytes = whole;
    bytes[offsets[j] + at] ^= 0x5a;
    const auto p = file("bad.bin");
    write_bytes(p, bytes);
    const auto r = read_journal(p.string());
    EXPECT_TRUE(r.corrupt());
    EXPECT_FALSE(r.torn_tail);
    EXPECT_EQ(r.error_offset, offsets[j]);
    EXPECT_EQ(r.bytes_read, offsets[j]);
    EXPECT_NE(r.error.find("corrupt record at byte offset " + std::to_string(offsets[j])),
              std::string::npos) << r.error;
    ASSERT_EQ(r.messages.size(), j);
    for (size_t i = 0; i < j; ++i)
      EXPECT_TRUE(same_bytes(r.messages[i], ms[i]));
  }
}

TEST_F(journal, rejects_an_absurd_or_empty_length_prefix) {
  const auto ms = sample_messages(6);
  const auto offsets = record_offsets(ms);
  const auto whole = file_bytes(write_journal(ms));
  const size_t j = 2;
  const auto p = file("bad.bin");

  auto bytes = whole;
  for (int k = 0; k < 4; ++k)
    bytes[offsets[j] + k] = 0xff;
  write_bytes(p, bytes);
  auto r = read_journal(p.string());
  EXPECT_TRUE(r.corrupt());
  EXPECT_EQ(r.error_offset, offsets[j]);
  EXPECT_EQ(r.messages.size(), j);
  EXPECT_NE(r.error.find("4294967295"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("exceeds the limit"), std::string::npos) << r.error;

  bytes = whole;
  for (int k = 0; k < 4; ++k)
    bytes[offsets[j] + k] = 0;
  write_bytes(p, bytes);
  r = read_journal(p.string());
  EXPECT_TRUE(r.corrupt());
  EXPECT_EQ(r.error_offset, offsets[j]);
  EXPECT_EQ(r.messages.size(), j);
}

TEST_F(journal, streams_records_until_the_callback_says_stop) {
  const auto ms = sample_messages(50);
  const auto p = write_journal(ms);
  journal_read_result status;
  size_t seen = 0;
  const auto n = for_each_record(
    p.string(),
    [&](const msg& m) {
      EXPECT_TRUE(same_bytes(m, ms[seen]));
      return ++seen < 10;
    },
    status);
  EXPECT_EQ(n, 10u);
  EXPECT_EQ(seen, 10u);
  EXPECT_TRUE(status.error.empty());
  EXPECT_EQ(status.bytes_read, record_offsets(ms)[10]);
  EXPECT_TRUE(status.messages.empty());
}

TEST_F(journal, names_the_path_and_os_error_when_a_file_cannot_be_opened) {
  const auto p = (dir_ / "no_such_dir" / "j.bin").string();
  try {
    journal_writer w{p};
    FAIL() << "writer opened " << p;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string{e.what()}.find(p), std::string::npos) << e.what();
    EXPECT_NE(std::string{e.what()}.find("No such file or directory"), std::string::npos)
      << e.what();
  }
  try {
    (void)read_journal(p);
    FAIL() << "reader opened " << p;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string{e.what()}.find(p), std::string::npos) << e.what();
    EXPECT_NE(std::string{e.what()}.find("No such file or directory"), std::string::npos)
      << e.what();
  }
}

TEST_F(journal, counts_and_reports_a_full_disk_without_hanging) {
  if (!fs::exists("/dev/full"))
    GTEST_SKIP() << "/dev/full is not available";
  const auto ms = sample_messages(100);
  journal_writer w{"/dev/full", {.fsync = fsync_policy::none, .truncate = false}};
  for (const auto& m : ms)
    w.push(m);
  w.flush();
  EXPECT_GE(w.write_errors(), 1u);
  EXPECT_EQ(w.records_written(), 0u);
  EXPECT_EQ(w.bytes_written(), 0u);
  EXPECT_EQ(w.records_dropped(), ms.size());
  EXPECT_NE(w.last_error().find("No space left on device"), std::string::npos)
    << w.last_error();
  EXPECT_NE(w.last_error().find("/dev/full"), std::string::npos) << w.last_error();
  // The writer keeps running after an error.
  w.push(ms[0]);
  w.flush();
  EXPECT_EQ(w.records_dropped(), ms.size() + 1);
  w.close();
}

TEST_F(journal, drops_a_message_above_the_record_limit_and_keeps_the_rest) {
  const auto ms = sample_messages(2);
  // The writer never parses what it writes, so any bytes make a big message.
  const std::vector<uint8_t> huge(size_t{max_journal_record} + 1, 0);
  const auto p = file("j.bin");
  journal_writer w{p.string()};
  w.push(ms[0]);
  w.push(msg::copy_of_trusted(huge));
  w.push(ms[1]);
  w.close();
  EXPECT_EQ(w.records_written(), 2u);
  EXPECT_EQ(w.records_dropped(), 1u);
  EXPECT_NE(w.last_error().find("above the record limit"), std::string::npos)
    << w.last_error();
  const auto r = read_journal(p.string());
  EXPECT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.messages.size(), 2u);
  EXPECT_TRUE(same_bytes(r.messages[1], ms[1]));
}
