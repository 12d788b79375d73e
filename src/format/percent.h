#pragma once
// Percent-decoding of CloudEvents binary-mode header values (HTTP binding §3.1.3.2):
// each %XX is decoded exactly once and the result must be valid UTF-8.

#include <string_view>

#include "core/arena.h"
#include "core/status.h"

namespace tributary {

Result<std::string_view> PercentDecode(std::string_view in, Arena& arena);

// The inverse, for sending binary mode: encodes space, '"', '%', controls and non-ASCII.
void PercentEncode(std::string_view in, std::string& out);

}  // namespace tributary
