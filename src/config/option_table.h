#pragma once
// OptionTable<T>: the single description of a component's options. It drives parsing from
// TOML, defaults (the member initialisers of T), environment overrides
// (TRIBUTARY_<PATH>), ${VAR} expansion, validation with file:line errors, and the config
// reference in the README (`tributary config-reference`).

#include <toml++/toml.h>

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace tributary {

// A config error; what() is "FILE:LINE:COL: message".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where a table being parsed came from.
struct ConfigContext {
  std::string file;  // for messages
  std::string path;  // dotted path of the table, e.g. "sinks.archive.batch"
  bool use_env = true;

  ConfigContext Child(std::string_view key) const {
    return {file, path.empty() ? std::string(key) : path + "." + std::string(key), use_env};
  }
  [[noreturn]] void Fail(const toml::node* at, const std::string& message) const;
  [[noreturn]] void Fail(const toml::source_region& at, const std::string& message) const;
  std::string EnvName(std::string_view key) const;  // TRIBUTARY_SINKS_ARCHIVE_BATCH_MAX_EVENTS
};

// Value parsers shared by all tables; they throw ConfigError through `ctx`.
std::string ExpandEnv(std::string_view value, const ConfigContext& ctx, const toml::node* at);
uint64_t ParseSizeText(std::string_view text, const ConfigContext& ctx, const toml::node* at);
std::chrono::milliseconds ParseDurationText(std::string_view text, const ConfigContext& ctx,
                                            const toml::node* at);
std::string ClosestName(std::string_view name, const std::vector<std::string>& candidates);

// One option, type-erased.
template <typename T>
struct Option {
  std::string name;
  std::string type;  // for docs: string, integer, size, duration, bool, list, table, one of ...
  std::string doc;
  // Parses `node` (or `env`, when the environment overrides it) into `out`.
  std::function<void(T& out, const toml::node* node, const std::string* env,
                     const ConfigContext& ctx)>
      parse;
  std::function<std::string(const T&)> show_default;
  std::function<void(std::string& md, const std::string& path)> document_children;  // tables
};

template <typename T>
class OptionTable {
 public:
  OptionTable& String(std::string name, std::string T::*field, std::string doc,
                      std::vector<std::string> choices = {});
  OptionTable& Integer(std::string name, uint64_t T::*field, uint64_t min, uint64_t max,
                       std::string doc);
  OptionTable& Size(std::string name, uint64_t T::*field, std::string doc);
  OptionTable& Duration(std::string name, std::chrono::milliseconds T::*field, std::string doc);
  OptionTable& Bool(std::string name, bool T::*field, std::string doc);
  OptionTable& StringList(std::string name, std::vector<std::string> T::*field, std::string doc);
  OptionTable& StringMap(std::string name,
                         std::vector<std::pair<std::string, std::string>> T::*field,
                         std::string doc);
  template <typename U>
  OptionTable& Table(std::string name, U T::*field, const OptionTable<U>& table, std::string doc);
  // An option parsed by custom code (still listed, documented and checked for unknown keys).
  OptionTable& Custom(Option<T> option) {
    options_.push_back(std::move(option));
    return *this;
  }

  // Parses `table` into `out`. Keys in `also_known` belong to another table over the same
  // TOML table (a sink's common and type-specific options) and are not errors here.
  void Parse(const toml::table* table, T& out, const ConfigContext& ctx,
             const std::set<std::string>& also_known = {}) const;
  std::vector<std::string> Names() const;
  // Appends a Markdown table of the options under `path`.
  void Document(std::string& md, const std::string& path) const;

 private:
  std::vector<Option<T>> options_;
};

}  // namespace tributary

#include "config/option_table_impl.h"
