// AsyncClient, PostTask, ResponseStream and InputQueue over a mock Transport:
// the callback rules, cancellation and lifetimes, without a network.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <ranges>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "client/client_access.h"
#include "jina/async_client.h"
#include "jina/error.h"
#include "transport/transport.h"
#include "unit/mock_transport.h"

namespace jina {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// Echoes every request at once, from a thread per stream; requests to
// "/fail", and those whose first Document's text is "fail", come back with an
// Executor error. hold(true) holds the answers.
class EchoTransport : public testing::MockTransport {
 public:
  EchoTransport()
      : internal::FakeTransport([](const DataRequest& received) {
          DataRequest request = received;
          if (request.header().exec_endpoint() == "/fail" ||
              (!request.docs().empty() && request.docs()[0].text() == "fail")) {
            request.header().mutable_status().set_code(StatusCode::kError).set_description("boom");
          }
          return std::optional<std::string>(request.serialize());
        }) {
    answer_delay = std::chrono::microseconds(0);
  }
};

DocumentArray docs(int n) {
  DocumentArray out;
  for (int i = 0; i < n; ++i) out.push_back(Document().set_text(std::to_string(i)));
  return out;
}

// The docarray format is known up front, as once the Flow answered: posts of
// in-memory inputs then run on the client's shared post loop.
class AsyncClientTest : public ::testing::Test {
 protected:
  std::shared_ptr<EchoTransport> transport_ = std::make_shared<EchoTransport>();
  AsyncClient client_ =
      internal::ClientAccess::async_client(transport_, {.doc_format = DocFormat::kV2});
};

TEST_F(AsyncClientTest, GetReturnsTheDocsOfEveryResponse) {
  PostTask task = client_.post("/", docs(5), {.request_size = 2});
  DocumentArray out = task.get();
  ASSERT_EQ(out.size(), 5u);
  EXPECT_TRUE(task.done());
  EXPECT_EQ(task.get().size(), 5u);  // get() may be called again
}

TEST_F(AsyncClientTest, LvalueInputsAreCopiedSoTheyMayGoAway) {
  PostTask task;
  {
    DocumentArray input = docs(3);
    transport_->hold(true);
    task = client_.post("/", input, {.request_size = 1});
  }
  transport_->hold(false);
  EXPECT_EQ(task.get().size(), 3u);
}

TEST_F(AsyncClientTest, OnSuccessRunsOnceOnTheCallbackThread) {
  std::atomic<int> calls{0};
  std::thread::id where;
  PostTask task = client_.post("/", docs(3), {.request_size = 1})
                      .on_success([&](const DocumentArray& out) {
                        EXPECT_EQ(out.size(), 3u);
                        where = std::this_thread::get_id();
                        ++calls;
                      })
                      .on_error([&](const Error&) { ADD_FAILURE() << "no error expected"; });
  task.get();
  EXPECT_EQ(calls, 1);
  EXPECT_NE(where, std::this_thread::get_id());
}

TEST_F(AsyncClientTest, OnErrorRunsOnceForAnExecutorError) {
  std::atomic<int> errors{0};
  std::string message;
  PostTask task = client_.post("/fail", docs(1))
                      .on_success([](const DocumentArray&) { ADD_FAILURE(); })
                      .on_error([&](const Error& e) {
                        message = e.what();
                        ++errors;
                      });
  EXPECT_THROW(task.get(), BadServer);
  EXPECT_EQ(errors, 1);
  EXPECT_THAT(message, HasSubstr("boom"));
}

// The response whose Executor error ends the post (no PostOptions::on_error,
// no continue_on_error) reaches on_iter too, before on_error, as every
// response delivered before it; with PostOptions callbacks (run on the
// executor) or without.
TEST_F(AsyncClientTest, OnIterSeesTheExecutorErrorThatEndsThePost) {
  for (bool with_on_always : {false, true}) {
    SCOPED_TRACE(with_on_always ? "with PostOptions::on_always" : "without PostOptions callbacks");
    DocumentArray input = docs(5);
    input[2].set_text("fail");
    PostOptions options;
    options.request_size = 1;
    options.results_in_order = true;
    if (with_on_always) options.on_always = [](const Response&) {};
    std::mutex mu;
    std::vector<std::string> seen;
    auto note = [&](std::string what) {
      std::lock_guard lock(mu);
      seen.push_back(std::move(what));
    };
    PostTask task = client_.post("/", input, options)
                        .on_iter([&](const Response& r) {
                          note(r.docs()[0].text() + (r.status().ok() ? "" : " (error)"));
                        })
                        .on_error([&](const Error& e) {
                          EXPECT_NE(dynamic_cast<const BadServer*>(&e), nullptr);
                          EXPECT_THAT(e.what(), HasSubstr("boom"));
                          note("on_error");
                        });
    EXPECT_THROW(task.get(), BadServer);
    std::lock_guard lock(mu);
    // Responses 4 and 5 may come before the post is cut short, or not.
    ASSERT_GE(seen.size(), 4u);
    EXPECT_EQ(seen[0], "0");
    EXPECT_EQ(seen[1], "1");
    EXPECT_EQ(seen[2], "fail (error)");
    EXPECT_EQ(seen.back(), "on_error");
    EXPECT_EQ(std::count(seen.begin(), seen.end(), "on_error"), 1);
  }
}

TEST_F(AsyncClientTest, OnErrorTakesACallbackWithoutTheError) {
  std::atomic<int> errors{0};
  PostTask failed = client_.post("/fail", docs(1)).on_error([&] { ++errors; });
  EXPECT_THROW(failed.get(), BadServer);
  EXPECT_EQ(errors, 1);
  PostTask ok = client_.post("/", docs(1)).on_error([&] { ++errors; });
  EXPECT_EQ(ok.get().size(), 1u);
  EXPECT_EQ(errors, 1);
  PostTask recovered =
      client_.post("/fail", docs(1))
          .on_error([] { return DocumentArray{Document().set_text("fallback")}; }, true);
  DocumentArray out = recovered.get();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].text(), "fallback");
}

TEST_F(AsyncClientTest, OnFinishedSeesExactlyOneOfDocsAndError) {
  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  auto count = [&](const DocumentArray* d, const Error* e) {
    EXPECT_NE(d == nullptr, e == nullptr);
    ++(d ? ok : failed);
  };
  PostTask a = client_.post("/", docs(2)).on_finished(count);
  PostTask b = client_.post("/fail", docs(2)).on_finished(count);
  a.get();
  EXPECT_THROW(b.get(), BadServer);
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(failed, 1);
}

TEST_F(AsyncClientTest, CallbacksRunInTheOrderAttachedAfterEveryOnIter) {
  std::mutex mu;
  std::vector<std::string> order;
  auto note = [&](std::string what) {
    std::lock_guard lock(mu);
    order.push_back(std::move(what));
  };
  transport_->hold(true);
  PostTask task = client_.post("/", docs(3), {.request_size = 1})
                      .on_finished([&](const DocumentArray*, const Error*) { note("finished"); })
                      .on_iter([&](const Response&) { note("iter"); })
                      .on_success([&](const DocumentArray&) { note("success"); });
  transport_->hold(false);
  task.get();
  EXPECT_EQ(order, (std::vector<std::string>{"iter", "iter", "iter", "finished", "success"}));
}

TEST_F(AsyncClientTest, OnIterSeesEveryResponseEvenWhenAttachedLate) {
  PostTask task = client_.post("/", docs(4), {.request_size = 1});
  ASSERT_TRUE(task.wait_for(10s));
  int seen = 0;
  std::thread::id where;
  task.on_iter([&](const Response& r) {
    seen += static_cast<int>(r.docs().size());
    where = std::this_thread::get_id();
  });
  // Settled: replayed at once, here.
  EXPECT_EQ(seen, 4);
  EXPECT_EQ(where, std::this_thread::get_id());
}

TEST_F(AsyncClientTest, CallbacksAttachedAfterSettlingRunAtOnceOnTheAttachingThread) {
  PostTask task = client_.post("/", docs(1));
  task.get();
  bool ran = false;
  task.on_success([&](const DocumentArray& out) {
    EXPECT_EQ(out.size(), 1u);
    EXPECT_FALSE(ran);
    ran = true;
  });
  EXPECT_TRUE(ran);
  bool error_ran = false;
  task.on_error([&](const Error&) { error_ran = true; });
  EXPECT_FALSE(error_ran);
  bool finished = false;
  task.on_finished([&](const DocumentArray* d, const Error*) { finished = d != nullptr; });
  EXPECT_TRUE(finished);
}

TEST_F(AsyncClientTest, CallbacksOfOneClientNeverRunConcurrently) {
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> calls{0};
  auto slow = [&](auto&&...) {
    if (++inside > 1) ++overlaps;
    std::this_thread::sleep_for(100us);
    --inside;
    ++calls;
  };
  std::vector<PostTask> tasks;
  for (int i = 0; i < 20; ++i) {
    tasks.push_back(client_.post("/", docs(4), {.request_size = 1})
                        .on_iter([&](const Response& r) { slow(r); })
                        .on_success([&](const DocumentArray& d) { slow(d); })
                        .on_finished([&](const DocumentArray* d, const Error* e) { slow(d, e); }));
  }
  for (PostTask& t : tasks) t.get();
  EXPECT_EQ(calls, 20 * (4 + 2));
  EXPECT_EQ(overlaps, 0);
}

TEST_F(AsyncClientTest, UpdatesResultReplacesTheResult) {
  PostTask task =
      client_.post("/", docs(3))
          .on_success([](const DocumentArray& out) { return DocumentArray{out[0]}; }, true);
  EXPECT_EQ(task.get().size(), 1u);
  // Without updates_result the return value is ignored.
  PostTask kept =
      client_.post("/", docs(3)).on_success([](const DocumentArray&) { return DocumentArray{}; });
  EXPECT_EQ(kept.get().size(), 3u);
}

TEST_F(AsyncClientTest, OnErrorWithUpdatesResultRecoversTheTask) {
  bool later_success = false;
  PostTask task =
      client_.post("/fail", docs(1))
          .on_error([](const Error&) { return DocumentArray{Document().set_text("fallback")}; },
                    true)
          .on_success(
              [&](const DocumentArray& out) { later_success = out[0].text() == "fallback"; });
  DocumentArray out = task.get();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].text(), "fallback");
  EXPECT_TRUE(later_success);
}

TEST_F(AsyncClientTest, OnFinishedAndOnIterUpdateTheResult) {
  PostTask finished =
      client_.post("/", docs(2))
          .on_finished([](const DocumentArray* d, const Error*) { return DocumentArray{(*d)[1]}; },
                       true);
  EXPECT_EQ(finished.get()[0].text(), "1");
  PostTask iter = client_.post("/", docs(3), {.request_size = 1, .results_in_order = true})
                      .on_iter([](const Response& r) { return r.docs(); }, true);
  DocumentArray out = iter.get();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].text(), "2");  // the last value returned
}

TEST_F(AsyncClientTest, OnIterAttachedAfterThePostSettledStillUpdatesTheResult) {
  PostTask task = client_.post("/", docs(3), {.request_size = 1, .results_in_order = true});
  ASSERT_TRUE(task.wait_for(10s));  // settled before the callback is attached
  task.on_iter([](const Response& r) { return r.docs(); }, true);
  DocumentArray out = task.get();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].text(), "2");
}

// updates_result with a callback that returns no DocumentArray does not
// compile: the ctest compile_fail_updates_result checks it.
TEST_F(AsyncClientTest, UpdatesResultFalseKeepsTheResult) {
  PostTask task = client_.post("/", docs(2))
                      .on_success([](const DocumentArray&) { return DocumentArray{}; }, false);
  EXPECT_EQ(task.get().size(), 2u);
}

TEST_F(AsyncClientTest, AnExceptionInACallbackBecomesTheTaskError) {
  std::string seen_by_on_error;
  bool later_finished_saw_error = false;
  PostTask task = client_.post("/", docs(1))
                      .on_success([](const DocumentArray&) { throw std::runtime_error("oops"); })
                      .on_error([&](const Error& e) { seen_by_on_error = e.what(); })
                      .on_finished([&](const DocumentArray* d, const Error* e) {
                        later_finished_saw_error = d == nullptr && e != nullptr;
                      });
  try {
    task.get();
    ADD_FAILURE() << "get() should rethrow";
  } catch (const Error&) {
    ADD_FAILURE() << "the original exception, not a wrapper";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "oops");
  }
  EXPECT_EQ(seen_by_on_error, "oops");
  EXPECT_TRUE(later_finished_saw_error);
}

TEST_F(AsyncClientTest, AnExceptionInOnIterCancelsThePost) {
  std::atomic<int> pulled{0};
  auto endless = [&]() -> std::optional<Document> {
    ++pulled;
    return Document().set_text("x");
  };
  PostTask task =
      client_.post("/", endless, {.request_size = 1, .prefetch = 2}).on_iter([](const Response&) {
        throw InvalidArgument("stop");
      });
  ASSERT_TRUE(task.wait_for(10s));
  EXPECT_THROW(task.get(), InvalidArgument);
}

TEST_F(AsyncClientTest, AnExceptionInALateCallbackDoesNotEscapeTheAttach) {
  PostTask task = client_.post("/", docs(1));
  task.get();
  EXPECT_NO_THROW(task.on_success([](const DocumentArray&) { throw std::runtime_error("late"); }));
  EXPECT_THROW(task.get(), std::runtime_error);
}

TEST_F(AsyncClientTest, CancelDuringReceive) {
  transport_->hold(true);
  std::atomic<int> errors{0};
  PostTask task = client_.post("/", docs(3)).on_error([&](const Error&) { ++errors; });
  while (transport_->received == 0) std::this_thread::sleep_for(1ms);
  EXPECT_FALSE(task.wait_for(20ms));
  task.cancel();
  ASSERT_TRUE(task.wait_for(10s));
  EXPECT_THROW(task.get(), Cancelled);
  EXPECT_EQ(errors, 1);
  task.cancel();  // idempotent
}

TEST_F(AsyncClientTest, CancelDuringSendWakesAPostWaitingForItsQueue) {
  InputQueue queue;
  PostTask task = client_.post("/", queue, {.request_size = 1});
  ASSERT_TRUE(queue.push(Document().set_text("a")));
  while (transport_->received == 0) std::this_thread::sleep_for(1ms);
  task.cancel();  // the post waits for the next Document
  ASSERT_TRUE(task.wait_for(10s));
  EXPECT_THROW(task.get(), Cancelled);
  EXPECT_FALSE(queue.push(Document()));  // nobody reads it any more
}

TEST_F(AsyncClientTest, CancelDuringSendOfManyInputs) {
  std::atomic<int> pulled{0};
  auto endless = [&]() -> std::optional<Document> {
    ++pulled;
    return Document().set_text("x");
  };
  PostTask task = client_.post("/", endless, {.request_size = 1, .prefetch = 4});
  while (pulled < 20) std::this_thread::sleep_for(1ms);
  task.cancel();
  EXPECT_THROW(task.get(), Cancelled);
}

TEST_F(AsyncClientTest, ACancelTokenInTheOptionsCancelsTheTask) {
  transport_->hold(true);
  CancelToken token;
  PostTask task = client_.post("/", docs(1), {.cancel = token});
  token.cancel();
  EXPECT_THROW(task.get(), Cancelled);
}

TEST_F(AsyncClientTest, ATaskDestroyedBeforeCompletionStillRunsItsCallbacks) {
  transport_->hold(true);
  std::atomic<int> finished{0};
  {
    PostTask task =
        client_.post("/", docs(2)).on_finished([&](const DocumentArray* d, const Error*) {
          finished += d ? 1 : 100;
        });
  }
  transport_->hold(false);
  for (int i = 0; i < 1000 && finished == 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(finished, 1);
}

TEST_F(AsyncClientTest, DestroyingTheClientCancelsRunningPosts) {
  transport_->hold(true);
  auto client = std::make_unique<AsyncClient>(internal::ClientAccess::async_client(transport_, {}));
  std::atomic<int> cancelled{0};
  PostTask task = client->post("/", docs(1)).on_error([&](const Error& e) {
    if (dynamic_cast<const Cancelled*>(&e)) ++cancelled;
  });
  PostTask dropped = client->post("/", docs(1));
  client.reset();  // no callback runs after this
  EXPECT_EQ(cancelled, 1);
  EXPECT_TRUE(task.done());
  EXPECT_THROW(task.get(), Cancelled);
  bool late = false;
  task.on_error([&](const Error&) { late = true; });  // runs here: the client is gone
  EXPECT_TRUE(late);
}

TEST_F(AsyncClientTest, GetInsideACallbackThrowsInsteadOfWaitingForever) {
  transport_->hold(true);
  PostTask other = client_.post("/", docs(1));
  std::string message;
  PostTask task = client_.post("/", docs(1), {.request_size = 1}).on_iter([&](const Response&) {
    try {
      other.get();
    } catch (const Error& e) {
      message = e.what();
    }
  });
  transport_->hold(false);
  task.get();
  other.get();
  // Either `other` had settled (fine) or get() refused to deadlock.
  if (!message.empty()) {
    EXPECT_THAT(message, HasSubstr("would wait forever"));
  }
}

TEST_F(AsyncClientTest, BadOptionsFailTheTaskNotTheCall) {
  PostTask task;
  ASSERT_NO_THROW(task = client_.post("/", docs(1), {.parameters = 42}));
  EXPECT_THROW(task.get(), InvalidArgument);
}

TEST_F(AsyncClientTest, ADefaultTaskSaysSo) {
  PostTask task;
  EXPECT_THROW(task.get(), InvalidArgument);
  EXPECT_THROW(task.on_success([](const DocumentArray&) {}), InvalidArgument);
}

TEST_F(AsyncClientTest, ManyConcurrentPostsEachCompleteExactlyOnce) {
  constexpr int kPosts = 300;
  std::vector<std::atomic<int>> finished(kPosts);
  std::vector<PostTask> tasks;
  for (int i = 0; i < kPosts; ++i) {
    tasks.push_back(client_.post("/", Document().set_text(std::to_string(i)))
                        .on_finished([&finished, i](const DocumentArray* d, const Error*) {
                          if (d && d->size() == 1 && (*d)[0].text() == std::to_string(i)) {
                            ++finished[i];
                          }
                        }));
  }
  for (PostTask& t : tasks) ASSERT_TRUE(t.wait_for(30s));
  for (int i = 0; i < kPosts; ++i) EXPECT_EQ(finished[i], 1) << i;
}

TEST_F(AsyncClientTest, PostsOfInMemoryInputsShareAFewThreads) {
  transport_->hold(true);  // every post stays open at once
  std::vector<PostTask> tasks;
  for (int i = 0; i < 40; ++i) tasks.push_back(client_.post("/", docs(1)));
  while (transport_->streams < 40) std::this_thread::sleep_for(1ms);
  EXPECT_LE(transport_->threads_that_opened(), 2u);
  transport_->hold(false);
  for (PostTask& t : tasks) EXPECT_EQ(t.get().size(), 1u);
}

// Over a transport whose streams open without waiting (gRPC), a post of one
// request takes its first step inside post(); a longer one leaves it to the
// loop, so that post() returns at once.
TEST(AsyncClientFirstStep, OneRequestStartsOnTheCallersThread) {
  class AtOnce : public EchoTransport {
    bool opens_streams_at_once() const override { return true; }
  };
  auto transport = std::make_shared<AtOnce>();
  AsyncClient client =
      internal::ClientAccess::async_client(transport, {.doc_format = DocFormat::kV2});
  EXPECT_EQ(client.post("/", docs(3), {.request_size = 3}).get().size(), 3u);
  {
    std::lock_guard lock(transport->mu);
    EXPECT_EQ(transport->opened_on.count(std::this_thread::get_id()), 1u);
    transport->opened_on.clear();
  }
  EXPECT_EQ(client.post("/", docs(3), {.request_size = 1}).get().size(), 3u);
  std::lock_guard lock(transport->mu);
  EXPECT_EQ(transport->opened_on.count(std::this_thread::get_id()), 0u);
}

// Records the distinct threads that ran something.
class ThreadSet {
 public:
  void add() {
    std::lock_guard lock(mu_);
    ids_.insert(std::this_thread::get_id());
  }
  std::size_t size() {
    std::lock_guard lock(mu_);
    return ids_.size();
  }
  std::set<std::thread::id> ids() {
    std::lock_guard lock(mu_);
    return ids_;
  }

 private:
  std::mutex mu_;
  std::set<std::thread::id> ids_;
};

// A door that user code (a callback, a generator) waits at until the test
// opens it. Held by shared_ptr: code still waiting, or just woken, when a
// test's locals go must not touch a destroyed mutex.
class Gate {
 public:
  void wait() {
    std::unique_lock lock(mu_);
    reached_ = true;
    cv_.wait(lock, [&] { return open_; });
  }
  void open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  bool reached() {
    std::lock_guard lock(mu_);
    return reached_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  bool reached_ = false;
};

// No thread per post: posts with PostOptions callbacks run on the loop too,
// and their callbacks on the bounded pool.
TEST_F(AsyncClientTest, PostsWithPostOptionsCallbacksShareTheLoopAndTheCallbackPool) {
  AsyncClient client = internal::ClientAccess::async_client(
      transport_, {.doc_format = DocFormat::kV2, .callback_threads = 3});
  transport_->hold(true);
  ThreadSet ran_on;
  std::atomic<int> done{0};
  std::vector<PostTask> tasks;
  for (int i = 0; i < 60; ++i) {
    tasks.push_back(client.post("/", docs(2), {.request_size = 1, .on_done = [&](const Response&) {
                                                 ran_on.add();
                                                 std::this_thread::sleep_for(100us);
                                                 ++done;
                                               }}));
  }
  while (transport_->streams < 60) std::this_thread::sleep_for(1ms);
  EXPECT_LE(transport_->threads_that_opened(), 2u);
  transport_->hold(false);
  for (PostTask& t : tasks) EXPECT_EQ(t.get().size(), 2u);
  EXPECT_EQ(done, 120);
  EXPECT_LE(ran_on.size(), 3u);
}

TEST_F(AsyncClientTest, CallbacksOfOnePostRunOneAtATimeInOrder) {
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::vector<std::string> order;
  auto record = [&](const Response& r) {
    if (++inside > 1) ++overlaps;
    order.push_back(r.docs()[0].text());
    std::this_thread::sleep_for(20us);
    --inside;
  };
  DocumentArray out = client_
                          .post("/", docs(300),
                                {.request_size = 1,
                                 .on_done = record,
                                 .on_always =
                                     [&](const Response&) {
                                       if (++inside > 1) ++overlaps;
                                       --inside;
                                     },
                                 .results_in_order = true})
                          .get();
  EXPECT_EQ(overlaps, 0);
  ASSERT_EQ(order.size(), 300u);
  for (int i = 0; i < 300; ++i) ASSERT_EQ(order[i], std::to_string(i));
  EXPECT_EQ(out.size(), 300u);
}

// A slow callback holds back its own post (its outcomes count as in flight),
// so that memory stays bounded by `prefetch`.
TEST_F(AsyncClientTest, ASlowOnDoneSlowsItsPostsSender) {
  std::atomic<int> pulled{0};
  std::atomic<int> handled{0};
  std::atomic<int> worst_lead{0};
  auto inputs = [&]() -> std::optional<Document> {
    if (pulled == 100) return std::nullopt;
    ++pulled;
    return Document().set_text("x");
  };
  constexpr int kPrefetch = 4;
  client_
      .post("/", inputs,
            {.request_size = 1,
             .on_done =
                 [&](const Response&) {
                   std::this_thread::sleep_for(200us);
                   worst_lead = std::max(worst_lead.load(), pulled.load() - handled.load());
                   ++handled;
                 },
             .prefetch = kPrefetch})
      .get();
  EXPECT_EQ(handled, 100);
  EXPECT_LE(worst_lead, kPrefetch + 1);
}

TEST_F(AsyncClientTest, AThrowingOnDoneEndsThePostAndEveryRequestGetsAnOutcome) {
  std::atomic<int> done{0};
  std::atomic<int> always{0};
  std::atomic<int> aborted{0};
  PostTask task = client_.post(
      "/", docs(50),
      {.request_size = 1,
       .on_done =
           [&](const Response&) {
             if (++done == 3) throw std::runtime_error("callback failed");
           },
       .on_error = [&](const Response&,
                       const Error& e) { aborted += e.code() == absl::StatusCode::kAborted; },
       .on_always = [&](const Response&) { ++always; },
       .prefetch = 8});
  ASSERT_TRUE(task.wait_for(10s));
  try {
    task.get();
    ADD_FAILURE() << "expected the callback's exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "callback failed");
  }
  ClientStats stats = client_.stats();
  EXPECT_EQ(stats.requests, stats.responses + stats.failed);
  EXPECT_EQ(always, stats.requests);
  EXPECT_EQ(aborted, stats.failed);
  EXPECT_LT(stats.requests, 50u);  // it ended early
}

TEST_F(AsyncClientTest, AUserExecutorRunsCallbacksAndGenerators) {
  // Two threads of the user's, each job handed to one of them.
  struct Pool {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::function<void()>> jobs;
    bool stop = false;
    std::vector<std::thread> threads;
    std::atomic<int> submitted{0};
    void run() {
      std::unique_lock lock(mu);
      while (true) {
        cv.wait(lock, [&] { return stop || !jobs.empty(); });
        if (jobs.empty()) return;
        auto job = std::move(jobs.front());
        jobs.pop_front();
        lock.unlock();
        job();
        lock.lock();
      }
    }
  } pool;
  for (int i = 0; i < 2; ++i) pool.threads.emplace_back([&] { pool.run(); });
  {
    AsyncClient client = internal::ClientAccess::async_client(
        transport_,
        {.doc_format = DocFormat::kV2, .callback_executor = [&](std::function<void()> job) {
           ++pool.submitted;
           std::lock_guard lock(pool.mu);
           pool.jobs.push_back(std::move(job));
           pool.cv.notify_one();
         }});
    ThreadSet callbacks;
    ThreadSet generator;
    int n = 0;
    auto inputs = [&]() -> std::optional<Document> {
      generator.add();
      if (n == 5) return std::nullopt;
      return Document().set_text(std::to_string(n++));
    };
    DocumentArray out =
        client
            .post("/", inputs,
                  {.request_size = 2, .on_always = [&](const Response&) { callbacks.add(); }})
            .get();
    EXPECT_EQ(out.size(), 5u);
    EXPECT_GT(pool.submitted, 0);
    std::set<std::thread::id> mine;
    for (std::thread& t : pool.threads) mine.insert(t.get_id());
    EXPECT_GT(callbacks.size(), 0u);
    EXPECT_GT(generator.size(), 0u);
    for (std::thread::id id : callbacks.ids()) EXPECT_TRUE(mine.contains(id)) << "a callback";
    for (std::thread::id id : generator.ids()) EXPECT_TRUE(mine.contains(id)) << "the generator";
  }
  {
    std::lock_guard lock(pool.mu);
    pool.stop = true;
  }
  pool.cv.notify_all();
  for (std::thread& t : pool.threads) t.join();
}

TEST(AsyncClientOptions, CallbackThreadsOutOfRangeIsRefused) {
  auto transport = std::make_shared<EchoTransport>();
  for (int threads : {0, -1, 1025}) {
    EXPECT_THROW(internal::ClientAccess::async_client(transport, {.callback_threads = threads}),
                 InvalidArgument)
        << threads;
  }
}

// A generator that blocks holds one pool thread, not the loop: other posts
// go on, and a cancel ends its post at once.
TEST_F(AsyncClientTest, ABlockingGeneratorHoldsBackNeitherOtherPostsNorItsCancel) {
  // The generator returns after this test's body (the client's destructor
  // waits for it): it may hold nothing of the body's stack.
  auto gate = std::make_shared<Gate>();
  auto stuck = [gate]() -> std::optional<Document> {
    gate->wait();
    return std::nullopt;
  };
  PostTask task = client_.post("/", stuck);
  while (!gate->reached()) std::this_thread::sleep_for(1ms);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(client_.post("/", docs(2)).get().size(), 2u);
  auto start = std::chrono::steady_clock::now();
  task.cancel();
  ASSERT_TRUE(task.wait_for(5s));
  // The generator stays blocked: the post did not wait for it.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  EXPECT_THROW(task.get(), Cancelled);
  gate->open();
}

TEST_F(AsyncClientTest, GetInsideAPostOptionsCallbackThrowsInsteadOfWaiting) {
  AsyncClient client = internal::ClientAccess::async_client(
      transport_, {.doc_format = DocFormat::kV2, .callback_threads = 2});
  // A post that cannot settle yet: its generator waits (on one pool thread).
  auto gate = std::make_shared<Gate>();
  PostTask other = client.post("/", [gate]() -> std::optional<Document> {
    gate->wait();
    return std::nullopt;
  });
  std::atomic<int> refused{0};
  client
      .post("/", docs(1),
            {.on_done =
                 [&](const Response&) {
                   try {
                     other.get();
                   } catch (const Error& e) {
                     refused += e.code() == absl::StatusCode::kFailedPrecondition;
                   }
                 }})
      .get();
  EXPECT_EQ(refused, 1);
  gate->open();
  other.get();
}

TEST_F(AsyncClientTest, AQueueFeedsOnePostAtATime) {
  InputQueue queue;
  PostTask first = client_.post("/", queue, {.request_size = 1});
  ASSERT_TRUE(queue.push(Document().set_text("a")));
  while (transport_->received == 0) std::this_thread::sleep_for(1ms);
  PostTask second = client_.post("/", queue, {.request_size = 1});
  ASSERT_TRUE(second.wait_for(10s));
  EXPECT_THAT([&] { second.get(); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("one queue, one post")));
  // The first post still hears its queue.
  ASSERT_TRUE(queue.push(Document().set_text("b")));
  queue.close();
  EXPECT_EQ(first.get().size(), 2u);
}

// A generator read queued behind a busy executor is dropped once its post
// has ended: the generator is never called after the task settled.
TEST_F(AsyncClientTest, AGeneratorIsNotCalledAfterItsPostEnded) {
  AsyncClient client = internal::ClientAccess::async_client(
      transport_, {.doc_format = DocFormat::kV2, .callback_threads = 1});
  auto gate = std::make_shared<Gate>();
  // Holds the only executor thread.
  PostTask blocker =
      client.post("/", docs(1), {.on_done = [gate](const Response&) { gate->wait(); }});
  while (!gate->reached()) std::this_thread::sleep_for(1ms);
  std::atomic<int> calls{0};
  PostTask task = client.post("/", [&]() -> std::optional<Document> {
    ++calls;
    return std::nullopt;
  });
  std::this_thread::sleep_for(20ms);  // its first read waits behind the blocker
  task.cancel();
  ASSERT_TRUE(task.wait_for(5s));
  EXPECT_THROW(task.get(), Cancelled);
  gate->open();
  blocker.get();
  EXPECT_EQ(calls, 0);
}

TEST_F(AsyncClientTest, AStreamWithPostOptionsCallbacksRunsThemInOrder) {
  std::vector<std::string> seen;
  int streamed = 0;
  for (const Response& r :
       client_.stream("/", docs(20),
                      {.request_size = 2,
                      .on_done = [&](const Response& r) { seen.push_back(r.docs()[0].text()); },
                      .results_in_order = true})) {
    streamed += static_cast<int>(r.docs().size());
  }
  EXPECT_EQ(streamed, 20);
  ASSERT_EQ(seen.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(seen[i], std::to_string(2 * i));
}

TEST_F(AsyncClientTest, AQueueWithoutARequestSizeIsOneRequest) {
  InputQueue queue(4);
  std::atomic<int> requests{0};
  PostTask task = client_.post(
      "/", queue, {.request_size = 0, .on_always = [&](const Response&) { ++requests; }});
  std::thread producer([queue]() mutable {
    for (int i = 0; i < 10; ++i) queue.push(Document().set_text(std::to_string(i)));
    queue.close();
  });
  EXPECT_EQ(task.get().size(), 10u);
  producer.join();
  EXPECT_EQ(requests, 1);
}

// An executor that runs each job on the calling thread (a loop thread):
// slower for everyone, but nothing waits on itself.
TEST_F(AsyncClientTest, AnExecutorThatRunsJobsInlineStillWorks) {
  AsyncClient client = internal::ClientAccess::async_client(
      transport_, {.doc_format = DocFormat::kV2,
                   .callback_executor = [](std::function<void()> job) { job(); }});
  std::atomic<int> done{0};
  int n = 0;
  auto inputs = [&]() -> std::optional<Document> {
    if (n == 7) return std::nullopt;
    return Document().set_text(std::to_string(n++));
  };
  EXPECT_EQ(
      client.post("/", inputs, {.request_size = 2, .on_done = [&](const Response&) { ++done; }})
          .get()
          .size(),
      7u);
  EXPECT_EQ(done, 4);
}

// The destructor's promise: no generator runs after it returns, so one in a
// call is waited for.
TEST_F(AsyncClientTest, DestroyingTheClientWaitsForAGeneratorInACall) {
  std::atomic<bool> in_call{false};
  std::atomic<bool> returned{false};
  {
    AsyncClient client =
        internal::ClientAccess::async_client(transport_, {.doc_format = DocFormat::kV2});
    PostTask task = client.post("/", [&]() -> std::optional<Document> {
      in_call = true;
      std::this_thread::sleep_for(150ms);
      returned = true;
      return std::nullopt;
    });
    while (!in_call) std::this_thread::sleep_for(1ms);
  }
  EXPECT_TRUE(returned);
}

TEST_F(AsyncClientTest, AQueueSmallerThanABatchStillFillsIt) {
  InputQueue queue(3);
  std::atomic<int> requests{0};
  PostTask task =
      client_.post("/", queue, {.request_size = 10, .on_always = [&](const Response& r) {
                                  ++requests;
                                  EXPECT_LE(r.docs().size(), 10u);
                                }});
  std::thread producer([queue]() mutable {
    for (int i = 0; i < 25; ++i) queue.push(Document().set_text(std::to_string(i)));
    queue.close();
  });
  task.get();
  producer.join();
  EXPECT_EQ(requests, 3);  // 10 + 10 + 5
}

TEST_F(AsyncClientTest, ABlockingOnDoneDoesNotHoldBackOtherPosts) {
  std::mutex mu;
  std::condition_variable cv;
  bool other_done = false;
  PostTask slow = client_.post("/", docs(1), {.on_done = [&](const Response&) {
                                 std::unique_lock lock(mu);
                                 cv.wait_for(lock, 20s, [&] { return other_done; });
                               }});
  while (transport_->received == 0) std::this_thread::sleep_for(1ms);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(client_.post("/", docs(2)).get().size(), 2u);
  {
    std::lock_guard lock(mu);
    other_done = true;
  }
  cv.notify_all();
  EXPECT_EQ(slow.get().size(), 1u);
}

TEST_F(AsyncClientTest, ATimeoutFiresForAPostOnTheLoop) {
  transport_->hold(true);
  auto start = std::chrono::steady_clock::now();
  PostTask task = client_.post("/", docs(1), {.timeout = 0.05});
  ASSERT_TRUE(task.wait_for(10s));
  EXPECT_THROW(task.get(), Timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
  transport_->hold(false);
}

TEST_F(AsyncClientTest, PostsLearnTheFormatOnTheLoop) {
  // Asks the Flow for its format on the first post, without a thread of its own.
  AsyncClient detecting = internal::ClientAccess::async_client(transport_, {});
  EXPECT_EQ(detecting.post("/", docs(1)).get().size(), 1u);
  EXPECT_EQ(detecting.post("/", docs(3), {.request_size = 1}).get().size(), 3u);
}

// --- stream() --------------------------------------------------------------

TEST_F(AsyncClientTest, StreamDeliversEveryResponseInOrder) {
  std::vector<std::string> texts;
  for (const Response& r :
       client_.stream("/", docs(6), {.request_size = 2, .results_in_order = true})) {
    for (const Document& d : r.docs()) texts.push_back(d.text());
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"0", "1", "2", "3", "4", "5"}));
}

TEST_F(AsyncClientTest, StreamIsAnInputRange) {
  static_assert(std::ranges::input_range<ResponseStream>);
  ResponseStream stream = client_.stream("/", docs(2), {.request_size = 1});
  int n = 0;
  while (std::optional<Response> r = stream.next()) n += static_cast<int>(r->docs().size());
  EXPECT_EQ(n, 2);
  EXPECT_FALSE(stream.next());
}

TEST_F(AsyncClientTest, ASlowStreamConsumerSlowsTheSender) {
  std::atomic<int> pulled{0};
  auto inputs = [&]() -> std::optional<Document> {
    if (pulled == 200) return std::nullopt;
    ++pulled;
    return Document().set_text("x");
  };
  constexpr int kPrefetch = 4;
  int consumed = 0;
  int worst_lead = 0;
  for (const Response& r :
       client_.stream("/", inputs, {.request_size = 1, .prefetch = kPrefetch})) {
    consumed += static_cast<int>(r.docs().size());
    if (consumed % 20 == 0) std::this_thread::sleep_for(2ms);
    worst_lead = std::max(worst_lead, pulled.load() - consumed);
  }
  EXPECT_EQ(consumed, 200);
  // In flight, plus one handed over and one being handed over.
  EXPECT_LE(worst_lead, kPrefetch + 2);
}

TEST_F(AsyncClientTest, AStreamRethrowsThePostErrorAtItsEnd) {
  ResponseStream stream = client_.stream("/fail", docs(1));
  EXPECT_THROW(
      {
        for (const Response& r : stream) (void)r;
      },
      BadServer);
}

TEST_F(AsyncClientTest, DroppingAStreamEarlyCancelsItsPost) {
  auto endless = []() -> std::optional<Document> { return Document().set_text("x"); };
  {
    ResponseStream stream = client_.stream("/", endless, {.request_size = 1, .prefetch = 2});
    auto it = stream.begin();
    ASSERT_NE(it, stream.end());
    ++it;
  }
  // The client's destructor would wait for a post that never ends.
}

TEST_F(AsyncClientTest, ACancelledStreamThrowsCancelled) {
  transport_->hold(true);
  ResponseStream stream = client_.stream("/", docs(1));
  stream.cancel();
  EXPECT_THROW(stream.next(), Cancelled);
}

// --- InputQueue ------------------------------------------------------------

TEST(InputQueueTest, PopsInOrderUntilClosedAndDrained) {
  InputQueue q;
  ASSERT_TRUE(q.push(Document().set_text("a")));
  ASSERT_TRUE(q.push(Document().set_text("b")));
  q.close();
  EXPECT_TRUE(q.closed());
  EXPECT_EQ(q()->text(), "a");
  EXPECT_EQ(q()->text(), "b");
  EXPECT_FALSE(q());
  EXPECT_FALSE(q.abandoned());
  EXPECT_THROW(q.push(Document()), InvalidArgument);
}

TEST(InputQueueTest, PushBlocksWhileFull) {
  InputQueue q(1);
  ASSERT_TRUE(q.push(Document().set_text("a")));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    q.push(Document().set_text("b"));
    pushed = true;
  });
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(pushed);
  EXPECT_EQ(q()->text(), "a");
  producer.join();
  EXPECT_TRUE(pushed);
}

TEST(InputQueueTest, AbandonWakesEveryone) {
  InputQueue q(1);
  ASSERT_TRUE(q.push(Document()));
  std::thread producer([&] { EXPECT_FALSE(q.push(Document())); });
  std::this_thread::sleep_for(10ms);
  q.abandon();
  producer.join();
  EXPECT_FALSE(q());
  EXPECT_TRUE(q.abandoned());
}

TEST_F(AsyncClientTest, AQueueFedByAnotherThread) {
  InputQueue queue(8);
  PostTask task = client_.post("/", queue, {.request_size = 3});
  std::thread producer([queue]() mutable {
    for (int i = 0; i < 100; ++i) queue.push(Document().set_text(std::to_string(i)));
    queue.close();
  });
  DocumentArray out = task.get();
  producer.join();
  EXPECT_EQ(out.size(), 100u);
}

// Answers GraphQL once released: the echo of the variables, or an error for
// the query "bad".
class GraphqlTransport : public testing::MockTransport {
 public:
  absl::StatusOr<nlohmann::json> graphql(const nlohmann::json& body, Duration) override {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return released_; });
    if (body["query"] == "bad") return absl::InvalidArgumentError("no such field");
    return nlohmann::json{{"data", {{"echo", body["variables"]}}}};
  }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
};

TEST(AsyncClientMutateTest, ReturnsAtOnceAndTheFutureHoldsTheAnswer) {
  auto transport = std::make_shared<GraphqlTransport>();
  AsyncClient ac = internal::ClientAccess::async_client(transport, {});
  std::future<nlohmann::json> answer = ac.mutate("mutation { x }", {{"k", 1}});
  EXPECT_EQ(answer.wait_for(50ms), std::future_status::timeout);  // not waited for in mutate()
  transport->release();
  EXPECT_EQ(answer.get()["data"]["echo"]["k"], 1);
}

TEST(AsyncClientMutateTest, TheFutureHoldsTheErrorClientMutateThrows) {
  auto transport = std::make_shared<GraphqlTransport>();
  transport->release();
  AsyncClient ac = internal::ClientAccess::async_client(transport, {});
  std::future<nlohmann::json> answer = ac.mutate("bad");
  try {
    answer.get();
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("no such field"));
  }
  // A transport without GraphQL (gRPC, WebSocket) fails the future alike.
  AsyncClient plain = internal::ClientAccess::async_client(std::make_shared<EchoTransport>(), {});
  EXPECT_THROW(plain.mutate("mutation { x }").get(), Error);
}

TEST(AsyncClientMutateTest, OutlivesItsClientAndItsFuture) {
  auto transport = std::make_shared<GraphqlTransport>();
  {
    AsyncClient ac = internal::ClientAccess::async_client(transport, {});
    (void)ac.mutate("mutation { x }");  // the dropped future does not wait
  }
  transport->release();  // the exchange ends after the client is gone
  std::this_thread::sleep_for(50ms);
}

}  // namespace
}  // namespace jina
