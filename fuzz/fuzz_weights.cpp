// libFuzzer: any bytes given as a weights file are rejected with an mnist::Error
// or load into a network, never crash.
#include <cstddef>
#include <cstdint>

#include "nn/model/serialize.h"
#include "nn/util/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    mnist::load_network(data, size);
  } catch (const mnist::Error&) {
  }
  return 0;
}
