// tests/core/blocking_queue_test.cpp — BlockingQueue: FIFO order, TryPop's three answers, Close
// (drains, then ends; wakes blocked consumers and producers; refuses later pushes), the bound
// (a producer never gets more than `capacity` items ahead of the consumers), and many producers
// and consumers with every item delivered exactly once and each producer's items in order.
// No sleeps and no timing: threads meet through the queue itself or by waiting on a condition.
#include "core/blocking_queue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace rs {
namespace {

TEST(BlockingQueue, FifoOrderAndSize) {
  BlockingQueue<int> q(5);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(q.Push(i * 7));
  EXPECT_EQ(q.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(q.Pop(), i * 7);
  EXPECT_EQ(q.size(), 0u);
  // Interleaved pushes and pops keep order too.
  int next_in = 0, next_out = 0;
  for (int round = 0; round < 20; ++round) {
    for (int k = 0; k < 1 + round % 5; ++k) EXPECT_TRUE(q.Push(next_in++));
    for (int k = 0; k < 1 + round % 5; ++k) EXPECT_EQ(q.Pop(), next_out++);
  }
}

TEST(BlockingQueue, TryPopSaysEmptyItemOrClosed) {
  BlockingQueue<int> q(3);
  int v = -1;
  EXPECT_EQ(q.TryPop(&v), BlockingQueue<int>::TryResult::kEmpty);
  EXPECT_EQ(v, -1);
  ASSERT_TRUE(q.Push(1));
  ASSERT_TRUE(q.Push(2));
  EXPECT_EQ(q.TryPop(&v), BlockingQueue<int>::TryResult::kItem);
  EXPECT_EQ(v, 1);
  q.Close();
  // Closed but not drained: the item still comes out, then kClosed.
  EXPECT_EQ(q.TryPop(&v), BlockingQueue<int>::TryResult::kItem);
  EXPECT_EQ(v, 2);
  EXPECT_EQ(q.TryPop(&v), BlockingQueue<int>::TryResult::kClosed);
}

TEST(BlockingQueue, CloseDrainsThenEndsAndRefusesPushes) {
  BlockingQueue<std::unique_ptr<int>> q(4);  // move-only items
  ASSERT_TRUE(q.Push(std::make_unique<int>(10)));
  ASSERT_TRUE(q.Push(std::make_unique<int>(11)));
  q.Close();
  EXPECT_FALSE(q.Push(std::make_unique<int>(12)));  // dropped
  auto a = q.Pop();
  auto b = q.Pop();
  ASSERT_TRUE(a && *a && b && *b);
  EXPECT_EQ(**a, 10);
  EXPECT_EQ(**b, 11);
  EXPECT_FALSE(q.Pop().has_value());
  EXPECT_FALSE(q.Pop().has_value());  // and stays ended
  EXPECT_EQ(q.size(), 0u);
}

// A consumer started on an empty queue gets the item pushed later (it blocked rather than
// returning nothing: Pop on an open queue never returns nullopt).
TEST(BlockingQueue, BlockedPopWakesOnPush) {
  BlockingQueue<int> q(1);
  for (int round = 0; round < 200; ++round) {
    std::optional<int> got;
    std::thread consumer([&] { got = q.Pop(); });
    ASSERT_TRUE(q.Push(round));
    consumer.join();
    EXPECT_EQ(got, round);
  }
}

// Consumers waiting on an empty queue all return nullopt when it closes; a producer waiting on a
// full one gets false.
TEST(BlockingQueue, CloseWakesEveryWaiter) {
  BlockingQueue<int> empty(2);
  std::atomic<int> ended{0};
  std::vector<std::thread> consumers;
  for (int i = 0; i < 4; ++i) {
    consumers.emplace_back([&] {
      if (!empty.Pop().has_value()) ++ended;
    });
  }
  empty.Close();
  for (auto& t : consumers) t.join();
  EXPECT_EQ(ended.load(), 4);

  BlockingQueue<int> full(1);
  ASSERT_TRUE(full.Push(1));
  std::atomic<int> refused{0};
  std::vector<std::thread> producers;
  for (int i = 0; i < 3; ++i) {
    producers.emplace_back([&] {
      if (!full.Push(2)) ++refused;
    });
  }
  full.Close();
  for (auto& t : producers) t.join();
  EXPECT_EQ(refused.load(), 3);
  EXPECT_EQ(full.Pop(), 1);  // what was in it before the close is still there
  EXPECT_FALSE(full.Pop().has_value());
}

// The bound: a producer pushing into a queue of capacity C is never more than C items ahead of
// what has been popped, at any moment the consumer looks. It first waits until the queue is full
// (the producer then has to block), then drains slowly by checking before every pop.
TEST(BlockingQueue, PushBlocksAtCapacity) {
  constexpr size_t kCapacity = 4;
  constexpr int kItems = 2000;
  BlockingQueue<int> q(kCapacity);
  std::atomic<int> pushed{0};  // Push calls that have returned
  std::thread producer([&] {
    for (int i = 0; i < kItems; ++i) {
      EXPECT_TRUE(q.Push(i));
      ++pushed;
    }
  });
  while (q.size() < kCapacity) std::this_thread::yield();
  int popped = 0, worst = 0;
  for (; popped < kItems; ++popped) {
    worst = std::max(worst, pushed.load() - popped);
    EXPECT_EQ(q.Pop(), popped);
  }
  producer.join();
  EXPECT_LE(worst, int(kCapacity)) << "the producer got further ahead than the capacity";
  EXPECT_EQ(q.size(), 0u);
}

// Producers push (producer, sequence) pairs through a small queue to several consumers: every
// item arrives exactly once, and each consumer sees each producer's items in increasing order.
TEST(BlockingQueue, ManyProducersAndConsumersLoseNothing) {
  constexpr int kProducers = 4, kConsumers = 3, kPerProducer = 20000;
  BlockingQueue<std::pair<int, int>> q(8);
  std::vector<std::vector<int>> seen(kProducers, std::vector<int>(kPerProducer, 0));  // [producer][seq]
  std::vector<std::vector<std::pair<int, int>>> got(kConsumers);
  std::vector<std::thread> threads;
  for (int c = 0; c < kConsumers; ++c) {
    threads.emplace_back([&, c] {
      while (auto item = q.Pop()) got[size_t(c)].push_back(*item);
    });
  }
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int s = 0; s < kPerProducer; ++s) EXPECT_TRUE(q.Push({p, s}));
    });
  }
  for (auto& t : producers) t.join();
  q.Close();
  for (auto& t : threads) t.join();

  size_t total = 0, out_of_order = 0, bad = 0;
  for (const auto& items : got) {
    std::vector<int> last(kProducers, -1);
    for (auto [p, s] : items) {
      if (p < 0 || p >= kProducers || s < 0 || s >= kPerProducer) {
        ++bad;
        continue;
      }
      ++seen[size_t(p)][size_t(s)];
      out_of_order += s <= last[size_t(p)];
      last[size_t(p)] = s;
    }
    total += items.size();
  }
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(total, size_t(kProducers) * kPerProducer);
  EXPECT_EQ(out_of_order, 0u) << "a consumer saw a producer's items out of order";
  size_t not_once = 0;
  for (const auto& per : seen) {
    for (int n : per) not_once += n != 1;
  }
  EXPECT_EQ(not_once, 0u) << "items lost or duplicated";
}

}  // namespace
}  // namespace rs
