#include "pipeline/dead_letters.h"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <future>

#include "core/file_util.h"
#include "core/thread_name.h"
#include "core/time_util.h"
#include "format/event_parser.h"
#include "format/json_text.h"

namespace fs = std::filesystem;

namespace tributary {
namespace {

std::string Header(const DeadLetter& l) {
  std::string h = "{\"id\":";
  AppendJsonString(h, l.id);
  h += ",\"sink\":";
  AppendJsonString(h, l.sink);
  h += ",\"events\":" + std::to_string(l.events) + ",\"attempts\":" + std::to_string(l.attempts) +
       ",\"status\":" + std::to_string(l.status) + ",\"error\":";
  AppendJsonString(h, l.error);
  h += ",\"response_excerpt\":";
  AppendJsonString(h, l.response_excerpt);
  h += ",\"first_error\":";
  AppendJsonString(h, FormatRfc3339(l.first_error_ns));
  h += ",\"last_error\":";
  AppendJsonString(h, FormatRfc3339(l.last_error_ns));
  h += ",\"first_error_ns\":" + std::to_string(l.first_error_ns) +
       ",\"last_error_ns\":" + std::to_string(l.last_error_ns) + "}\n";
  return h;
}

Result<DeadLetter> ParseHeader(std::string_view line) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (parser.parse(line.data(), line.size()).get(e))
    return InvalidArgument("damaged dead-letter header");
  DeadLetter l;
  std::string_view s;
  int64_t n = 0;
  if (!e["id"].get(s)) l.id = s;
  if (!e["sink"].get(s)) l.sink = s;
  if (!e["events"].get(n)) l.events = static_cast<size_t>(n);
  if (!e["attempts"].get(n)) l.attempts = static_cast<int>(n);
  if (!e["status"].get(n)) l.status = static_cast<int>(n);
  if (!e["error"].get(s)) l.error = s;
  if (!e["response_excerpt"].get(s)) l.response_excerpt = s;
  if (!e["first_error_ns"].get(n)) l.first_error_ns = n;
  if (!e["last_error_ns"].get(n)) l.last_error_ns = n;
  return l;
}

std::string SafeName(std::string_view id) {
  std::string out;
  for (char c : id)
    out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_');
  return out;
}

}  // namespace

Status WriteDeadLetter(const std::string& data_dir, const DeadLetter& letter,
                       std::string_view events) {
  fs::path dir = fs::path(data_dir) / "dlq" / letter.sink;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return IoError("cannot create " + dir.string() + ": " + ec.message());
  std::string text = Header(letter);
  text.append(events);
  return WriteAtomically(dir.string(), SafeName(letter.id) + ".ndjson", text, true);
}

Result<std::pair<DeadLetter, std::string>> ReadDeadLetter(const std::string& path) {
  auto read = ReadWholeFile(path);
  if (!read) return read.status();
  std::string& text = *read;
  size_t nl = text.find('\n');
  if (nl == std::string::npos) return InvalidArgument(path + ": no header line");
  auto header = ParseHeader(std::string_view(text).substr(0, nl));
  if (!header) return Status(header.status().code(), path + ": " + header.status().message());
  return std::make_pair(std::move(*header), text.substr(nl + 1));
}

Result<std::vector<DeadLetterFile>> ListDeadLetters(const std::string& data_dir,
                                                    const std::string& sink) {
  std::vector<DeadLetterFile> out;
  fs::path root = fs::path(data_dir) / "dlq";
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return out;
  for (auto& sink_dir : fs::directory_iterator(root, ec)) {
    if (!sink_dir.is_directory() || (!sink.empty() && sink_dir.path().filename() != sink)) continue;
    for (auto& f : fs::directory_iterator(sink_dir.path(), ec)) {
      std::string name = f.path().filename().string();
      if (!f.is_regular_file() || name.front() == '.' || !name.ends_with(".ndjson")) continue;
      auto read = ReadDeadLetter(f.path().string());
      if (!read) return read.status();
      out.push_back({f.path().string(), std::move(read->first)});
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.letter.last_error_ns < b.letter.last_error_ns;
  });
  return out;
}

DeadLetterReplayer::DeadLetterReplayer(std::string data_dir, std::vector<std::string> sinks,
                                       Buffer& buffer)
    : data_dir_(std::move(data_dir)), sinks_(std::move(sinks)), buffer_(buffer) {
  thread_ = std::thread([this] {
    NameThisThread("dlq-replay");
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      RunOnce();
      lock.lock();
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_; });
    }
  });
}

DeadLetterReplayer::~DeadLetterReplayer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

size_t DeadLetterReplayer::RunOnce() {
  size_t replayed = 0;
  for (size_t s = 0; s < sinks_.size(); ++s) {
    fs::path dir = fs::path(data_dir_) / "dlq" / sinks_[s] / "replay";
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    for (auto& f : fs::directory_iterator(dir, ec)) {
      if (!f.is_regular_file() || !f.path().string().ends_with(".ndjson")) continue;
      auto read = ReadDeadLetter(f.path().string());
      if (!read) {
        spdlog::error("dead letters: {}", read.status().message());
        continue;
      }
      std::string body = std::move(read->second);
      EnsurePadding(body);
      auto batch = std::make_shared<EventBatch>(std::move(body));
      static const JsonMapping kMapping;
      ParseOptions opts;
      opts.mapping = &kMapping;
      opts.max_event_bytes = UINT32_MAX;
      std::vector<EventError> errors;
      if (Status st = ParseEvents(BodyFormat::kNdjson, *batch, opts, errors); !st.ok()) {
        spdlog::error("dead letters: {} does not parse: {}", f.path().string(), st.message());
        continue;
      }
      std::vector<SinkMask> masks(batch->size(), SinkMask{1} << s);
      std::promise<AppendOutcome> done;
      buffer_.Append(batch, masks, [&](AppendOutcome o) { done.set_value(std::move(o)); });
      AppendOutcome o = done.get_future().get();
      if (!o.status.ok()) {
        spdlog::warn("dead letters: replay of {} into sink '{}' waits: {}",
                     f.path().filename().string(), sinks_[s], o.status.message());
        break;  // try again later
      }
      fs::remove(f.path(), ec);
      replayed += batch->size();
      spdlog::info("dead letters: {} events of {} are back in the queue of sink '{}'",
                   batch->size(), f.path().filename().string(), sinks_[s]);
    }
  }
  return replayed;
}

}  // namespace tributary
