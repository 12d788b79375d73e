#pragma once
// Base64 (RFC 4648, standard alphabet, padded) for `data_base64`.

#include <string>
#include <string_view>

namespace tributary {

void Base64Encode(std::string_view in, std::string& out);
size_t Base64EncodedSize(size_t n);
void Base64EncodeTo(std::string_view in, char* out);  // writes Base64EncodedSize(in.size())

// True if `in` is valid padded base64; the decoded bytes are appended to `out` if given.
bool Base64Decode(std::string_view in, std::string* out);

}  // namespace tributary
