#include "sources/http/http_type.h"

#include "config/tables.h"
#include "sources/http/http_source.h"

namespace tributary {
namespace {

void Parse(const toml::table& t, const ConfigContext& ctx, SourceConfig& s) {
  HttpSourceTable().Parse(&t, s.http, ctx, {"type"});
  if (s.http.address.rfind(':') == std::string::npos)
    ctx.Fail(t.get("address"), "`address` must be host:port, e.g. 127.0.0.1:8080");
  if (s.http.max_event_bytes < (64u << 10))
    ctx.Fail(t.get("max_event_bytes"),
             "`max_event_bytes` must be at least 64KiB (CloudEvents requires it)");
  s.build = [name = s.name, http = s.http](const SourceContext& c) {
    return Result<std::unique_ptr<Source>>(std::make_unique<HttpSource>(name, http, c));
  };
}

void Document(std::string& md, const std::string& path) { HttpSourceTable().Document(md, path); }

}  // namespace

const SourceType& HttpSourceType() {
  static const SourceType kType{
      "http", "CloudEvents (all three HTTP modes), plain JSON and NDJSON over HTTP.", Parse,
      Document};
  return kType;
}

}  // namespace tributary
