#include "sinks/file/file_type.h"

#include "sinks/file/file_sink.h"
#include "sinks/file/path_template.h"

namespace tributary {
namespace {

const OptionTable<FileSinkConfig>& Table() {
  static const auto* t =
      &(*new OptionTable<FileSinkConfig>())
           .String(
               "directory", &FileSinkConfig::directory,
               "Directory the files are written under; one file sink per directory (it is locked).")
           .String(
               "path", &FileSinkConfig::path,
               "File name template under `directory`: `{yyyy}` `{mm}` `{dd}` `{hh}` `{MM}` `{ss}` "
               "(UTC time the file was opened), `{uuid}`, `{sink}`. `.gz`/`.zst` is appended when "
               "compressed.")
           .Size("max_file_bytes", &FileSinkConfig::max_file_bytes,
                 "Complete (rename) a file once it holds this many bytes.")
           .Duration("max_file_age", &FileSinkConfig::max_file_age,
                     "Complete a file this long after it was opened; `0s` completes every batch's "
                     "file at once.")
           .Bool("fsync", &FileSinkConfig::fsync,
                 "Acknowledge batches once synced to disk (in rounds of up to 20 ms or 2 MiB), "
                 "and sync each completed file.");
  return *t;
}

void Validate(const FileSinkConfig& c, const toml::table& table, const ConfigContext& ctx) {
  if (Status st = ValidatePathTemplate(c.path); !st.ok()) ctx.Fail(table.get("path"), st.message());
  if (c.directory.empty()) ctx.Fail(table.get("directory"), "`directory` must not be empty");
}

Result<std::unique_ptr<Sink>> Build(const FileSinkConfig& c, const SinkBuildContext& b) {
  auto sink = std::make_unique<FileSink>(b.name, c, b.compression, b.clock);
  auto recovered = sink->RecoverLeftovers();
  if (!recovered) return recovered.status();
  return std::unique_ptr<Sink>(std::move(sink));
}

}  // namespace

const SinkType& FileSinkType() {
  static const TableSinkType<FileSinkConfig> kType(
      "file", "NDJSON (or CloudEvents batch) files, completed atomically, rotated by size and age.",
      Table(), Validate, Build, SinkTraits{.pieces = true});
  return kType;
}

}  // namespace tributary
