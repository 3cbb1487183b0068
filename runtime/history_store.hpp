#pragma once

// The evaluation history: every `osprey evaluate` result, kept in an
// embedded SQLite database so `osprey history TICKER` can list them and
// later evaluations can find comparable set-ups.

#include <cstdint>
#include <string>
#include <vector>

struct sqlite3;

namespace osprey {

/// One evaluation as stored.
struct evaluation_record {
  int64_t ts = 0; ///< Event time the evaluation refers to (ns since epoch).
  std::string ticker;
  double score = 0;
  std::string verdict;
  double institutional = 0, narrative = 0, other = 0; ///< Pillar scores.
  std::string detail_json; ///< The whole evaluation, as the --json output.
  /// The set-up features (run_features' setup_point) that place this
  /// evaluation among comparable set-ups; empty when unknown (evaluations
  /// stored before the column existed, or with incomplete features).
  std::vector<double> features;
};

class history_store {
public:
  /// Opens (creating if needed) the database at `path`, adding the
  /// `features` column to databases written before it existed; throws
  /// std::runtime_error naming the path and SQLite's message on failure.
  explicit history_store(const std::string& path);
  ~history_store();

  history_store(const history_store&) = delete;
  history_store& operator=(const history_store&) = delete;

  /// Stores one evaluation; throws std::runtime_error on failure.
  void add(const evaluation_record& r);

  /// Returns the evaluations of `ticker`, oldest first.
  std::vector<evaluation_record> of(const std::string& ticker) const;

  /// Returns every evaluation, oldest first (for comparable set-ups).
  std::vector<evaluation_record> all() const;

private:
  std::vector<evaluation_record> query(const char* sql, const std::string* ticker) const;
  void migrate();
  [[noreturn]] void fail(const std::string& what) const;

  std::string path_;
  sqlite3* db_ = nullptr;
};

} // namespace osprey
