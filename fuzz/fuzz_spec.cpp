// libFuzzer: any string as a layer spec or preset name is counted or rejected
// with an mnist::Error naming the problem, never crashes; and what a spec
// prints parses back to the same spec and parameter count.
#include <cstddef>
#include <cstdint>
#include <string>

#include "nn/model/spec.h"
#include "nn/util/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 512) return 0;
  const std::string spec(reinterpret_cast<const char*>(data), size);
  mnist::SpecInfo info;
  try {
    info = mnist::inspect_spec(mnist::resolve_spec(spec));
    mnist::training_bytes(info.spec, 128);
  } catch (const mnist::Error&) {
    return 0;
  }
  const mnist::SpecInfo again = mnist::inspect_spec(info.spec);
  if (again.spec != info.spec || again.params != info.params || again.spatial != info.spatial)
    __builtin_trap();
  return 0;
}
