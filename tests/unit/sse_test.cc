// Server-Sent Events (src/wire/sse): the parser fed jina 3.34's captured
// bytes (tests/golden/captures/streaming/sse_*_response.http, the chunked
// framing undone by Beast) and edge cases, the writer, and the HTTP codec's
// side of a streaming call (request, answer status, items).
#include "wire/sse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "jina/document.h"
#include "transport/http_codec.h"
#include "wire/gateway_json.h"

namespace jina {
namespace {

namespace http = boost::beast::http;
using json = nlohmann::json;
using ::testing::HasSubstr;
using wire::SseEvent;
using wire::SseParser;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The body of a captured response, decoded by Beast's parser (chunked
// framing included); as much of it as arrived when the capture was cut.
std::string captured_body(const std::string& name, bool* complete = nullptr) {
  std::string bytes = read_file(std::string(JINA_CAPTURES_DIR) + "/streaming/" + name);
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  boost::beast::error_code error;
  std::size_t used = parser.put(boost::asio::buffer(bytes), error);
  EXPECT_TRUE(!error || error == http::error::need_more) << error.message();
  if (parser.is_done()) {
    EXPECT_EQ(used, bytes.size());
  }
  EXPECT_EQ(parser.get()[http::field::content_type], "text/event-stream; charset=utf-8");
  if (complete) *complete = parser.is_done();
  return parser.get().body();
}

// Every event of `body`, fed `piece` bytes at a time.
std::vector<SseEvent> events_of(std::string_view body, std::size_t piece = 1 << 20,
                                std::size_t limit = 1 << 20) {
  SseParser parser(limit);
  std::vector<SseEvent> out;
  while (!body.empty()) {
    std::string_view input = body.substr(0, piece);
    body.remove_prefix(input.size());
    while (!input.empty()) {
      auto event = parser.next(input);
      EXPECT_TRUE(event.ok()) << event.status();
      if (!event.ok()) return out;
      if (*event) out.push_back(std::move(**event));
    }
  }
  return out;
}

SseEvent update(std::string data) { return {"update", std::move(data)}; }
const SseEvent kEnd{"end", ""};

TEST(SseParserTest, CapturedStreamIsThreeUpdatesThenEnd) {
  bool complete = false;
  const std::string body = captured_body("sse_stream_response.http", &complete);
  EXPECT_TRUE(complete);
  const std::vector<SseEvent> expected = {update(R"({"id": "d1-0", "text": "hello:tok0"})"),
                                          update(R"({"id": "d1-1", "text": "hello:tok1"})"),
                                          update(R"({"id": "d1-2", "text": "hello:tok2"})"), kEnd};
  EXPECT_EQ(events_of(body), expected);
  // However the bytes are split (a CR and its LF in different pieces too).
  for (std::size_t piece : {1, 2, 3, 7, 14, 61}) {
    EXPECT_EQ(events_of(body, piece), expected) << piece;
  }
}

TEST(SseParserTest, CapturedPingCommentIsNoEvent) {
  const std::string body = captured_body("sse_ping_response.http");
  ASSERT_THAT(body, HasSubstr(": ping - 2026-12-07"));
  EXPECT_EQ(events_of(body),
            (std::vector<SseEvent>{update(R"({"id": "d1-0", "text": "before"})"),
                                   update(R"({"id": "d1-1", "text": "after"})"), kEnd}));
}

TEST(SseParserTest, CapturedCutStreamHasNoEnd) {
  bool complete = true;
  const std::string body = captured_body("sse_wrong_type_response.http", &complete);
  EXPECT_FALSE(complete);  // the gateway closed the connection mid-body
  EXPECT_EQ(events_of(body),
            (std::vector<SseEvent>{update(R"({"id": "d1-0", "text": "right type"})")}));
}

TEST(SseParserTest, CapturedUnicodeEscapesReachTheDocument) {
  auto events = events_of(captured_body("sse_unicode_response.http"));
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].data, R"({"id": "d1-0", "text": "h\u00e9llo\n\u2603:tok0"})");
  auto item = internal::sse_item_from(events[0].data, "/stream");
  ASSERT_TRUE(item.ok()) << item.status();
  EXPECT_EQ(item->docs()[0].text(), "h\xc3\xa9llo\n\xe2\x98\x83:tok0");
  EXPECT_EQ(item->docs()[0].id(), "d1-0");
  EXPECT_EQ(events[3], kEnd);
}

TEST(SseParserTest, NextStopsAfterEachEvent) {
  SseParser parser(1024);
  std::string_view input = "event: update\ndata: 1\n\nevent: update\ndata: 2\n\nevent: end\n\n";
  auto first = parser.next(input);
  ASSERT_TRUE(first.ok() && *first);
  EXPECT_EQ((*first)->data, "1");
  EXPECT_EQ(input, "event: update\ndata: 2\n\nevent: end\n\n");  // not read yet
  auto second = parser.next(input);
  EXPECT_EQ((*second)->data, "2");
  auto third = parser.next(input);
  EXPECT_EQ(**third, kEnd);
  EXPECT_TRUE(input.empty());
  auto none = parser.next(input);
  EXPECT_TRUE(none.ok() && !*none);
}

TEST(SseParserTest, LineEndsAreCrLfLfOrCr) {
  const std::vector<SseEvent> expected = {update("a"), kEnd};
  EXPECT_EQ(events_of("event: update\r\ndata: a\r\n\r\nevent: end\r\n\r\n"), expected);
  EXPECT_EQ(events_of("event: update\ndata: a\n\nevent: end\n\n"), expected);
  EXPECT_EQ(events_of("event: update\rdata: a\r\revent: end\r\r"), expected);
  EXPECT_EQ(events_of("event: update\r\ndata: a\n\revent: end\r\n\n"), expected);
  // "\r\r\n": a CR line end, then an empty line.
  EXPECT_EQ(events_of("event: update\ndata: a\r\r\nevent: end\n\n", 1), expected);
}

TEST(SseParserTest, FieldsFollowTheSseRules) {
  // Data lines join with '\n'; one space after the colon is dropped, no more.
  EXPECT_EQ(events_of("event: update\ndata: one\ndata:two\ndata:  three\n\n"),
            (std::vector<SseEvent>{update("one\ntwo\n three")}));
  // A field without a colon has an empty value; unknown fields, id and retry are ignored.
  EXPECT_EQ(events_of("event: update\ndata\nid: 7\nretry: 10\nfoo: bar\n\n"),
            (std::vector<SseEvent>{update("")}));
  // No event field: "message". Comments and empty blocks are no events.
  EXPECT_EQ(events_of(": hi\n\n\n\n:\n: ping - x\n\ndata: x\n\n"),
            (std::vector<SseEvent>{{"message", "x"}}));
  // The last event field wins; a colon inside the value stays.
  EXPECT_EQ(events_of("event: a\nevent: update\ndata: {\"k\": \"v:w\"}\n\n"),
            (std::vector<SseEvent>{update(R"({"k": "v:w"})")}));
}

TEST(SseParserTest, AnIncompleteEventIsHeldBack) {
  EXPECT_TRUE(events_of("event: update\ndata: a\n").empty());
  EXPECT_TRUE(events_of("event: update\ndata: a").empty());
}

TEST(SseParserTest, AnEventAboveTheBoundIsDataLoss) {
  // LF line ends: every byte counts (a CRLF counts as one).
  const std::string event = "event: update\ndata: " + std::string(100, 'x') + "\n\n";
  EXPECT_EQ(events_of(event, 1 << 20, event.size()).size(), 1u);  // exactly at the bound
  for (std::size_t piece : {std::size_t{1}, std::size_t{10}, event.size()}) {
    SseParser parser(event.size() - 1);
    std::string_view body = event;
    absl::StatusOr<std::optional<SseEvent>> result = std::optional<SseEvent>();
    while (!body.empty() && result.ok()) {
      std::string_view input = body.substr(0, piece);
      body.remove_prefix(input.size());
      result = parser.next(input);
    }
    ASSERT_FALSE(result.ok()) << piece;
    EXPECT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(result.status().message(), HasSubstr("larger than"));
    std::string_view more = "event: end\n\n";
    EXPECT_FALSE(parser.next(more).ok());  // spent
  }
  // Comments count too: a server cannot make the parser buffer without bound.
  SseParser parser(64);
  std::string comment = ": " + std::string(100, 'p');
  std::string_view input = comment;
  EXPECT_FALSE(parser.next(input).ok());
  // The bound is per event: many events of the same size pass.
  std::string many;
  for (int i = 0; i < 100; ++i) many += wire::sse_event("update", "0123456789");
  EXPECT_EQ(events_of(many, 1 << 20, 40).size(), 100u);
}

TEST(SseWriterTest, WritesJinasBytes) {
  EXPECT_EQ(wire::sse_event("update", R"({"id": "d1-0", "text": "hello:tok0"})"),
            "event: update\r\ndata: {\"id\": \"d1-0\", \"text\": \"hello:tok0\"}\r\n\r\n");
  EXPECT_EQ(wire::sse_event("end", ""), "event: end\r\n\r\n");
  EXPECT_EQ(wire::sse_comment("ping - 2026-12-07 05:43:48.797217"),
            ": ping - 2026-12-07 05:43:48.797217\r\n\r\n");
  // The captured body is these events, byte for byte.
  EXPECT_EQ(captured_body("sse_stream_response.http"),
            wire::sse_event("update", R"({"id": "d1-0", "text": "hello:tok0"})") +
                wire::sse_event("update", R"({"id": "d1-1", "text": "hello:tok1"})") +
                wire::sse_event("update", R"({"id": "d1-2", "text": "hello:tok2"})") +
                wire::sse_event("end", ""));
}

TEST(SseWriterTest, DataWithLineEndsRoundTrips) {
  for (std::string data : {"a\nb", "a\r\nb", "a\rb\n", "\n", "\n\n", "x\r\n", ""}) {
    auto events = events_of(wire::sse_event("update", data));
    ASSERT_EQ(events.size(), 1u);
    std::string expected = data;
    for (std::size_t i = expected.find("\r\n"); i != std::string::npos; i = expected.find("\r\n"))
      expected.erase(i, 1);
    for (char& c : expected) c = c == '\r' ? '\n' : c;
    EXPECT_EQ(events[0], update(expected)) << json(data).dump();
  }
}

// The HTTP codec's side of a streaming call.

DataRequest stream_request(std::string endpoint) {
  DataRequest r;
  r.header().set_request_id("r1").set_exec_endpoint(std::move(endpoint));
  r.parameters() = {{"k", "v"}};
  r.set_docs(DocumentArray{Document().set_id("d1").set_text("hello")});
  return r;
}

TEST(SseCodecTest, TheRequestIsTheDocumentItself) {
  internal::SseRequest request = internal::sse_request_for(stream_request("/stream"));
  EXPECT_EQ(request.path, "/stream");
  // As jina's Python client sends it (sse_python_client_request.http), but compact.
  EXPECT_EQ(json::parse(request.body), json::parse(R"({"id": "d1", "text": "hello"})"));
  EXPECT_EQ(request.body, R"({"id":"d1","text":"hello"})");
  EXPECT_THAT(request.body, ::testing::Not(HasSubstr("\"k\"")));  // parameters have no place
  EXPECT_EQ(internal::sse_request_for(stream_request("a b/")).path, "/a%20b");
  EXPECT_EQ(internal::sse_request_for(stream_request("/x/y?z")).path, "/x/y%3Fz");
}

TEST(SseCodecTest, AnswersThatStartNoStream) {
  const std::string what = "GET /s at h:1";
  EXPECT_TRUE(
      internal::sse_answer_status(200, "text/event-stream; charset=utf-8", "", "", what).ok());
  EXPECT_TRUE(internal::sse_answer_status(200, "Text/Event-Stream", "", "", what).ok());

  auto not_found =
      internal::sse_answer_status(404, "application/json", "", R"({"detail":"Not Found"})", what);
  EXPECT_EQ(not_found.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(not_found.message(), HasSubstr("no such streaming endpoint"));
  EXPECT_THAT(not_found.message(), HasSubstr("Not Found"));

  auto ordinary = internal::sse_answer_status(405, "application/json", "POST",
                                              R"({"detail":"Method Not Allowed"})", what);
  EXPECT_EQ(ordinary.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(ordinary.message(), HasSubstr("not a streaming endpoint"));
  EXPECT_THAT(ordinary.message(), HasSubstr("allow: POST"));

  EXPECT_EQ(internal::sse_answer_status(422, "application/json", "", "{}", what).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(internal::sse_answer_status(500, "text/plain", "", "oops", what).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(internal::sse_answer_status(503, "", "", "", what).code(),
            absl::StatusCode::kUnavailable);
  auto json_answer = internal::sse_answer_status(200, "application/json", "", "{}", what);
  EXPECT_EQ(json_answer.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(json_answer.message(), HasSubstr("not an event stream"));
}

TEST(SseCodecTest, ItemsAreDocuments) {
  auto item = internal::sse_item_from(R"({"id": "d1-0", "text": "hello:tok0"})", "/stream");
  ASSERT_TRUE(item.ok()) << item.status();
  ASSERT_EQ(item->docs().size(), 1u);
  EXPECT_EQ(item->docs()[0].id(), "d1-0");
  EXPECT_EQ(item->docs()[0].text(), "hello:tok0");
  EXPECT_EQ(item->header().exec_endpoint(), "/stream");
  EXPECT_TRUE(item->status().ok());
  for (const char* bad : {"{", "[1]", "\"x\"", "", R"({"text": [1]})"}) {
    auto broken = internal::sse_item_from(bad, "/stream");
    ASSERT_FALSE(broken.ok()) << bad;
    EXPECT_EQ(broken.status().code(), absl::StatusCode::kDataLoss) << bad;
  }
}

TEST(SseCodecTest, AnErrorEventWithAStatusIsTheExecutorsError) {
  const std::string data =
      R"j({"code": 1, "description": "ValueError('boom')", "exception": {"name": "ValueError", )j"
      R"j("args": ["boom"], "stacks": [], "executor": "e"}})j";
  std::optional<Status> status = internal::sse_error_status(data);
  ASSERT_TRUE(status.has_value());
  EXPECT_FALSE(status->ok());
  EXPECT_EQ(status->description(), "ValueError('boom')");
  EXPECT_EQ(status->exception().executor(), "e");
  for (const char* other : {"ValueError('boom')", "{}", R"({"code": 0, "description": ""})", "[1]"})
    EXPECT_FALSE(internal::sse_error_status(other).has_value()) << other;
}

// The JSON of jina's events is Python's json.dumps (sse_unicode_response.http).
TEST(SseWriterTest, DocumentsAreWrittenAsPythonDoes) {
  Document d("d1-0");
  d.set_text("h\u00e9llo\n\u2603:tok0");
  d.tags() = {{"b", {1, 2.5, nullptr}}, {"a", true}};
  EXPECT_EQ(wire::python_json_text(d.to_json()),
            R"({"id": "d1-0", "tags": {"a": true, "b": [1, 2.5, null]}, )"
            R"("text": "h\u00e9llo\n\u2603:tok0"})");
  EXPECT_EQ(wire::python_json_text(json::object()), "{}");
  EXPECT_EQ(wire::python_json_text(json::array()), "[]");
}

}  // namespace
}  // namespace jina
