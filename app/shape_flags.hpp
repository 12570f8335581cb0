// app/shape_flags.hpp — --record-size, --key-size and --key-offset, shared by the commands that
// read or plan records, parsed into a RecordShape and checked in one place (docs/records.md).
#pragma once

#include <CLI/CLI.hpp>

#include "core/record_shape.hpp"

namespace rs::cli {

class ShapeFlags {
 public:
  explicit ShapeFlags(CLI::App* sub) {
    size_ = sub->add_option("--record-size", shape_.size, "Bytes per record (8 .. 65536; gensort: 100)")
                ->capture_default_str();
    key_ = sub->add_option("--key-size", shape_.key_size,
                           "Bytes of the key, compared as unsigned bytes (1 .. record size - key offset; default "
                           "10, or what fits the record)")
               ->capture_default_str();
    sub->add_option("--key-offset", shape_.key_offset, "Offset of the key in the record (0 .. record size - 1)")
        ->capture_default_str();
  }

  // The shape, or the one-line reason it is refused. A record size given without a key size keeps
  // gensort's 10-byte key where it fits and otherwise takes the rest of the record.
  Result<RecordShape> Shape() const {
    RecordShape s = shape_;
    if (size_->count() > 0 && key_->count() == 0 && s.key_offset < s.size) {
      s.key_size = std::min<uint32_t>(uint32_t(kKeySize), s.size - s.key_offset);
    }
    RS_RETURN_IF_ERROR(s.Check());
    return s;
  }

 private:
  RecordShape shape_;
  CLI::Option* size_ = nullptr;
  CLI::Option* key_ = nullptr;
};

}  // namespace rs::cli
