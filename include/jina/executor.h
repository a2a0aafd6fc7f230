// jina::Executor: the unit of work of a local Flow, the C++ counterpart of a
// Python Executor with `@requests` methods.
//
// A subclass binds its methods to endpoints in its constructor:
//
//   class Upper : public jina::Executor {
//    public:
//     Upper() {
//       on({"/index", "/search"}, &Upper::foo);  // these endpoints
//       on_default(&Upper::bar);                 // every endpoint not bound
//     }
//     void foo(jina::ExecutorRequest& req);             // changes req.docs in place
//     nlohmann::json bar(jina::ExecutorRequest& req);   // a result under __results__
//   };
//
// A method may return:
//   * nothing (void, or an empty std::optional<DocumentArray>, or a null
//     JSON): the docs in `req.docs`, possibly changed in place, go on to the
//     next Executor;
//   * a DocumentArray: it replaces the docs;
//   * a JSON object: it is stored in the response's
//     `parameters["__results__"][<executor name>]`, and the docs go on as for
//     nothing. Any other JSON (a number, an array, ...) is an error.
// A method that throws fails the request: the response carries
// header.status ERROR with the exception (see jina::Status), the docs as the
// failing Executor left them, and no Executor after it runs.
//
// An Executor with no binding for an endpoint (and no default) lets requests
// for that endpoint pass through untouched, and appears in no route.
//
// Thread-safety: the Flow calls the bound methods from several worker
// threads at once, one call per request. Guard any state a method shares
// between requests. Bind only in the constructor (or before the Flow starts).
#ifndef JINA_EXECUTOR_H_
#define JINA_EXECUTOR_H_

#include <functional>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "jina/document.h"

namespace jina {

// What an Executor method receives for one request.
struct ExecutorRequest {
  // The docs of the request (the merged docs when several upstream
  // Executors feed this one, unless `disable_reduce`).
  DocumentArray docs{};
  // The request's parameters, with the entries addressed to this Executor
  // (`{"<name>": {...}}` and `"<name>__<key>"`) applied over the root ones.
  // Always a JSON object. Changes made here are not sent on.
  nlohmann::json parameters = nlohmann::json::object();
  // One DocumentArray per upstream Executor, in the order of `needs`; empty
  // when there is a single upstream (then `docs` is all there is).
  std::vector<DocumentArray> docs_matrix{};
  // The endpoint the request was posted to, e.g. "/index".
  std::string endpoint{};
};

// What a bound method produced: nothing, replacement docs, or a result.
using ExecutorResult = std::variant<std::monostate, DocumentArray, nlohmann::json>;

class Executor {
 public:
  using Handler = std::function<ExecutorResult(ExecutorRequest&)>;

  Executor() = default;
  virtual ~Executor() = default;
  // Bound methods capture `this`: an Executor stays where it was built.
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Binds `method` (a member function of the subclass taking
  // ExecutorRequest&, or any callable taking ExecutorRequest&) to each of
  // `endpoints`. Binding an endpoint twice keeps the last binding. Throws
  // InvalidArgument for an empty endpoint name.
  template <class Method>
  void on(std::initializer_list<std::string_view> endpoints, Method method) {
    bind(std::vector<std::string>(endpoints.begin(), endpoints.end()), wrap(std::move(method)));
  }
  template <class Method>
  void on(const std::vector<std::string>& endpoints, Method method) {
    bind(endpoints, wrap(std::move(method)));
  }
  template <class Method>
  void on(std::string_view endpoint, Method method) {
    bind({std::string(endpoint)}, wrap(std::move(method)));
  }
  // Binds `method` to every endpoint that has no binding of its own.
  template <class Method>
  void on_default(Method method) {
    bind_default(wrap(std::move(method)));
  }

  // The name given in the Flow (ExecutorOptions::name), "executor<i>" when
  // none was given; empty before the Executor is added to a Flow.
  const std::string& name() const { return name_; }
  // The name reported in an exception's `executor` field: the class name
  // without namespaces (e.g. "Upper"), like Python's type(self).__name__.
  virtual std::string class_name() const;

  // The endpoints bound by name, sorted; "/default" is added when a default
  // binding exists (the name jina's endpoint discovery uses for it).
  std::vector<std::string> endpoints() const;
  bool has_default() const { return static_cast<bool>(default_handler_); }
  // The handler that serves `endpoint`: its own binding, else the default,
  // else null (the request passes through).
  const Handler* handler_for(std::string_view endpoint) const;

 private:
  friend class Flow;

  void bind(std::vector<std::string> endpoints, Handler handler);
  void bind_default(Handler handler);
  void set_name(std::string name) { name_ = std::move(name); }

  template <class R>
  static ExecutorResult to_result(R&& r) {
    using T = std::remove_cvref_t<R>;
    if constexpr (std::is_same_v<T, DocumentArray>) {
      return ExecutorResult(std::forward<R>(r));
    } else if constexpr (std::is_same_v<T, std::optional<DocumentArray>>) {
      if (!r) return ExecutorResult();
      return ExecutorResult(std::move(*r));
    } else if constexpr (std::is_same_v<T, nlohmann::json>) {
      return ExecutorResult(std::forward<R>(r));
    } else if constexpr (std::is_same_v<T, ExecutorResult>) {
      return std::forward<R>(r);
    } else {
      static_assert(sizeof(T) == 0,
                    "an Executor method returns void, DocumentArray, "
                    "std::optional<DocumentArray> or nlohmann::json");
    }
  }

  template <class Method>
  Handler wrap(Method method) {
    if constexpr (std::is_member_function_pointer_v<Method>) {
      return wrap_member(method);
    } else {
      static_assert(std::is_invocable_v<Method&, ExecutorRequest&>,
                    "an Executor method takes (ExecutorRequest&)");
      return [fn = std::move(method)](ExecutorRequest& req) mutable -> ExecutorResult {
        using R = std::invoke_result_t<Method&, ExecutorRequest&>;
        if constexpr (std::is_void_v<R>) {
          fn(req);
          return ExecutorResult();
        } else {
          return to_result(fn(req));
        }
      };
    }
  }

  template <class R, class Self>
  Handler wrap_member(R (Self::*method)(ExecutorRequest&)) {
    static_assert(std::is_base_of_v<Executor, Self>, "bind methods of this Executor");
    Self* self = static_cast<Self*>(this);
    return wrap(
        [self, method](ExecutorRequest& req) -> decltype(auto) { return (self->*method)(req); });
  }
  template <class R, class Self>
  Handler wrap_member(R (Self::*method)(ExecutorRequest&) const) {
    static_assert(std::is_base_of_v<Executor, Self>, "bind methods of this Executor");
    const Self* self = static_cast<const Self*>(this);
    return wrap(
        [self, method](ExecutorRequest& req) -> decltype(auto) { return (self->*method)(req); });
  }

  std::string name_;
  std::map<std::string, Handler, std::less<>> handlers_;
  Handler default_handler_;
};

}  // namespace jina

#endif  // JINA_EXECUTOR_H_
