// Codec micro benchmark: one 100-Document DataRequest, encoded and decoded
// by the library in both docarray formats, against a raw-protobuf baseline
// that fills the generated messages directly, on an arena as the library
// does (the floor the library's own overhead is measured against).
//
// Payloads: "text" = ~100-byte texts; "embedding" = 512 float32 per Document.
#include <benchmark/benchmark.h>
#include <google/protobuf/arena.h>

#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "jina.pb.h"
#include "jina/request.h"
#include "jina_v1.pb.h"

namespace {

constexpr int kDocs = 100;
constexpr int kEmbeddingSize = 512;

enum class Payload { kText, kEmbedding };

std::string doc_id(int i) {
  std::string id = "0123456789abcdef0123456789a" + std::to_string(10000 + i);
  return id.substr(0, 32);
}

std::string doc_text(int i) {
  std::string text = "Document number " + std::to_string(i) + ": ";
  while (text.size() < 100) text += "the quick brown fox jumps over the lazy dog ";
  text.resize(100);
  return text;
}

std::vector<float> doc_embedding(int i) {
  std::vector<float> v(kEmbeddingSize);
  for (int k = 0; k < kEmbeddingSize; ++k)
    v[k] = static_cast<float>(i * kEmbeddingSize + k) * 1e-3f;
  return v;
}

// The per-Document values, made once so that no benchmark pays for them.
struct Inputs {
  std::vector<std::string> ids, texts;
  std::vector<std::vector<float>> embeddings;
};

const Inputs& inputs() {
  static const Inputs kInputs = [] {
    Inputs in;
    for (int i = 0; i < kDocs; ++i) {
      in.ids.push_back(doc_id(i));
      in.texts.push_back(doc_text(i));
      in.embeddings.push_back(doc_embedding(i));
    }
    return in;
  }();
  return kInputs;
}

jina::DataRequest make_request(Payload payload) {
  jina::DataRequest req;
  req.header().set_request_id("0123456789abcdef0123456789abcdef").set_exec_endpoint("/index");
  req.parameters() = {{"__results__", nlohmann::json::object()}};
  jina::DocumentArray docs;
  docs.reserve(kDocs);
  for (int i = 0; i < kDocs; ++i) {
    jina::Document d(inputs().ids[i]);
    if (payload == Payload::kText)
      d.set_text(inputs().texts[i]);
    else
      d.set_embedding(inputs().embeddings[i]);
    docs.push_back(std::move(d));
  }
  req.set_docs(std::move(docs));
  return req;
}

// --- the raw protobuf baseline: what a hand-written encoder would do ------------------------

void fill_header(jina::DataRequestProto* out) {
  out->mutable_header()->set_request_id("0123456789abcdef0123456789abcdef");
  out->mutable_header()->set_exec_endpoint("/index");
  (*out->mutable_parameters()->mutable_fields())["__results__"].mutable_struct_value();
}

void fill_raw_v2(Payload payload, jina::DataRequestProto* out) {
  fill_header(out);
  auto* docs = out->mutable_data()->mutable_docs();
  for (int i = 0; i < kDocs; ++i) {
    auto& data = *docs->add_docs()->mutable_data();
    auto& id = data["id"];
    id.set_text(inputs().ids[i]);
    id.set_type("id");
    if (payload == Payload::kText) {
      data["text"].set_text(inputs().texts[i]);
    } else {
      const std::vector<float>& e = inputs().embeddings[i];
      auto& node = data["embedding"];
      auto* dense = node.mutable_ndarray()->mutable_dense();
      dense->set_buffer(reinterpret_cast<const char*>(e.data()), e.size() * sizeof(float));
      dense->add_shape(kEmbeddingSize);
      dense->set_dtype("<f4");
      node.set_type("ndarray");
    }
  }
}

void fill_raw_v1(Payload payload, jina::v1::DataRequestProto* out) {
  out->mutable_header()->set_request_id("0123456789abcdef0123456789abcdef");
  out->mutable_header()->set_exec_endpoint("/index");
  (*out->mutable_parameters()->mutable_fields())["__results__"].mutable_struct_value();
  auto* docs = out->mutable_data()->mutable_docs();
  for (int i = 0; i < kDocs; ++i) {
    auto* doc = docs->add_docs();
    doc->set_id(inputs().ids[i]);
    if (payload == Payload::kText) {
      doc->set_text(inputs().texts[i]);
    } else {
      const std::vector<float>& e = inputs().embeddings[i];
      auto* dense = doc->mutable_embedding()->mutable_dense();
      dense->set_buffer(reinterpret_cast<const char*>(e.data()), e.size() * sizeof(float));
      dense->add_shape(kEmbeddingSize);
      dense->set_dtype("<f4");
      doc->mutable_embedding()->set_cls_name("numpy");
    }
  }
}

// The raw baseline's "decode" reads every field a caller would read into
// plain values, so that it does comparable work to building Documents.
std::size_t consume_raw(const jina::DataRequestProto& msg) {
  std::size_t n = msg.header().request_id().size();
  for (const auto& doc : msg.data().docs().docs())
    for (const auto& [key, node] : doc.data()) {
      n += key.size() + node.text().size();
      if (node.has_ndarray()) {
        const std::string& b = node.ndarray().dense().buffer();
        std::vector<float> v(b.size() / sizeof(float));
        std::memcpy(v.data(), b.data(), v.size() * sizeof(float));
        n += v.size();
      }
    }
  return n;
}

std::size_t consume_raw(const jina::v1::DataRequestProto& msg) {
  std::size_t n = msg.header().request_id().size();
  for (const auto& doc : msg.data().docs().docs()) {
    n += doc.id().size() + doc.text().size();
    if (doc.has_embedding()) {
      const std::string& b = doc.embedding().dense().buffer();
      std::vector<float> v(b.size() / sizeof(float));
      std::memcpy(v.data(), b.data(), v.size() * sizeof(float));
      n += v.size();
    }
  }
  return n;
}

void set_rates(benchmark::State& state, std::size_t bytes) {
  state.SetItemsProcessed(state.iterations() * kDocs);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes));
  state.counters["wire_bytes"] = static_cast<double>(bytes);
}

// --- library ---------------------------------------------------------------------------------

void BM_Encode(benchmark::State& state, Payload payload, jina::DocFormat format) {
  const jina::DataRequest req = make_request(payload);
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string wire = req.serialize(format);
    bytes = wire.size();
    benchmark::DoNotOptimize(wire.data());
  }
  set_rates(state, bytes);
}

void BM_Decode(benchmark::State& state, Payload payload, jina::DocFormat format) {
  const std::string wire = make_request(payload).serialize(format);
  for (auto _ : state) {
    jina::DataRequest req = jina::DataRequest::parse(wire, format);
    benchmark::DoNotOptimize(req.docs().size());
  }
  set_rates(state, wire.size());
}

void BM_EncodeDecode(benchmark::State& state, Payload payload, jina::DocFormat format) {
  const jina::DataRequest req = make_request(payload);
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string wire = req.serialize(format);
    bytes = wire.size();
    jina::DataRequest back = jina::DataRequest::parse(wire, format);
    benchmark::DoNotOptimize(back.docs().size());
  }
  set_rates(state, bytes);
}

// --- raw protobuf ----------------------------------------------------------------------------

template <class Proto>
void fill_raw(Payload payload, Proto* out) {
  if constexpr (std::is_same_v<Proto, jina::DataRequestProto>)
    fill_raw_v2(payload, out);
  else
    fill_raw_v1(payload, out);
}

template <class Proto>
void raw_encode(benchmark::State& state, Payload payload) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    google::protobuf::Arena arena;
    auto* msg = google::protobuf::Arena::CreateMessage<Proto>(&arena);
    fill_raw(payload, msg);
    std::string wire = msg->SerializeAsString();
    bytes = wire.size();
    benchmark::DoNotOptimize(wire.data());
  }
  set_rates(state, bytes);
}

template <class Proto>
void raw_decode(benchmark::State& state, Payload payload) {
  Proto filled;
  fill_raw(payload, &filled);
  const std::string wire = filled.SerializeAsString();
  for (auto _ : state) {
    google::protobuf::Arena arena;
    auto* msg = google::protobuf::Arena::CreateMessage<Proto>(&arena);
    msg->ParseFromString(wire);
    benchmark::DoNotOptimize(consume_raw(*msg));
  }
  set_rates(state, wire.size());
}

template <class Proto>
void raw_encode_decode(benchmark::State& state, Payload payload) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    google::protobuf::Arena arena;
    auto* msg = google::protobuf::Arena::CreateMessage<Proto>(&arena);
    fill_raw(payload, msg);
    std::string wire = msg->SerializeAsString();
    bytes = wire.size();
    auto* back = google::protobuf::Arena::CreateMessage<Proto>(&arena);
    back->ParseFromString(wire);
    benchmark::DoNotOptimize(consume_raw(*back));
  }
  set_rates(state, bytes);
}

using jina::DocFormat;
using V2 = jina::DataRequestProto;
using V1 = jina::v1::DataRequestProto;

void BM_RawEncode(benchmark::State& state, Payload payload, DocFormat format) {
  format == DocFormat::kV1 ? raw_encode<V1>(state, payload) : raw_encode<V2>(state, payload);
}
void BM_RawDecode(benchmark::State& state, Payload payload, DocFormat format) {
  format == DocFormat::kV1 ? raw_decode<V1>(state, payload) : raw_decode<V2>(state, payload);
}
void BM_RawEncodeDecode(benchmark::State& state, Payload payload, DocFormat format) {
  format == DocFormat::kV1 ? raw_encode_decode<V1>(state, payload)
                           : raw_encode_decode<V2>(state, payload);
}

BENCHMARK_CAPTURE(BM_Encode, text_v2, Payload::kText, DocFormat::kV2);
BENCHMARK_CAPTURE(BM_Decode, text_v2, Payload::kText, DocFormat::kV2);
BENCHMARK_CAPTURE(BM_EncodeDecode, text_v2, Payload::kText, DocFormat::kV2);
BENCHMARK_CAPTURE(BM_RawEncode, text_v2, Payload::kText, DocFormat::kV2);
BENCHMARK_CAPTURE(BM_RawDecode, text_v2, Payload::kText, DocFormat::kV2);
BENCHMARK_CAPTURE(BM_RawEncodeDecode, text_v2, Payload::kText, DocFormat::kV2);

BENCHMARK_CAPTURE(BM_Encode, text_v1, Payload::kText, DocFormat::kV1);
BENCHMARK_CAPTURE(BM_Decode, text_v1, Payload::kText, DocFormat::kV1);
BENCHMARK_CAPTURE(BM_EncodeDecode, text_v1, Payload::kText, DocFormat::kV1);
BENCHMARK_CAPTURE(BM_RawEncode, text_v1, Payload::kText, DocFormat::kV1);
BENCHMARK_CAPTURE(BM_RawDecode, text_v1, Payload::kText, DocFormat::kV1);
BENCHMARK_CAPTURE(BM_RawEncodeDecode, text_v1, Payload::kText, DocFormat::kV1);

BENCHMARK_CAPTURE(BM_Encode, embedding_v2, Payload::kEmbedding, DocFormat::kV2);
BENCHMARK_CAPTURE(BM_Decode, embedding_v2, Payload::kEmbedding, DocFormat::kV2);
BENCHMARK_CAPTURE(BM_EncodeDecode, embedding_v2, Payload::kEmbedding, DocFormat::kV2);
BENCHMARK_CAPTURE(BM_RawEncode, embedding_v2, Payload::kEmbedding, DocFormat::kV2);
BENCHMARK_CAPTURE(BM_RawDecode, embedding_v2, Payload::kEmbedding, DocFormat::kV2);
BENCHMARK_CAPTURE(BM_RawEncodeDecode, embedding_v2, Payload::kEmbedding, DocFormat::kV2);

BENCHMARK_CAPTURE(BM_Encode, embedding_v1, Payload::kEmbedding, DocFormat::kV1);
BENCHMARK_CAPTURE(BM_Decode, embedding_v1, Payload::kEmbedding, DocFormat::kV1);
BENCHMARK_CAPTURE(BM_EncodeDecode, embedding_v1, Payload::kEmbedding, DocFormat::kV1);
BENCHMARK_CAPTURE(BM_RawEncode, embedding_v1, Payload::kEmbedding, DocFormat::kV1);
BENCHMARK_CAPTURE(BM_RawDecode, embedding_v1, Payload::kEmbedding, DocFormat::kV1);
BENCHMARK_CAPTURE(BM_RawEncodeDecode, embedding_v1, Payload::kEmbedding, DocFormat::kV1);

}  // namespace

BENCHMARK_MAIN();
