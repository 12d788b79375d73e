#pragma once
// The HTTP source: the server (network side) and the handler (what a request means).

#include "sources/http/handler.h"
#include "sources/http/server.h"
#include "sources/source.h"

namespace tributary {

class HttpSource final : public Source {
 public:
  HttpSource(std::string name, HttpSourceConfig config, const SourceContext& context);
  Status Start() override;
  void Stop(SteadyTime deadline) override;

 private:
  const std::string name_;
  const HttpSourceConfig config_;
  HttpHandler handler_;
  HttpServer server_;
};

}  // namespace tributary
