#pragma once

#include <string_view>

namespace tributary {

// Shell-style glob: '*' any run of characters (also '/' and '.'), '?' any one character.
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace tributary
