#include "buffer/disk/log_writer.h"

#include "buffer/disk/crc32c.h"

namespace tributary::log {

void Framed::Clear() {
  headers_.clear();
  iov_.clear();
  size_ = 0;
}

void Framed::Add(const char* data, size_t n) {
  iov_.push_back({const_cast<char*>(data), n});
  size_ += n;
}

void Writer::AddRecord(std::string_view payload, Framed& out) {
  static constexpr char kZeros[kHeaderSize] = {};
  const char* ptr = payload.data();
  size_t left = payload.size();
  bool begin = true;
  do {
    size_t leftover = kBlockSize - block_offset_;
    if (leftover < kHeaderSize) {
      out.Add(kZeros, leftover);  // too small for a header: pad and start a new block
      block_offset_ = 0;
    }
    size_t avail = kBlockSize - block_offset_ - kHeaderSize;
    size_t fragment = left < avail ? left : avail;
    bool end = left == fragment;
    RecordType type = begin && end ? kFullType : begin ? kFirstType : end ? kLastType : kMiddleType;
    char* header = out.headers_.emplace_back().data();
    header[4] = static_cast<char>(fragment & 0xff);
    header[5] = static_cast<char>(fragment >> 8);
    header[6] = static_cast<char>(type);
    uint32_t crc = crc32c::Extend(crc32c::Value(&header[6], 1), ptr, fragment);
    crc = crc32c::Mask(crc);
    for (int i = 0; i < 4; ++i) header[i] = static_cast<char>(crc >> (8 * i));
    out.Add(header, kHeaderSize);
    out.Add(ptr, fragment);
    block_offset_ += kHeaderSize + fragment;
    ptr += fragment;
    left -= fragment;
    begin = false;
  } while (left > 0);
}

}  // namespace tributary::log
