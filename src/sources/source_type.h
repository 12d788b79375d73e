#pragma once
// A source type: its name, how its [sources.NAME] table is parsed (into a SourceConfig whose
// `build` makes the source) and documented. Each source folder defines one;
// sources/registry.cc lists them all.

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace tributary {

struct SourceType {
  std::string_view name;
  std::string_view description;
  // Parses the type's keys (`type` excepted) into `out`. Throws ConfigError.
  void (*parse)(const toml::table& table, const ConfigContext& ctx, SourceConfig& out);
  void (*document)(std::string& md, const std::string& path);
};

const std::vector<const SourceType*>& SourceTypes();
const SourceType* FindSourceType(std::string_view name);

}  // namespace tributary
