// Server-Sent Events (text/event-stream), as jina 3.34's HTTP gateway
// streams a generator endpoint's items (docs/streaming-protocol.md §3.2):
//
//   event: update\r\ndata: {"id": "d1-0", "text": "hello:tok0"}\r\n\r\n
//   : ping - 2026-12-07 05:43:48.797217\r\n\r\n
//   event: end\r\n\r\n
//
// Both sides, without any I/O: SseParser reads an event stream fed in pieces
// of any size (the body after HTTP's chunked framing is undone), and
// sse_event()/sse_comment() write one. Lines end with CRLF, LF or CR; a line
// starting with ':' is a comment; an empty line ends an event.
#ifndef JINA_SRC_WIRE_SSE_H_
#define JINA_SRC_WIRE_SSE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace jina::wire {

struct SseEvent {
  std::string type;  // the `event:` field; "message" when the event had none
  std::string data;  // the `data:` lines joined with '\n'
  friend bool operator==(const SseEvent&, const SseEvent&) = default;
};

// A push parser: next() takes bytes as they arrive and hands out one event
// at a time, so that a reader can stop after each (backpressure).
//
// Unlike the WHATWG rule, an event with an `event:` field but no data is
// dispatched (jina's `event: end` has none); a block of comments only, or
// of nothing, is no event. `id:` and `retry:` are read and ignored.
class SseParser {
 public:
  // `max_event_bytes` bounds the bytes of one event (its lines, comments
  // and line ends included, a CRLF counting as one) and of a block of
  // comments: more is an error.
  explicit SseParser(std::size_t max_event_bytes);

  // Consumes bytes from the front of `input` up to the end of the next
  // event and returns it; or consumes all of `input` and returns nullopt
  // when no event is complete yet. DATA_LOSS when an event exceeds the
  // bound (then the parser is spent: every later call fails the same way).
  absl::StatusOr<std::optional<SseEvent>> next(std::string_view& input);

  // Bytes consumed in all.
  std::size_t bytes_consumed() const { return consumed_; }

 private:
  // One complete line (without its end): updates the event in progress.
  void take_line(std::string_view line);

  std::size_t max_event_bytes_;
  std::size_t consumed_ = 0;
  std::size_t event_bytes_ = 0;  // of the event (or comment block) in progress
  std::string line_;             // the line in progress
  bool skip_lf_ = false;         // the last byte was a CR: a LF next is part of that line end
  bool has_type_ = false;
  bool has_data_ = false;
  std::string type_;
  std::string data_;
  std::optional<absl::Status> failed_;
};

// One event as jina writes it: `event: <type>` then one `data: ` line per
// line of `data` (none when `data` is empty), CRLF line ends, and the empty
// line. `type` must not contain CR or LF.
std::string sse_event(std::string_view type, std::string_view data);
// A comment block (`: <text>` and the empty line), e.g. jina's keep-alive
// `: ping - <time>`. `text` must not contain CR or LF.
std::string sse_comment(std::string_view text);

}  // namespace jina::wire

#endif  // JINA_SRC_WIRE_SSE_H_
