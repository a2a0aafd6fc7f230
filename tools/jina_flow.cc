// jina-flow: serves a local Flow of built-in Executors (echo, upper, params,
// fail) for trying out clients. See `jina-flow --help` and docs/cli.md.
#include <pthread.h>
#include <signal.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli_args.h"
#include "jina/jina.h"

namespace {

constexpr std::string_view kUsage =
    "Usage: jina-flow [OPTION]...\n"
    "Serve a local Jina Flow of built-in Executors until SIGINT (Ctrl-C) or SIGTERM.\n"
    "Once it accepts requests, print one address per protocol on stdout,\n"
    "e.g. grpc://127.0.0.1:54321.\n";

constexpr std::string_view kExecutors =
    "Executors (--executor KIND[:NAME], in a chain in the given order; default echo):\n"
    "  echo    returns the Documents unchanged\n"
    "  upper   upper-cases each Document's text (ASCII)\n"
    "  params  sets tags.parameters (the request's parameters) and tags.endpoint\n"
    "  fail    fails every request (an Executor error)\n";

class Echo : public jina::Executor {
 public:
  Echo() {
    on_default([](jina::ExecutorRequest&) {});
  }
  std::string class_name() const override { return "Echo"; }
};

class Upper : public jina::Executor {
 public:
  Upper() {
    on_default([](jina::ExecutorRequest& req) {
      for (jina::Document& doc : req.docs) {
        std::string t = doc.text();
        for (char& ch : t) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        doc.set_text(std::move(t));
      }
    });
  }
  std::string class_name() const override { return "Upper"; }
};

class Params : public jina::Executor {
 public:
  Params() {
    on_default([](jina::ExecutorRequest& req) {
      nlohmann::json params = req.parameters;
      params.erase("__results__");
      for (jina::Document& doc : req.docs) {
        doc.tags()["parameters"] = params;
        doc.tags()["endpoint"] = req.endpoint;
      }
    });
  }
  std::string class_name() const override { return "Params"; }
};

class Fail : public jina::Executor {
 public:
  Fail() {
    on_default([](jina::ExecutorRequest& req) {
      throw std::runtime_error("the fail Executor fails every request (endpoint " + req.endpoint +
                               ")");
    });
  }
  std::string class_name() const override { return "Fail"; }
};

std::shared_ptr<jina::Executor> make_executor(const std::string& kind) {
  if (kind == "echo") return std::make_shared<Echo>();
  if (kind == "upper" || kind == "upper-case") return std::make_shared<Upper>();
  if (kind == "params") return std::make_shared<Params>();
  if (kind == "fail") return std::make_shared<Fail>();
  throw jina::cli::UsageError("unknown executor '" + kind + "' (echo, upper, params, fail)");
}

// Control characters of client-given text (an endpoint, an error message)
// as \xHH, so that each request stays one line and cannot drive the terminal.
void append_printable(std::string& out, std::string_view text) {
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
    } else {
      out += c;
    }
  }
}

// --verbose: "jina-flow: /index 100 docs 2.3 ms ok", or the error instead of
// "ok". One write per line, so that lines of concurrent requests do not mix.
void print_request(const jina::Response& response, std::chrono::microseconds took) {
  const jina::Status& status = response.header().status();
  std::string line = "jina-flow: ";
  append_printable(line, response.header().exec_endpoint());
  char numbers[64];
  std::snprintf(numbers, sizeof numbers, " %zu docs %.1f ms ", response.docs().size(),
                static_cast<double>(took.count()) / 1000.0);
  line += numbers;
  append_printable(line, status.ok() ? "ok" : status.description());
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

int run(int argc, char** argv) {
  jina::FlowOptions options{.port = 0, .host = "127.0.0.1"};
  std::vector<std::pair<std::string, std::string>> executors;  // kind, name
  bool protocols_given = false;
  bool help = false;
  bool version = false;
  std::vector<jina::cli::Option> table = {
      {"--port", "PORT", "port to listen on (default 0: a free port, printed when ready)",
       [&](const std::string& v) {
         options.port = static_cast<int>(jina::cli::to_int("--port", v, 0, 65535));
       }},
      {"--host", "ADDR", "address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)",
       [&](const std::string& v) { options.host = v; }},
      {"--protocol", "NAME", "grpc, http or websocket (repeatable; default grpc)",
       [&](const std::string& v) {
         std::optional<jina::Protocol> p = jina::parse_protocol(v);
         if (!p) throw jina::cli::UsageError("--protocol: unknown protocol '" + v + "'");
         if (!protocols_given) options.protocols.clear();
         protocols_given = true;
         options.protocols.push_back(*p);
       }},
      {"--executor", "KIND[:NAME]", "add a built-in Executor (see below; repeatable)",
       [&](const std::string& v) {
         std::size_t colon = v.find(':');
         std::string kind = v.substr(0, colon);
         std::string name = colon == std::string::npos ? kind : v.substr(colon + 1);
         (void)make_executor(kind);  // reports an unknown kind now
         executors.emplace_back(kind, name);
       }},
      {"--doc-format", "v2|v1", "docarray wire format (default v2)",
       [&](const std::string& v) {
         if (v == "v2") {
           options.doc_format = jina::DocFormat::kV2;
         } else if (v == "v1") {
           options.doc_format = jina::DocFormat::kV1;
         } else {
           throw jina::cli::UsageError("--doc-format: expected v2 or v1, got '" + v + "'");
         }
       }},
      {"--tls-cert", "FILE", "serve TLS with this certificate chain (PEM; needs --tls-key)",
       [&](const std::string& v) { options.ssl_certfile = v; }},
      {"--tls-key", "FILE", "the private key of --tls-cert (PEM)",
       [&](const std::string& v) { options.ssl_keyfile = v; }},
      {"--workers", "N", "threads running Executors (default: one per core)",
       [&](const std::string& v) {
         options.workers = static_cast<int>(jina::cli::to_int("--workers", v, 0, 1024));
       }},
      {"--verbose", "",
       "one line per request on stderr: endpoint, Documents, milliseconds, outcome",
       [&](const std::string&) { options.on_request = print_request; }, "-v"},
      {"--help", "", "show this help and exit", [&](const std::string&) { help = true; }, "-h"},
      {"--version", "", "show the version and exit", [&](const std::string&) { version = true; }},
  };
  std::vector<std::string> args = jina::cli::parse(argc, argv, table);
  if (help) {
    std::cout << kUsage << "\nOptions:\n"
              << jina::cli::describe(table) << "\n"
              << kExecutors
              << "\nExit status: 0 after a clean stop, 1 when the Flow cannot start, 2 on a usage "
                 "error.\n\nExample:\n"
                 "  jina-flow --port 54321 --executor params --executor upper\n"
                 "  jina-post grpc://127.0.0.1:54321 /index --text hello\n";
    return 0;
  }
  if (version) {
    std::cout << "jina-flow (jina-cpp) " << JINA_VERSION << "\n";
    return 0;
  }
  if (!args.empty()) throw jina::cli::UsageError("unexpected argument '" + args[0] + "'");
  if (options.ssl_certfile.empty() != options.ssl_keyfile.empty()) {
    throw jina::cli::UsageError("--tls-cert and --tls-key go together");
  }
  if (executors.empty()) executors.emplace_back("echo", "echo");

  // SIGINT and SIGTERM are blocked in every thread (the Flow's threads
  // inherit the mask) and taken by sigwait below: a signal that arrives
  // while the Flow starts is not lost and cannot kill the process.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  jina::Flow flow(options);
  for (const auto& [kind, name] : executors) flow.add(make_executor(kind), {.name = name});
  flow.start();
  bool tls = !options.ssl_certfile.empty();
  std::string host = options.host == "0.0.0.0" || options.host == "::" ? "127.0.0.1" : options.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  for (jina::Protocol p : options.protocols) {
    std::string scheme = p == jina::Protocol::kGrpc   ? "grpc"
                         : p == jina::Protocol::kHttp ? "http"
                                                      : "ws";
    if (tls) scheme += "s";
    std::cout << scheme << "://" << host << ":" << flow.port(p) << "\n";
  }
  std::cout.flush();
  std::cerr << "jina-flow: ready; Ctrl-C to stop\n";
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  flow.stop();
  std::cerr << "jina-flow: stopped (" << (signal_number == SIGINT ? "SIGINT" : "SIGTERM") << ")\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const jina::cli::UsageError& e) {
    std::cerr << "jina-flow: " << e.what() << "\nTry 'jina-flow --help' for more information.\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "jina-flow: " << e.what() << "\n";
    return 1;
  }
}
