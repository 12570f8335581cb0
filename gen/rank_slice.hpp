// gen/rank_slice.hpp — which records rank r of P generates: [S + floor(rN/P), S + floor((r+1)N/P)).
#pragma once

#include <cstdint>

#include "core/uint128.hpp"

namespace rs::gen {

struct RankSlice {
  u128 first;      // first record number
  uint64_t count;  // records in this slice
};

inline RankSlice SliceForRank(u128 start, uint64_t total, int rank, int ranks) {
  // rN fits in 128 bits for any 64-bit N and int rank.
  uint64_t lo = uint64_t(u128(total) * unsigned(rank) / unsigned(ranks));
  uint64_t hi = uint64_t(u128(total) * unsigned(rank + 1) / unsigned(ranks));
  return {start + lo, hi - lo};
}

}  // namespace rs::gen
