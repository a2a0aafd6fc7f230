// jina-post: sends Documents from NDJSON, CSV or files to a Jina Flow and
// writes the resulting Documents as NDJSON. See `jina-post --help` and
// docs/cli.md.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli_args.h"
#include "jina/jina.h"

namespace {

// Exit codes (documented in --help and docs/cli.md).
constexpr int kOk = 0;
constexpr int kRequestError = 1;
constexpr int kUsageError = 2;
constexpr int kConnectionError = 3;

constexpr std::string_view kUsage =
    "Usage: jina-post [OPTION]... HOST ENDPOINT\n"
    "       jina-post [OPTION]... HOST --ready | --status | --endpoints\n"
    "Send Documents to the Jina Flow at HOST (grpc://host:port, grpcs://, http://,\n"
    "https://, ws://, wss://, or host:port for gRPC) on ENDPOINT (e.g. /index), and\n"
    "write the Documents of the responses as NDJSON, one per line.\n"
    "Without an input option, one request without Documents is sent.\n";

constexpr std::string_view kExitCodes =
    "Exit status:\n"
    "  0  success (for --ready: the Flow is ready)\n"
    "  1  an Executor or request error (some requests failed or timed out; for\n"
    "     --ready: the Flow is not ready)\n"
    "  2  usage error: bad options, or an input file that cannot be read or parsed\n"
    "  3  connection error: the Flow cannot be reached\n";

enum class Action { kPost, kReady, kStatus, kEndpoints };

struct Config {
  Action action = Action::kPost;
  int actions_given = 0;
  std::vector<std::string> ndjson, csv, files, images, texts;
  jina::CsvOptions csv_options;
  jina::FilesOptions files_options;
  std::optional<std::size_t> size;
  jina::PostOptions post;
  nlohmann::json parameters = nlohmann::json::object();
  std::string out = "-";
  std::string tls_ca;
  std::optional<double> timeout;
  bool quiet = false;
  bool fail_fast = false;
  bool help = false;
  bool version = false;
};

std::vector<jina::cli::Option> options_table(Config& c) {
  using jina::cli::UsageError;
  auto set_action = [&c](Action a) {
    c.action = a;
    ++c.actions_given;
  };
  return {
      {"--ndjson", "FILE", "read Documents from NDJSON (one JSON Document per line; - is stdin)",
       [&c](const std::string& v) { c.ndjson.push_back(v); }},
      {"--csv", "FILE", "read Documents from CSV rows (- is stdin)",
       [&c](const std::string& v) { c.csv.push_back(v); }},
      {"--csv-field", "COL=FIELD",
       "map a CSV column to a field: id, text, uri, blob, mime_type, tags.KEY, - (drop)",
       [&c](const std::string& v) {
         auto [col, field] = jina::cli::split_pair("--csv-field", v);
         c.csv_options.field_resolver[col] = field;
       }},
      {"--csv-delimiter", "CHAR", "CSV field delimiter (default ','; 'tab' for a tab)",
       [&c](const std::string& v) {
         if (v == "tab" || v == "\\t") {
           c.csv_options.delimiter = '\t';
         } else if (v.size() == 1) {
           c.csv_options.delimiter = v[0];
         } else {
           throw UsageError("--csv-delimiter: expected one character, got '" + v + "'");
         }
       }},
      {"--csv-no-header", "", "the CSV has no header row (columns are named 0, 1, ...)",
       [&c](const std::string&) { c.csv_options.header = false; }},
      {"--files", "GLOB", "one Document per file matching GLOB (** matches directories)",
       [&c](const std::string& v) { c.files.push_back(v); }},
      {"--files-text", "", "read --files as UTF-8 text instead of bytes",
       [&c](const std::string&) { c.files_options.read = jina::FileRead::kText; }},
      {"--images", "DIR", "one Document per image file under DIR (bytes and mime type)",
       [&c](const std::string& v) { c.images.push_back(v); }},
      {"--max-file-bytes", "N", "fail on a --files/--images file larger than N bytes",
       [&c](const std::string& v) {
         c.files_options.max_file_bytes =
             static_cast<std::uint64_t>(jina::cli::to_int("--max-file-bytes", v, 1, 1LL << 50));
       }},
      {"--text", "TEXT", "one Document with this text (repeatable)",
       [&c](const std::string& v) { c.texts.push_back(v); }},
      {"--size", "N", "send at most N Documents",
       [&c](const std::string& v) {
         c.size = static_cast<std::size_t>(jina::cli::to_int("--size", v, 0, 1LL << 50));
       }},
      {"--request-size", "N", "Documents per request (default 100)",
       [&c](const std::string& v) {
         c.post.request_size = static_cast<int>(jina::cli::to_int("--request-size", v, 1, 1 << 30));
       }},
      {"--param", "KEY=VALUE",
       "a request parameter; VALUE is read as JSON when it parses, else as a string",
       [&c](const std::string& v) {
         auto [key, value] = jina::cli::split_pair("--param", v);
         nlohmann::json j = nlohmann::json::parse(value, nullptr, false);
         c.parameters[key] = j.is_discarded() ? nlohmann::json(value) : std::move(j);
       }},
      {"--parameters", "JSON", "request parameters as a JSON object (--param adds to them)",
       [&c](const std::string& v) {
         nlohmann::json j = nlohmann::json::parse(v, nullptr, false);
         if (!j.is_object()) throw UsageError("--parameters: expected a JSON object");
         c.parameters.update(j);
       }},
      {"--target-executor", "REGEX", "only Executors whose name matches REGEX process requests",
       [&c](const std::string& v) { c.post.target_executor = v; }},
      {"--timeout", "SECONDS",
       "deadline per request (and for --ready/--status/--endpoints; default none/3/10)",
       [&c](const std::string& v) { c.timeout = jina::cli::to_double("--timeout", v, 0.001); }},
      {"--max-attempts", "N", "attempts per request on connection errors (default 1)",
       [&c](const std::string& v) {
         c.post.max_attempts = static_cast<int>(jina::cli::to_int("--max-attempts", v, 1, 100));
       }},
      {"--prefetch", "N", "most requests in flight (default 1000)",
       [&c](const std::string& v) {
         c.post.prefetch = static_cast<int>(jina::cli::to_int("--prefetch", v, 0, 1 << 30));
       }},
      {"--in-order", "", "write results in input order",
       [&c](const std::string&) { c.post.results_in_order = true; }},
      {"--fail-fast", "", "stop at the first failed request (default: go on, exit 1)",
       [&c](const std::string&) { c.fail_fast = true; }},
      {"--tls-ca", "FILE", "trust the CA certificates in FILE (PEM); implies TLS",
       [&c](const std::string& v) { c.tls_ca = v; }},
      {"--out", "FILE", "write result Documents to FILE (default - : stdout)",
       [&c](const std::string& v) { c.out = v; }, "-o"},
      {"--quiet", "", "no progress bar and no summary",
       [&c](const std::string&) { c.quiet = true; }, "-q"},
      {"--ready", "", "check whether the Flow is ready; exit status 0 or 1",
       [set_action](const std::string&) { set_action(Action::kReady); }},
      {"--status", "", "print the Flow's status (versions, environment) as JSON",
       [set_action](const std::string&) { set_action(Action::kStatus); }},
      {"--endpoints", "", "print the Flow's endpoints, one per line",
       [set_action](const std::string&) { set_action(Action::kEndpoints); }},
      {"--help", "", "show this help and exit", [&c](const std::string&) { c.help = true; }, "-h"},
      {"--version", "", "show the version and exit",
       [&c](const std::string&) { c.version = true; }},
  };
}

// One result line. Binary bytes have no place in docarray v2 JSON: such a
// Document is written in the v1 form (bytes as base64 "blob"), which
// jina::from_ndjson reads back as well.
nlohmann::json to_line(const jina::Document& doc, jina::DocFormat format) {
  try {
    return doc.to_json(format);
  } catch (const jina::InvalidArgument&) {
    if (format == jina::DocFormat::kV1) throw;
    return doc.to_json(jina::DocFormat::kV1);
  }
}

bool has_scheme(const std::string& host) { return host.find("://") != std::string::npos; }

jina::Client make_client(const std::string& host, const Config& c) {
  jina::ClientOptions options;
  if (!c.tls_ca.empty()) {
    options.tls_root_certificates_file = c.tls_ca;
    if (has_scheme(host)) {
      std::string scheme = host.substr(0, host.find("://"));
      if (scheme != "grpcs" && scheme != "https" && scheme != "wss") {
        throw jina::cli::UsageError(
            "--tls-ca needs a TLS scheme (grpcs://, https://, wss://), got '" + scheme + "://'");
      }
    } else {
      options.tls = true;
    }
  }
  return jina::Client(host, std::move(options));
}

// The inputs given on the command line, as one lazy source.
jina::Inputs make_inputs(Config& c) {
  int kinds =
      !c.ndjson.empty() + !c.csv.empty() + !c.files.empty() + !c.images.empty() + !c.texts.empty();
  if (kinds > 1) {
    throw jina::cli::UsageError(
        "give one kind of input: --ndjson, --csv, --files, --images or --text");
  }
  if (c.ndjson.size() > 1 || c.csv.size() > 1 || c.images.size() > 1) {
    throw jina::cli::UsageError("--ndjson, --csv and --images take one file each");
  }
  if (!c.ndjson.empty()) {
    jina::NdjsonOptions o{.size = c.size};
    if (c.ndjson[0] == "-") return jina::from_ndjson(std::cin, o, "<stdin>");
    return jina::from_ndjson(c.ndjson[0], o);
  }
  if (!c.csv.empty()) {
    c.csv_options.size = c.size;
    if (c.csv[0] == "-") return jina::from_csv(std::cin, c.csv_options, "<stdin>");
    return jina::from_csv(c.csv[0], c.csv_options);
  }
  if (!c.csv_options.field_resolver.empty()) throw jina::cli::UsageError("--csv-field needs --csv");
  if (!c.files.empty()) {
    c.files_options.size = c.size;
    return jina::from_files(c.files, c.files_options);
  }
  if (!c.images.empty()) {
    return jina::from_images(c.images[0],
                             {.max_file_bytes = c.files_options.max_file_bytes, .size = c.size});
  }
  if (!c.texts.empty()) {
    std::vector<jina::Document> docs;
    for (const std::string& t : c.texts) {
      if (c.size && docs.size() >= *c.size) break;
      docs.push_back(jina::Document().set_text(t));
    }
    return jina::Inputs(std::move(docs));
  }
  return jina::Inputs();
}

// Each failed request's error on stderr, over the progress line (cleared
// first) and once for a run of the same error: a Flow that is down fails
// every request alike.
class ErrorReport {
 public:
  explicit ErrorReport(bool clear_progress) : clear_progress_(clear_progress) {}

  void add(const jina::Error& error) {
    std::string message = error.what();
    if (message == last_) {
      ++repeats_;
      return;
    }
    flush();
    if (clear_progress_) std::cerr << "\r\x1b[K";
    std::cerr << "jina-post: "
              << (dynamic_cast<const jina::ConnectionError*>(&error) ? "cannot reach the Flow: "
                                                                     : "")
              << message << "\n";
    last_ = message;
  }
  bool said(const std::string& message) const { return !last_.empty() && message == last_; }
  void flush() {
    if (repeats_ == 0) return;
    if (clear_progress_) std::cerr << "\r\x1b[K";
    std::cerr << "jina-post: the same error for " << repeats_ << " more request"
              << (repeats_ == 1 ? "" : "s") << "\n";
    repeats_ = 0;
  }

 private:
  bool clear_progress_;
  std::string last_;
  std::size_t repeats_ = 0;
};

int exit_code(const std::exception& e) {
  if (dynamic_cast<const jina::cli::UsageError*>(&e) ||
      dynamic_cast<const jina::InvalidArgument*>(&e)) {
    return kUsageError;
  }
  return dynamic_cast<const jina::ConnectionError*>(&e) ? kConnectionError : kRequestError;
}

int post(const std::string& host, const std::string& endpoint, Config& c) {
  jina::Inputs inputs = make_inputs(c);
  jina::Client client = make_client(host, c);

  std::ofstream file;
  std::ostream* out = &std::cout;
  if (c.out != "-") {
    file.open(c.out, std::ios::binary | std::ios::trunc);
    if (!file) throw jina::cli::UsageError("cannot write '" + c.out + "'");
    out = &file;
  }
  bool out_is_terminal = c.out == "-" && isatty(STDOUT_FILENO) == 1;
  // A progress line would tangle with results printed on the same terminal.
  c.post.show_progress = !c.quiet && !out_is_terminal;
  c.post.parameters = c.parameters.empty() ? nlohmann::json(nullptr) : c.parameters;
  if (c.timeout) c.post.timeout = *c.timeout;

  jina::DocFormat format = jina::DocFormat::kV2;
  bool format_known = false;
  std::size_t docs_out = 0;
  std::size_t failed = 0;
  c.post.on_done = [&](const jina::Response& response) {
    if (!format_known) {
      format = client.doc_format();
      format_known = true;
    }
    for (const jina::Document& doc : response.docs()) {
      *out << to_line(doc, format).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
           << '\n';
      ++docs_out;
    }
    if (!*out) throw jina::cli::UsageError("cannot write '" + c.out + "'");
  };
  ErrorReport report(c.post.show_progress && isatty(STDERR_FILENO) == 1);
  if (!c.fail_fast) {
    c.post.on_error = [&](const jina::Response&, const jina::Error& error) {
      ++failed;
      report.add(error);
    };
  }
  try {
    client.post(endpoint, std::move(inputs), c.post);
  } catch (const std::exception& e) {
    // The error that ends the post is often the one its last requests got:
    // said once, not twice.
    bool said = report.said(e.what());
    report.flush();
    if (said) return exit_code(e);
    throw;
  }
  report.flush();
  out->flush();
  if (c.post.show_progress && isatty(STDERR_FILENO) == 1) {
    std::cerr << "jina-post: " << docs_out << " documents written"
              << (failed ? ", " + std::to_string(failed) + " requests failed" : "") << "\n";
  }
  return failed > 0 ? kRequestError : kOk;
}

int run(int argc, char** argv) {
  Config c;
  std::vector<jina::cli::Option> table = options_table(c);
  std::vector<std::string> args = jina::cli::parse(argc, argv, table);
  if (c.help) {
    std::cout
        << kUsage << "\nOptions:\n"
        << jina::cli::describe(table) << "\n"
        << kExitCodes
        << "\nExamples:\n"
           "  jina-post grpc://localhost:54321 /index --ndjson docs.jsonl --out results.jsonl\n"
           "  jina-post localhost:54321 /search --csv faq.csv --csv-field question=text \\\n"
           "            --param top_k=5 --target-executor 'index.*'\n"
           "  jina-post grpc://localhost:54321 --ready && echo up\n";
    return kOk;
  }
  if (c.version) {
    std::cout << "jina-post (jina-cpp) " << JINA_VERSION << "\n";
    return kOk;
  }
  if (c.actions_given > 1) {
    throw jina::cli::UsageError("give at most one of --ready, --status, --endpoints");
  }
  std::size_t wanted = c.action == Action::kPost ? 2 : 1;
  if (args.size() != wanted) {
    throw jina::cli::UsageError(
        args.size() < wanted ? (args.empty() ? "missing HOST" : "missing ENDPOINT (e.g. /index)")
                             : "unexpected argument '" + args[wanted] + "'");
  }
  switch (c.action) {
    case Action::kReady:
      return make_client(args[0], c).is_flow_ready(c.timeout.value_or(3.0)) ? kOk : kRequestError;
    case Action::kStatus:
      std::cout << make_client(args[0], c).status(c.timeout.value_or(10.0)).dump(2) << "\n";
      return kOk;
    case Action::kEndpoints:
      for (const std::string& e : make_client(args[0], c).endpoints(c.timeout.value_or(10.0))) {
        std::cout << e << "\n";
      }
      return kOk;
    case Action::kPost:
      break;
  }
  return post(args[0], args[1], c);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const jina::cli::UsageError& e) {
    std::cerr << "jina-post: " << e.what() << "\nTry 'jina-post --help' for more information.\n";
    return kUsageError;
  } catch (const jina::InvalidArgument& e) {
    std::cerr << "jina-post: " << e.what() << "\n";
    return kUsageError;
  } catch (const jina::ConnectionError& e) {
    std::cerr << "jina-post: cannot reach the Flow: " << e.what() << "\n";
    return kConnectionError;
  } catch (const std::exception& e) {
    std::cerr << "jina-post: " << e.what() << "\n";
    return kRequestError;
  }
}
