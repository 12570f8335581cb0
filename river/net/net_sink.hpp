// river/net/net_sink.hpp — a Sink whose buffers go to one peer rank over a Transport (River's NetSink).
// Closing it does not end the transport: a rank ends its sending once, for all peers
// (Transport::FinishSending). Fed by one thread.
#pragma once

#include "river/net/transport.hpp"
#include "river/sink.hpp"

namespace rs {

class NetSink final : public Sink {
 public:
  NetSink(Transport* transport, int peer) : transport_(transport), peer_(peer) {}
  void Put(Buffer buffer) override { transport_->Send(peer_, std::move(buffer)); }
  Status Close() override { return transport_->status(); }
  int peer() const { return peer_; }

 private:
  Transport* transport_;
  int peer_;
};

// A Source of everything this rank receives, from every peer, until all have finished.
class NetSource final : public Source {
 public:
  explicit NetSource(Transport* transport) : transport_(transport) {}
  std::optional<Buffer> Get() override {
    auto r = transport_->Receive();
    if (!r) return std::nullopt;
    return std::move(r->buffer);
  }
  Status status() const override { return transport_->status(); }

 private:
  Transport* transport_;
};

}  // namespace rs
