#pragma once
// The option tables of the built-in sections (the sink types keep their own).

#include "config/config.h"

namespace tributary {

const OptionTable<StorageConfig>& StorageTable();
const OptionTable<ApiConfig>& ApiTable();
const OptionTable<RouterConfig>& RouterTable();
const OptionTable<LogConfig>& LogTable();
const OptionTable<RuntimeConfig>& RuntimeTable();
const OptionTable<HttpSourceConfig>& HttpSourceTable();
const OptionTable<JsonMapping>& MappingTable();
const OptionTable<SinkConfig>& SinkCommonTable();
const OptionTable<RouteRule>& RouteTable();

}  // namespace tributary
