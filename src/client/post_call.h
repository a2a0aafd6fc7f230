// One post(): turns inputs into requests, streams them through a Transport,
// and turns what comes back into exactly one outcome per request (on_done or
// on_error, then on_always), on the calling thread.
//
// Data path: Inputs --batch--> DataRequest --serialize--> RequestStream
// --bytes--> StreamObserver (parses on a transport thread) --> event queue
// --> callbacks and results on the caller's thread.
#ifndef JINA_SRC_CLIENT_POST_CALL_H_
#define JINA_SRC_CLIENT_POST_CALL_H_

#include <functional>
#include <string_view>
#include <vector>

#include "client/retry.h"
#include "jina/client.h"
#include "jina/options.h"
#include "transport/transport.h"

namespace jina::internal {

// Where results go: any may be null. `each` gets every delivered response
// (after its callbacks, in delivery order) on the post's thread; a sink that
// blocks holds the post back, with at most `prefetch` requests in flight.
struct PostResults {
  DocumentArray* docs = nullptr;
  std::vector<Response>* responses = nullptr;
  std::function<void(Response&&)> each{};
};

// Runs one post to completion. Throws as Client::post documents. `random`
// and `time` drive the retry schedule and the deadlines (tests inject both).
void run_post(Transport& transport, DocFormat format, std::string_view endpoint, Inputs& inputs,
              const PostOptions& options, const RandomSource& random, PostResults results,
              TimeSource& time = TimeSource::real());

// The parameters every request carries: `parameters` (an object or null)
// with `__results__: {}` added (a non-object `__results__` is replaced, as
// Jina does). Throws InvalidArgument for a non-object.
nlohmann::json request_parameters(const nlohmann::json& parameters);

}  // namespace jina::internal

#endif  // JINA_SRC_CLIENT_POST_CALL_H_
