// Merging the docs of several upstream Executors, as a Jina Flow does when an
// Executor needs more than one upstream and reduce is not disabled.
#ifndef JINA_SRC_FLOW_REDUCE_H_
#define JINA_SRC_FLOW_REDUCE_H_

#include <vector>

#include "jina/document.h"

namespace jina::flow {

// Merges `matrix` into one DocumentArray: the docs of matrix[0] in their
// order, then the docs of later arrays whose id was not seen yet. Docs that
// share an id are merged (see merge_document). Empty matrix -> empty array.
DocumentArray reduce_docs(std::vector<DocumentArray> matrix);

// Merges `from` into `into`: every field set in `from` (non-empty text,
// blob, uri, tensor, embedding, ...) overwrites, tags/metadata/scores are
// updated key by key, chunks and matches are reduced by id recursively.
void merge_document(Document& into, Document&& from);

}  // namespace jina::flow

#endif  // JINA_SRC_FLOW_REDUCE_H_
