#include "sinks/http/http_type.h"

#include "sinks/http/http_sink.h"

namespace tributary {
namespace {

// Keeps each given string whole: ParseHeaderList knows where a header ends.
void ParseHeadersOption(HttpSinkConfig& out, const toml::node* node, const std::string* env,
                        const ConfigContext& ctx) {
  out.headers.clear();
  if (env) {
    out.headers.push_back(*env);
  } else if (node->is_string()) {
    out.headers.push_back(ExpandEnv(node->as_string()->get(), ctx, node));
  } else if (const toml::array* arr = node->as_array()) {
    for (const toml::node& el : *arr) {
      if (!el.is_string()) ctx.Fail(&el, "`headers` must be strings of the form \"Name: value\"");
      out.headers.push_back(ExpandEnv(el.as_string()->get(), ctx, &el));
    }
  } else {
    ctx.Fail(node, "`headers` must be a list of \"Name: value\" strings or one such string");
  }
  if (auto parsed = ParseHeaderList(out.headers); !parsed)
    ctx.Fail(node, parsed.status().message());
}

const OptionTable<HttpSinkConfig>& Table() {
  static const auto* t =
      &(*new OptionTable<HttpSinkConfig>())
           .String("url", &HttpSinkConfig::url,
                   "Where batches are POSTed (`http://` or `https://`). Required.")
           .String("token", &HttpSinkConfig::token,
                   "Sent as `Authorization: Bearer <token>`; empty = none.")
           .Custom(
               {"headers", "list of strings or string",
                "Extra headers: a list of `\"Name: value\"`, or one string with several separated "
                "by "
                "commas (`\"X-Scope-OrgID: abc\"` stays one). `Authorization`, `Content-Type` and "
                "`Content-Encoding` cannot be set here.",
                ParseHeadersOption, [](const HttpSinkConfig&) { return std::string("[]"); },
                nullptr})
           .Duration("timeout", &HttpSinkConfig::timeout,
                     "Whole-request timeout; a timeout is retried.")
           .String("http_version", &HttpSinkConfig::http_version,
                   "`auto` (HTTP/2 over TLS when the server offers it), `1.1` or `2`.",
                   {"auto", "1.1", "2"})
           .String("ca_file", &HttpSinkConfig::ca_file,
                   "CA bundle to verify the server with; empty = the system's.")
           .String("cert_file", &HttpSinkConfig::cert_file,
                   "Client certificate (PEM) for mutual TLS.")
           .String("key_file", &HttpSinkConfig::key_file, "Client key (PEM) for mutual TLS.")
           .Bool("insecure", &HttpSinkConfig::insecure, "Skip TLS verification (testing only).");
  return *t;
}

void Validate(const HttpSinkConfig& c, const toml::table& table, const ConfigContext& ctx) {
  if (c.url.empty())
    ctx.Fail(&table, "the http sink needs `url`, e.g. url = \"https://api.example.com/v1/events\"");
  if (!c.url.starts_with("http://") && !c.url.starts_with("https://")) {
    ctx.Fail(table.get("url"), "`url` must start with http:// or https://");
  }
}

Result<std::unique_ptr<Sink>> Build(const HttpSinkConfig& c, const SinkBuildContext&) {
  auto headers = ParseHeaderList(c.headers);
  if (!headers) return headers.status();
  auto curl = LoadCurl();
  if (!curl) return curl.status();
  return std::unique_ptr<Sink>(std::make_unique<HttpSink>(**curl, c, std::move(*headers)));
}

}  // namespace

const SinkType& HttpSinkType() {
  static const TableSinkType<HttpSinkConfig> kType(
      "http",
      "POSTs each batch to an HTTP ingestion API (CloudEvents batch JSON by default, gzip).",
      Table(), Validate, Build,
      SinkTraits{.encoding = "cloudevents-batch",
                 .compression = "gzip",
                 .concurrent = true,
                 .messages = true});
  return kType;
}

}  // namespace tributary
