// sort/resume/work_journal.cpp — kept units, their journal lines and their checks.
#include "sort/resume/work_journal.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "core/record.hpp"
#include "core/uint128.hpp"
#include "core/units.hpp"
#include "io/striped_file.hpp"

namespace rs::sort {
namespace {

std::string Hex32(uint32_t v) {
  char b[9];
  std::snprintf(b, sizeof b, "%08x", v);
  return b;
}

uint64_t U64(const std::string& s) { return s.empty() ? 0 : std::strtoull(s.c_str(), nullptr, 10); }
uint32_t U32Hex(const std::string& s) { return uint32_t(std::strtoul(s.c_str(), nullptr, 16)); }

std::string JoinU64(const std::vector<uint64_t>& v) {
  std::string out;
  for (uint64_t x : v) {
    if (!out.empty()) out += ',';
    out += std::to_string(x);
  }
  return out.empty() ? "-" : out;
}

std::vector<uint64_t> SplitU64(const std::string& s) {
  std::vector<uint64_t> out;
  if (s == "-" || s.empty()) return out;
  size_t at = 0;
  while (at <= s.size()) {
    size_t c = s.find(',', at);
    if (c == std::string::npos) c = s.size();
    out.push_back(U64(s.substr(at, c - at)));
    at = c + 1;
  }
  return out;
}

// A SplitKey as 2K + 24 hex digits (44 for gensort's keys): key (K bytes), origin rank (4),
// position (8), big-endian.
std::string EncodeKeys(const std::vector<partition::SplitKey>& keys) {
  std::string out;
  char b[3];
  for (const auto& k : keys) {
    for (size_t i = 0; i < k.key.size(); ++i) {
      std::snprintf(b, sizeof b, "%02x", k.key.data()[i]);
      out += b;
    }
    for (int i = 3; i >= 0; --i) {
      std::snprintf(b, sizeof b, "%02x", unsigned(k.rank >> (8 * i)) & 0xff);
      out += b;
    }
    for (int i = 7; i >= 0; --i) {
      std::snprintf(b, sizeof b, "%02x", unsigned(k.position >> (8 * i)) & 0xff);
      out += b;
    }
  }
  return out.empty() ? "-" : out;
}

std::optional<std::vector<partition::SplitKey>> DecodeKeys(const std::string& s, size_t n, size_t key_size) {
  std::vector<partition::SplitKey> keys;
  if (s == "-") return n == 0 ? std::optional(keys) : std::nullopt;
  const size_t digits = 2 * key_size + 24;
  if (n == 0 || s.size() / n != digits || s.size() % n != 0) return std::nullopt;
  auto byte = [&](size_t at) { return uint8_t(std::strtoul(s.substr(at, 2).c_str(), nullptr, 16)); };
  std::vector<uint8_t> key(key_size);
  for (size_t i = 0; i < n; ++i) {
    partition::SplitKey k;
    size_t at = i * digits;
    for (auto& c : key) {
      c = byte(at);
      at += 2;
    }
    k.key = partition::Key(key.data(), key_size);
    for (int j = 0; j < 4; ++j, at += 2) k.rank = k.rank << 8 | byte(at);
    for (int j = 0; j < 8; ++j, at += 2) k.position = k.position << 8 | byte(at);
    keys.push_back(k);
  }
  return keys;
}

std::string JournalPath(const TempFiles& temp, const std::string& token, int rank) {
  return temp.dirs().front() + "/riversort-" + token + "-r" + std::to_string(rank) + "-journal.run";
}

}  // namespace

uint64_t TempNameNumber(const std::string& name) {
  const size_t dot = name.rfind(".run");
  const size_t dash = name.rfind('-', dot);
  if (dot == std::string::npos || dash == std::string::npos) return 0;
  return U64(name.substr(dash + 1, dot - dash - 1));
}

Result<std::unique_ptr<WorkJournal>> WorkJournal::Begin(TempFiles* temp, const JobIdentity& id, const Header& header,
                                                        bool resume, std::vector<std::string>* notices) {
  std::unique_ptr<WorkJournal> w(new WorkJournal(temp, header));
  const std::string path = JournalPath(*temp, id.token, header.rank);
  const std::string first = "job id=" + id.job + " token=" + id.token + " algo=" + header.algo +
                            " ranks=" + std::to_string(header.ranks) + " rank=" + std::to_string(header.rank) +
                            " input=" + id.input + " splitters=" + header.splitters +
                            // Version 2 for other shapes than gensort's: a binary that knows only
                            // 100-byte records takes the journal for another job's.
                            (header.shape.IsGensort() ? " version=1" : " version=2 shape=" + header.shape.ToString());
  struct stat st;
  const bool exists = ::lstat(path.c_str(), &st) == 0;
  // A run (or work file) that was being written when an earlier run of the job died: never kept.
  auto dead = temp->RemoveDeadWrites();
  if (!dead.ok()) return dead.status();
  if (*dead > 0) notices->push_back("removed " + MibText(*dead) + " half-written by an earlier run of this job");
  if (resume && exists) {
    std::vector<std::string> lines;
    auto journal = Journal::Open(path, &lines);
    if (!journal.ok()) return journal.status();
    w->journal_ = std::move(*journal);
    RS_RETURN_IF_ERROR(w->Replay(lines, id, notices));
    w->resumed_ = true;
    uint64_t next = 0;
    for (const auto& [name, run] : w->runs_) next = std::max(next, TempNameNumber(name) + 1);
    if (w->work_) next = std::max({next, TempNameNumber(w->work_->name) + 1, TempNameNumber(w->work_->index_name) + 1});
    temp->ReserveNames(next);
    return w;
  }
  if (resume) {
    notices->push_back("--resume: no kept work of this job here (no " + path +
                       "): this rank starts from the beginning");
  }
  auto freed = temp->RemoveEarlierRuns();
  if (!freed.ok()) return freed.status();
  if (*freed > 0) {
    notices->push_back("removed " + MibText(*freed) +
                       " kept by an earlier run of this job (--resume would have reused it)");
  }
  auto journal = Journal::Create(path, first);
  if (!journal.ok()) return journal.status();
  w->journal_ = std::move(*journal);
  w->created_ = true;
  return w;
}

Status WorkJournal::Replay(const std::vector<std::string>& lines, const JobIdentity& id,
                           std::vector<std::string>* notices) {
  const std::string where = journal_->path() + ": --resume: ";
  if (lines.empty()) return Status::Error(where + "the journal is empty or damaged; run without --resume");
  const JournalLine head = JournalLine::Parse(lines.front());
  const std::string version = head.Get("version");
  if (head.kind != "job" || (version != "1" && version != "2") || head.Get("id") != id.job ||
      head.Get("token") != id.token || head.Get("rank") != std::to_string(header_.rank)) {
    return Status::Error(where + "this journal belongs to another job (job " + head.Get("id") + ", not " + id.job +
                         "); remove it or run without --resume");
  }
  // Version 1 is gensort's records; version 2 names its shape.
  const std::string shape = version == "1" ? RecordShape{}.ToString() : head.Get("shape");
  if (shape != header_.shape.ToString()) {
    return Status::Error(where + "the kept work was made of records of shape " + shape +
                         " (size/key size/key offset), not " + header_.shape.ToString() +
                         ": run with the same --record-size, --key-size and --key-offset, " + "or without --resume");
  }
  if (head.Get("splitters") != header_.splitters) {
    return Status::Error(where + "the kept work was made with --splitters " + head.Get("splitters") + ", not " +
                         header_.splitters + ": run with --splitters " + head.Get("splitters") +
                         ", or without --resume");
  }
  if (head.Get("algo") != header_.algo) {
    return Status::Error(where + "the kept work was made by --algo " + head.Get("algo") + ", not " + header_.algo +
                         ": run with --algo " + head.Get("algo") + ", or without --resume");
  }
  if (head.Get("ranks") != std::to_string(header_.ranks)) {
    return Status::Error(where + "the kept work was made by " + head.Get("ranks") + " ranks, not " +
                         std::to_string(header_.ranks) + ": run with as many, or without --resume");
  }
  if (head.Get("input") != id.input) {
    return Status::Error(where +
                         "the input changed since the kept work was made (this rank's partition differs in "
                         "size, modification time or file): run without --resume");
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    const JournalLine l = JournalLine::Parse(lines[i]);
    if (l.kind == "splitters") {
      splitters_ = DecodeKeys(l.Get("keys"), U64(l.Get("n")), header_.shape.key_size);
    } else if (l.kind == "run") {
      KeptRun r;
      r.name = l.Get("name");
      r.records = U64(l.Get("records"));
      r.crc = U32Hex(l.Get("crc"));
      r.level = int(U64(l.Get("level")));
      auto cover = Coverage::Decode(l.Get("cover"));
      if (!cover.ok()) return cover.status().WithContext(where + "line " + std::to_string(i + 1));
      r.cover = std::move(*cover);
      // A merged run forgets its inputs in the same line: both kept would count records twice.
      const std::string replaced = l.Get("replaces");
      for (size_t at = 0; at < replaced.size();) {
        size_t comma = replaced.find(',', at);
        if (comma == std::string::npos) comma = replaced.size();
        const std::string input = replaced.substr(at, comma - at);
        runs_.erase(input);
        RemoveFiles(input);  // a kill between the line and the removal left them
        at = comma + 1;
      }
      runs_[r.name] = std::move(r);
    } else if (l.kind == "drop") {
      runs_.erase(l.Get("name"));
      if (l.Get("damaged") == "1") formed_ = false;
    } else if (l.kind == "formed") {
      formed_ = true;
      auto sum = ParseHexU128(l.Get("sum"));
      formed_sum_ = Checksum128(sum.value_or(0));
    } else if (l.kind == "read") {
      ReadCheckpoint cp;
      cp.position = U64(l.Get("pos"));
      cp.sum = Checksum128(ParseHexU128(l.Get("sum")).value_or(0));
      cp.counts = SplitU64(l.Get("counts"));
      checkpoints_.push_back(std::move(cp));
    } else if (l.kind == "work") {
      KeptWork k;
      k.name = l.Get("name");
      k.records = U64(l.Get("records"));
      k.crc = U32Hex(l.Get("crc"));
      k.index_name = l.Get("index");
      k.index_keys = U64(l.Get("keys"));
      k.index_crc = U32Hex(l.Get("index_crc"));
      work_ = std::move(k);
    } else if (l.kind == "selection") {
      partition::Selection s;
      s.rounds = int(U64(l.Get("rounds")));
      s.total = U64(l.Get("total"));
      s.row = SplitU64(l.Get("row"));
      const auto col = SplitU64(l.Get("column"));
      for (size_t k = 0; k + 1 < col.size(); k += 2) s.column.emplace_back(col[k], col[k + 1]);
      selection_ = std::move(s);
    } else if (l.kind == "reset") {
      ForgetLocked();  // no other thread yet
    }
  }
  // The files must be there, whole; a damaged one is redone (and what depends on it).
  for (auto it = runs_.begin(); it != runs_.end();) {
    if (Intact(it->first, it->second.records * header_.shape.size)) {
      temp_->Keep(temp_->MembersOf(it->first));
      ++it;
      continue;
    }
    notices->push_back("kept run " + it->first + " is missing or truncated: its records are sorted again");
    RS_RETURN_IF_ERROR(journal_->Append("drop name=" + it->first + " damaged=1", true));
    RemoveFiles(it->first);
    it = runs_.erase(it);
    formed_ = false;
    work_.reset();
    selection_.reset();
  }
  if (work_) {
    if (Intact(work_->name, work_->records * header_.shape.size) &&
        IntactPlain(temp_->MembersOf(work_->index_name).front(), work_->index_keys * header_.shape.key_size)) {
      temp_->Keep(temp_->MembersOf(work_->name));
      temp_->Keep(temp_->MembersOf(work_->index_name));
    } else {
      notices->push_back("kept work file " + work_->name + " is missing or truncated: it is made again");
      RemoveFiles(work_->name);
      RemoveFiles(work_->index_name);
      work_.reset();
      selection_.reset();
      if (runs_.empty()) formed_ = false;  // the runs went into the work file
    }
  }
  // Checkpoints past what the kept runs cover are still right (they say what was routed), so
  // they stay.
  return Status::Ok();
}

bool WorkJournal::Intact(const std::string& name, uint64_t bytes) const {
  const auto members = temp_->MembersOf(name);
  for (size_t k = 0; k < members.size(); ++k) {
    struct stat st;
    if (::lstat(members[k].c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    const uint64_t want =
        members.size() == 1 ? bytes : StripedFile::MemberSize(bytes, header_.stripe_unit, int(members.size()), int(k));
    if (uint64_t(st.st_size) != want) return false;
  }
  return true;
}

bool WorkJournal::IntactPlain(const std::string& path, uint64_t bytes) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && uint64_t(st.st_size) == bytes;
}

void WorkJournal::RemoveFiles(const std::string& name) { temp_->Remove(temp_->MembersOf(name)); }

Coverage WorkJournal::Covered() const {
  std::lock_guard lock(mu_);
  Coverage c;
  for (const auto& [name, r] : runs_) c.Add(r.cover);
  return c;
}

uint64_t WorkJournal::kept_bytes() const {
  std::lock_guard lock(mu_);
  uint64_t b = 0;
  const uint64_t size = header_.shape.size;
  for (const auto& [name, r] : runs_) b += r.records * size;
  if (work_) b += work_->records * size + work_->index_keys * header_.shape.key_size;
  return b;
}

Status WorkJournal::RecordSplitters(const std::vector<partition::SplitKey>& boundaries) {
  std::lock_guard lock(mu_);
  splitters_ = boundaries;
  return journal_->Append("splitters n=" + std::to_string(boundaries.size()) + " keys=" + EncodeKeys(boundaries), true);
}

Status WorkJournal::RecordRun(const KeptRun& run, const std::vector<std::string>& replaces) {
  std::string names;
  for (const auto& r : replaces) names += (names.empty() ? "" : ",") + r;
  {
    std::lock_guard lock(mu_);
    RS_RETURN_IF_ERROR(journal_->Append(
        "run name=" + run.name + " records=" + std::to_string(run.records) + " crc=" + Hex32(run.crc) + " level=" +
            std::to_string(run.level) + " cover=" + run.cover.Encode() + (names.empty() ? "" : " replaces=" + names),
        true));
    temp_->Keep(temp_->MembersOf(run.name));
    runs_[run.name] = run;
    for (const auto& r : replaces) runs_.erase(r);
  }
  for (const auto& r : replaces) RemoveFiles(r);
  return Status::Ok();
}

Status WorkJournal::DropRun(const std::string& name, bool damaged) {
  {
    std::lock_guard lock(mu_);
    if (runs_.erase(name) == 0) return Status::Ok();
    if (damaged) formed_ = false;
    RS_RETURN_IF_ERROR(journal_->Append("drop name=" + name + (damaged ? " damaged=1" : ""), true));
  }
  RemoveFiles(name);
  return Status::Ok();
}

Status WorkJournal::RecordFormed(const Checksum128& read_sum) {
  std::lock_guard lock(mu_);
  formed_ = true;
  formed_sum_ = read_sum;
  return journal_->Append("formed sum=" + read_sum.ToString(), true);
}

Status WorkJournal::RecordCheckpoint(const ReadCheckpoint& cp) {
  std::lock_guard lock(mu_);
  checkpoints_.push_back(cp);
  return journal_->Append(
      "read pos=" + std::to_string(cp.position) + " sum=" + cp.sum.ToString() + " counts=" + JoinU64(cp.counts), false);
}

Status WorkJournal::RecordWork(const KeptWork& k) {
  std::lock_guard lock(mu_);
  RS_RETURN_IF_ERROR(journal_->Append("work name=" + k.name + " records=" + std::to_string(k.records) +
                                          " crc=" + Hex32(k.crc) + " index=" + k.index_name +
                                          " keys=" + std::to_string(k.index_keys) + " index_crc=" + Hex32(k.index_crc),
                                      true));
  temp_->Keep(temp_->MembersOf(k.name));
  temp_->Keep(temp_->MembersOf(k.index_name));
  work_ = k;
  return Status::Ok();
}

Status WorkJournal::RecordSelection(const partition::Selection& s) {
  std::lock_guard lock(mu_);
  std::vector<uint64_t> col;
  for (const auto& [a, b] : s.column) {
    col.push_back(a);
    col.push_back(b);
  }
  selection_ = s;
  return journal_->Append("selection rounds=" + std::to_string(s.rounds) + " total=" + std::to_string(s.total) +
                              " row=" + JoinU64(s.row) + " column=" + JoinU64(col),
                          true);
}

std::vector<std::string> WorkJournal::KeptNamesLocked() const {
  std::vector<std::string> names;
  for (const auto& [name, r] : runs_) names.push_back(name);
  if (work_) {
    names.push_back(work_->name);
    names.push_back(work_->index_name);
  }
  return names;
}

void WorkJournal::ForgetLocked() {
  splitters_.reset();
  runs_.clear();
  formed_ = false;
  checkpoints_.clear();
  work_.reset();
  selection_.reset();
}

Status WorkJournal::Reset() {
  std::vector<std::string> names;
  {
    std::lock_guard lock(mu_);
    names = KeptNamesLocked();
    ForgetLocked();
    RS_RETURN_IF_ERROR(journal_->Append("reset", true));
  }
  for (const auto& n : names) RemoveFiles(n);
  return Status::Ok();
}

WorkJournal::~WorkJournal() {
  // Splitters alone are not worth keeping: a sample finds them again in well under a second.
  // Only a journal this run created: one opened for --resume (even one refused) stays as it was.
  if (!finished_ && created_ && journal_ && runs_.empty() && !work_ && !selection_) journal_->Remove();
}

void WorkJournal::Finish() {
  finished_ = true;
  std::vector<std::string> names;
  {
    std::lock_guard lock(mu_);
    names = KeptNamesLocked();
  }
  // The journal first: a process stopped in the middle (the removal takes seconds here, beside
  // --validate) leaves runs that no journal names, which the next sort reports as leftovers and
  // `riversort clean` removes, rather than a journal that would make --resume merge again.
  journal_->Remove();
  for (const auto& n : names) RemoveFiles(n);
}

}  // namespace rs::sort
