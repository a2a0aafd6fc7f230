#include "client/balancer.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "client/retry.h"
#include "common/log.h"

namespace jina::internal {
namespace {

using Clock = std::chrono::steady_clock;

// How long a gateway that failed `failures` times in a row is left out
// before it is dry-run: 0.5 s doubling to 30 s, +-20 % so that the Clients of
// a fleet do not probe in step.
Clock::duration leave_out_for(int failures) {
  static thread_local std::minstd_rand random(std::random_device{}());
  double seconds = std::min(30.0, 0.5 * std::pow(2.0, std::min(failures, 16) - 1));
  seconds *= std::uniform_real_distribution<double>(0.8, 1.2)(random);
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

// One gateway: its transport, its load, its health and its figures.
struct Gateway {
  Gateway(Target t, std::shared_ptr<Transport> tr)
      : target(std::move(t)), address(target.address()), transport(std::move(tr)) {}

  Target target;
  std::string address;
  std::shared_ptr<Transport> transport;
  std::atomic<std::int64_t> in_flight{0};  // every post's
  StatsRecorder stats;
  // Under Balancer::mu_:
  bool left_out = false;
  int failures_in_row = 0;
  Clock::time_point probe_at{};
  // Read without the lock on every answer, to skip the lock when healthy.
  std::atomic<bool> failing{false};
  std::string from_name;  // the DNS name it was resolved from; empty if listed
};

// One request on its way: the bytes (kept to re-send) and the order it came
// in (re-sends keep it).
struct Queued {
  std::string id;
  std::shared_ptr<const std::string> bytes;
  std::uint64_t order = 0;
  bool resent = false;
};

class Balancer;

// One post's stream over the gateways usable when it opened: a sub-stream
// each, opened at once (opening may wait for the network, so never from a
// transport's thread). What the engine asks and what the sub-streams report
// are events, handled one at a time by whichever thread finds none being
// handled (`run`), so no lock is held while a sub-stream or the engine's
// observer is called, and the observer's calls never overlap.
class BalancedStream final : public RequestStream {
 public:
  BalancedStream(Balancer& balancer, std::vector<std::shared_ptr<Gateway>> gateways,
                 const StreamOptions& options, StreamObserver* observer, int window,
                 StatsRecorder* client_stats);
  ~BalancedStream() override;

  // Answers are matched to requests by id: send() only.
  void write(std::shared_ptr<const std::string>) override {
    throw std::logic_error("a stream over several gateways needs send() with the request id");
  }
  void send(std::string_view request_id, std::shared_ptr<const std::string> bytes,
            bool last) override {
    Event event{Event::kWrite};
    event.id = std::string(request_id);
    event.bytes = std::move(bytes);
    event.last = last;
    run(std::move(event));
  }
  void writes_done() override { run(Event{Event::kWritesDone}); }
  void cancel() override { run(Event{Event::kCancel}); }

 private:
  struct Sub final : StreamObserver {
    BalancedStream* owner = nullptr;
    std::size_t index = 0;
    std::shared_ptr<Gateway> gateway;
    std::unique_ptr<RequestStream> stream;
    int outstanding = 0;
    bool half_closed = false;
    bool done = false;
    bool failed = false;  // takes no more requests

    void on_response(Response response, std::size_t wire_bytes) override {
      Event event{Event::kResponse, index};
      event.response = std::move(response);
      event.wire_bytes = wire_bytes;
      owner->run(std::move(event));
    }
    void on_bad_response(absl::Status status, std::size_t wire_bytes) override {
      Event event{Event::kBadResponse, index};
      event.status = std::move(status);
      event.wire_bytes = wire_bytes;
      owner->run(std::move(event));
    }
    void on_done(absl::Status status) override {
      Event event{Event::kDone, index};
      event.status = std::move(status);
      owner->run(std::move(event));
    }
  };

  struct Event {
    enum Kind { kWrite, kWritesDone, kCancel, kResponse, kBadResponse, kDone } kind;
    std::size_t sub = 0;
    std::string id{};
    std::shared_ptr<const std::string> bytes{};
    bool last = false;
    Response response{};
    std::size_t wire_bytes = 0;
    absl::Status status{};
  };

  struct Sent {
    std::shared_ptr<const std::string> bytes;
    std::size_t sub = 0;
    Clock::time_point at;
    std::uint64_t order = 0;
  };

  void run(Event event);
  // Handles queued events until none is left; the caller took the handling
  // role (draining_) under `lock`.
  void drain(std::unique_lock<std::mutex>& lock);
  void handle(Event& event);
  void dispatch();
  void answered(Sub& sub, Response response, std::size_t wire_bytes);
  void sub_done(Sub& sub, const absl::Status& status);
  void fail(absl::Status status);
  void finish_if_over();

  Balancer& balancer_;
  StreamObserver* observer_;
  const int window_;
  StatsRecorder* client_stats_;
  std::vector<std::unique_ptr<Sub>> subs_;

  std::mutex mu_;
  std::condition_variable idle_;
  std::deque<Event> events_;  // under mu_
  bool draining_ = false;     // under mu_: a thread is in handle()
  bool closing_ = false;      // under mu_: the destructor runs, events are dropped

  // Handled one at a time (run()):
  std::deque<Queued> queue_;          // waiting for a gateway with room
  std::map<std::string, Sent> sent_;  // by request id, unanswered
  std::uint64_t next_order_ = 0;
  std::size_t next_sub_ = 0;  // where the round of ties starts
  bool half_closed_ = false;  // the engine sends no more
  bool failed_ = false;       // ending with final_
  absl::Status final_;
  absl::Status last_failure_ = absl::UnavailableError("no gateway is usable");
  bool reported_ = false;  // the observer got on_done
};

class Balancer final : public Transport {
 public:
  Balancer(std::vector<Target> targets, const ClientOptions& options, TransportFactory factory,
           Resolver resolver)
      : options_(options),
        factory_(std::move(factory)),
        resolver_(std::move(resolver)),
        prototype_(factory_(targets.front(), options)) {
    for (Target& target : targets) {
      if (target.resolve_all) {
        names_.push_back(target);
      } else {
        gateways_.push_back(std::make_shared<Gateway>(target, factory_(target, options_)));
      }
    }
    for (const Target& name : names_) target_text_ += "dns:///" + name.address() + ",";
    for (const auto& gateway : gateways_) target_text_ += gateway->address + ",";
    target_text_.pop_back();
    if (!names_.empty()) {
      refresh_names();
      next_refresh_ =
          Clock::now() + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(options_.dns_refresh_interval));
    }
    keeper_ = std::thread([this] { keep(); });
  }

  ~Balancer() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_keeper_.notify_all();
    keeper_.join();
  }

  void set_client_stats(StatsRecorder* stats) { client_stats_ = stats; }

  std::string encode(const DataRequest& request, DocFormat format) const override {
    return prototype_->encode(request, format);
  }
  DataRequest decode(std::string_view encoded, DocFormat format) const override {
    return prototype_->decode(encoded, format);
  }
  // Every gateway speaks the prototype's protocol, so its pump serves them
  // all (a gRPC pump is a completion queue, which takes calls of any channel).
  std::unique_ptr<StreamPump> make_pump() override { return prototype_->make_pump(); }

  std::unique_ptr<RequestStream> open_stream(const StreamOptions& options,
                                             StreamObserver* observer) override {
    return std::make_unique<BalancedStream>(*this, usable(), options, observer,
                                            options_.gateway_window, client_stats_);
  }

  std::unique_ptr<ItemStream> open_doc_stream(const DataRequest& request,
                                              const StreamOptions& options,
                                              StreamObserver* observer) override;

  absl::Status dry_run(Duration timeout) override {
    absl::Status last = absl::UnavailableError("no gateway: " + target_text_);
    for (const auto& gateway : by_load()) {
      last = gateway->transport->dry_run(timeout);
      if (last.ok()) return last;
    }
    return last;
  }
  absl::StatusOr<std::vector<std::string>> endpoints(Duration timeout) override {
    return first_answer([&](Transport& t) { return t.endpoints(timeout); });
  }
  absl::StatusOr<nlohmann::json> info(Duration timeout) override {
    return first_answer([&](Transport& t) { return t.info(timeout); });
  }
  absl::StatusOr<nlohmann::json> graphql(const nlohmann::json& body, Duration timeout) override {
    return first_answer([&](Transport& t) { return t.graphql(body, timeout); });
  }

  std::string target() const override { return target_text_; }
  std::string protocol_name() const override { return prototype_->protocol_name(); }
  bool opens_streams_at_once() const override { return prototype_->opens_streams_at_once(); }

  // A gateway failed `status`: left out until a dry run succeeds.
  void leave_out(Gateway& gateway, const absl::Status& status) {
    {
      std::lock_guard lock(mu_);
      // One outage counts once, however many streams it broke.
      if (gateway.left_out) return;
      ++gateway.failures_in_row;
      gateway.failing = true;
      gateway.left_out = true;
      gateway.probe_at = Clock::now() + leave_out_for(gateway.failures_in_row);
      // A pod that went away may have a successor at another address.
      if (!names_.empty()) next_refresh_ = Clock::now();
    }
    log(LogLevel::kWarning, "client",
        "gateway " + gateway.address + " left out after " +
            std::string(absl::StatusCodeToString(status.code())) + " " +
            std::string(status.message()) + "; its requests go to the other gateways");
    wake_keeper_.notify_all();
  }

  void answered_by(Gateway& gateway) {
    if (!gateway.failing.load(std::memory_order_relaxed)) return;
    std::lock_guard lock(mu_);
    if (!gateway.left_out) {
      gateway.failures_in_row = 0;
      gateway.failing = false;
    }
  }

  std::vector<GatewayStats> stats() const {
    std::vector<std::shared_ptr<Gateway>> gateways;
    std::vector<bool> healthy;
    {
      std::lock_guard lock(mu_);
      gateways = gateways_;
      for (const auto& g : gateways) healthy.push_back(!g->left_out);
    }
    std::vector<GatewayStats> out;
    for (std::size_t i = 0; i < gateways.size(); ++i) {
      ClientStats s = gateways[i]->stats.snapshot();
      GatewayStats g;
      g.address = gateways[i]->address;
      g.healthy = healthy[i];
      g.requests = s.requests + s.retries;
      g.responses = s.responses;
      g.failures = s.failed;
      g.in_flight = static_cast<std::uint64_t>(
          std::max<std::int64_t>(0, gateways[i]->in_flight.load(std::memory_order_relaxed)));
      g.latency = std::move(s.latency);
      out.push_back(std::move(g));
    }
    return out;
  }

  // The gateways a new stream uses: those not left out; all when every one
  // is (the post's own backoff paces those tries).
  std::vector<std::shared_ptr<Gateway>> usable() {
    std::lock_guard lock(mu_);
    std::vector<std::shared_ptr<Gateway>> out;
    for (const auto& g : gateways_) {
      if (!g->left_out) out.push_back(g);
    }
    if (out.empty()) out = gateways_;
    if (out.empty() && !names_.empty()) {
      // Nothing resolved yet (or the name went away): ask again soon.
      next_refresh_ = Clock::now();
      wake_keeper_.notify_all();
    }
    return out;
  }

  // Why the last DNS resolution failed, if it did.
  std::string name_error() const {
    std::lock_guard lock(mu_);
    return name_error_;
  }

 private:
  // Usable gateways first, the least loaded first.
  std::vector<std::shared_ptr<Gateway>> by_load() {
    std::vector<std::shared_ptr<Gateway>> all = usable();
    std::vector<std::shared_ptr<Gateway>> rest;
    {
      std::lock_guard lock(mu_);
      for (const auto& g : gateways_) {
        if (std::find(all.begin(), all.end(), g) == all.end()) rest.push_back(g);
      }
    }
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
      return a->in_flight.load(std::memory_order_relaxed) <
             b->in_flight.load(std::memory_order_relaxed);
    });
    all.insert(all.end(), rest.begin(), rest.end());
    return all;
  }

  // The first gateway's answer that is not a connection failure.
  template <class Call>
  auto first_answer(const Call& call) -> decltype(call(std::declval<Transport&>())) {
    decltype(call(std::declval<Transport&>())) last =
        absl::UnavailableError("no gateway: " + target_text_);
    for (const auto& gateway : by_load()) {
      last = call(*gateway->transport);
      // Only past a gateway that could not be reached: a timeout may have
      // run the call there (a mutation must not run twice).
      if (last.ok() || last.status().code() != absl::StatusCode::kUnavailable) return last;
    }
    return last;
  }

  // The thread that dry-runs gateways left out, when their backoff is over,
  // and resolves DNS names again.
  void keep() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      Clock::time_point wake = Clock::time_point::max();
      for (const auto& g : gateways_) {
        if (g->left_out) wake = std::min(wake, g->probe_at);
      }
      if (!names_.empty()) wake = std::min(wake, next_refresh_);
      if (wake == Clock::time_point::max()) {
        wake_keeper_.wait(lock);
      } else {
        wake_keeper_.wait_until(lock, wake);
      }
      if (stopping_) return;
      Clock::time_point now = Clock::now();
      std::vector<std::shared_ptr<Gateway>> due;
      for (const auto& g : gateways_) {
        if (g->left_out && g->probe_at <= now) due.push_back(g);
      }
      bool refresh = !names_.empty() && next_refresh_ <= now;
      Clock::time_point asked = next_refresh_;
      lock.unlock();
      try {
        for (const auto& g : due) probe(*g);
        if (refresh) refresh_names();
      } catch (const std::exception& e) {
        // A TLS file that became unreadable, say: the next round tries again.
        log(LogLevel::kWarning, "client", std::string("gateway upkeep failed: ") + e.what());
      }
      lock.lock();
      // Unless a failure asked for another resolution meanwhile.
      if (refresh && next_refresh_ == asked) {
        next_refresh_ =
            Clock::now() + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(options_.dns_refresh_interval));
      }
    }
  }

  void probe(Gateway& gateway) {
    absl::Status status = gateway.transport->dry_run(std::chrono::seconds(1));
    bool back = false;
    {
      std::lock_guard lock(mu_);
      if (status.ok()) {
        // Back, but failures_in_row stays until it answers a request
        // (answered_by): a gateway that flaps backs off longer each time.
        gateway.left_out = false;
        back = true;
      } else {
        ++gateway.failures_in_row;
        gateway.probe_at = Clock::now() + leave_out_for(gateway.failures_in_row);
      }
    }
    if (back) log(LogLevel::kInfo, "client", "gateway " + gateway.address + " is back");
  }

  // Resolves every DNS name; adds the addresses new to the list and drops
  // those gone (streams that use them keep them until they end).
  void refresh_names() {
    std::vector<std::shared_ptr<Gateway>> found;
    std::vector<std::string> answered;  // the names that resolved
    std::string error;
    for (const Target& name : names_) {
      auto addresses = resolver_(name.host);
      if (!addresses.ok()) {
        error = "DNS name " + name.host + ": " + std::string(addresses.status().message());
        continue;
      }
      answered.push_back(name.host);
      for (const std::string& ip : *addresses) {
        Target target = name;
        target.host = ip;
        target.resolve_all = false;
        auto gateway = std::make_shared<Gateway>(std::move(target), nullptr);
        gateway->from_name = name.host;
        found.push_back(std::move(gateway));
      }
    }
    std::lock_guard lock(mu_);
    name_error_ = error;
    if (found.empty()) return;  // keep what worked last rather than nothing
    std::vector<std::shared_ptr<Gateway>> next;
    for (const auto& g : gateways_) {
      // A name that did not answer this time keeps its gateways.
      bool asked = std::find(answered.begin(), answered.end(), g->from_name) != answered.end();
      bool still = std::any_of(found.begin(), found.end(),
                               [&](const auto& f) { return f->address == g->address; });
      if (!asked || still) next.push_back(g);
    }
    for (auto& f : found) {
      bool known = std::any_of(next.begin(), next.end(),
                               [&](const auto& g) { return g->address == f->address; });
      if (known) continue;
      ClientOptions options = options_;
      // The certificate is the name's, not the address's.
      if (options.tls_server_name.empty()) options.tls_server_name = f->from_name;
      f->transport = factory_(f->target, options);
      next.push_back(std::move(f));
    }
    gateways_ = std::move(next);
  }

  ClientOptions options_;
  TransportFactory factory_;
  Resolver resolver_;
  std::shared_ptr<Transport> prototype_;  // encodes, makes pumps
  std::vector<Target> names_;             // "dns:///" entries
  std::string target_text_;
  StatsRecorder* client_stats_ = nullptr;

  mutable std::mutex mu_;
  std::condition_variable wake_keeper_;
  std::vector<std::shared_ptr<Gateway>> gateways_;  // under mu_
  std::string name_error_;                          // under mu_
  Clock::time_point next_refresh_ = Clock::time_point::max();
  bool stopping_ = false;
  std::thread keeper_;
};

// --- BalancedStream ---------------------------------------------------------

BalancedStream::BalancedStream(Balancer& balancer, std::vector<std::shared_ptr<Gateway>> gateways,
                               const StreamOptions& options, StreamObserver* observer, int window,
                               StatsRecorder* client_stats)
    : balancer_(balancer), observer_(observer), window_(window), client_stats_(client_stats) {
  for (std::size_t i = 0; i < gateways.size(); ++i) {
    auto sub = std::make_unique<Sub>();
    sub->owner = this;
    sub->index = i;
    sub->gateway = std::move(gateways[i]);
    subs_.push_back(std::move(sub));
  }
  if (subs_.empty()) {
    failed_ = true;
    std::string why = balancer.name_error();
    final_ = absl::UnavailableError("no gateway to send to (" + balancer.target() + ")" +
                                    (why.empty() ? "" : ": " + why));
    reported_ = true;
    observer_->on_done(final_);
    return;
  }
  // A sub-stream may report before the others are open: this thread holds
  // the handling role meanwhile, so those reports wait in the queue.
  std::unique_lock lock(mu_);
  draining_ = true;
  lock.unlock();
  for (auto& sub : subs_) sub->stream = sub->gateway->transport->open_stream(options, sub.get());
  lock.lock();
  drain(lock);
}

BalancedStream::~BalancedStream() {
  {
    std::unique_lock lock(mu_);
    closing_ = true;
    idle_.wait(lock, [this] { return !draining_; });
  }
  for (auto& sub : subs_) sub->stream->cancel();
  for (auto& sub : subs_) sub->stream.reset();  // each waits for its on_done (dropped)
  for (auto& [id, sent] : sent_) subs_[sent.sub]->gateway->in_flight.fetch_sub(1);
  if (!reported_) observer_->on_done(failed_ ? final_ : absl::CancelledError("stream cancelled"));
}

void BalancedStream::run(Event event) {
  std::unique_lock lock(mu_);
  if (closing_) return;
  events_.push_back(std::move(event));
  if (draining_) return;  // that thread handles it next
  draining_ = true;
  drain(lock);
}

void BalancedStream::drain(std::unique_lock<std::mutex>& lock) {
  while (!events_.empty() && !closing_) {
    Event next = std::move(events_.front());
    events_.pop_front();
    lock.unlock();
    handle(next);
    lock.lock();
  }
  draining_ = false;
  idle_.notify_all();
}

void BalancedStream::handle(Event& event) {
  if (reported_) return;
  switch (event.kind) {
    case Event::kWrite:
      queue_.push_back(Queued{std::move(event.id), std::move(event.bytes), next_order_++});
      if (event.last) half_closed_ = true;
      dispatch();
      break;
    case Event::kWritesDone:
      half_closed_ = true;
      break;
    case Event::kCancel:
      fail(absl::CancelledError("stream cancelled"));
      break;
    case Event::kResponse:
      answered(*subs_[event.sub], std::move(event.response), event.wire_bytes);
      break;
    case Event::kBadResponse:
      observer_->on_bad_response(std::move(event.status), event.wire_bytes);
      break;
    case Event::kDone:
      sub_done(*subs_[event.sub], event.status);
      break;
  }
  finish_if_over();
}

void BalancedStream::dispatch() {
  if (failed_) return;  // what is queued stays for the post to re-send
  const std::size_t n = subs_.size();
  while (!queue_.empty()) {
    Sub* best = nullptr;
    std::int64_t best_load = 0;
    for (std::size_t k = 0; k < n; ++k) {
      Sub& sub = *subs_[(next_sub_ + k) % n];
      if (sub.done || sub.failed) continue;
      if (window_ > 0 && sub.outstanding >= window_) continue;
      std::int64_t load = sub.gateway->in_flight.load(std::memory_order_relaxed);
      if (!best || load < best_load) {
        best = &sub;
        best_load = load;
      }
    }
    if (!best) return;  // every gateway is at its window: an answer makes room
    next_sub_ = (best->index + 1) % n;
    Queued request = std::move(queue_.front());
    queue_.pop_front();
    ++best->outstanding;
    best->gateway->in_flight.fetch_add(1, std::memory_order_relaxed);
    if (request.resent) {
      best->gateway->stats.request_resent(request.bytes->size());
      if (client_stats_) client_stats_->request_resent(request.bytes->size());
    } else {
      best->gateway->stats.request_sent(0, request.bytes->size());
    }
    sent_[request.id] = Sent{request.bytes, best->index, Clock::now(), request.order};
    best->stream->write(std::move(request.bytes));
  }
}

void BalancedStream::answered(Sub& sub, Response response, std::size_t wire_bytes) {
  auto it = sent_.find(response.header().request_id());
  if (it != sent_.end() && it->second.sub == sub.index) {
    sub.gateway->stats.response(response.status().ok(), response.docs().size(),
                                Clock::now() - it->second.at);
    sent_.erase(it);
    --sub.outstanding;
    sub.gateway->in_flight.fetch_sub(1, std::memory_order_relaxed);
    balancer_.answered_by(*sub.gateway);
  }
  response.set_gateway(sub.gateway->address);
  observer_->on_response(std::move(response), wire_bytes);
  dispatch();
}

void BalancedStream::sub_done(Sub& sub, const absl::Status& status) {
  sub.done = true;
  // What it left unanswered goes back to the front of the queue, in order.
  std::vector<Queued> orphans;
  for (auto it = sent_.begin(); it != sent_.end();) {
    if (it->second.sub != sub.index) {
      ++it;
      continue;
    }
    orphans.push_back(Queued{it->first, std::move(it->second.bytes), it->second.order, true});
    it = sent_.erase(it);
  }
  sub.gateway->in_flight.fetch_sub(static_cast<std::int64_t>(orphans.size()),
                                   std::memory_order_relaxed);
  sub.outstanding = 0;
  std::sort(orphans.begin(), orphans.end(),
            [](const Queued& a, const Queued& b) { return a.order < b.order; });
  queue_.insert(queue_.begin(), std::make_move_iterator(orphans.begin()),
                std::make_move_iterator(orphans.end()));
  if (failed_) return;  // we ended it
  // Half-closed with everything answered: done, however the stream ended.
  if (orphans.empty() && sub.half_closed) return;
  sub.failed = true;
  sub.gateway->stats.failed(orphans.size());
  absl::Status failure = status;
  if (status.ok()) {
    failure = absl::UnavailableError("the gateway closed the stream with " +
                                     std::to_string(orphans.size()) + " request(s) unanswered");
  } else if (status.code() == absl::StatusCode::kCancelled) {
    // Not ours (fail() sets failed_ first): a gateway shutting down (a
    // rolling update) cancels its streams. Another gateway can take them.
    failure = absl::UnavailableError("the gateway cancelled the stream: " +
                                     std::string(status.message()));
  }
  if (!is_retryable(failure.code())) {
    // Another gateway would fail it the same way (too large, refused
    // credentials...): the post decides.
    return fail(failure);
  }
  balancer_.leave_out(*sub.gateway, failure);
  last_failure_ = absl::Status(
      failure.code(), "gateway " + sub.gateway->address + ": " + std::string(failure.message()));
  dispatch();
  bool any_left =
      std::any_of(subs_.begin(), subs_.end(), [](const auto& s) { return !s->done && !s->failed; });
  if (!any_left) fail(last_failure_);
}

void BalancedStream::fail(absl::Status status) {
  if (failed_) return;
  failed_ = true;
  final_ = std::move(status);
  for (auto& sub : subs_) {
    if (!sub->done) sub->stream->cancel();
  }
}

void BalancedStream::finish_if_over() {
  if (reported_) return;
  bool all_sent = half_closed_ && queue_.empty() && sent_.empty();
  if (all_sent && !failed_) {
    for (auto& sub : subs_) {
      if (sub->done || sub->half_closed) continue;
      sub->half_closed = true;
      sub->stream->writes_done();
    }
  }
  bool all_done = std::all_of(subs_.begin(), subs_.end(), [](const auto& s) { return s->done; });
  if (!all_done) return;
  reported_ = true;
  observer_->on_done(failed_ ? final_ : all_sent ? absl::OkStatus() : last_failure_);
}

// --- stream_doc: one gateway per call ---------------------------------------

// Counts the call in its gateway's load, and leaves the gateway out when
// the call could not reach it.
class BalancedItemStream final : public ItemStream, private StreamObserver {
 public:
  BalancedItemStream(Balancer& balancer, std::shared_ptr<Gateway> gateway, StreamObserver* observer)
      : balancer_(balancer), gateway_(std::move(gateway)), observer_(observer) {
    gateway_->in_flight.fetch_add(1, std::memory_order_relaxed);
  }
  ~BalancedItemStream() override {
    inner_.reset();
    gateway_->in_flight.fetch_sub(1, std::memory_order_relaxed);
  }
  void open(const DataRequest& request, const StreamOptions& options) {
    inner_ = gateway_->transport->open_doc_stream(request, options, this);
  }
  bool opened() const { return inner_ != nullptr; }
  void read_next() override { inner_->read_next(); }
  void cancel() override { inner_->cancel(); }

 private:
  void on_response(Response response, std::size_t wire_bytes) override {
    response.set_gateway(gateway_->address);
    observer_->on_response(std::move(response), wire_bytes);
  }
  void on_bad_response(absl::Status status, std::size_t wire_bytes) override {
    observer_->on_bad_response(std::move(status), wire_bytes);
  }
  void on_done(absl::Status status) override {
    if (status.code() == absl::StatusCode::kUnavailable) balancer_.leave_out(*gateway_, status);
    observer_->on_done(std::move(status));
  }

  Balancer& balancer_;
  std::shared_ptr<Gateway> gateway_;
  StreamObserver* observer_;
  std::unique_ptr<ItemStream> inner_;
};

std::unique_ptr<ItemStream> Balancer::open_doc_stream(const DataRequest& request,
                                                      const StreamOptions& options,
                                                      StreamObserver* observer) {
  std::vector<std::shared_ptr<Gateway>> gateways = by_load();
  if (gateways.empty()) return prototype_->open_doc_stream(request, options, observer);
  auto stream = std::make_unique<BalancedItemStream>(*this, gateways.front(), observer);
  stream->open(request, options);
  if (!stream->opened()) return nullptr;
  return stream;
}

}  // namespace

Resolver system_resolver() {
  return [](const std::string& name) -> absl::StatusOr<std::vector<std::string>> {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    int rc = getaddrinfo(name.c_str(), nullptr, &hints, &found);
    if (rc != 0) return absl::UnavailableError(gai_strerror(rc));
    std::vector<std::string> out;
    for (addrinfo* a = found; a; a = a->ai_next) {
      char text[NI_MAXHOST];
      if (getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) !=
          0) {
        continue;
      }
      if (std::find(out.begin(), out.end(), text) == out.end()) out.emplace_back(text);
    }
    freeaddrinfo(found);
    if (out.empty()) return absl::UnavailableError("no address");
    return out;
  };
}

std::shared_ptr<Transport> make_balanced_transport(std::vector<Target> targets,
                                                   const ClientOptions& options,
                                                   TransportFactory factory, Resolver resolver) {
  return std::make_shared<Balancer>(std::move(targets), options, std::move(factory),
                                    std::move(resolver));
}

void set_balancer_stats(Transport& transport, StatsRecorder* client_stats) {
  if (auto* balancer = dynamic_cast<Balancer*>(&transport))
    balancer->set_client_stats(client_stats);
}

std::vector<GatewayStats> gateway_stats(const Transport& transport) {
  if (const auto* balancer = dynamic_cast<const Balancer*>(&transport)) return balancer->stats();
  return {};
}

}  // namespace jina::internal
