// Turning an exception thrown by an Executor method into the jina.StatusProto
// a Python Flow would send: code ERROR, description as Python's repr of the
// exception (`ValueError('msg')`), and the exception's name, args, stacks
// and the Executor's class name.
#ifndef JINA_SRC_FLOW_EXECUTOR_STATUS_H_
#define JINA_SRC_FLOW_EXECUTOR_STATUS_H_

#include <exception>
#include <string>
#include <string_view>

#include "jina/request.h"

namespace jina::flow {

// Status for `error` (as caught by catch (...)), thrown by the Executor with
// class name `executor_class`, named `executor_name` in the Flow, serving
// `endpoint`.
Status exception_status(std::exception_ptr error, std::string_view executor_class,
                        std::string_view executor_name, std::string_view endpoint);

// The status of a Python exception `name`(`message`) raised by the Flow
// itself, in the shape of jina's own (`ValueError('endpoint must be
// generator')`): description as its repr, one stack line, and the Executor
// class only when given.
Status python_error_status(std::string_view name, const std::string& message,
                           std::string_view executor_class = {});

// Python's repr() of a str: single quotes unless the text holds a single
// quote and no double quote; backslash escapes for quotes, \\, \n, \r, \t
// and other control characters.
std::string python_repr(std::string_view text);

// The readable name of a mangled C++ type name ("St13runtime_error" ->
// "std::runtime_error"), without "(anonymous namespace)::" qualifiers; the
// input itself when it cannot be demangled.
std::string demangle(const char* mangled);

// `qualified` without its namespaces: "ns::Upper" -> "Upper". Template
// arguments are kept whole: "ns::Box<a::B>" -> "Box<a::B>".
std::string unqualified(std::string_view qualified);

}  // namespace jina::flow

#endif  // JINA_SRC_FLOW_EXECUTOR_STATUS_H_
