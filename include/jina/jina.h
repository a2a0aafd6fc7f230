// The whole public API of jina-cpp.
#ifndef JINA_JINA_H_
#define JINA_JINA_H_

#include "jina/async_client.h"
#include "jina/client.h"
#include "jina/document.h"
#include "jina/error.h"
#include "jina/executor.h"
#include "jina/flow.h"
#include "jina/log.h"
#include "jina/ndarray.h"
#include "jina/options.h"
#include "jina/protocol.h"
#include "jina/request.h"
#include "jina/sources.h"
#include "jina/stats.h"

#endif  // JINA_JINA_H_
