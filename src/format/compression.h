#pragma once
// gzip (zlib) and zstd, for batch bodies and request bodies.

#include <string>
#include <string_view>

#include "core/status.h"

namespace tributary {

enum class Compression { kNone, kGzip, kZstd };

Result<Compression> ParseCompression(std::string_view name);
std::string_view CompressionName(Compression c);
std::string_view FileSuffix(Compression c);  // "", ".gz", ".zst"

// Appends the compressed form of `in` to `out`, as one complete gzip member or zstd frame
// (so compressed batches can be concatenated into one valid file).
Status Compress(Compression c, int level, std::string_view in, std::string& out);

// Appends the decompressed form of `in` to `out`; TooLarge once `out` would pass `max_out`.
// Concatenated members/frames are decoded in turn.
Status Decompress(Compression c, std::string_view in, std::string& out, size_t max_out);

// The length of the longest prefix of `data` made of complete gzip members / zstd frames
// (for kNone, up to and including the last '\n'): what survives of a file cut by a crash.
size_t CompletePrefix(Compression c, std::string_view data);

}  // namespace tributary
