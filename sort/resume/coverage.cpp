// sort/resume/coverage.cpp — interval sets per stream.
#include "sort/resume/coverage.hpp"

#include <algorithm>
#include <charconv>

namespace rs::sort {
namespace {

const std::vector<Interval> kNone;

void Insert(std::vector<Interval>& v, Interval x) {
  if (x.begin >= x.end) return;
  v.push_back(x);
  std::sort(v.begin(), v.end(), [](const Interval& a, const Interval& b) { return a.begin < b.begin; });
  std::vector<Interval> joined;
  for (const auto& i : v) {
    if (!joined.empty() && i.begin <= joined.back().end) {
      joined.back().end = std::max(joined.back().end, i.end);
    } else {
      joined.push_back(i);
    }
  }
  v = std::move(joined);
}

bool ParseU64(std::string_view s, uint64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

void Coverage::Add(int stream, uint64_t begin, uint64_t end) {
  if (begin < end) Insert(by_stream_[stream], {begin, end});
}

void Coverage::Add(const Coverage& other) {
  for (const auto& [s, v] : other.by_stream_)
    for (const auto& i : v) Add(s, i.begin, i.end);
}

const std::vector<Interval>& Coverage::Of(int stream) const {
  auto it = by_stream_.find(stream);
  return it == by_stream_.end() ? kNone : it->second;
}

uint64_t Coverage::FirstGap(int stream) const {
  const auto& v = Of(stream);
  return !v.empty() && v.front().begin == 0 ? v.front().end : 0;
}

std::vector<Interval> Coverage::MapArrivals(int stream, uint64_t arrived, uint64_t count) const {
  std::vector<Interval> out;
  const auto& covered = Of(stream);
  // Walk the gaps between covered intervals; `arrived` records filled the first of them.
  uint64_t gap_begin = 0;
  size_t next = 0;
  uint64_t skip = arrived;
  while (count > 0) {
    const uint64_t gap_end = next < covered.size() ? covered[next].begin : UINT64_MAX;
    const uint64_t room = gap_end - gap_begin;
    if (skip >= room) {
      skip -= room;
    } else {
      const uint64_t b = gap_begin + skip;
      const uint64_t take = std::min(count, gap_end - b);
      out.push_back({b, b + take});
      count -= take;
      skip = 0;
    }
    if (next >= covered.size()) break;  // the last gap is unbounded: count is 0 now
    gap_begin = covered[next++].end;
  }
  return out;
}

std::string Coverage::EncodeIntervals(const std::vector<Interval>& v) {
  std::string out;
  for (const auto& i : v) {
    if (!out.empty()) out += ',';
    out += std::to_string(i.begin) + "-" + std::to_string(i.end);
  }
  return out;
}

Result<std::vector<Interval>> Coverage::DecodeIntervals(const std::string& text) {
  std::vector<Interval> v;
  size_t at = 0;
  while (at < text.size()) {
    size_t comma = text.find(',', at);
    if (comma == std::string::npos) comma = text.size();
    const std::string_view item(text.data() + at, comma - at);
    const size_t dash = item.find('-');
    Interval i;
    if (dash == std::string_view::npos || !ParseU64(item.substr(0, dash), &i.begin) ||
        !ParseU64(item.substr(dash + 1), &i.end) || i.begin > i.end) {
      return Status::Error("bad interval list '" + text + "'");
    }
    Insert(v, i);
    at = comma + 1;
  }
  return v;
}

std::string Coverage::Encode() const {
  std::string out;
  for (const auto& [s, v] : by_stream_) {
    for (const auto& i : v) {
      if (!out.empty()) out += ',';
      out += std::to_string(s) + ":" + std::to_string(i.begin) + "-" + std::to_string(i.end);
    }
  }
  return out.empty() ? "-" : out;
}

Result<Coverage> Coverage::Decode(const std::string& text) {
  Coverage c;
  if (text == "-") return c;
  size_t at = 0;
  while (at < text.size()) {
    size_t comma = text.find(',', at);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(at, comma - at);
    const size_t colon = item.find(':');
    uint64_t stream = 0;
    if (colon == std::string::npos || !ParseU64(item.substr(0, colon), &stream)) {
      return Status::Error("bad coverage '" + text + "'");
    }
    auto iv = DecodeIntervals(item.substr(colon + 1));
    if (!iv.ok() || iv->size() != 1) return Status::Error("bad coverage '" + text + "'");
    c.Add(int(stream), (*iv)[0].begin, (*iv)[0].end);
    at = comma + 1;
  }
  return c;
}

}  // namespace rs::sort
