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
  json j = {{"format", shape.IsGensort() ? kFormat : kFormatShaped},
            {"record_size", shape.size},
            {"key_size", shape.key_size},
            {"key_offset", shape.key_offset},
            {"generator", generator},
            {"duplicates", duplicates},
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

Status Manifest::CheckShape(const std::string& path, const RecordShape& flags) const {
  if (shape == flags) return Status::Ok();
  return Status::Error(StatusCode::kInvalidInput, path,
                       "the manifest's records are " + shape.ToString() + " (R/K/O), the flags say " +
                           flags.ToString() + " (give " + shape.Flags() + ")");
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
  const std::string format = j.value("format", "");
  if (format != kFormat && format != kFormatShaped) {
    return bad("format is not " + std::string(kFormat) + " or " + kFormatShaped);
  }
  try {
    Manifest m;
    // Read wide, so a value past 32 bits is refused instead of wrapping into range; an absent key
    // size is what the flags default to (10 bytes where they fit).
    const uint64_t size = j.value("record_size", uint64_t(kRecordSize));
    const uint64_t offset = j.value("key_offset", uint64_t(0));
    const uint64_t key = j.value("key_size", size > offset ? std::min<uint64_t>(kKeySize, size - offset) : 0);
    if (size > RecordShape::kMaxSize || key > RecordShape::kMaxSize || offset > RecordShape::kMaxSize) {
      return bad("record shape " + std::to_string(size) + "/" + std::to_string(key) + "/" + std::to_string(offset) +
                 " out of range");
    }
    m.shape = {uint32_t(size), uint32_t(key), uint32_t(offset)};
    if (Status st = m.shape.Check(); !st.ok()) return bad("record shape " + m.shape.ToString() + ": " + st.message());
    if (format == kFormat && !m.shape.IsGensort())
      return bad(std::string(kFormat) + " with a shape other than 100/10/0");
    m.generator = j.value("generator", std::string("gensort"));
    m.duplicates = j.value("duplicates", 0.0);
    if (!(m.duplicates >= 0 && m.duplicates <= 1)) return bad("duplicates is not a fraction 0 .. 1");
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
