// core/blocking_queue.hpp — a bounded multi-producer multi-consumer queue. Push blocks while the
// queue is full (back-pressure), Pop blocks while it is empty; Close wakes everyone and makes Pop
// return nullopt once drained. Safe from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

namespace rs {

template <typename T>
class BlockingQueue {
 public:
  explicit BlockingQueue(size_t capacity) : capacity_(capacity) {}

  // Returns false (and drops the item) if the queue was closed.
  // Waiters are woken after the lock is released, so they do not wake only to block on it.
  bool Push(T item) {
    {
      std::unique_lock lock(mu_);
      not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
      if (closed_) return false;
      items_.push_back(std::move(item));
    }
    not_empty_.notify_one();
    return true;
  }

  std::optional<T> Pop() {
    std::optional<T> item;
    {
      std::unique_lock lock(mu_);
      not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
      if (items_.empty()) return std::nullopt;
      item = std::move(items_.front());
      items_.pop_front();
    }
    not_full_.notify_one();
    return item;
  }

  enum class TryResult { kItem, kEmpty, kClosed };
  // Non-blocking Pop: kClosed only once the queue is closed and drained.
  TryResult TryPop(T* out) {
    {
      std::lock_guard lock(mu_);
      if (items_.empty()) return closed_ ? TryResult::kClosed : TryResult::kEmpty;
      *out = std::move(items_.front());
      items_.pop_front();
    }
    not_full_.notify_one();
    return TryResult::kItem;
  }

  void Close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  size_t size() const {
    std::lock_guard lock(mu_);
    return items_.size();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> items_;
  size_t capacity_;
  bool closed_ = false;
};

}  // namespace rs
