// io/publish_together.cpp — two agreements around the renames.
#include "io/publish_together.hpp"

namespace rs {

Status PublishTogether(Comm& comm, const Status& completed, const std::vector<Publishable*>& outputs) {
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, completed));
  Status mine;
  size_t published = 0;
  for (Publishable* p : outputs) {
    mine = p->Publish();  // a failed Publish undoes itself
    if (!mine.ok()) break;
    ++published;
  }
  Status all = AgreeOnStatus(comm, mine);
  for (size_t i = 0; i < published; ++i) {
    if (all.ok())
      outputs[i]->Settle();
    else
      outputs[i]->Unpublish();  // some rank failed: all or none
  }
  return all;
}

}  // namespace rs
