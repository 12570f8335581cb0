// gen/gen_spec.hpp — what `riversort gen` makes: gensort 1.5's records (binary or ASCII, skewed
// or not), byte for byte, or random records of any shape with skew and repeated keys
// (gen/shaped_generator.hpp). One place decides which generator a dataset comes from.
#pragma once

#include <sstream>
#include <string>

#include "core/checksum.hpp"
#include "core/record_shape.hpp"
#include "core/status.hpp"
#include "gen/record_generator.hpp"
#include "gen/shaped_generator.hpp"

namespace rs::gen {

struct GenSpec {
  GenMode mode;           // --ascii (gensort's records only), --skew
  RecordShape shape;      // --record-size, --key-size, --key-offset
  double duplicates = 0;  // --duplicates F

  // gensort's own generator: its shape and no repeated keys asked for.
  bool Gensort() const { return shape.IsGensort() && duplicates == 0; }
  // The manifest's name for the generator: "gensort" or "riversort-random/1".
  std::string GeneratorName() const { return Gensort() ? "gensort" : "riversort-random/1"; }

  Status Check() const {
    RS_RETURN_IF_ERROR(shape.Check());
    if (!(duplicates >= 0 && duplicates <= 1)) {
      return Status::Error(StatusCode::kInvalidInput, "--duplicates " + (std::ostringstream() << duplicates).str() +
                                                          ": allowed 0 .. 1 (a fraction of the records)");
    }
    if (mode.ascii && !Gensort()) {
      return Status::Error(StatusCode::kInvalidInput,
                           "--ascii: gensort's ASCII records are 100/10/0 without --duplicates (this is " +
                               shape.ToString() + (duplicates > 0 ? " with --duplicates" : "") + ")");
    }
    return Status::Ok();
  }

  // Records first .. first+count-1 into out[0 .. R*count); the sum of their CRC-32s.
  Checksum128 Generate(u128 first, uint64_t count, uint8_t* out) const {
    if (Gensort()) return GenerateRecords(mode, first, count, out);
    return GenerateShapedRecords({shape, mode.skew, duplicates}, first, count, out);
  }
};

}  // namespace rs::gen
