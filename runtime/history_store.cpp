#include "runtime/history_store.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include <sqlite3.h>

namespace osprey {

namespace {

constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS evaluations (
  id INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  ticker TEXT NOT NULL,
  score REAL NOT NULL,
  verdict TEXT NOT NULL,
  institutional REAL NOT NULL,
  narrative REAL NOT NULL,
  other REAL NOT NULL,
  detail_json TEXT NOT NULL,
  features TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS evaluations_by_ticker ON evaluations (ticker, ts);
)sql";

/// Finalizes a statement however the scope is left.
struct statement {
  sqlite3_stmt* s = nullptr;
  ~statement() { sqlite3_finalize(s); }
};

std::string text_at(sqlite3_stmt* s, int col) {
  auto p = sqlite3_column_text(s, col);
  return p ? reinterpret_cast<const char*>(p) : "";
}

/// Features as text: comma-separated, round-trip precision.
std::string features_text(const std::vector<double>& f) {
  std::string s;
  char buf[32];
  for (size_t k = 0; k < f.size(); ++k) {
    std::snprintf(buf, sizeof buf, "%.17g", f[k]);
    if (k)
      s += ',';
    s += buf;
  }
  return s;
}

/// Reads features_text back; empty when any number is not finite.
std::vector<double> features_of(const std::string& s) {
  std::vector<double> out;
  const char* p = s.data();
  const char* end = s.data() + s.size();
  while (p < end) {
    double x = 0;
    auto r = std::from_chars(p, end, x);
    if (r.ec != std::errc{} || !std::isfinite(x) || (r.ptr != end && *r.ptr != ','))
      return {};
    out.push_back(x);
    p = r.ptr == end ? end : r.ptr + 1;
  }
  return out;
}

} // namespace

history_store::history_store(const std::string& path) : path_(path) {
  // The destructor does not run when the constructor throws: close here.
  try {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK)
      fail("cannot open");
    char* err = nullptr;
    if (sqlite3_exec(db_, schema, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      fail("cannot create the schema: " + msg);
    }
    migrate();
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

void history_store::migrate() {
  // Databases from before the features column: add it in place.
  statement st;
  if (sqlite3_prepare_v2(db_, "PRAGMA table_info(evaluations)", -1, &st.s, nullptr) != SQLITE_OK)
    fail("cannot read the table layout");
  bool has_features = false;
  int rc;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW)
    has_features = has_features || text_at(st.s, 1) == "features";
  if (rc != SQLITE_DONE)
    fail("cannot read the table layout");
  if (has_features)
    return;
  char* err = nullptr;
  if (sqlite3_exec(db_, "ALTER TABLE evaluations ADD COLUMN features TEXT NOT NULL DEFAULT ''",
                   nullptr, nullptr, &err)
      != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    fail("cannot add the features column: " + msg);
  }
}

history_store::~history_store() {
  sqlite3_close(db_);
}

void history_store::fail(const std::string& what) const {
  std::string e = "history store " + path_;
  e += ": ";
  e += what;
  if (db_) {
    e += " (";
    e += sqlite3_errmsg(db_);
    e += ")";
  }
  throw std::runtime_error(e);
}

void history_store::add(const evaluation_record& r) {
  statement st;
  const char* sql =
    "INSERT INTO evaluations (ts, ticker, score, verdict, institutional, narrative, other,"
    " detail_json, features) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
  if (sqlite3_prepare_v2(db_, sql, -1, &st.s, nullptr) != SQLITE_OK)
    fail("cannot prepare an insert");
  sqlite3_bind_int64(st.s, 1, r.ts);
  sqlite3_bind_text(st.s, 2, r.ticker.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(st.s, 3, r.score);
  sqlite3_bind_text(st.s, 4, r.verdict.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(st.s, 5, r.institutional);
  sqlite3_bind_double(st.s, 6, r.narrative);
  sqlite3_bind_double(st.s, 7, r.other);
  sqlite3_bind_text(st.s, 8, r.detail_json.c_str(), -1, SQLITE_TRANSIENT);
  auto features = features_text(r.features);
  sqlite3_bind_text(st.s, 9, features.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(st.s) != SQLITE_DONE)
    fail("cannot store the evaluation of " + r.ticker);
}

std::vector<evaluation_record> history_store::query(const char* sql,
                                                    const std::string* ticker) const {
  statement st;
  if (sqlite3_prepare_v2(db_, sql, -1, &st.s, nullptr) != SQLITE_OK)
    fail("cannot prepare a query");
  if (ticker)
    sqlite3_bind_text(st.s, 1, ticker->c_str(), -1, SQLITE_TRANSIENT);
  std::vector<evaluation_record> out;
  int rc;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
    evaluation_record r;
    r.ts = sqlite3_column_int64(st.s, 0);
    r.ticker = text_at(st.s, 1);
    r.score = sqlite3_column_double(st.s, 2);
    r.verdict = text_at(st.s, 3);
    r.institutional = sqlite3_column_double(st.s, 4);
    r.narrative = sqlite3_column_double(st.s, 5);
    r.other = sqlite3_column_double(st.s, 6);
    r.detail_json = text_at(st.s, 7);
    r.features = features_of(text_at(st.s, 8));
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE)
    fail("cannot read the evaluations");
  return out;
}

std::vector<evaluation_record> history_store::of(const std::string& ticker) const {
  return query("SELECT ts, ticker, score, verdict, institutional, narrative, other, detail_json,"
               " features"
               " FROM evaluations WHERE ticker = ? ORDER BY ts, id",
               &ticker);
}

std::vector<evaluation_record> history_store::all() const {
  return query("SELECT ts, ticker, score, verdict, institutional, narrative, other, detail_json,"
               " features"
               " FROM evaluations ORDER BY ts, id",
               nullptr);
}

} // namespace osprey
