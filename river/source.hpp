// river/source.hpp — River's producer interface: whole filled buffers, in stream order.
// One virtual call per buffer, never per record. A Source is read by one thread at a time.
#pragma once

#include <optional>

#include "core/status.hpp"
#include "river/mem_pool.hpp"

namespace rs {

class Source {
 public:
  virtual ~Source() = default;
  // The next filled buffer; nullopt at the end of the stream or after an error (status() says).
  virtual std::optional<Buffer> Get() = 0;
  virtual Status status() const = 0;
};

}  // namespace rs
