#pragma once
// What both buffers say when a queue with policy drop_newest drops events.

#include <string>

namespace tributary {

// Logs that `sink`'s queue dropped new events, at most once per 10 s per process.
void WarnDroppingNewest(const std::string& sink);

}  // namespace tributary
