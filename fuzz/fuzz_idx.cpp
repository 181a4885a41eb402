// libFuzzer: the IDX reader and the dataset checks must reject any bytes with an
// mnist::Error, never crash. The input is split into an image and a label file.
#include <cstddef>
#include <cstdint>

#include "nn/data/dataset.h"
#include "nn/data/idx.h"
#include "nn/util/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t split = size > 1 ? data[0] % size : 0;
  const uint8_t* images = data + 1;
  const size_t images_size = split > 0 ? split - 1 : 0;
  try {
    mnist::parse_idx(data, size, 3, "fuzz");
  } catch (const mnist::Error&) {
  }
  try {
    mnist::parse_idx(data, size, 1, "fuzz");
  } catch (const mnist::Error&) {
  }
  try {
    mnist::dataset_from_idx(images, images_size, data + split, size - split, "fuzz");
  } catch (const mnist::Error&) {
  }
  return 0;
}
