#pragma once
// Small file helpers shared by the disk queue, the dead-letter queue and the file sink.

#include <string>

#include "core/status.h"

namespace tributary {

// Writes `text` to `dir/name` through a temporary file and a rename, so that readers see
// the old or the new content, never a mix; with `durable`, also synced to disk (file and
// directory).
Status WriteAtomically(const std::string& dir, const std::string& name, const std::string& text,
                       bool durable);

// Reads a whole file.
Result<std::string> ReadWholeFile(const std::string& path);

// fsyncs a directory so that a created, renamed or deleted entry is durable.
Status SyncDirectory(const std::string& dir);

}  // namespace tributary
