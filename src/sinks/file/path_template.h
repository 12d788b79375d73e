#pragma once
// File path templates: {yyyy} {mm} {dd} {hh} {MM} (minute) {ss} in UTC, {uuid} (a new
// UUIDv7 per file) and {sink} (the sink's name).

#include <string>
#include <string_view>

#include "core/status.h"

namespace tributary {

Status ValidatePathTemplate(std::string_view tmpl);
std::string ExpandPathTemplate(std::string_view tmpl, int64_t unix_ns, std::string_view sink);

}  // namespace tributary
