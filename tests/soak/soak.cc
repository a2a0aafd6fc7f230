// Soak run (issue 8, outside CI): mixed posts over gRPC, HTTP and WebSocket
// to a local Flow through fault-injecting proxies, for --minutes (default
// 10). Every --every seconds (default 30) prints one line: posts, requests,
// request failures, post failures, retries (streams re-opened), re-sent
// requests, resident memory and open file descriptors. Memory and
// descriptors should stay flat after warm-up; the accounting (every request
// exactly one outcome) is checked all along and a violation exits non-zero.
//
//   soak [--minutes M] [--seconds S] [--every S] [--seed N]
#include <dirent.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "client/client_access.h"
#include "client/client_core.h"
#include "integration/tcp_proxy.h"
#include "jina/client.h"
#include "jina/error.h"
#include "jina/flow.h"
#include "transport/transport.h"

namespace {

using jina::testing::TcpProxy;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Counts streams and writes of a real transport, to measure retries.
struct Counters {
  std::atomic<long> posts{0};
  std::atomic<long> streams{0};
  std::atomic<long> writes{0};
  std::atomic<long> requests{0};  // distinct requests sent (outcomes expected)
  std::atomic<long> done{0};
  std::atomic<long> request_errors{0};  // on_error: Executor errors and failed requests
  std::atomic<long> post_failures{0};   // post() threw (ConnectionError, Timeout, ...)
  std::atomic<long> timeouts{0};
  std::atomic<long> accounting_errors{0};
};
Counters counters;

// The distinct requests the current post() on this thread wrote (a post
// writes from its caller's thread; a re-send writes the same bytes again).
// Kept alive until the post ends, so that addresses stay unique.
thread_local std::set<std::shared_ptr<const std::string>> sent_this_post;

class CountingStream final : public jina::internal::RequestStream {
 public:
  explicit CountingStream(std::unique_ptr<jina::internal::RequestStream> inner)
      : inner_(std::move(inner)) {}
  void write(std::shared_ptr<const std::string> bytes) override {
    ++counters.writes;
    if (sent_this_post.insert(bytes).second) ++counters.requests;
    inner_->write(std::move(bytes));
  }
  void writes_done() override { inner_->writes_done(); }
  void cancel() override { inner_->cancel(); }

 private:
  std::unique_ptr<jina::internal::RequestStream> inner_;
};

class CountingTransport final : public jina::internal::Transport {
 public:
  explicit CountingTransport(std::shared_ptr<jina::internal::ClientCore> core)
      : core_(std::move(core)) {}
  std::unique_ptr<jina::internal::RequestStream> open_stream(
      const jina::internal::StreamOptions& options,
      jina::internal::StreamObserver* observer) override {
    ++counters.streams;
    return std::make_unique<CountingStream>(core_->transport().open_stream(options, observer));
  }
  absl::Status dry_run(Duration timeout) override { return core_->transport().dry_run(timeout); }
  absl::StatusOr<std::vector<std::string>> endpoints(Duration timeout) override {
    return core_->transport().endpoints(timeout);
  }
  absl::StatusOr<nlohmann::json> info(Duration timeout) override {
    return core_->transport().info(timeout);
  }
  std::string target() const override { return core_->transport().target(); }
  std::string protocol_name() const override { return core_->transport().protocol_name(); }
  std::string encode(const jina::DataRequest& request, jina::DocFormat format) const override {
    return core_->transport().encode(request, format);
  }
  jina::DataRequest decode(std::string_view encoded, jina::DocFormat format) const override {
    return core_->transport().decode(encoded, format);
  }

 private:
  std::shared_ptr<jina::internal::ClientCore> core_;
};

jina::Client make_client(const std::string& uri) {
  jina::ClientOptions options{.doc_format = jina::DocFormat::kV2,
                              .http_api = jina::HttpApi::kPerEndpoint};
  auto core = jina::internal::make_core(uri, options);
  return jina::internal::ClientAccess::client(std::make_shared<CountingTransport>(std::move(core)),
                                              options);
}

// "/echo": answers the docs (after a short random pause); "/fail": an
// Executor error; "/big": docs of parameters["bytes"] text.
class SoakExecutor : public jina::Executor {
 public:
  SoakExecutor() {
    on("/echo", [](jina::ExecutorRequest& req) {
      thread_local std::minstd_rand rng(std::random_device{}());
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2000));
      for (auto& d : req.docs) d.set_text(d.text() + "!");
    });
    on("/fail", [](jina::ExecutorRequest&) { throw std::runtime_error("soak: expected failure"); });
    on("/big", [](jina::ExecutorRequest& req) {
      std::size_t bytes = req.parameters.value("bytes", 1024);
      for (auto& d : req.docs) d.set_text(std::string(bytes, 'b'));
    });
  }
};

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

int open_fds() {
  int n = 0;
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    while (dirent* e = ::readdir(dir)) n += e->d_name[0] != '.';
    ::closedir(dir);
  }
  return n - 1;  // the directory stream itself
}

struct Fleet {
  const char* name;
  std::string scheme;
  std::unique_ptr<TcpProxy> proxy;
  std::unique_ptr<jina::Client> client;
};

// One post with random size, endpoint and options; checks that every request
// got exactly one outcome.
void one_post(Fleet& f, std::minstd_rand& rng) {
  int docs = 1 + static_cast<int>(rng() % 40);
  int request_size = 1 + static_cast<int>(rng() % 8);
  int kind = static_cast<int>(rng() % 20);
  std::string endpoint = kind < 16 ? "/echo" : kind < 18 ? "/fail" : "/big";
  std::size_t text = (rng() % 4 == 0) ? 64 * 1024 : 100;
  std::vector<jina::Document> inputs;
  for (int i = 0; i < docs; ++i)
    inputs.push_back(jina::Document().set_text(std::string(text, 't')));
  long outcomes = 0;
  sent_this_post.clear();
  jina::PostOptions options{
      .request_size = request_size,
      .parameters = {{"bytes", static_cast<int>(1024 << (rng() % 10))}},  // up to 512 KiB
      .on_done = [&](const jina::Response&) { ++counters.done; },
      .on_error = [&](const jina::Response&, const jina::Error&) { ++counters.request_errors; },
      .on_always = [&](const jina::Response&) { ++outcomes; },
      .max_attempts = 3,
      .initial_backoff = 0.05,
      .max_backoff = 0.3,
      .prefetch = 1 + static_cast<int>(rng() % 10),
      .timeout = 5.0,
  };
  // A fresh Client now and then: construction and destruction must not leak.
  std::unique_ptr<jina::Client> fresh;
  jina::Client* client = f.client.get();
  if (rng() % 25 == 0) {
    fresh = std::make_unique<jina::Client>(make_client(f.scheme + "://" + f.proxy->address()));
    client = fresh.get();
  }
  ++counters.posts;
  try {
    client->post(endpoint, std::move(inputs), options);
  } catch (const jina::Timeout&) {
    ++counters.post_failures;
    ++counters.timeouts;
  } catch (const jina::Error&) {
    ++counters.post_failures;
  }
  // Inputs never sent (the window was full when the post failed) have no
  // outcome; every request sent has exactly one.
  long requests = static_cast<long>(sent_this_post.size());
  sent_this_post.clear();
  if (outcomes != requests) {
    ++counters.accounting_errors;
    std::fprintf(stderr, "ACCOUNTING: %s %s: %ld requests, %ld outcomes\n", f.name,
                 endpoint.c_str(), requests, outcomes);
  }
}

// Every 0.5-2 s, one random fault on one proxy for 0.2-2 s.
void fault_loop(std::vector<Fleet>& fleets, std::atomic<bool>& stop, unsigned seed,
                std::atomic<long>& faults) {
  std::minstd_rand rng(seed);
  auto sleep = [&](int ms) {
    for (int t = 0; t < ms && !stop; t += 10) std::this_thread::sleep_for(milliseconds(10));
  };
  while (!stop) {
    sleep(500 + static_cast<int>(rng() % 1500));
    if (stop) break;
    TcpProxy& proxy = *fleets[rng() % fleets.size()].proxy;
    ++faults;
    unsigned kind = rng() % 7;
    std::fprintf(stderr, "fault %ld: kind %u\n", faults.load(), kind);
    switch (kind) {
      case 0:
        if (!proxy.reset_all()) std::fprintf(stderr, "proxy: reset_all timed out\n");
        break;
      case 1:
        proxy.set_mode(TcpProxy::Mode::kDrop);
        if (!proxy.reset_all()) std::fprintf(stderr, "proxy: reset_all timed out\n");
        break;
      case 2:
        proxy.set_mode(TcpProxy::Mode::kHalfOpen);
        break;
      case 3:
        proxy.set_delay(milliseconds(1 + rng() % 20));
        break;
      case 4:
        proxy.set_slow_reader(1024 + rng() % 8192, milliseconds(1));
        break;
      case 5:
        proxy.set_cut_after(100 + rng() % 20000);
        break;
      case 6:
        proxy.set_garbage("\xff\x00garbage\r\n", rng() % 5000);
        break;
    }
    sleep(200 + static_cast<int>(rng() % 1800));
    proxy.clear_faults();
    std::fprintf(stderr, "fault %ld cleared\n", faults.load());
  }
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 600;
  int every = 30;
  unsigned seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--minutes") {
      seconds = 60 * std::atof(argv[i + 1]);
    } else if (flag == "--seconds") {
      seconds = std::atof(argv[i + 1]);
    } else if (flag == "--every") {
      every = std::atoi(argv[i + 1]);
    } else if (flag == "--seed") {
      seed = static_cast<unsigned>(std::atoi(argv[i + 1]));
    } else {
      std::fprintf(stderr, "usage: soak [--minutes M] [--seconds S] [--every S] [--seed N]\n");
      return 2;
    }
  }

  jina::Flow flow(
      {.port = 0,
       .host = "127.0.0.1",
       .protocols = {jina::Protocol::kGrpc, jina::Protocol::kHttp, jina::Protocol::kWebsocket},
       .workers = 4,
       .shutdown_grace = milliseconds(200)});
  flow.add<SoakExecutor>({.name = "soak"});
  flow.start();

  std::vector<Fleet> fleets;
  fleets.push_back({"grpc", "grpc", nullptr, nullptr});
  fleets.push_back({"http", "http", nullptr, nullptr});
  fleets.push_back({"ws", "ws", nullptr, nullptr});
  const jina::Protocol protocols[] = {jina::Protocol::kGrpc, jina::Protocol::kHttp,
                                      jina::Protocol::kWebsocket};
  for (std::size_t i = 0; i < fleets.size(); ++i) {
    fleets[i].proxy = std::make_unique<TcpProxy>(flow.port(protocols[i]));
    fleets[i].client = std::make_unique<jina::Client>(
        make_client(fleets[i].scheme + "://" + fleets[i].proxy->address()));
  }

  std::atomic<bool> stop{false};
  std::atomic<long> faults{0};
  std::thread faulter([&] { fault_loop(fleets, stop, seed * 7919, faults); });
  // Two posting threads, each on a random protocol per post.
  std::vector<std::thread> posters;
  for (unsigned t = 0; t < 2; ++t) {
    posters.emplace_back([&, t] {
      std::minstd_rand rng(seed * 31 + t);
      while (!stop) one_post(fleets[rng() % fleets.size()], rng);
    });
  }

  auto start = Clock::now();
  auto report = [&] {
    double t = std::chrono::duration<double>(Clock::now() - start).count();
    long accepted = 0;
    for (auto& f : fleets) accepted += f.proxy->accepted();
    std::printf(
        "t=%5.0fs posts=%ld requests=%ld done=%ld req_errors=%ld post_failures=%ld "
        "(timeouts %ld) retries=%ld resent=%ld faults=%ld conns=%ld rss_kib=%ld fds=%d\n",
        t, counters.posts.load(), counters.requests.load(), counters.done.load(),
        counters.request_errors.load(), counters.post_failures.load(), counters.timeouts.load(),
        counters.streams.load() - counters.posts.load(),
        counters.writes.load() - counters.requests.load(), faults.load(), accepted, rss_kib(),
        open_fds());
    std::fflush(stdout);
  };
  report();
  auto next = start + std::chrono::seconds(every);
  auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (Clock::now() < end) {
    std::this_thread::sleep_for(milliseconds(100));
    if (Clock::now() >= next) {
      report();
      next += std::chrono::seconds(every);
    }
  }
  stop = true;
  faulter.join();
  for (auto& p : posters) p.join();
  for (auto& f : fleets) f.proxy->clear_faults();
  report();
  long bad = counters.accounting_errors.load();
  std::printf("accounting errors: %ld\n", bad);
  return bad == 0 ? 0 : 1;
}
