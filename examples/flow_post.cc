// Flow-side IO: post to a running Flow directly, as jina's `f.post`, with
// the rows of an array as inputs (from_ndarray). No Client to set up: the
// Flow keeps one to itself.
#include <jina/jina.h>

#include <iostream>
#include <mutex>
#include <vector>

// Indexes vectors; a search answers each query with the nearest one's id.
class NearestVector : public jina::Executor {
 public:
  NearestVector() {
    on("/index", &NearestVector::index);
    on("/search", &NearestVector::search);
  }

  void index(jina::ExecutorRequest& req) {
    std::lock_guard lock(mu_);
    for (const jina::Document& doc : req.docs) stored_.push_back(doc);
  }

  void search(jina::ExecutorRequest& req) {
    std::lock_guard lock(mu_);
    for (jina::Document& query : req.docs) {
      std::vector<float> q = query.tensor().as_floats();
      double best = -1;
      for (std::size_t i = 0; i < stored_.size(); ++i) {
        std::vector<float> v = stored_[i].tensor().as_floats();
        double d = 0;
        for (std::size_t k = 0; k < v.size() && k < q.size(); ++k)
          d += (v[k] - q[k]) * (v[k] - q[k]);
        if (best < 0 || d < best) {
          best = d;
          query.tags()["nearest"] = stored_[i].tags().value("row", -1);
        }
      }
    }
  }

 private:
  std::mutex mu_;
  std::vector<jina::Document> stored_;
};

// Tags each indexed row with its number, in arrival order.
class RowNumbers : public jina::Executor {
 public:
  RowNumbers() { on("/index", &RowNumbers::number); }
  void number(jina::ExecutorRequest& req) {
    for (jina::Document& doc : req.docs) doc.tags()["row"] = next_++;
  }

 private:
  int next_ = 0;  // requests arrive in order: one at a time with prefetch 1
};

int main() {
  jina::Flow f({.port = 0, .host = "127.0.0.1"});
  f.add<RowNumbers>({.name = "numbers"}).add<NearestVector>({.name = "nearest"});
  f.start();

  // Four 3-d vectors: row i is (i, i, i).
  std::vector<float> values(12);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i / 3);
  jina::NdArray vectors = jina::NdArray::from(values, {4, 3});

  jina::DocumentArray indexed =
      f.index(jina::from_ndarray(vectors), {.request_size = 1, .prefetch = 1});
  std::cout << "indexed " << indexed.size() << " rows\n";

  jina::DocumentArray hits =
      f.search(jina::Document().set_tensor(jina::NdArray::from<float>({2.9f, 3.2f, 2.8f})));
  std::cout << "nearest to (2.9, 3.2, 2.8): row " << hits.at(0).tags().value("nearest", -1) << "\n";

  // Any endpoint: f.post(endpoint, inputs, options), as a Client's post.
  jina::DocumentArray echoed = f.post("/other", jina::Document().set_text("passes through"));
  std::cout << "/other: " << echoed.at(0).text() << "\n";
}
