// Force-included into every TU of the tsan preset (see CMakePresets.json).
//
// Debian's libprotobuf.so is built without ThreadSanitizer. protobuf 3.21's
// map_field.h gives MapFieldBase two extra members when __SANITIZE_THREAD__
// is defined, so TSan-built code and the library disagree on the layout of
// every map field (the library then aborts in MapFieldBase::ConstAccess or
// reads the wrong members). Read that header once with the macro hidden so
// our objects keep the library's layout; everything else still sees it.
#ifndef JINA_CMAKE_SANITIZERS_TSAN_PROTOBUF_ABI_H_
#define JINA_CMAKE_SANITIZERS_TSAN_PROTOBUF_ABI_H_

#ifdef __cplusplus
#include <cstddef>  // libstdc++'s c++config.h must still see TSan (_GLIBCXX_TSAN)

#pragma push_macro("__SANITIZE_THREAD__")
#undef __SANITIZE_THREAD__
#include <google/protobuf/map_field.h>
#pragma pop_macro("__SANITIZE_THREAD__")
#endif

#endif  // JINA_CMAKE_SANITIZERS_TSAN_PROTOBUF_ABI_H_
