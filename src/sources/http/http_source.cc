#include "sources/http/http_source.h"

#include <spdlog/spdlog.h>

namespace tributary {

HttpSource::HttpSource(std::string name, HttpSourceConfig config, const SourceContext& context)
    : name_(std::move(name)),
      config_(std::move(config)),
      handler_(name_, config_, context.api, context.ingest, context.metrics, context.clock),
      server_(config_, handler_) {}

Status HttpSource::Start() {
  TRIBUTARY_RETURN_IF_ERROR(server_.Start());
  spdlog::info("source '{}': listening on {} (port {})", name_, config_.address, server_.port());
  return Status::Ok();
}

void HttpSource::Stop(SteadyTime deadline) { server_.Stop(deadline); }

}  // namespace tributary
