#pragma once
// A sink type: its name, its own options and how to build it. Each sink folder defines
// one; sinks/registry.cc lists them all.

#include <set>
#include <string>
#include <string_view>

#include "config/config.h"

namespace tributary {

// What a sink type can do beyond the basics, and its defaults.
struct SinkTraits {
  std::string_view encoding = "ndjson";
  std::string_view compression = "none";
  // Instances are independent, so `concurrency` > 1 may run several side by side.
  bool concurrent = false;
  // Each batch is a message of its own, with headers to carry attributes beside the body:
  // the single-event encodings (CloudEvents structured and binary mode) make sense.
  bool messages = false;
  // Each event is a record of its own, many to a batch (Kafka): encoded alone with a
  // single-event encoding, compressed by the sink's protocol rather than as one body.
  bool records = false;
  // Writes an uncompressed batch given as pieces (EncodedBatch::pieces) with one gather
  // write, which spares the batching thread a copy of every event.
  bool pieces = false;
};

class SinkType {
 public:
  virtual ~SinkType() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;
  virtual SinkTraits traits() const { return {}; }
  // Parses the type's own keys of a [sinks.NAME] table; keys in `common` belong to every
  // sink and are parsed elsewhere. Throws ConfigError.
  virtual SinkBuilder Parse(const toml::table& table, const ConfigContext& ctx,
                            const std::set<std::string>& common) const = 0;
  virtual void Document(std::string& md, const std::string& path) const = 0;
};

// A SinkType whose options are an OptionTable<Cfg>.
template <typename Cfg>
class TableSinkType : public SinkType {
 public:
  using Validate = void (*)(const Cfg&, const toml::table&, const ConfigContext&);
  using Build = Result<std::unique_ptr<Sink>> (*)(const Cfg&, const SinkBuildContext&);

  TableSinkType(std::string_view name, std::string_view description, const OptionTable<Cfg>& table,
                Validate validate, Build build, SinkTraits traits = {})
      : name_(name),
        description_(description),
        table_(table),
        validate_(validate),
        build_(build),
        traits_(traits) {}
  SinkTraits traits() const override { return traits_; }

  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }
  SinkBuilder Parse(const toml::table& table, const ConfigContext& ctx,
                    const std::set<std::string>& common) const override {
    Cfg cfg;
    table_.Parse(&table, cfg, ctx, common);
    if (validate_) validate_(cfg, table, ctx);
    Build build = build_;
    return [cfg, build](const SinkBuildContext& b) { return build(cfg, b); };
  }
  void Document(std::string& md, const std::string& path) const override {
    table_.Document(md, path);
  }

 private:
  std::string_view name_, description_;
  const OptionTable<Cfg>& table_;
  Validate validate_;
  Build build_;
  SinkTraits traits_;
};

// A SinkType with no options of its own, built by default-constructing S.
template <typename S>
class OptionlessSinkType final : public SinkType {
 public:
  OptionlessSinkType(std::string_view name, std::string_view description, SinkTraits traits = {})
      : name_(name), description_(description), traits_(traits) {}
  SinkTraits traits() const override { return traits_; }
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }
  SinkBuilder Parse(const toml::table&, const ConfigContext&,
                    const std::set<std::string>&) const override {
    return [](const SinkBuildContext&) -> Result<std::unique_ptr<Sink>> {
      return std::unique_ptr<Sink>(new S());
    };
  }
  void Document(std::string&, const std::string&) const override {}

 private:
  std::string_view name_, description_;
  SinkTraits traits_;
};

const std::vector<const SinkType*>& SinkTypes();
const SinkType* FindSinkType(std::string_view name);

}  // namespace tributary
