// Routes sensor readings by topic to two collectors: `alerts` judges temperatures, and
// `archive` stores every reading in SQLite through a connection its lifecycle opens once
// and closes at shutdown.
//
//   sensor_collectors [DATABASE]   (default: sensors.db in the current directory)

#include <sqlite3.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "tributary/collector_queue.h"

using tributary::Collector;
using tributary::CollectorContext;
using tributary::CollectorLifecycle;
using tributary::CollectorQueue;
using tributary::Delivery;

struct Reading {
  std::string room;
  std::string kind;  // temperature, humidity
  double value;
};

// The archive's state: one connection and one prepared insert, for the queue's lifetime.
struct Archive {
  sqlite3* db = nullptr;
  sqlite3_stmt* insert = nullptr;
  ~Archive() {
    sqlite3_finalize(insert);
    sqlite3_close(db);
  }
};

void Check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE)
    throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db));
}

Collector<Reading, std::string> AlertCollector() {
  return {"alerts",
          [](const Reading& r) -> std::string {
            char text[64];
            std::snprintf(text, sizeof text, "ALERT %s is at %.1f C", r.room.c_str(), r.value);
            return r.value > 30 ? text : "ok";
          },
          {"sensors/+/temperature"}};
}

Collector<Reading, std::string> ArchiveCollector(const std::string& path) {
  CollectorLifecycle lifecycle{
      .setup =
          [path](CollectorContext& context) {
            Archive& a = context.Emplace<Archive>();
            Check(sqlite3_open(path.c_str(), &a.db), a.db, "open");
            Check(sqlite3_exec(a.db,
                               "CREATE TABLE IF NOT EXISTS readings"
                               " (room TEXT, kind TEXT, value REAL)",
                               nullptr, nullptr, nullptr),
                  a.db, "create table");
            Check(sqlite3_prepare_v2(a.db, "INSERT INTO readings VALUES (?, ?, ?)", -1, &a.insert,
                                     nullptr),
                  a.db, "prepare");
          },
      .teardown = [](CollectorContext& context) { context.Reset(); }};  // closes the database
  return {"archive",
          [](const Reading& r, CollectorContext& context) -> std::string {
            Archive& a = context.Get<Archive>();
            sqlite3_reset(a.insert);
            sqlite3_bind_text(a.insert, 1, r.room.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(a.insert, 2, r.kind.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_double(a.insert, 3, r.value);
            Check(sqlite3_step(a.insert), a.db, "insert");
            return "row " + std::to_string(sqlite3_last_insert_rowid(a.db));
          },
          {"sensors/#"},
          lifecycle,
          true};  // one connection, one statement: one reading at a time
}

int CountRows(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_stmt* count = nullptr;
  int rows = -1;
  if (sqlite3_open(path.c_str(), &db) == SQLITE_OK &&
      sqlite3_prepare_v2(db, "SELECT count(*) FROM readings", -1, &count, nullptr) == SQLITE_OK &&
      sqlite3_step(count) == SQLITE_ROW)
    rows = sqlite3_column_int(count, 0);
  sqlite3_finalize(count);
  sqlite3_close(db);
  return rows;
}

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : "sensors.db";
  std::remove(path.c_str());
  const std::vector<Reading> readings = {{"kitchen", "temperature", 21.5},
                                         {"kitchen", "humidity", 40},
                                         {"attic", "temperature", 34.2},
                                         {"cellar", "temperature", 12.0},
                                         {"cellar", "humidity", 81}};

  CollectorQueue<Reading, std::string> queue({AlertCollector(), ArchiveCollector(path)},
                                             {.min_consumers = 1, .max_consumers = 4});
  queue.Start();
  std::vector<tributary::CollectorEvent<std::string>> events;
  for (const Reading& r : readings) {
    events.push_back(queue.publisher().Send({.value = r,
                                             .delivery = Delivery::kTopic,
                                             .topics = {"sensors/" + r.room + "/" + r.kind}}));
  }
  bool all_ok = true;
  for (size_t i = 0; i < events.size(); ++i) {
    for (const auto& result : events[i].Wait()) {
      all_ok &= result.ok();
      std::printf("%s/%s -> %s: %s\n", readings[i].room.c_str(), readings[i].kind.c_str(),
                  result.collector().c_str(),
                  result.ok() ? result.value().c_str() : result.error().c_str());
    }
  }
  tributary::StopReport report = queue.Stop();
  tributary::CollectorQueueMetrics m = queue.metrics();
  std::printf("published %llu payloads, %llu collector runs, %llu failed, peak %zu consumers\n",
              static_cast<unsigned long long>(m.published), static_cast<unsigned long long>(m.runs),
              static_cast<unsigned long long>(m.failed_runs), m.peak_consumers);
  int rows = CountRows(path);
  std::printf("archived %d readings in %s\n", rows, path.c_str());
  bool ok = all_ok && report.abandoned_runs == 0 && report.teardown_errors.empty() &&
            rows == static_cast<int>(readings.size());
  return ok ? 0 : 1;
}
