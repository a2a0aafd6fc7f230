// Designated initializers of every public aggregate, each leaving members out,
// as users write them (include/jina/options.h): with -Wall -Wextra -Werror
// (tests/install/consumer/CMakeLists.txt) a member without a default member
// initializer fails the build (-Wmissing-field-initializers).
#include <jina/jina.h>

#include <chrono>

int check_aggregates() {
  jina::NamedScore score{.value = 0.5F, .op_name = "cosine"};
  jina::ClientOptions client{.host = "localhost", .port = 54321};
  jina::PostOptions post{.request_size = 10, .parameters = {{"top_k", 5}}};
  jina::StreamDocOptions stream{.timeout = 5, .max_attempts = 2};
  jina::FlowOptions flow{
      .port = 0, .host = "127.0.0.1", .shutdown_grace = std::chrono::milliseconds(100)};
  jina::ExecutorOptions executor{.name = "upper"};
  jina::ExecutorRequest request{.endpoint = "/index"};
  jina::StreamRequest stream_request{.endpoint = "/stream"};
  jina::CsvOptions csv{.delimiter = ';'};
  jina::NdjsonOptions ndjson{.size = 10};
  jina::FilesOptions files{.read = jina::FileRead::kText};
  jina::ImagesOptions images{.recursive = false};
  jina::LogRecord record{.level = jina::LogLevel::kInfo, .message = "hello"};
  jina::LatencyHistogram histogram{.upper_bounds = {0.1, 1.0}};
  jina::ClientStats stats{.requests = 1};
  // Members left out take their defaults.
  bool ok = score.ref_id.empty() && !client.tls && post.max_attempts == 1 &&
            stream.item_timeout == 0 && flow.protocols.size() == 1 && executor.needs.empty() &&
            request.parameters.is_object() && stream_request.parameters.is_object() && csv.header &&
            ndjson.sampling_rate == 1.0 && files.recursive && images.max_file_bytes == 0 &&
            record.component.empty() && histogram.counts.empty() && stats.latency.counts.empty();
  return ok ? 0 : 1;
}
