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
//     `parameters["__results__"]["<executor name>/rep-0"]` (jina's key), and
//     the docs go on as for nothing. Any other JSON (a number, an array, ...) is an error.
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
//
// Streaming (generator) endpoints: one Document in, Documents out one by one
// as the method produces them (jina's `stream_doc`; docs/streaming.md):
//
//   on_stream("/tokens", &Upper::tokens);
//   void tokens(const jina::Document& in, jina::DocEmitter& out) {
//     for (...) if (!out.emit(next_token(in))) return;  // false: the client left
//   }
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

// What a streaming method receives for one call.
struct StreamRequest {
  // The call's one Document (a new Document with a random id when the call
  // carried none).
  Document doc{};
  // The call's parameters, with the entries addressed to this Executor
  // applied, as for ExecutorRequest. Always a JSON object (empty when the
  // client sent none: jina's Python client never sends them).
  nlohmann::json parameters = nlohmann::json::object();
  // The endpoint the call named, e.g. "/stream".
  std::string endpoint{};
};

// Where a streaming method sends its Documents. The Flow passes one to each
// call; it is valid until the method returns.
//
// Thread-safety: every member may be called from any thread (a method may
// hand the emitter to helper threads, which must stop using it before the
// method returns). Items of emit() calls that do not overlap go out in the
// order of the calls; of calls made at once from several threads, in any
// order.
class DocEmitter {
 public:
  virtual ~DocEmitter() = default;
  DocEmitter(const DocEmitter&) = delete;
  DocEmitter& operator=(const DocEmitter&) = delete;

  // Sends `doc` as the stream's next item. Blocks while the client reads
  // slower than the method produces: only a few items are buffered, never
  // more. Returns false, and drops `doc`, once the client has gone
  // (cancelled, disconnected, past its deadline) or the Flow is stopping;
  // the method should then return. Throws InvalidArgument when `doc` cannot
  // be encoded in the Flow's docarray format (thrown on, it ends the stream
  // with that error).
  virtual bool emit(Document doc) = 0;
  // Whether the client has gone (emit() would return false): for a method
  // that works long between items.
  virtual bool cancelled() const = 0;

 protected:
  DocEmitter() = default;
};

class Executor {
 public:
  using Handler = std::function<ExecutorResult(ExecutorRequest&)>;
  using StreamHandler = std::function<void(StreamRequest&, DocEmitter&)>;

  Executor() = default;
  virtual ~Executor() = default;
  // Bound methods capture `this`: an Executor stays where it was built.
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Binds `method` (a member function of the subclass, or any callable,
  // taking ExecutorRequest& or const ExecutorRequest& and returning void,
  // DocumentArray, std::optional<DocumentArray> or nlohmann::json) to each of
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

  // Binds a streaming `method` to each of `endpoints`: a member function of
  // the subclass, or any callable, taking (const Document&, DocEmitter&) or
  // (StreamRequest&, DocEmitter&) and returning void. It is called once per
  // stream_doc call, on a thread of its own, and sends items with
  // out.emit(); returning ends the stream. A method that throws ends the
  // stream with an error after the items already emitted. A streaming
  // endpoint is not served by the default binding nor by on() (the last
  // binding of an endpoint wins); posting a request to it fails. Throws
  // InvalidArgument for an empty endpoint name.
  template <class Method>
  void on_stream(std::initializer_list<std::string_view> endpoints, Method method) {
    bind_stream(std::vector<std::string>(endpoints.begin(), endpoints.end()),
                wrap_stream(std::move(method)));
  }
  template <class Method>
  void on_stream(const std::vector<std::string>& endpoints, Method method) {
    bind_stream(endpoints, wrap_stream(std::move(method)));
  }
  template <class Method>
  void on_stream(std::string_view endpoint, Method method) {
    bind_stream({std::string(endpoint)}, wrap_stream(std::move(method)));
  }

  // The name given in the Flow (ExecutorOptions::name), "executor<i>" when
  // none was given; empty before the Executor is added to a Flow.
  const std::string& name() const { return name_; }
  // The name reported in an exception's `executor` field: the class name
  // without namespaces (e.g. "Upper"), like Python's type(self).__name__.
  virtual std::string class_name() const;

  // The endpoints bound by name (streaming ones too), sorted; "/default" is
  // added when a default binding exists (the name jina's endpoint discovery
  // uses for it).
  std::vector<std::string> endpoints() const;
  // The streaming endpoints, sorted.
  std::vector<std::string> stream_endpoints() const;
  bool has_default() const { return static_cast<bool>(default_handler_); }
  // The handler that serves a request for `endpoint`: its own binding, else
  // the default unless `endpoint` streams, else null (the request passes
  // through).
  const Handler* handler_for(std::string_view endpoint) const;
  // The streaming method bound to `endpoint`, or null.
  const StreamHandler* stream_handler_for(std::string_view endpoint) const;

 private:
  friend class Flow;

  void bind(std::vector<std::string> endpoints, Handler handler);
  void bind_default(Handler handler);
  void bind_stream(std::vector<std::string> endpoints, StreamHandler handler);
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
      using Self = typename member_of<Method>::type;
      if constexpr (std::is_base_of_v<Executor, Self>) {
        return wrap_callable<Method, Self*>(method, static_cast<Self*>(this));
      } else {
        static_assert(std::is_base_of_v<Executor, Self>, "bind methods of this Executor");
        return {};
      }
    } else {
      return wrap_callable<Method>(std::move(method));
    }
  }

  // `fn` called as fn(self..., request). One static_assert, and no cascade
  // of overload errors, for a method of another shape.
  template <class Fn, class... Self>
  static Handler wrap_callable(Fn fn, Self... self) {
    if constexpr (std::is_invocable_v<Fn&, Self..., ExecutorRequest&>) {
      return [fn = std::move(fn), self...](ExecutorRequest& req) mutable -> ExecutorResult {
        using R = std::invoke_result_t<Fn&, Self..., ExecutorRequest&>;
        if constexpr (std::is_void_v<R>) {
          std::invoke(fn, self..., req);
          return ExecutorResult();
        } else {
          return to_result(std::invoke(fn, self..., req));
        }
      };
    } else {
      static_assert(std::is_invocable_v<Fn&, Self..., ExecutorRequest&>,
                    "an Executor method takes (ExecutorRequest&) or (const ExecutorRequest&)");
      return {};
    }
  }

  template <class Method>
  StreamHandler wrap_stream(Method method) {
    if constexpr (std::is_member_function_pointer_v<Method>) {
      using Self = typename member_of<Method>::type;
      if constexpr (std::is_base_of_v<Executor, Self>) {
        return wrap_stream_callable<Method, Self*>(method, static_cast<Self*>(this));
      } else {
        static_assert(std::is_base_of_v<Executor, Self>, "bind methods of this Executor");
        return {};
      }
    } else {
      return wrap_stream_callable<Method>(std::move(method));
    }
  }

  // `fn` called as fn(self..., request or doc, emitter).
  template <class Fn, class... Self>
  static StreamHandler wrap_stream_callable(Fn fn, Self... self) {
    constexpr bool takes_request = invocable_void<Fn&, Self..., StreamRequest&, DocEmitter&>();
    constexpr bool takes_doc = invocable_void<Fn&, Self..., const Document&, DocEmitter&>();
    if constexpr (takes_request) {
      return [fn = std::move(fn), self...](StreamRequest& req, DocEmitter& out) mutable {
        std::invoke(fn, self..., req, out);
      };
    } else if constexpr (takes_doc) {
      return [fn = std::move(fn), self...](StreamRequest& req, DocEmitter& out) mutable {
        std::invoke(fn, self..., std::as_const(req.doc), out);
      };
    } else {
      static_assert(takes_request || takes_doc,
                    "a streaming Executor method is void(const Document&, DocEmitter&) or "
                    "void(StreamRequest&, DocEmitter&)");
      return {};
    }
  }

  template <class Fn, class... Args>
  static constexpr bool invocable_void() {
    if constexpr (std::is_invocable_v<Fn, Args...>) {
      return std::is_void_v<std::invoke_result_t<Fn, Args...>>;
    } else {
      return false;
    }
  }

  // The class of a member function pointer.
  template <class M>
  struct member_of;
  template <class R, class C>
  struct member_of<R C::*> {
    using type = C;
  };

  std::string name_;
  std::map<std::string, Handler, std::less<>> handlers_;
  std::map<std::string, StreamHandler, std::less<>> stream_handlers_;
  Handler default_handler_;
};

}  // namespace jina

#endif  // JINA_EXECUTOR_H_
