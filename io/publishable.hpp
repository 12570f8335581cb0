// io/publishable.hpp — something that appears under its final name in two steps, so that the
// outputs of all ranks appear together or not at all (io/publish_together.hpp): Publish puts it
// in place keeping what it replaced, then either Settle (every rank published: the replaced file
// goes) or Unpublish (some rank failed: the replaced file comes back).
#pragma once

#include "core/status.hpp"

namespace rs {

class Publishable {
 public:
  virtual ~Publishable() = default;
  virtual Status Publish() = 0;
  virtual void Settle() = 0;
  virtual void Unpublish() = 0;
};

}  // namespace rs
