#include <jina/jina.h>

#include <iostream>

int check_aggregates();  // aggregates.cc

int main() {
  jina::DocumentArray docs{jina::Document().set_text("hello"), jina::Document().set_text("world")};
  jina::DataRequest req;
  req.set_docs(docs);
  auto back = jina::DataRequest::parse(req.serialize());
  for (const auto& t : back.docs().texts()) std::cout << t << "\n";
  return back.docs().size() == 2 && check_aggregates() == 0 ? 0 : 1;
}
