#include "transport/grpc_transport.h"

#include <grpc/compression.h>
#include <grpcpp/alarm.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/grpc_hand_off.h"
#include "jina.grpc.pb.h"
#include "jina.pb.h"
#include "jina/error.h"
#include "wire/request_codec.h"

namespace jina::internal {
namespace {

// gRPC keeps a pointer to the method name for the life of the call.
const std::string kCallMethod = "/jina.JinaRPC/Call";
const std::string kStreamDocMethod = "/jina.JinaSingleDocumentRequestRPC/stream_doc";
const std::string kSingleDataMethod = "/jina.JinaSingleDataRequestRPC/process_single_data";

absl::Status to_absl(const grpc::Status& s) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

// A connection that fails before any answer is often a TLS mismatch (or an
// untrusted certificate), which gRPC reports only as "Socket closed" or an
// SSL error: say so.
absl::Status with_tls_hint(absl::Status status, bool tls) {
  if (status.code() != absl::StatusCode::kUnavailable) return status;
  std::string message(status.message());
  std::string hint;
  if (tls &&
      (message.find("andshake") != std::string::npos || message.find("SSL") != std::string::npos)) {
    hint =
        " (TLS handshake failed: the Flow may not serve TLS (then use grpc://), or its "
        "certificate is not trusted (see ClientOptions::tls_root_certificates_file))";
  } else if (message.find("DNS resolution failed") != std::string::npos) {
    hint = " (the host name does not resolve: check it)";
  } else if (message.find("http1.x") != std::string::npos) {
    hint = " (an HTTP/1.x server answered: if this is the Flow's HTTP port, use http://)";
  } else if (!tls && message.find("failed to connect") != std::string::npos &&
             (message.find("Socket closed") != std::string::npos ||
              message.find("reset") != std::string::npos ||
              message.find("closed") != std::string::npos)) {
    // The server hung up on the HTTP/2 preface: a TLS port, or a port of
    // another protocol. A stream that broke later gets no hint.
    hint =
        " (the server closed the connection at once: if the Flow serves TLS, use grpcs:// or "
        "tls = true; if this is its HTTP or WebSocket port, use http:// or ws://)";
  }
  if (hint.empty()) return status;
  return absl::UnavailableError(std::string(message) + hint);
}

std::string read_tls_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw InvalidArgument(std::string("cannot read ") + what + " file '" + path +
                          "': " + std::strerror(errno));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw InvalidArgument(std::string("cannot read ") + what + " file '" + path + "'");
  std::string pem = content.str();
  if (pem.empty()) throw InvalidArgument(std::string(what) + " file '" + path + "' is empty");
  return pem;
}

// gRPC would accept unusable PEM here and fail every handshake later with a
// vague error: check that OpenSSL can read a certificate (or key) from it.
std::string read_pem(const std::string& path, const char* what, bool key) {
  std::string pem = read_tls_file(path, what);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  bool ok = false;
  if (key) {
    EVP_PKEY* k = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
    ok = k != nullptr;
    EVP_PKEY_free(k);
  } else {
    X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    ok = cert != nullptr;
    X509_free(cert);
  }
  if (!ok) {
    throw InvalidArgument(std::string(what) + " file '" + path + "' holds no PEM " +
                          (key ? "private key" : "certificate"));
  }
  return pem;
}

// tls_insecure_skip_verify: TLS without checking the server's certificate
// (gRPC's TLS credentials with a no-op verifier). gRPC 1.51 still loads root
// certificates (the given file or the system's) though it does not use them.
std::shared_ptr<grpc::ChannelCredentials> unverified_credentials(const ClientOptions& options,
                                                                 bool has_cert) {
  namespace gx = grpc::experimental;
  gx::TlsChannelCredentialsOptions tls;
  tls.set_verify_server_certs(false);
  tls.set_check_call_host(false);
  tls.set_certificate_verifier(std::make_shared<gx::NoOpCertificateVerifier>());
  std::string roots;
  if (!options.tls_root_certificates_file.empty()) {
    roots = read_pem(options.tls_root_certificates_file, "TLS root certificates", false);
  }
  std::vector<gx::IdentityKeyCertPair> identity;
  if (has_cert) {
    identity.push_back(
        {read_pem(options.tls_private_key_file, "TLS private key", true),
         read_pem(options.tls_certificate_chain_file, "TLS certificate chain", false)});
  }
  if (!roots.empty() || !identity.empty()) {
    tls.set_certificate_provider(
        std::make_shared<gx::StaticDataCertificateProvider>(roots, identity));
    if (!roots.empty()) tls.watch_root_certs();
    if (!identity.empty()) tls.watch_identity_key_cert_pairs();
  }
  return gx::TlsCredentials(tls);
}

std::shared_ptr<grpc::ChannelCredentials> credentials(const Target& target,
                                                      const ClientOptions& options) {
  bool has_cert = !options.tls_certificate_chain_file.empty();
  bool has_key = !options.tls_private_key_file.empty();
  if (!target.tls) {
    if (!options.tls_root_certificates_file.empty() || has_cert || has_key) {
      throw InvalidArgument("TLS files are given but TLS is off (use grpcs:// or tls = true)");
    }
    return grpc::InsecureChannelCredentials();
  }
  if (has_cert != has_key) {
    throw InvalidArgument(
        "mutual TLS needs both tls_certificate_chain_file and tls_private_key_file");
  }
  if (options.tls_insecure_skip_verify) return unverified_credentials(options, has_cert);
  grpc::SslCredentialsOptions ssl;
  if (!options.tls_root_certificates_file.empty()) {
    ssl.pem_root_certs =
        read_pem(options.tls_root_certificates_file, "TLS root certificates", false);
  }
  if (has_cert) {
    ssl.pem_cert_chain =
        read_pem(options.tls_certificate_chain_file, "TLS certificate chain", false);
    ssl.pem_private_key = read_pem(options.tls_private_key_file, "TLS private key", true);
  }
  return grpc::SslCredentials(ssl);
}

grpc::ChannelArguments channel_arguments(const ClientOptions& options) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options.max_response_bytes);
  args.SetMaxSendMessageSize(-1);
  if (options.keepalive > 0) {
    const int keepalive_ms = static_cast<int>(std::min(options.keepalive * 1000, 2e9));
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, std::max(keepalive_ms, 1));
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, std::max(keepalive_ms / 2, 1));
    args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  }
  // A connection attempt whose handshake gets no answer (a silent server)
  // is given up after `connect_timeout`, by default twice `keepalive` (gRPC's
  // own default is 20 s, the same for the default keepalive); gRPC names
  // this argument for its other use, the least backoff.
  if (options.connect_timeout > 0) {
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS,
                std::max(1, static_cast<int>(std::min(2e9, options.connect_timeout * 1000))));
  } else if (options.keepalive > 0) {
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS,
                std::max(1000, static_cast<int>(std::min(2e9, options.keepalive * 2000))));
  }
  // The Client retries itself, knowing which requests got answers.
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  // A Client owns its connection: no sharing with other Clients' channels.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // gRPC's default reconnect backoff (1 s, growing to 120 s) would outlast
  // Jina's retry schedule: keep reconnecting at a pace retries can use.
  // Not GRPC_ARG_MIN_RECONNECT_BACKOFF_MS: gRPC uses it as the connection
  // attempt's timeout (default 20 s), and 100 ms failed every slow link
  // (fault_injection_test SlowLinkStillConnects).
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  if (!options.tls_server_name.empty()) {
    args.SetSslTargetNameOverride(options.tls_server_name);
  }
  return args;
}

grpc_compression_algorithm to_grpc(Compression c) {
  switch (c) {
    case Compression::kGzip:
      return GRPC_COMPRESS_GZIP;
    case Compression::kDeflate:
      return GRPC_COMPRESS_DEFLATE;
    case Compression::kNone:
      break;
  }
  return GRPC_COMPRESS_NONE;
}

using SharedBytes = std::shared_ptr<const std::string>;

void release_shared(void* user_data) { delete static_cast<SharedBytes*>(user_data); }

// Wraps `bytes` without copying: the slice holds a reference.
grpc::ByteBuffer to_buffer(SharedBytes bytes) {
  auto* ref = new SharedBytes(std::move(bytes));
  grpc::Slice slice(const_cast<char*>((*ref)->data()), (*ref)->size(), release_shared, ref);
  return grpc::ByteBuffer(&slice, 1);
}

// The call's metadata and compression, as the post asked.
void configure(grpc::ClientContext& context, const StreamOptions& options) {
  if (options.results_in_order) context.AddMetadata("__results_in_order__", "true");
  if (options.prefetch > 0) context.AddMetadata("__prefetch__", std::to_string(options.prefetch));
  for (const auto& [key, value] : options.metadata) context.AddMetadata(key, value);
  if (options.compression != Compression::kNone) {
    context.set_compression_algorithm(to_grpc(options.compression));
  }
}

// Decodes one read response for `observer` and empties `buffer`. `joined`
// holds a response that arrived in several slices (kept to reuse its memory).
void deliver_read(grpc::ByteBuffer& buffer, StreamObserver& observer, DocFormat format,
                  std::string& joined,
                  void (*deliver)(StreamObserver&, std::string_view,
                                  DocFormat) = deliver_serialized) {
  std::vector<grpc::Slice> slices;
  if (buffer.Dump(&slices).ok()) {
    if (slices.size() == 1) {
      deliver(observer,
              std::string_view(reinterpret_cast<const char*>(slices[0].begin()), slices[0].size()),
              format);
    } else {
      joined.clear();
      for (const auto& s : slices)
        joined.append(reinterpret_cast<const char*>(s.begin()), s.size());
      deliver(observer, joined, format);
    }
  }
  buffer.Clear();
}

// One `/jina.JinaRPC/Call`. Writes are queued and issued one at a time (the
// callback API allows one outstanding write); reads run continuously.
// Start* calls are made outside `mu_` because gRPC may run a reaction inline.
class GrpcStream final : public RequestStream,
                         public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  GrpcStream(grpc::GenericStub& stub, const StreamOptions& options, StreamObserver* observer,
             bool tls)
      : observer_(observer), format_(options.doc_format), tls_(tls) {
    configure(context_, options);
    stub.PrepareBidiStreamingCall(&context_, kCallMethod, grpc::StubOptions(), this);
    StartRead(&read_buffer_);
    // Writes start from the caller's thread, outside reactions: hold the call
    // open until the last of them (or a failure) is known.
    AddHold();
    StartCall();
  }

  ~GrpcStream() override {
    cancel();
    std::unique_lock lock(mu_);
    done_cv_.wait(lock, [this] { return done_; });
  }

  void write(std::shared_ptr<const std::string> bytes) override {
    start_write(to_buffer(std::move(bytes)), /*last=*/false);
  }

  void write_last(std::shared_ptr<const std::string> bytes) override {
    start_write(to_buffer(std::move(bytes)), /*last=*/true);
  }

  void writes_done() override {
    {
      std::lock_guard lock(mu_);
      half_close_requested_ = true;
      if (writing_ || closed_) return;
      closed_ = true;
    }
    StartWritesDone();
    release_hold();
  }

  void cancel() override {
    {
      std::lock_guard lock(mu_);
      if (done_) return;
      closed_ = true;
      queue_.clear();
    }
    context_.TryCancel();
    release_hold();
  }

  void OnWriteDone(bool ok) override {
    bool half_close = false;
    {
      std::lock_guard lock(mu_);
      if (!ok || closed_) {
        // The stream broke (or was cancelled): OnDone will tell how.
        writing_ = false;
        closed_ = true;
        queue_.clear();
      } else if (!queue_.empty()) {
        current_ = std::move(queue_.front());
        queue_.pop_front();
      } else {
        writing_ = false;
        if (!half_close_requested_) return;
        closed_ = true;
        half_close = true;
      }
    }
    if (!ok) {
      release_hold();
    } else if (half_close) {
      StartWritesDone();
      release_hold();
    } else if (writing_now()) {
      StartWrite(&current_);
    } else {
      release_hold();
    }
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      // The call is over (the server ended it, or it broke): stop writing and
      // drop the hold, or OnDone would wait for writes that will never come
      // while the caller waits for responses.
      bool release = false;
      {
        std::lock_guard lock(mu_);
        closed_ = true;
        queue_.clear();
        release = !writing_;
      }
      if (release) release_hold();
      return;
    }
    reads_.acquire();
    deliver_read(read_buffer_, *observer_, format_, joined_);
    reads_.release();
    StartRead(&read_buffer_);
  }

  void OnDone(const grpc::Status& status) override {
    observer_->on_done(with_tls_hint(to_absl(status), tls_));
    std::lock_guard lock(mu_);
    done_ = true;
    done_cv_.notify_all();
  }

 private:
  // Starts the write now, or queues it behind the one in progress. `last`
  // half-closes with it: one op (END_STREAM on its frame) when nothing is
  // queued, else OnWriteDone half-closes after the queue.
  void start_write(grpc::ByteBuffer buffer, bool last) {
    {
      std::lock_guard lock(mu_);
      if (closed_ || half_close_requested_) return;
      if (last) half_close_requested_ = true;
      if (writing_) {
        queue_.push_back(std::move(buffer));
        return;
      }
      writing_ = true;
      closed_ = last;
      current_ = std::move(buffer);
    }
    if (last) {
      StartWriteLast(&current_, grpc::WriteOptions());
    } else {
      StartWrite(&current_);
    }
  }

  bool writing_now() {
    std::lock_guard lock(mu_);
    return writing_;
  }

  void release_hold() {
    {
      std::lock_guard lock(mu_);
      if (hold_released_) return;
      hold_released_ = true;
    }
    RemoveHold();
  }

  StreamObserver* observer_;
  DocFormat format_;  // of the responses
  bool tls_;
  grpc::ClientContext context_;
  // Successive reads run on different gRPC threads: each 6 MiB append to
  // joined_ that TSan could not order cost it seconds of suppressed reports.
  internal::GrpcHandOff reads_;
  grpc::ByteBuffer read_buffer_;
  std::string joined_;  // a response that arrived in several slices

  std::mutex mu_;
  std::condition_variable done_cv_;
  std::deque<grpc::ByteBuffer> queue_;
  grpc::ByteBuffer current_;
  bool writing_ = false;
  bool half_close_requested_ = false;
  bool closed_ = false;  // no more writes will be started
  bool hold_released_ = false;
  bool done_ = false;
};

// A completion queue that the post's own thread polls (StreamPump): the
// streams' reads, writes and their ends complete on that thread, as in
// gRPC's synchronous API, instead of on gRPC's callback threads with a hand-off
// to the post's thread for each response.
class GrpcPump final : public StreamPump {
 public:
  // What a completion runs: the op that finished and whether it succeeded.
  class Op {
   public:
    virtual void done(bool ok) = 0;

   protected:
    ~Op() = default;
  };

  ~GrpcPump() override {
    // Every stream is gone (each waits for its own ops); only a wake may be
    // pending.
    {
      std::lock_guard lock(mu_);
      if (wake_pending_) alarm_.Cancel();
    }
    queue_.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (queue_.Next(&tag, &ok)) {
    }
  }

  grpc::CompletionQueue& queue() { return queue_; }

  void wait(Clock::time_point deadline) override {
    // Set while the completion runs too: the events it pushes need no wake.
    waiting_.store(std::this_thread::get_id(), std::memory_order_relaxed);
    void* tag = nullptr;
    bool ok = false;
    if (queue_.AsyncNext(&tag, &ok, to_gpr(deadline)) == grpc::CompletionQueue::GOT_EVENT) {
      if (tag == &alarm_) {
        std::lock_guard lock(mu_);
        wake_pending_ = false;
      } else {
        static_cast<Op*>(tag)->done(ok);
      }
    }
    waiting_.store(std::thread::id(), std::memory_order_relaxed);
  }

  void wake() override {
    if (waiting_.load(std::memory_order_relaxed) == std::this_thread::get_id()) return;
    std::lock_guard lock(mu_);
    if (wake_pending_) return;
    wake_pending_ = true;
    alarm_.Set(&queue_, gpr_inf_past(GPR_CLOCK_MONOTONIC), &alarm_);
  }

 private:
  static gpr_timespec to_gpr(Clock::time_point deadline) {
    if (deadline == Clock::time_point::max()) return gpr_inf_future(GPR_CLOCK_MONOTONIC);
    const auto left = std::max(Clock::duration::zero(), deadline - Clock::now());
    return gpr_time_add(
        gpr_now(GPR_CLOCK_MONOTONIC),
        gpr_time_from_nanos(std::chrono::duration_cast<std::chrono::nanoseconds>(left).count(),
                            GPR_TIMESPAN));
  }

  grpc::CompletionQueue queue_;
  std::atomic<std::thread::id> waiting_{};  // the thread in wait(), if any
  std::mutex mu_;
  grpc::Alarm alarm_;          // wake(); its own address is its tag
  bool wake_pending_ = false;  // under mu_: alarm_ is set and not yet taken
};

// A completion tag that calls back into the call that started the op, and
// counts the op as over (Owner::ops_, so that its destructor can wait for
// the last one).
template <class Owner>
class Completion final : public GrpcPump::Op {
 public:
  Completion(Owner* owner, void (Owner::*on_done)(bool)) : owner_(owner), on_done_(on_done) {}
  void done(bool ok) override {
    --owner_->ops_;
    (owner_->*on_done_)(ok);
  }

 private:
  Owner* owner_;
  void (Owner::*on_done_)(bool);
};

// What a call on a GrpcPump has whatever its kind: the call, its reads, how
// it ends, and the count of its ops in flight, which its destructor waits
// for (their tags point into it).
class PumpedCall {
 protected:
  PumpedCall(grpc::GenericStub& stub, const std::string& method, const StreamOptions& options,
             StreamObserver* observer, bool tls, GrpcPump& pump)
      : observer_(observer), format_(options.doc_format), tls_(tls), pump_(pump) {
    configure(context_, options);
    // The headers go with the first write (or the half-close): StartCall
    // then sends nothing and completes no tag, and writes may start at once.
    context_.set_initial_metadata_corked(true);
    call_ = stub.PrepareCall(&context_, method, &pump_.queue());
    call_->StartCall(nullptr);
  }
  ~PumpedCall() = default;

  // Waits for every op of the call to complete (after a cancel, at once).
  void drain() {
    while (ops_ > 0) pump_.wait(StreamPump::Clock::time_point::max());
  }

  void start_read(GrpcPump::Op* tag) {
    ++ops_;
    call_->Read(&read_buffer_, tag);
  }

  // Asks how the call ended; `tag` then reports it (report_end()).
  void start_finish(GrpcPump::Op* tag) {
    ++ops_;
    call_->Finish(&status_, tag);
  }

  void report_end() {
    finished_ = true;
    observer_->on_done(with_tls_hint(to_absl(status_), tls_));
  }

  StreamObserver* observer_;
  DocFormat format_;  // of the responses
  bool tls_;
  GrpcPump& pump_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
  int ops_ = 0;  // started and not yet completed (Completion counts them down)
  grpc::ByteBuffer read_buffer_;
  std::string joined_;  // a response read in several slices
  grpc::Status status_;
  bool finished_ = false;  // the observer got on_done
};

// One `/jina.JinaRPC/Call` on a GrpcPump: everything, the completions
// included, runs on the pump's thread, so it needs no lock. As GrpcStream,
// one write at a time (gRPC allows one outstanding) and reads throughout.
class PumpedGrpcStream final : public RequestStream, private PumpedCall {
 public:
  PumpedGrpcStream(grpc::GenericStub& stub, const StreamOptions& options, StreamObserver* observer,
                   bool tls, GrpcPump& pump)
      : PumpedCall(stub, kCallMethod, options, observer, tls, pump) {
    start_read(&read_);
  }

  ~PumpedGrpcStream() override {
    cancel();
    drain();
  }

  void write(std::shared_ptr<const std::string> bytes) override {
    start_write(to_buffer(std::move(bytes)), /*last=*/false);
  }

  void write_last(std::shared_ptr<const std::string> bytes) override {
    start_write(to_buffer(std::move(bytes)), /*last=*/true);
  }

  void writes_done() override {
    if (closed_ || half_close_requested_) return;
    half_close_requested_ = true;
    if (!writing_) half_close();
  }

  void cancel() override {
    if (finished_) return;
    closed_ = true;
    queue_.clear();
    context_.TryCancel();
  }

 private:
  friend class Completion<PumpedGrpcStream>;

  void start_write(grpc::ByteBuffer buffer, bool last) {
    if (closed_ || half_close_requested_) return;
    if (last) half_close_requested_ = true;
    if (writing_) {
      queue_.push_back(std::move(buffer));
    } else {
      issue_write(std::move(buffer), last);
    }
  }

  void issue_write(grpc::ByteBuffer buffer, bool last) {
    writing_ = true;
    current_ = std::move(buffer);
    ++ops_;
    if (last) {
      closed_ = true;
      call_->WriteLast(current_, grpc::WriteOptions(), &written_);
    } else {
      call_->Write(current_, &written_);
    }
  }

  void half_close() {
    closed_ = true;
    ++ops_;
    call_->WritesDone(&half_closed_);
  }

  void on_written(bool ok) {
    writing_ = false;
    if (!ok || closed_) {
      // The stream broke, was cancelled or is half-closed: the read tells how.
      closed_ = true;
      queue_.clear();
      return;
    }
    if (!queue_.empty()) {
      grpc::ByteBuffer next = std::move(queue_.front());
      queue_.pop_front();
      issue_write(std::move(next), half_close_requested_ && queue_.empty());
    } else if (half_close_requested_) {
      half_close();
    }
  }

  void on_half_closed(bool) {}

  void on_read(bool ok) {
    if (!ok) {
      // The call is over (the server ended it, or it broke): ask how.
      closed_ = true;
      queue_.clear();
      return start_finish(&finished_tag_);
    }
    deliver_read(read_buffer_, *observer_, format_, joined_);
    start_read(&read_);
  }

  void on_finished(bool) { report_end(); }

  Completion<PumpedGrpcStream> read_{this, &PumpedGrpcStream::on_read};
  Completion<PumpedGrpcStream> written_{this, &PumpedGrpcStream::on_written};
  Completion<PumpedGrpcStream> half_closed_{this, &PumpedGrpcStream::on_half_closed};
  Completion<PumpedGrpcStream> finished_tag_{this, &PumpedGrpcStream::on_finished};
  std::deque<grpc::ByteBuffer> queue_;
  grpc::ByteBuffer current_;
  bool writing_ = false;
  bool half_close_requested_ = false;
  bool closed_ = false;  // no more writes will be started
};

// One `/jina.JinaSingleDocumentRequestRPC/stream_doc` call on a GrpcPump:
// the request goes out with the half-close, and each item is read only
// after read_next(), so HTTP/2 flow control holds a server back whose items
// nobody asked for yet.
class PumpedDocStream final : public ItemStream, private PumpedCall {
 public:
  PumpedDocStream(grpc::GenericStub& stub, std::shared_ptr<const std::string> request,
                  const StreamOptions& options, StreamObserver* observer, bool tls, GrpcPump& pump)
      : PumpedCall(stub, kStreamDocMethod, options, observer, tls, pump) {
    request_ = to_buffer(std::move(request));
    ++ops_;
    call_->WriteLast(request_, grpc::WriteOptions(), &written_);
    read_next();
  }

  ~PumpedDocStream() override {
    cancel();
    // A call whose last read succeeded has no op left to fail: ask for its
    // end, which the cancel makes come at once.
    if (!reading_ && !finishing_) finish();
    drain();
  }

  void read_next() override {
    if (reading_ || finishing_) return;
    reading_ = true;
    start_read(&read_);
  }

  void cancel() override {
    if (!finished_) context_.TryCancel();
  }

 private:
  friend class Completion<PumpedDocStream>;

  void finish() {
    finishing_ = true;
    start_finish(&finished_tag_);
  }

  void on_written(bool) {}  // a failed write fails the read too

  void on_read(bool ok) {
    reading_ = false;
    if (!ok) return finish();
    deliver_read(read_buffer_, *observer_, format_, joined_, deliver_single_document);
  }

  void on_finished(bool) { report_end(); }

  Completion<PumpedDocStream> read_{this, &PumpedDocStream::on_read};
  Completion<PumpedDocStream> written_{this, &PumpedDocStream::on_written};
  Completion<PumpedDocStream> finished_tag_{this, &PumpedDocStream::on_finished};
  grpc::ByteBuffer request_;
  bool reading_ = false;
  bool finishing_ = false;
};

// One channel to the Flow and the stubs on it.
struct GrpcChannel {
  GrpcChannel(const std::string& address, const std::shared_ptr<grpc::ChannelCredentials>& creds,
              const grpc::ChannelArguments& args)
      : channel(grpc::CreateCustomChannel(address, creds, args)),
        stub(channel),
        dry_run(jina::JinaGatewayDryRunRPC::NewStub(channel)),
        discovery(jina::JinaDiscoverEndpointsRPC::NewStub(channel)),
        info(jina::JinaInfoRPC::NewStub(channel)) {}

  std::shared_ptr<grpc::Channel> channel;
  grpc::GenericStub stub;
  std::unique_ptr<jina::JinaGatewayDryRunRPC::Stub> dry_run;
  std::unique_ptr<jina::JinaDiscoverEndpointsRPC::Stub> discovery;
  std::unique_ptr<jina::JinaInfoRPC::Stub> info;
};

// ClientOptions::stream = false: each request is one unary call
// `/jina.JinaSingleDataRequestRPC/process_single_data` (for proxies that
// balance per call), on gRPC's callback threads whether or not the post
// has a pump (an answer pushed to the engine wakes it). The stream is OK
// once writes_done() came and every call answered OK; the first call that
// fails cancels the others and ends it with its status, so that the post
// re-sends whatever is unanswered. gRPC may run a completion inline (in
// the call's start or in TryCancel): no lock is held across either.
class UnaryGrpcStream final : public RequestStream {
 public:
  UnaryGrpcStream(std::shared_ptr<GrpcChannel> channel, const StreamOptions& options,
                  StreamObserver* observer, bool tls)
      : channel_(std::move(channel)),
        options_(options),
        observer_(observer),
        format_(options.doc_format),
        tls_(tls) {
    options_.pump = nullptr;  // not used: the calls complete on gRPC's threads
  }

  ~UnaryGrpcStream() override {
    cancel();
    std::unique_lock lock(mu_);
    done_cv_.wait(lock, [this] { return done_; });
    // The calls' contexts go after this, on the owner's thread, with finished_.
  }

  void write(std::shared_ptr<const std::string> bytes) override {
    auto call = std::make_shared<Call>();
    configure(call->context, options_);
    call->request = to_buffer(std::move(bytes));
    std::vector<std::shared_ptr<Call>> answered;  // dropped here, on the owner's thread
    {
      std::lock_guard lock(mu_);
      answered.swap(finished_);
      if (ending_ || half_closed_) return;
      call->position = calls_.insert(calls_.end(), call);
      ++active_;
    }
    // calls_ owns the call until it is answered, then finished_ until the
    // owner's thread drops it (in a later write() or the destructor): a
    // context holds the channel, whose last reference must not go on a gRPC
    // thread (the channel's destructor would join that very thread).
    Call* started = call.get();
    channel_->stub.UnaryCall(
        &started->context, kSingleDataMethod, grpc::StubOptions(), &started->request,
        &started->response,
        [this, started](const grpc::Status& status) { on_answer(*started, status); });
  }

  void writes_done() override {
    {
      std::lock_guard lock(mu_);
      if (half_closed_) return;
      half_closed_ = true;
    }
    report_if_over();
  }

  void cancel() override {
    std::vector<std::shared_ptr<Call>> running;
    {
      std::lock_guard lock(mu_);
      if (reported_) return;
      cancelled_ = true;
      if (!ending_) {
        ending_ = true;
        end_status_ = absl::CancelledError("the client cancelled the call");
      }
      running.assign(calls_.begin(), calls_.end());
    }
    for (const auto& call : running) call->context.TryCancel();
    report_if_over();
  }

 private:
  struct Call {
    grpc::ClientContext context;
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
    std::list<std::shared_ptr<Call>>::iterator position;  // in calls_
  };

  void on_answer(Call& call, const grpc::Status& status) {
    bool deliver = false;
    std::vector<std::shared_ptr<Call>> others;
    {
      // Also orders, for TSan, the call's set-up in write() before its use here.
      std::lock_guard lock(mu_);
      if (status.ok()) {
        // An answer that came despite another call's failure still counts
        // (one request less to re-send); none after cancel().
        deliver = !cancelled_;
      } else if (!ending_) {
        ending_ = true;
        end_status_ = failure_of(status);
        others.assign(calls_.begin(), calls_.end());
      }
    }
    for (const auto& other : others) other->context.TryCancel();
    // Dropped while this call still counts in active_, so the stream and
    // its channel_ outlive them: were a context the channel's last holder
    // here, the channel's destructor would run on this gRPC thread.
    others.clear();
    if (deliver) {
      // Answers come on several threads at once: one at a time to the observer.
      std::lock_guard lock(deliver_mu_);
      deliver_read(call.response, *observer_, format_, joined_);
    }
    absl::Status end;
    {
      // In the same section as the check: once it let go, the stream may be
      // destroyed (by an owner whose cancel() reported the end).
      std::lock_guard lock(mu_);
      finished_.push_back(std::move(*call.position));
      calls_.erase(call.position);
      --active_;
      if (!over(end)) return;
    }
    report(std::move(end));
  }

  // What a failed call ends the stream with. One that ended CANCELLED
  // though this client did not cancel it (ending_ was not set) was cut on
  // the other side: a Flow that stops cancels the calls it is running, a
  // proxy may reset them. That is a broken call, as a stream that breaks,
  // so UNAVAILABLE: the post re-sends its request after backoff instead of
  // ending Cancelled.
  absl::Status failure_of(const grpc::Status& status) const {
    if (status.error_code() == grpc::StatusCode::CANCELLED) {
      return absl::UnavailableError("the call was cancelled by the server or on the way (" +
                                    status.error_message() + ")");
    }
    return with_tls_hint(to_absl(status), tls_);
  }

  // Whether on_done is due now (the last call's answer was delivered and no
  // more calls will start), and with what; then only this caller reports.
  bool over(absl::Status& end) {
    if (reported_ || active_ > 0 || !(half_closed_ || ending_)) return false;
    reported_ = true;
    end = ending_ ? end_status_ : absl::OkStatus();
    return true;
  }

  void report_if_over() {
    absl::Status end;
    {
      std::lock_guard lock(mu_);
      if (!over(end)) return;
    }
    report(std::move(end));
  }

  void report(absl::Status end) {
    observer_->on_done(std::move(end));
    std::lock_guard lock(mu_);
    done_ = true;
    done_cv_.notify_all();
  }

  std::shared_ptr<GrpcChannel> channel_;  // its stub must outlive the calls
  StreamOptions options_;
  StreamObserver* observer_;
  DocFormat format_;  // of the responses
  bool tls_;

  std::mutex deliver_mu_;
  std::string joined_;  // under deliver_mu_: a response read in several slices

  std::mutex mu_;
  std::condition_variable done_cv_;
  std::list<std::shared_ptr<Call>> calls_;       // started and not yet answered
  std::vector<std::shared_ptr<Call>> finished_;  // answered: dropped by the owner
  int active_ = 0;                               // calls started whose completion has not finished
  bool half_closed_ = false;                     // writes_done() came
  bool ending_ = false;                          // cancelled, or a call failed: no more calls start
  bool cancelled_ = false;                       // cancel() came: no more answers are delivered
  absl::Status end_status_;                      // what on_done reports when ending_
  bool reported_ = false;                        // on_done is being or was called
  bool done_ = false;                            // on_done returned
};

class GrpcTransport final : public ProtobufTransport {
 public:
  GrpcTransport(const Target& target, const ClientOptions& options)
      : address_(target.address()),
        credentials_(credentials(target, options)),
        arguments_(channel_arguments(options)),
        channel_(std::make_shared<GrpcChannel>(address_, credentials_, arguments_)),
        tls_(target.tls),
        unary_(!options.stream) {}

  std::unique_ptr<RequestStream> open_stream(const StreamOptions& options,
                                             StreamObserver* observer) override {
    if (unary_) return std::make_unique<UnaryGrpcStream>(channel(), options, observer, tls_);
    // The call keeps the channel it runs on.
    if (options.pump) {
      return std::make_unique<PumpedGrpcStream>(channel()->stub, options, observer, tls_,
                                                static_cast<GrpcPump&>(*options.pump));
    }
    return std::make_unique<GrpcStream>(channel()->stub, options, observer, tls_);
  }

  std::unique_ptr<StreamPump> make_pump() override { return std::make_unique<GrpcPump>(); }

  std::unique_ptr<ItemStream> open_doc_stream(const DataRequest& request,
                                              const StreamOptions& options,
                                              StreamObserver* observer) override {
    if (options.pump == nullptr) throw std::logic_error("stream_doc over gRPC needs a pump");
    auto bytes = std::make_shared<const std::string>(
        wire::serialize_single_document(request, options.doc_format));
    return std::make_unique<PumpedDocStream>(channel()->stub, std::move(bytes), options, observer,
                                             tls_, static_cast<GrpcPump&>(*options.pump));
  }

  absl::Status dry_run(Duration timeout) override {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + timeout);
    google::protobuf::Empty request;
    jina::StatusProto response;
    absl::Status status = to_absl(channel()->dry_run->dry_run(&context, request, &response));
    if (!status.ok()) return status;
    if (response.code() != jina::StatusProto::SUCCESS) {
      return absl::InternalError("dry run failed: " + response.description());
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<std::string>> endpoints(Duration timeout) override {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + timeout);
    google::protobuf::Empty request;
    jina::EndpointsProto response;
    absl::Status status =
        to_absl(channel()->discovery->endpoint_discovery(&context, request, &response));
    if (!status.ok()) return status;
    return std::vector<std::string>(response.endpoints().begin(), response.endpoints().end());
  }

  absl::StatusOr<nlohmann::json> info(Duration timeout) override {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + timeout);
    google::protobuf::Empty request;
    jina::JinaInfoProto response;
    absl::Status status = to_absl(channel()->info->_status(&context, request, &response));
    if (!status.ok()) return status;
    nlohmann::json out = {{"jina", nlohmann::json::object()}, {"envs", nlohmann::json::object()}};
    for (const auto& [k, v] : response.jina()) out["jina"][k] = v;
    for (const auto& [k, v] : response.envs()) out["envs"][k] = v;
    return out;
  }

  std::string target() const override { return address_; }
  bool opens_streams_at_once() const override { return true; }  // the callback API queues

 private:
  // The channel for the next call. One in TRANSIENT_FAILURE (the Flow was
  // down) waits out a reconnect backoff, and a call on it fails at once even
  // when the Flow is back; it reports that state until a connection
  // succeeds, so whether the Flow is back cannot be told from it. A fresh
  // channel (with a subchannel of its own) tries at once instead: a Flow
  // that came back is used at once, and one still down fails as fast as
  // the first time. Calls in flight keep the channel they run on.
  std::shared_ptr<GrpcChannel> channel() {
    std::lock_guard lock(mu_);
    if (channel_->channel->GetState(false) == GRPC_CHANNEL_TRANSIENT_FAILURE) {
      channel_ = std::make_shared<GrpcChannel>(address_, credentials_, arguments_);
    }
    return channel_;
  }

  std::string address_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  grpc::ChannelArguments arguments_;
  std::mutex mu_;
  std::shared_ptr<GrpcChannel> channel_;  // under mu_
  bool tls_;
  bool unary_;  // ClientOptions::stream = false: UnaryGrpcStream
};

}  // namespace

std::shared_ptr<Transport> make_grpc_transport(const Target& target, const ClientOptions& options) {
  return std::make_shared<GrpcTransport>(target, options);
}

}  // namespace jina::internal
