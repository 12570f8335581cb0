// river/net/tcp_link.cpp
#include "river/net/tcp_link.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>

namespace rs::tcp {

namespace {

int MillisLeft(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return int(std::clamp<int64_t>(left, 0, 1000 * 1000));
}

// Waits for `events` on `fd` until `deadline`; false on timeout.
bool WaitFor(int fd, short events, Clock::time_point deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, MillisLeft(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

Result<UniqueFd> ConnectOne(const std::string& address, uint16_t port, Clock::time_point deadline) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  if (::inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1) return Status::Error(address + ": not an IPv4 address");
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Status::FromErrno(errno, address, "socket");
  const int one = 1;
  (void)::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
    if (errno != EINPROGRESS) return Status::FromErrno(errno, address, "connect");
    if (!WaitFor(fd.get(), POLLOUT, deadline)) return Status::Error(address + ": connect timed out");
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) return Status::FromErrno(err, address, "connect");
  }
  return fd;
}

}  // namespace

Result<Listener> ListenOnAnyPort() {
  Listener l;
  l.fd = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!l.fd.valid()) return Status::FromErrno(errno, "liveness socket", "socket");
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_ANY);
  sa.sin_port = 0;
  if (::bind(l.fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0)
    return Status::FromErrno(errno, "liveness socket", "bind");
  if (::listen(l.fd.get(), 4) != 0) return Status::FromErrno(errno, "liveness socket", "listen");
  socklen_t len = sizeof sa;
  if (::getsockname(l.fd.get(), reinterpret_cast<sockaddr*>(&sa), &len) != 0)
    return Status::FromErrno(errno, "liveness socket", "getsockname");
  l.port = ntohs(sa.sin_port);
  return l;
}

std::vector<std::string> LocalIPv4Addresses() {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) == 0) {
    for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
      if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
      const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
      if ((ntohl(in->sin_addr.s_addr) >> 24) == 127) continue;  // loopback goes last, once
      char text[INET_ADDRSTRLEN];
      if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text) == nullptr) continue;
      if (std::find(out.begin(), out.end(), text) == out.end()) out.emplace_back(text);
    }
    ::freeifaddrs(list);
  }
  out.emplace_back("127.0.0.1");
  return out;
}

std::string NetworkStackKey() {
  std::string boot;
  std::ifstream("/proc/sys/kernel/random/boot_id") >> boot;
  struct stat st {};
  const std::string netns = ::stat("/proc/self/ns/net", &st) == 0 ? std::to_string(st.st_ino) : "?";
  // Without a boot id nothing proves two ranks share a kernel: no key, so no loopback shortcut.
  if (boot.empty()) return {};
  return boot + "/" + netns;
}

Result<UniqueFd> ConnectWithin(const std::vector<std::string>& addresses, uint16_t port, Clock::time_point deadline) {
  Status last = Status::Error("no address to connect to");
  for (size_t i = 0; i < addresses.size(); ++i) {
    // An address that swallows the SYN must leave time for the others.
    const auto slice = (deadline - Clock::now()) / int(addresses.size() - i);
    auto fd = ConnectOne(addresses[i], port, std::min(deadline, Clock::now() + slice));
    if (fd.ok()) return fd;
    last = fd.status();
    if (Clock::now() >= deadline) break;
  }
  return last;
}

Result<UniqueFd> AcceptWithin(int listen_fd, Clock::time_point deadline) {
  while (true) {
    UniqueFd fd(::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (fd.valid()) {
      const int one = 1;
      (void)::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return fd;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
      return Status::FromErrno(errno, "liveness socket", "accept");
    if (!WaitFor(listen_fd, POLLIN, deadline)) return Status::Error("no connection from the predecessor in time");
  }
}

Status SendWithin(int fd, const void* data, size_t n, Clock::time_point deadline) {
  const auto* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t k = ::send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (k > 0) {
      p += k;
      n -= size_t(k);
    } else if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      if (!WaitFor(fd, POLLOUT, deadline)) return Status::Error("send timed out");
    } else {
      return Status::FromErrno(errno, "liveness socket", "send");
    }
  }
  return Status::Ok();
}

Status ReceiveWithin(int fd, void* data, size_t n, Clock::time_point deadline) {
  auto* p = static_cast<char*>(data);
  while (n > 0) {
    const ssize_t k = ::recv(fd, p, n, MSG_DONTWAIT);
    if (k > 0) {
      p += k;
      n -= size_t(k);
    } else if (k == 0) {
      return Status::Error("connection closed");
    } else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      if (!WaitFor(fd, POLLIN, deadline)) return Status::Error("receive timed out");
    } else {
      return Status::FromErrno(errno, "liveness socket", "recv");
    }
  }
  return Status::Ok();
}

}  // namespace rs::tcp
