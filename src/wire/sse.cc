#include "wire/sse.h"

#include <utility>

namespace jina::wire {

SseParser::SseParser(std::size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {}

absl::StatusOr<std::optional<SseEvent>> SseParser::next(std::string_view& input) {
  if (failed_) return *failed_;
  while (!input.empty()) {
    if (skip_lf_) {
      skip_lf_ = false;
      if (input.front() == '\n') {
        input.remove_prefix(1);
        ++consumed_;
        continue;
      }
    }
    const std::size_t end = input.find_first_of("\r\n");
    const std::size_t take = end == std::string_view::npos ? input.size() : end;
    if (take + (end == std::string_view::npos ? 0 : 1) > max_event_bytes_ - event_bytes_) {
      failed_ = absl::DataLossError("an event of the stream is larger than " +
                                    std::to_string(max_event_bytes_) + " bytes");
      return *failed_;
    }
    line_.append(input.substr(0, take));
    consumed_ += take;
    event_bytes_ += take;
    if (end == std::string_view::npos) {
      input = {};
      return std::nullopt;
    }
    skip_lf_ = input[end] == '\r';
    input.remove_prefix(take + 1);
    ++consumed_;
    ++event_bytes_;
    if (!line_.empty()) {
      take_line(line_);
      line_.clear();
      continue;
    }
    // An empty line: the event (if any) is complete.
    const bool dispatch = has_type_ || has_data_;
    SseEvent event;
    if (dispatch) {
      event.type = has_type_ && !type_.empty() ? std::move(type_) : std::string("message");
      event.data = std::move(data_);
      if (!event.data.empty()) event.data.pop_back();  // the '\n' after the last data line
    }
    type_.clear();
    data_.clear();
    has_type_ = has_data_ = false;
    event_bytes_ = 0;
    if (dispatch) return event;
  }
  return std::nullopt;
}

void SseParser::take_line(std::string_view line) {
  if (line.front() == ':') return;  // a comment
  std::string_view field = line;
  std::string_view value;
  if (std::size_t colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "event") {
    type_ = value;
    has_type_ = true;
  } else if (field == "data") {
    data_.append(value);
    data_ += '\n';
    has_data_ = true;
  }
  // "id", "retry" and unknown fields: ignored.
}

namespace {

void put_line(std::string& out, std::string_view field, std::string_view value) {
  out += field;
  out += ": ";
  out += value;
  out += "\r\n";
}

}  // namespace

std::string sse_event(std::string_view type, std::string_view data) {
  std::string out;
  out.reserve(type.size() + data.size() + 24);
  put_line(out, "event", type);
  while (!data.empty()) {
    // Each line of `data` on a line of its own (CRLF, LF or CR split them).
    std::size_t end = data.find_first_of("\r\n");
    put_line(out, "data", data.substr(0, end));
    if (end == std::string_view::npos) break;
    std::size_t next = end + 1;
    if (data[end] == '\r' && next < data.size() && data[next] == '\n') ++next;
    data.remove_prefix(next);
    if (data.empty()) put_line(out, "data", "");  // `data` ended with a line end
  }
  out += "\r\n";
  return out;
}

std::string sse_comment(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 6);
  out += ": ";
  out += text;
  out += "\r\n\r\n";
  return out;
}

}  // namespace jina::wire
