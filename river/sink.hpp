// river/sink.hpp — River's consumer interface: takes whole buffers; errors are sticky and
// reported by Close(). A Sink is fed by one thread at a time.
#pragma once

#include "core/status.hpp"
#include "river/mem_pool.hpp"

namespace rs {

class Sink {
 public:
  virtual ~Sink() = default;
  // Takes the buffer (its size() bytes); may block for back-pressure. After an error the sink
  // drops what it is given and Close() reports the first error.
  virtual void Put(Buffer buffer) = 0;
  // Ends the stream: everything put is durable (for disk sinks) or delivered; the first error.
  virtual Status Close() = 0;
  // Ends the stream without publishing anything (the input failed): disk sinks remove their
  // temporary files, so nothing half-written appears under a final name.
  virtual void Abort() {}
};

}  // namespace rs
