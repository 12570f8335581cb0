// sort/resume/journal.hpp — a rank's journal of durable work: an append-only text file of lines,
// each ending in " #<crc32>" of the line, so that a line torn by a kill is recognized and the
// journal is read up to the last whole line. A line that records a durable unit is appended after
// the unit is fsynced, and is itself fdatasynced before the unit counts (Append(sync = true));
// read checkpoints (a hint where reading can resume) are appended without a sync: losing the last
// ones only makes a resumed run read a little more. Append is thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.hpp"
#include "core/unique_fd.hpp"

namespace rs::sort {

class Journal {
 public:
  // Creates `path` (O_EXCL | O_NOFOLLOW, mode 0600) and appends `first` (synced).
  static Result<std::unique_ptr<Journal>> Create(const std::string& path, const std::string& first);
  // Opens an existing journal of this user (a regular file, never through a link), returns its
  // whole lines in *lines and cuts a torn tail off, so appends continue after the last whole one.
  static Result<std::unique_ptr<Journal>> Open(const std::string& path, std::vector<std::string>* lines);
  Status Append(const std::string& line, bool sync);
  const std::string& path() const { return path_; }
  // Removes the file (the sort succeeded: nothing is left to resume).
  void Remove();

 private:
  Journal(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  std::string path_;
  UniqueFd fd_;
  std::mutex mu_;
};

// The words of a journal line: the kind first, then key=value fields.
struct JournalLine {
  std::string kind;
  std::vector<std::pair<std::string, std::string>> fields;
  // The value of `key`; empty when absent.
  std::string Get(const std::string& key) const;
  static JournalLine Parse(const std::string& line);
};

}  // namespace rs::sort
