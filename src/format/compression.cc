#include "format/compression.h"

#include <zlib.h>
#include <zstd.h>

namespace tributary {
namespace {

Status GzipCompress(int level, std::string_view in, std::string& out) {
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return InvalidArgument("gzip: bad compression level " + std::to_string(level));
  size_t at = out.size();
  out.resize(at + deflateBound(&zs, in.size()) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data() + at);
  zs.avail_out = static_cast<uInt>(out.size() - at);
  int rc = deflate(&zs, Z_FINISH);
  size_t written = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return {StatusCode::kInternal, "gzip: compression failed"};
  out.resize(at + written);
  return Status::Ok();
}

Status GzipDecompress(std::string_view in, std::string& out, size_t max_out) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return {StatusCode::kInternal, "gzip: init failed"};
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  Status st;
  char buf[64 * 1024];
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    int rc = inflate(&zs, Z_NO_FLUSH);
    size_t got = sizeof buf - zs.avail_out;
    if (out.size() + got > max_out) {
      st = TooLarge("decompressed body is over the limit of " + std::to_string(max_out) + " bytes");
      break;
    }
    out.append(buf, got);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      inflateReset(&zs);  // another gzip member follows
      continue;
    }
    if (rc != Z_OK && !(rc == Z_BUF_ERROR && zs.avail_in > 0)) {
      st = InvalidArgument(std::string("gzip: corrupt or truncated data") + (zs.msg ? ": " : "") +
                           (zs.msg ? zs.msg : ""));
      break;
    }
  }
  inflateEnd(&zs);
  return st;
}

Status ZstdCompress(int level, std::string_view in, std::string& out) {
  size_t at = out.size();
  out.resize(at + ZSTD_compressBound(in.size()));
  size_t n = ZSTD_compress(out.data() + at, out.size() - at, in.data(), in.size(), level);
  if (ZSTD_isError(n)) return {StatusCode::kInternal, std::string("zstd: ") + ZSTD_getErrorName(n)};
  out.resize(at + n);
  return Status::Ok();
}

Status ZstdDecompress(std::string_view in, std::string& out, size_t max_out) {
  ZSTD_DStream* ds = ZSTD_createDStream();
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  char buf[64 * 1024];
  Status st;
  size_t last = 1;
  while (input.pos < input.size || last != 0) {
    ZSTD_outBuffer output{buf, sizeof buf, 0};
    size_t before = input.pos;
    last = ZSTD_decompressStream(ds, &output, &input);
    if (ZSTD_isError(last)) {
      st = InvalidArgument(std::string("zstd: corrupt data: ") + ZSTD_getErrorName(last));
      break;
    }
    if (out.size() + output.pos > max_out) {
      st = TooLarge("decompressed body is over the limit of " + std::to_string(max_out) + " bytes");
      break;
    }
    out.append(buf, output.pos);
    if (input.pos == input.size && output.pos == 0 && before == input.pos && last != 0) {
      st = InvalidArgument("zstd: truncated data");
      break;
    }
  }
  ZSTD_freeDStream(ds);
  return st;
}

}  // namespace

Result<Compression> ParseCompression(std::string_view name) {
  if (name == "none") return Compression::kNone;
  if (name == "gzip") return Compression::kGzip;
  if (name == "zstd") return Compression::kZstd;
  return InvalidArgument("unknown compression '" + std::string(name) + "'; use none, gzip or zstd");
}

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
    default:
      return "none";
  }
}

std::string_view FileSuffix(Compression c) {
  switch (c) {
    case Compression::kGzip:
      return ".gz";
    case Compression::kZstd:
      return ".zst";
    default:
      return "";
  }
}

Status Compress(Compression c, int level, std::string_view in, std::string& out) {
  switch (c) {
    case Compression::kGzip:
      return GzipCompress(level, in, out);
    case Compression::kZstd:
      return ZstdCompress(level, in, out);
    default:
      out.append(in);
      return Status::Ok();
  }
}

size_t CompletePrefix(Compression c, std::string_view data) {
  if (c == Compression::kNone) {
    size_t nl = data.rfind('\n');
    return nl == std::string_view::npos ? 0 : nl + 1;
  }
  size_t done = 0;
  if (c == Compression::kZstd) {
    while (done < data.size()) {
      size_t n = ZSTD_findFrameCompressedSize(data.data() + done, data.size() - done);
      if (ZSTD_isError(n)) break;
      done += n;
    }
    return done;
  }
  // gzip: inflate member by member; a member counts once its end was reached.
  char buf[16384];
  while (done < data.size()) {
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 16) != Z_OK) break;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + done));
    zs.avail_in = static_cast<uInt>(data.size() - done);
    int rc;
    do {
      zs.next_out = reinterpret_cast<Bytef*>(buf);
      zs.avail_out = sizeof buf;
      rc = inflate(&zs, Z_NO_FLUSH);
    } while (rc == Z_OK);
    size_t used = zs.total_in;
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) break;
    done += used;
  }
  return done;
}

Status Decompress(Compression c, std::string_view in, std::string& out, size_t max_out) {
  switch (c) {
    case Compression::kGzip:
      return GzipDecompress(in, out, max_out);
    case Compression::kZstd:
      return ZstdDecompress(in, out, max_out);
    default:
      if (in.size() > max_out)
        return TooLarge("body is over the limit of " + std::to_string(max_out) + " bytes");
      out.append(in);
      return Status::Ok();
  }
}

}  // namespace tributary
