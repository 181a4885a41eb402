// libFuzzer: any string as a layer spec or preset name builds a network or is
// rejected with an mnist::Error naming the problem, never crashes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "nn/model/spec.h"
#include "nn/util/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 512) return 0;
  const std::string spec(reinterpret_cast<const char*>(data), size);
  try {
    mnist::count_params(mnist::resolve_spec(spec));
  } catch (const mnist::Error&) {
  }
  return 0;
}
