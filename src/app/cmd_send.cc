// `tributary send`: posts NDJSON lines or a JSON array/object of events to a collector in
// batches, over several kept-alive connections, retrying 503 answers.
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "app/commands.h"
#include "client/http_client.h"
#include "format/compression.h"
#include "format/json_text.h"

namespace tributary {
namespace {

struct Input {
  std::vector<std::string_view> events;  // each one JSON object
  bool cloudevents = false;              // every event has specversion: send CloudEvents batches
};

Result<std::string> ReadAll(const std::string& path) {
  std::stringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return IoError("cannot open " + path);
    ss << in.rdbuf();
  }
  return ss.str();
}

Result<Input> Split(std::string& text) {
  EnsurePadding(text);
  Input in;
  std::string_view body = TrimJsonSpace(text);
  if (!body.empty() && body.front() == '[') {
    ondemand::parser parser;
    ondemand::document doc;
    ondemand::array arr;
    if (parser.iterate(text).get(doc) || doc.get_array().get(arr))
      return InvalidArgument("input is not a JSON array");
    for (auto el : arr) {
      ondemand::object obj;
      std::string_view raw;
      if (el.get_object().get(obj) || obj.raw_json().get(raw))
        return InvalidArgument("array elements must be JSON objects");
      in.events.push_back(TrimJsonSpace(raw));
    }
  } else {
    size_t pos = 0;
    while (pos < body.size()) {
      size_t nl = body.find('\n', pos);
      if (nl == std::string_view::npos) nl = body.size();
      std::string_view line = TrimJsonSpace(body.substr(pos, nl - pos));
      if (!line.empty()) in.events.push_back(line);
      pos = nl + 1;
    }
  }
  in.cloudevents = !in.events.empty();
  for (std::string_view e : in.events)
    in.cloudevents &= e.find("\"specversion\"") != std::string_view::npos;
  return in;
}

}  // namespace

int SendCommand(const SendOptions& opts) {
  auto url = ParseHttpUrl(opts.url);
  if (!url) {
    std::fprintf(stderr, "send: %s\n", url.status().message().c_str());
    return 2;
  }
  auto text = ReadAll(opts.input);
  if (!text) {
    std::fprintf(stderr, "send: %s\n", text.status().message().c_str());
    return 2;
  }
  auto input = Split(*text);
  if (!input) {
    std::fprintf(stderr, "send: %s\n", input.status().message().c_str());
    return 2;
  }
  Compression compression = *ParseCompression(opts.compression);
  const size_t batches = (input->events.size() + opts.batch - 1) / opts.batch;
  std::atomic<size_t> next{0}, sent{0}, failed{0}, requests{0};
  auto start = std::chrono::steady_clock::now();

  auto worker = [&] {
    HttpClient client(url->host, url->port);
    std::string body;
    while (true) {
      size_t b = next.fetch_add(1);
      if (b >= batches) return;
      size_t from = b * opts.batch, to = std::min(input->events.size(), from + opts.batch);
      body.clear();
      if (input->cloudevents) body.push_back('[');
      for (size_t i = from; i < to; ++i) {
        if (input->cloudevents && i > from) body.push_back(',');
        body.append(input->events[i]);
        if (!input->cloudevents) body.push_back('\n');
      }
      if (input->cloudevents) body.push_back(']');
      std::vector<std::pair<std::string, std::string>> headers;
      if (!opts.token.empty()) headers.emplace_back("Authorization", "Bearer " + opts.token);
      std::string payload;
      if (compression != Compression::kNone) {
        (void)Compress(compression, compression == Compression::kGzip ? 6 : 3, body, payload);
        headers.emplace_back("Content-Encoding", std::string(CompressionName(compression)));
      } else {
        payload = body;
      }
      const char* ct =
          input->cloudevents ? "application/cloudevents-batch+json" : "application/x-ndjson";
      for (int attempt = 1;; ++attempt) {
        auto res = client.Post(url->target, ct, payload, headers);
        requests.fetch_add(1);
        if (res && res->status == 202) {
          sent.fetch_add(to - from);
          break;
        }
        bool retry = (!res || res->status == 503 || res->status == 429) && attempt < 10;
        if (!retry) {
          std::fprintf(stderr, "send: batch %zu (events %zu-%zu) failed: %s\n", b, from, to - 1,
                       res ? (std::to_string(res->status) + " " + res->body).c_str()
                           : res.status().message().c_str());
          failed.fetch_add(to - from);
          break;
        }
        int wait_s = 1;
        if (res && !res->Header("Retry-After").empty())
          wait_s = std::max(1, std::atoi(res->Header("Retry-After").c_str()));
        std::this_thread::sleep_for(std::chrono::seconds(wait_s));
      }
    }
  };
  std::vector<std::thread> threads;
  for (size_t i = 0; i < std::min(opts.concurrency, std::max<size_t>(batches, 1)); ++i)
    threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(
      stderr, "send: %zu events accepted, %zu failed, %zu requests in %.3f s (%.0f events/s)\n",
      sent.load(), failed.load(), requests.load(), secs, secs > 0 ? sent.load() / secs : 0.0);
  return failed.load() ? 1 : 0;
}

}  // namespace tributary
