// core/signal_cleanup.cpp — a fixed table of paths, read by the signal handler without locks.
#include "core/signal_cleanup.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <vector>

#include "core/config.hpp"

namespace rs {
namespace {

// Enough for every temporary a sort keeps at once (runs at the largest fan-in, outputs, members
// of striped files); a path that finds no slot is still removed by its owner on normal exits.
constexpr int kSlots = 4096;
// A file to remove, and what it must be: this process's user's file (a path someone else put
// there is never removed) and, once known, the device and inode this process created.
struct Entry {
  uint64_t dev = 0, ino = 0;  // 0: not yet known (registered before the file exists)
  char path[1];               // NUL-terminated, allocated past the end
};
std::atomic<Entry*> g_paths[kSlots];
static_assert(std::atomic<Entry*>::is_always_lock_free, "the signal handler reads these");

Entry* MakeEntry(const std::string& path, uint64_t dev, uint64_t ino) {
  auto* e = static_cast<Entry*>(std::malloc(sizeof(Entry) + path.size()));
  if (e == nullptr) return nullptr;
  e->dev = dev;
  e->ino = ino;
  std::memcpy(e->path, path.c_str(), path.size() + 1);
  return e;
}

// Async-signal-safe: lstat, geteuid, unlink, rmdir. Files on the first pass, directories (a
// job's private subdirectory, emptied by then) on the second.
void RemoveIfOurs(const Entry* e, bool directories) {
  struct stat st;
  if (::lstat(e->path, &st) != 0 || st.st_uid != ::geteuid()) return;
  if (e->ino != 0 && (uint64_t(st.st_dev) != e->dev || uint64_t(st.st_ino) != e->ino)) return;
  if (S_ISDIR(st.st_mode) != directories) return;
  if (directories)
    ::rmdir(e->path);
  else
    ::unlink(e->path);
}

// Publications to undo: "final\0aside\0" (aside empty: remove final). Few at once (a rank's
// output members, a manifest).
constexpr int kRestoreSlots = 256;
std::atomic<char*> g_restores[kRestoreSlots];

// Entries taken out of the tables are never freed (a handler on another thread may have loaded
// the pointer just before, and a freed then reused block could name another file); they are kept
// here, reachable, ~100 bytes per temporary file over the process's life.
std::mutex g_retired_mu;
std::vector<void*>& Retired() {
  static auto* retired = new std::vector<void*>();
  return *retired;
}
void Retire(void* p) {
  if (p == nullptr) return;
  std::lock_guard lock(g_retired_mu);
  Retired().push_back(p);
}

template <typename T>
int Claim(std::atomic<T*>* slots, int n, T* value) {
  for (int i = 0; i < n; ++i) {
    T* expected = nullptr;
    if (slots[i].compare_exchange_strong(expected, value, std::memory_order_acq_rel)) return i;
  }
  return -1;
}

}  // namespace

void RemoveRegisteredFiles() {
  for (auto& slot : g_restores) {
    if (char* p = slot.exchange(nullptr, std::memory_order_acq_rel)) {
      const char* aside = p + std::strlen(p) + 1;
      struct stat st;
      if (*aside != '\0')
        ::rename(aside, p);
      else if (::lstat(p, &st) == 0 && st.st_uid == ::geteuid())
        ::unlink(p);  // our new file only
    }
  }
  for (bool directories : {false, true}) {
    for (auto& slot : g_paths) {
      if (const Entry* e = slot.load(std::memory_order_acquire)) RemoveIfOurs(e, directories);
    }
  }
}

namespace {

extern "C" void OnTerminatingSignal(int sig) {
  RemoveRegisteredFiles();
  // Open MPI 4.1's mpirun ends a job with SIGTERM to every rank and, once the first rank has died
  // (its SIGCHLD), SIGKILL to the others within milliseconds: a rank still waiting for a CPU would
  // die before its handler ran and leave its temporaries. Each rank lingers here instead, so none
  // dies before all have had time to clean up; the second sweep takes files other threads
  // registered meanwhile.
  timespec linger{0, long(config::kSignalLingerMillis) * 1000000L};
  while (::nanosleep(&linger, &linger) != 0 && errno == EINTR) {
  }
  RemoveRegisteredFiles();
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

void InstallSignalCleanup() {
  struct sigaction sa {};
  sa.sa_handler = OnTerminatingSignal;
  sigfillset(&sa.sa_mask);  // a second signal waits until the first has cleaned up
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);
}

RemoveOnSignal::RemoveOnSignal(const std::string& path) {
  Entry* e = MakeEntry(path, 0, 0);
  if (e == nullptr) return;
  slot_ = Claim(g_paths, kSlots, e);
  if (slot_ < 0) std::free(e);
}

void RemoveOnSignal::Identify(uint64_t dev, uint64_t ino) {
  if (slot_ < 0) return;
  const Entry* old = g_paths[slot_].load(std::memory_order_acquire);
  if (old == nullptr) return;
  Entry* e = MakeEntry(old->path, dev, ino);
  // The old entry is retired, not freed: a handler may be reading it.
  if (e != nullptr) Retire(g_paths[slot_].exchange(e, std::memory_order_acq_rel));
}

RestoreOnSignal::RestoreOnSignal(const std::string& final_path, const std::string& aside) {
  const size_t n = final_path.size() + aside.size() + 2;
  char* copy = static_cast<char*>(std::malloc(n));
  if (copy == nullptr) return;
  std::memcpy(copy, final_path.c_str(), final_path.size() + 1);
  std::memcpy(copy + final_path.size() + 1, aside.c_str(), aside.size() + 1);
  slot_ = Claim(g_restores, kRestoreSlots, copy);
  if (slot_ < 0) std::free(copy);
}

RestoreOnSignal& RestoreOnSignal::operator=(RestoreOnSignal&& o) noexcept {
  if (this != &o) {
    Release();
    slot_ = o.slot_;
    o.slot_ = -1;
  }
  return *this;
}

void RestoreOnSignal::Release() {
  if (slot_ < 0) return;
  Retire(g_restores[slot_].exchange(nullptr, std::memory_order_acq_rel));
  slot_ = -1;
}

RemoveOnSignal& RemoveOnSignal::operator=(RemoveOnSignal&& o) noexcept {
  if (this != &o) {
    Release();
    slot_ = o.slot_;
    o.slot_ = -1;
  }
  return *this;
}

void RemoveOnSignal::Release() {
  if (slot_ < 0) return;
  Retire(g_paths[slot_].exchange(nullptr, std::memory_order_acq_rel));
  slot_ = -1;
}

}  // namespace rs
