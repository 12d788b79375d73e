#pragma once
// Template definitions for option_table.h.

#include <fmt/format.h>

namespace tributary {
namespace config_detail {

inline std::string ShowDuration(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms == 0) return "0s";
  if (ms % 3'600'000 == 0) return fmt::format("{}h", ms / 3'600'000);
  if (ms % 60'000 == 0) return fmt::format("{}m", ms / 60'000);
  if (ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
  return fmt::format("{}ms", ms);
}

inline std::string ShowSize(uint64_t b) {
  if (b != 0 && b % (1ull << 30) == 0) return fmt::format("{}GiB", b >> 30);
  if (b != 0 && b % (1ull << 20) == 0) return fmt::format("{}MiB", b >> 20);
  if (b != 0 && b % (1ull << 10) == 0) return fmt::format("{}KiB", b >> 10);
  return fmt::format("{}", b);
}

// Reads a string from a node or the environment, expanding ${VAR}.
inline std::string ReadString(const toml::node* node, const std::string* env,
                              const ConfigContext& ctx, const std::string& name) {
  if (env) return *env;
  if (!node->is_string()) ctx.Fail(node, "`" + name + "` must be a string");
  return ExpandEnv(node->as_string()->get(), ctx, node);
}

inline std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    std::string item = s.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

}  // namespace config_detail

template <typename T>
OptionTable<T>& OptionTable<T>::String(std::string name, std::string T::*field, std::string doc,
                                       std::vector<std::string> choices) {
  std::string type = "string";
  if (!choices.empty()) {
    type = "one of";
    for (auto& c : choices) type += " `" + c + "`";
  }
  options_.push_back(Option<T>{
      name, type, std::move(doc),
      [name, field, choices](T& out, const toml::node* node, const std::string* env,
                             const ConfigContext& ctx) {
        std::string v = config_detail::ReadString(node, env, ctx, name);
        if (!choices.empty() && std::find(choices.begin(), choices.end(), v) == choices.end()) {
          std::string list;
          for (auto& c : choices) list += (list.empty() ? "" : ", ") + c;
          ctx.Fail(node, fmt::format("`{}` is \"{}\"; expected one of: {}", name, v, list));
        }
        out.*field = std::move(v);
      },
      [field](const T& d) { return "\"" + d.*field + "\""; }, nullptr});
  return *this;
}

template <typename T>
OptionTable<T>& OptionTable<T>::Integer(std::string name, uint64_t T::*field, uint64_t min,
                                        uint64_t max, std::string doc) {
  options_.push_back(Option<T>{
      name, fmt::format("integer ({}–{})", min, max), std::move(doc),
      [name, field, min, max](T& out, const toml::node* node, const std::string* env,
                              const ConfigContext& ctx) {
        int64_t v = 0;
        if (env) {
          try {
            size_t used = 0;
            v = std::stoll(*env, &used);
            if (used != env->size()) throw std::invalid_argument("trailing");
          } catch (const std::exception&) {
            ctx.Fail(node, fmt::format("`{}` from {} must be an integer", name, ctx.EnvName(name)));
          }
        } else if (auto i = node->value<int64_t>(); i && node->is_integer()) {
          v = *i;
        } else {
          ctx.Fail(node, fmt::format("`{}` must be an integer", name));
        }
        if (v < 0 || static_cast<uint64_t>(v) < min || static_cast<uint64_t>(v) > max) {
          ctx.Fail(node,
                   fmt::format("`{}` is {}; it must be between {} and {}", name, v, min, max));
        }
        out.*field = static_cast<uint64_t>(v);
      },
      [field](const T& d) { return fmt::format("{}", d.*field); }, nullptr});
  return *this;
}

template <typename T>
OptionTable<T>& OptionTable<T>::Size(std::string name, uint64_t T::*field, std::string doc) {
  options_.push_back(Option<T>{
      name, "size", std::move(doc),
      [name, field](T& out, const toml::node* node, const std::string* env,
                    const ConfigContext& ctx) {
        if (!env && node->is_integer()) {
          int64_t v = node->as_integer()->get();
          if (v < 0) ctx.Fail(node, fmt::format("`{}` must not be negative", name));
          out.*field = static_cast<uint64_t>(v);
          return;
        }
        out.*field = ParseSizeText(config_detail::ReadString(node, env, ctx, name), ctx, node);
      },
      [field](const T& d) { return "\"" + config_detail::ShowSize(d.*field) + "\""; }, nullptr});
  return *this;
}

template <typename T>
OptionTable<T>& OptionTable<T>::Duration(std::string name, std::chrono::milliseconds T::*field,
                                         std::string doc) {
  options_.push_back(Option<T>{
      name, "duration", std::move(doc),
      [name, field](T& out, const toml::node* node, const std::string* env,
                    const ConfigContext& ctx) {
        if (!env && node->is_integer()) {
          out.*field = std::chrono::seconds(node->as_integer()->get());
          return;
        }
        out.*field = ParseDurationText(config_detail::ReadString(node, env, ctx, name), ctx, node);
      },
      [field](const T& d) { return "\"" + config_detail::ShowDuration(d.*field) + "\""; },
      nullptr});
  return *this;
}

template <typename T>
OptionTable<T>& OptionTable<T>::Bool(std::string name, bool T::*field, std::string doc) {
  options_.push_back(Option<T>{
      name, "bool", std::move(doc),
      [name, field](T& out, const toml::node* node, const std::string* env,
                    const ConfigContext& ctx) {
        if (env) {
          if (*env == "true" || *env == "1")
            out.*field = true;
          else if (*env == "false" || *env == "0")
            out.*field = false;
          else
            ctx.Fail(node, fmt::format("{} must be true or false", ctx.EnvName(name)));
          return;
        }
        if (!node->is_boolean()) ctx.Fail(node, fmt::format("`{}` must be true or false", name));
        out.*field = node->as_boolean()->get();
      },
      [field](const T& d) { return d.*field ? std::string("true") : std::string("false"); },
      nullptr});
  return *this;
}

template <typename T>
OptionTable<T>& OptionTable<T>::StringList(std::string name, std::vector<std::string> T::*field,
                                           std::string doc) {
  options_.push_back(
      Option<T>{name, "list of strings", std::move(doc),
                [name, field](T& out, const toml::node* node, const std::string* env,
                              const ConfigContext& ctx) {
                  std::vector<std::string> v;
                  if (env) {
                    v = config_detail::SplitComma(*env);
                  } else if (const toml::array* arr = node->as_array()) {
                    for (const toml::node& el : *arr) {
                      if (!el.is_string())
                        ctx.Fail(&el, fmt::format("`{}` must be a list of strings", name));
                      v.push_back(ExpandEnv(el.as_string()->get(), ctx, &el));
                    }
                  } else if (node->is_string()) {
                    v = config_detail::SplitComma(ExpandEnv(node->as_string()->get(), ctx, node));
                  } else {
                    ctx.Fail(node, fmt::format("`{}` must be a list of strings", name));
                  }
                  out.*field = std::move(v);
                },
                [field](const T& d) {
                  std::string s = "[";
                  for (const auto& x : d.*field) s += (s.size() > 1 ? ", \"" : "\"") + x + "\"";
                  return s + "]";
                },
                nullptr});
  return *this;
}

template <typename T>
OptionTable<T>& OptionTable<T>::StringMap(
    std::string name, std::vector<std::pair<std::string, std::string>> T::*field, std::string doc) {
  options_.push_back(Option<T>{
      name, "table of strings", std::move(doc),
      [name, field](T& out, const toml::node* node, const std::string* env,
                    const ConfigContext& ctx) {
        if (env) ctx.Fail(node, fmt::format("`{}` cannot be set from the environment", name));
        const toml::table* t = node->as_table();
        if (!t)
          ctx.Fail(node, fmt::format("`{}` must be a table of strings, e.g. {{ key = \"value\" }}",
                                     name));
        std::vector<std::pair<std::string, std::string>> v;
        for (auto&& [k, val] : *t) {
          if (!val.is_string())
            ctx.Fail(&val, fmt::format("`{}.{}` must be a string", name, k.str()));
          v.emplace_back(std::string(k.str()), ExpandEnv(val.as_string()->get(), ctx, &val));
        }
        out.*field = std::move(v);
      },
      [](const T&) { return std::string("{}"); }, nullptr});
  return *this;
}

template <typename T>
template <typename U>
OptionTable<T>& OptionTable<T>::Table(std::string name, U T::*field, const OptionTable<U>& table,
                                      std::string doc) {
  options_.push_back(Option<T>{name, "table", std::move(doc),
                               [name, field, &table](T& out, const toml::node* node,
                                                     const std::string*, const ConfigContext& ctx) {
                                 const toml::table* t = node ? node->as_table() : nullptr;
                                 if (node && !t)
                                   ctx.Fail(node, fmt::format("`{}` must be a table", name));
                                 table.Parse(t, out.*field, ctx.Child(name));
                               },
                               [](const T&) { return std::string(); },
                               [name, &table](std::string& md, const std::string& path) {
                                 table.Document(md, path.empty() ? name : path + "." + name);
                               }});
  return *this;
}

template <typename T>
std::vector<std::string> OptionTable<T>::Names() const {
  std::vector<std::string> names;
  for (const auto& o : options_) names.push_back(o.name);
  return names;
}

template <typename T>
void OptionTable<T>::Parse(const toml::table* table, T& out, const ConfigContext& ctx,
                           const std::set<std::string>& also_known) const {
  if (table) {
    for (auto&& [key, value] : *table) {
      std::string k(key.str());
      bool known = also_known.count(k) > 0;
      for (const auto& o : options_) known |= (o.name == k);
      if (!known) {
        std::vector<std::string> names = Names();
        names.insert(names.end(), also_known.begin(), also_known.end());
        std::string hint = ClosestName(k, names);
        ctx.Fail(key.source(), fmt::format("unknown key `{}` in [{}]{}", k, ctx.path,
                                           hint.empty() ? "" : "; did you mean `" + hint + "`?"));
      }
    }
  }
  for (const auto& o : options_) {
    const toml::node* node = table ? table->get(o.name) : nullptr;
    std::string env_value;
    const std::string* env = nullptr;
    if (ctx.use_env && !o.document_children) {
      if (const char* e = std::getenv(ctx.EnvName(o.name).c_str())) {
        env_value = e;
        env = &env_value;
      }
    }
    if (o.document_children) {
      o.parse(out, node, nullptr, ctx);  // sub-tables parse (and read env) even when absent
    } else if (node || env) {
      o.parse(out, node ? node : table, env, ctx);
    }
  }
}

template <typename T>
void OptionTable<T>::Document(std::string& md, const std::string& path) const {
  T defaults{};
  md += fmt::format("\n`[{}]`\n\n| key | type | default | meaning |\n|---|---|---|---|\n", path);
  std::vector<const Option<T>*> tables;
  for (const auto& o : options_) {
    if (o.document_children) {
      tables.push_back(&o);
      continue;
    }
    md +=
        fmt::format("| `{}` | {} | `{}` | {} |\n", o.name, o.type, o.show_default(defaults), o.doc);
  }
  for (const Option<T>* o : tables) {
    md += fmt::format("\n{}\n", o->doc);
    o->document_children(md, path);
  }
}

}  // namespace tributary
