// io/manifest.cpp — JSON form of the dataset manifest. 128-bit values are strings (decimal for
// record numbers, valsort hex for checksums) because JSON numbers stop at 2^53 in many readers.
#include "io/manifest.hpp"

#include <nlohmann/json.hpp>

#include "io/file.hpp"

namespace rs {

using nlohmann::json;

std::string Manifest::ToJson() const {
  json parts = json::array();
  for (const auto& p : partitions) {
    parts.push_back({{"rank", p.rank},
                     {"start", ToDecimal(p.start)},
                     {"records", p.records},
                     {"checksum", p.checksum.ToString()},
                     {"files", p.files}});
  }
  json j = {{"format", kFormat},
            {"record_size", 100},
            {"ascii", ascii},
            {"skew", skew},
            {"start", ToDecimal(start)},
            {"records", records},
            {"ranks", partitions.size()},
            {"stripe_unit", stripe_unit},
            {"checksum", checksum.ToString()},
            {"partitions", parts}};
  return j.dump(2) + "\n";
}

Status Manifest::Save(const std::string& path) const { return WriteFileAtomically(path, ToJson()); }

Result<Manifest> Manifest::Load(const std::string& path) {
  RS_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  return Parse(text, path);
}

Result<Manifest> Manifest::Parse(const std::string& text, const std::string& path) {
  auto bad = [&](const std::string& why) {
    return Status::Error(StatusCode::kInvalidInput, path, "not a riversort manifest: " + why);
  };
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return bad("invalid JSON");
  if (j.value("format", "") != std::string(kFormat)) return bad("format is not " + std::string(kFormat));
  try {
    Manifest m;
    m.ascii = j.at("ascii").get<bool>();
    m.skew = j.at("skew").get<bool>();
    auto start = ParseU128(j.at("start").get<std::string>());
    auto sum = ParseHexU128(j.at("checksum").get<std::string>());
    if (!start || !sum) return bad("bad start or checksum");
    m.start = *start;
    m.checksum = Checksum128(*sum);
    m.records = j.at("records").get<uint64_t>();
    m.stripe_unit = j.value("stripe_unit", uint64_t(0));
    for (const auto& pj : j.at("partitions")) {
      ManifestPartition p;
      p.rank = pj.at("rank").get<int>();
      auto ps = ParseU128(pj.at("start").get<std::string>());
      auto pc = ParseHexU128(pj.at("checksum").get<std::string>());
      if (!ps || !pc) return bad("bad partition start or checksum");
      p.start = *ps;
      p.checksum = Checksum128(*pc);
      p.records = pj.at("records").get<uint64_t>();
      p.files = pj.at("files").get<std::vector<std::string>>();
      m.partitions.push_back(std::move(p));
    }
    return m;
  } catch (const json::exception& e) {
    return bad(e.what());
  }
}

}  // namespace rs
