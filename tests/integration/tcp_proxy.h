// A TCP proxy on 127.0.0.1 that tests steer to inject network faults between
// a Client and a Flow: pass-through, drop (reset) new connections, half-open
// connections (accepted, never forwarded or answered), delays, a slow reader,
// garbage bytes in the response direction, a stream cut after N bytes, and
// resetting (RST) every open connection.
//
// Plain POSIX sockets: one thread accepts, one thread per connection moves
// bytes both ways with poll(). Faults set while connections are open apply
// to them from their next chunk on (mode, garbage and cut: new connections).
//
// Thread-safety: every method may be called from any thread.
#ifndef JINA_TESTS_INTEGRATION_TCP_PROXY_H_
#define JINA_TESTS_INTEGRATION_TCP_PROXY_H_

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace jina::testing {

// A loopback port nothing listens on right now.
inline int unused_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class TcpProxy {
 public:
  enum class Mode {
    kForward,   // connect upstream and pass bytes through (with the faults below)
    kDrop,      // accept, then reset at once (a crashed / restarting server)
    kHalfOpen,  // accept, never read, forward or answer (a hung server)
  };

  // Listens on 127.0.0.1:`port` (0 picks a free port) and forwards to
  // 127.0.0.1:`upstream_port`.
  explicit TcpProxy(int upstream_port, int port = 0) : upstream_port_(upstream_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error("proxy: socket failed");
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr = loopback(port);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 128) != 0) {
      ::close(listen_fd_);
      throw std::runtime_error("proxy: cannot listen on port " + std::to_string(port));
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~TcpProxy() {
    stop_ = true;
    acceptor_.join();
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return connections_.empty(); });
    ::close(listen_fd_);
  }

  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  void set_upstream(int upstream_port) { upstream_port_ = upstream_port; }
  void set_mode(Mode mode) { mode_ = mode; }
  // Waits this long before forwarding each chunk read (either direction).
  void set_delay(std::chrono::milliseconds delay) { delay_ms_ = static_cast<int>(delay.count()); }
  // Reads at most `bytes` from the client every `every`: a server that reads
  // its requests slowly, so the client's writes back up. 0 bytes: off.
  void set_slow_reader(std::size_t bytes, std::chrono::milliseconds every) {
    slow_bytes_ = bytes;
    slow_every_ms_ = static_cast<int>(every.count());
  }
  // New connections: after `after` response bytes, `garbage` is sent to the
  // client, and forwarding goes on. Empty: off.
  void set_garbage(std::string garbage, std::size_t after = 0) {
    std::lock_guard lock(mu_);
    garbage_ = std::move(garbage);
    garbage_after_ = after;
  }
  // New connections (only the next `connections` ones when >= 0): reset once
  // `bytes` response bytes were forwarded. 0 bytes: off.
  void set_cut_after(std::size_t bytes, int connections = -1) {
    std::lock_guard lock(mu_);
    cut_after_ = bytes;
    cut_budget_ = connections;
  }

  // Back to a plain pass-through for new chunks and connections.
  void clear_faults() {
    set_mode(Mode::kForward);
    set_delay(std::chrono::milliseconds(0));
    set_slow_reader(0, std::chrono::milliseconds(0));
    set_garbage({});
    set_cut_after(0);
  }

  // Resets (RST) every open connection; returns once they are closed
  // (connections accepted meanwhile are left alone), or after 2 s at most.
  // Returns whether all were closed.
  bool reset_all() {
    std::unique_lock lock(mu_);
    std::vector<std::shared_ptr<Connection>> now(connections_.begin(), connections_.end());
    for (auto& c : now) c->reset = true;
    return cv_.wait_for(lock, std::chrono::seconds(2), [&] {
      return std::all_of(now.begin(), now.end(), [](const auto& c) { return c->finished; });
    });
  }

  // Connections accepted so far, and open now.
  int accepted() const { return accepted_; }
  int open_connections() const {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& c : connections_) n += c->finished ? 0 : 1;
    return n;
  }
  // Bytes forwarded so far towards the client (after faults).
  std::size_t bytes_to_client() const { return bytes_to_client_; }

 private:
  struct Connection {
    std::atomic<bool> reset{false};
    bool finished = false;  // under mu_
    std::thread thread;
  };

  static sockaddr_in loopback(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    return addr;
  }

  // Closing with a zero linger sends RST instead of FIN.
  static void reset_close(int fd) {
    if (fd < 0) return;
    linger lg{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    ::close(fd);
  }

  static void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

  void accept_loop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++accepted_;
      if (mode_ == Mode::kDrop) {
        reset_close(fd);
        continue;
      }
      std::lock_guard lock(mu_);
      reap();
      auto conn = std::make_shared<Connection>();
      connections_.push_back(conn);
      Mode mode = mode_;
      std::string garbage = garbage_;
      std::size_t garbage_after = garbage_after_;
      std::size_t cut = cut_budget_ == 0 ? 0 : cut_after_;
      if (cut != 0 && cut_budget_ > 0) --cut_budget_;
      conn->thread = std::thread([this, conn, fd, mode, garbage, garbage_after, cut] {
        if (mode == Mode::kHalfOpen) {
          hold(*conn, fd);
        } else {
          forward(*conn, fd, garbage, garbage_after, cut);
        }
        std::lock_guard l(mu_);
        conn->finished = true;
        cv_.notify_all();
      });
    }
    // Shut down: reset everything and join.
    std::list<std::shared_ptr<Connection>> all;
    {
      std::lock_guard lock(mu_);
      for (auto& c : connections_) c->reset = true;
      all = connections_;
    }
    for (auto& c : all) c->thread.join();
    std::lock_guard lock(mu_);
    connections_.clear();
    cv_.notify_all();
  }

  // Under mu_: joins connections that ended.
  void reap() {
    for (auto it = connections_.begin(); it != connections_.end();) {
      if ((*it)->finished) {
        (*it)->thread.join();
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
  }

  bool should_stop(const Connection& conn) const { return stop_ || conn.reset; }

  // Never reads: ends when reset, or when the client gives up (closes).
  void hold(Connection& conn, int fd) {
    while (!should_stop(conn)) {
      pollfd p{fd, POLLRDHUP, 0};
      if (::poll(&p, 1, 10) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) break;
    }
    reset_close(fd);
  }

  void forward(Connection& conn, int client, const std::string& garbage, std::size_t garbage_after,
               std::size_t cut) {
    int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr = loopback(upstream_port_);
    if (::connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      // Nothing behind the proxy: the client sees a reset, as from a dead port.
      reset_close(upstream);
      reset_close(client);
      return;
    }
    int one = 1;
    ::setsockopt(upstream, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    set_nonblocking(client);
    set_nonblocking(upstream);

    std::string to_up;
    std::string to_client;
    bool client_eof = false;
    bool upstream_eof = false;
    bool up_shut = false;
    bool client_shut = false;
    bool garbage_sent = garbage.empty();
    std::size_t forwarded = 0;  // response bytes, for the cut and the garbage
    auto next_slow_read = std::chrono::steady_clock::now();
    constexpr std::size_t kBuffer = 64 * 1024;
    char buf[kBuffer];

    auto fail = [&] {
      reset_close(client);
      reset_close(upstream);
    };

    while (true) {
      if (should_stop(conn)) return fail();
      std::size_t slow = slow_bytes_;
      auto now = std::chrono::steady_clock::now();
      bool may_read_client =
          !client_eof && to_up.size() < kBuffer && (slow == 0 || now >= next_slow_read);
      bool may_read_up = !upstream_eof && to_client.size() < kBuffer;
      pollfd p[2] = {{client, 0, 0}, {upstream, 0, 0}};
      if (may_read_client) p[0].events |= POLLIN;
      if (!to_client.empty()) p[0].events |= POLLOUT;
      if (may_read_up) p[1].events |= POLLIN;
      if (!to_up.empty()) p[1].events |= POLLOUT;
      int wait_ms = 20;
      if (slow != 0 && !may_read_client && !client_eof)
        wait_ms = std::min(wait_ms, std::max(1, slow_every_ms_.load()));
      if (::poll(p, 2, wait_ms) < 0 && errno != EINTR) return fail();
      if ((p[0].revents | p[1].revents) & (POLLERR | POLLNVAL)) return fail();

      if (p[0].revents & (POLLIN | POLLHUP)) {
        std::size_t want = slow == 0 ? kBuffer : std::min(slow, kBuffer);
        ssize_t n = ::read(client, buf, want);
        if (n > 0) {
          pause();
          to_up.append(buf, static_cast<std::size_t>(n));
          if (slow != 0) next_slow_read = now + std::chrono::milliseconds(slow_every_ms_);
        } else if (n == 0) {
          client_eof = true;
        } else if (errno != EAGAIN && errno != EINTR) {
          return fail();
        }
      }
      if (p[1].revents & (POLLIN | POLLHUP)) {
        ssize_t n = ::read(upstream, buf, kBuffer);
        if (n > 0) {
          pause();
          std::size_t len = static_cast<std::size_t>(n);
          std::size_t offset = 0;
          if (!garbage_sent && forwarded + len >= garbage_after) {
            std::size_t head = garbage_after - forwarded;
            to_client.append(buf, head);
            to_client += garbage;
            offset = head;
            forwarded += head;
            garbage_sent = true;
          }
          std::size_t rest = len - offset;
          if (cut != 0 && forwarded + rest >= cut) {
            to_client.append(buf + offset, cut - forwarded);
            flush(client, to_client);
            bytes_to_client_ += cut - forwarded;
            return fail();
          }
          to_client.append(buf + offset, rest);
          forwarded += rest;
        } else if (n == 0) {
          upstream_eof = true;
        } else if (errno != EAGAIN && errno != EINTR) {
          return fail();
        }
      }
      if (!to_up.empty() && !write_some(upstream, to_up)) return fail();
      std::size_t before = to_client.size();
      if (!to_client.empty() && !write_some(client, to_client)) return fail();
      bytes_to_client_ += before - to_client.size();

      // Pass half-closes on once the bytes before them are through.
      if (client_eof && to_up.empty() && !up_shut) {
        ::shutdown(upstream, SHUT_WR);
        up_shut = true;
      }
      if (upstream_eof && to_client.empty() && !client_shut) {
        ::shutdown(client, SHUT_WR);
        client_shut = true;
      }
      if (up_shut && client_shut) {
        ::close(client);
        ::close(upstream);
        return;
      }
    }
  }

  void pause() const {
    int ms = delay_ms_;
    if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }

  // Writes what the socket takes now; false when it is broken.
  static bool write_some(int fd, std::string& bytes) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.erase(0, static_cast<std::size_t>(n));
      return true;
    }
    return n < 0 && (errno == EAGAIN || errno == EINTR);
  }

  // Best effort, bounded: the bytes before a cut.
  static void flush(int fd, std::string& bytes) {
    for (int i = 0; i < 100 && !bytes.empty(); ++i) {
      if (!write_some(fd, bytes)) return;
      if (!bytes.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  std::atomic<int> upstream_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<Mode> mode_{Mode::kForward};
  std::atomic<int> delay_ms_{0};
  std::atomic<std::size_t> slow_bytes_{0};
  std::atomic<int> slow_every_ms_{0};
  std::atomic<int> accepted_{0};
  std::atomic<std::size_t> bytes_to_client_{0};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string garbage_;
  std::size_t garbage_after_ = 0;
  std::size_t cut_after_ = 0;
  int cut_budget_ = -1;  // connections left to cut; < 0: all
  std::list<std::shared_ptr<Connection>> connections_;
  std::thread acceptor_;
};

}  // namespace jina::testing

#endif  // JINA_TESTS_INTEGRATION_TCP_PROXY_H_
