// Executor endpoint binding, and exceptions -> header.status.
#include "jina/executor.h"

#include <cxxabi.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <typeinfo>

#include "common/log.h"
#include "flow/executor_status.h"
#include "jina/error.h"

namespace jina {

void Executor::bind(std::vector<std::string> endpoints, Handler handler) {
  for (const std::string& endpoint : endpoints) {
    if (endpoint.empty()) throw InvalidArgument("Executor::on: an endpoint name cannot be empty");
  }
  for (std::string& endpoint : endpoints) {
    stream_handlers_.erase(endpoint);  // the last binding wins
    handlers_.insert_or_assign(std::move(endpoint), handler);
  }
}

void Executor::bind_default(Handler handler) { default_handler_ = std::move(handler); }

void Executor::bind_stream(std::vector<std::string> endpoints, StreamHandler handler) {
  for (const std::string& endpoint : endpoints) {
    if (endpoint.empty())
      throw InvalidArgument("Executor::on_stream: an endpoint name cannot be empty");
  }
  for (std::string& endpoint : endpoints) {
    handlers_.erase(endpoint);
    stream_handlers_.insert_or_assign(std::move(endpoint), handler);
  }
}

std::string Executor::class_name() const {
  return flow::unqualified(flow::demangle(typeid(*this).name()));
}

std::vector<std::string> Executor::endpoints() const {
  std::set<std::string> names;
  for (const auto& [endpoint, handler] : handlers_) names.insert(endpoint);
  for (const auto& [endpoint, handler] : stream_handlers_) names.insert(endpoint);
  if (default_handler_) names.insert("/default");
  return {names.begin(), names.end()};
}

std::vector<std::string> Executor::stream_endpoints() const {
  std::vector<std::string> names;
  for (const auto& [endpoint, handler] : stream_handlers_) names.push_back(endpoint);
  return names;  // sorted: the map's order
}

const Executor::Handler* Executor::handler_for(std::string_view endpoint) const {
  if (auto it = handlers_.find(endpoint); it != handlers_.end()) return &it->second;
  if (stream_handlers_.find(endpoint) != stream_handlers_.end()) return nullptr;
  return default_handler_ ? &default_handler_ : nullptr;
}

const Executor::StreamHandler* Executor::stream_handler_for(std::string_view endpoint) const {
  auto it = stream_handlers_.find(endpoint);
  return it == stream_handlers_.end() ? nullptr : &it->second;
}

namespace flow {

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> readable(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  std::string name = status == 0 && readable ? std::string(readable.get()) : std::string(mangled);
  // An anonymous namespace says nothing to the reader of an error.
  constexpr std::string_view kAnonymous = "(anonymous namespace)::";
  for (auto at = name.find(kAnonymous); at != std::string::npos; at = name.find(kAnonymous, at)) {
    name.erase(at, kAnonymous.size());
  }
  return name;
}

std::string unqualified(std::string_view qualified) {
  // Only "::" outside template arguments separates namespaces.
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < qualified.size(); ++i) {
    char c = qualified[i];
    if (c == '<' || c == '(') ++depth;
    if (c == '>' || c == ')') --depth;
    if (depth == 0 && c == ':' && i + 1 < qualified.size() && qualified[i + 1] == ':') {
      start = i + 2;
      ++i;
    }
  }
  return std::string(qualified.substr(start));
}

std::string python_repr(std::string_view text) {
  bool has_single = text.find('\'') != std::string_view::npos;
  bool has_double = text.find('"') != std::string_view::npos;
  char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c == static_cast<unsigned char>(quote)) {
          out += '\\';
          out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f) {
          char hex[5];
          std::snprintf(hex, sizeof(hex), "\\x%02x", c);
          out += hex;
        } else {
          out +=
              static_cast<char>(c);  // UTF-8 bytes stay as they are, like Python's printable text
        }
    }
  }
  out += quote;
  return out;
}

Status exception_status(std::exception_ptr error, std::string_view executor_class,
                        std::string_view executor_name, std::string_view endpoint) {
  std::string type_name;
  std::vector<std::string> args;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    type_name = demangle(typeid(e).name());
    args.emplace_back(e.what());
  } catch (...) {
    const std::type_info* type = abi::__cxa_current_exception_type();
    type_name = type ? demangle(type->name()) : "unknown exception";
  }
  // The exception's message may quote Documents: only its type is logged.
  if (internal::log_enabled(LogLevel::kInfo)) {
    internal::log(LogLevel::kInfo, "flow",
                  "Executor \"" + std::string(executor_name) + "\" failed on endpoint \"" +
                      std::string(endpoint) + "\": " + type_name);
  }
  std::string description = type_name + "(" + (args.empty() ? "" : python_repr(args.front())) + ")";
  // C++ keeps no traceback; say where it happened, in traceback-like lines.
  std::vector<std::string> stacks;
  stacks.push_back("Traceback (most recent call last):\n");
  stacks.push_back("  Executor \"" + std::string(executor_name) + "\" (" +
                   std::string(executor_class) + "), endpoint \"" + std::string(endpoint) + "\"\n");
  stacks.push_back(type_name + (args.empty() ? "" : ": " + args.front()) + "\n");
  Status status;
  status.set_code(StatusCode::kError).set_description(std::move(description));
  status.mutable_exception()
      .set_name(std::move(type_name))
      .set_args(std::move(args))
      .set_stacks(std::move(stacks))
      .set_executor(std::string(executor_class));
  return status;
}

Status python_error_status(std::string_view name, const std::string& message,
                           std::string_view executor_class) {
  Status status;
  status.set_code(StatusCode::kError)
      .set_description(std::string(name) + "(" + python_repr(message) + ")");
  status.mutable_exception()
      .set_name(std::string(name))
      .set_args({message})
      .set_stacks({std::string(name) + ": " + message + "\n"})
      .set_executor(std::string(executor_class));
  return status;
}

}  // namespace flow
}  // namespace jina
