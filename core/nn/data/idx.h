#pragma once
// The IDX format of the MNIST files: a 4-byte magic (0, 0, type, ndims), ndims
// big-endian uint32 sizes, then the data. Only unsigned bytes (type 0x08) occur
// in MNIST and only they are accepted.
#include <cstdint>
#include <string>
#include <vector>

namespace mnist {

struct IdxArray {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> data;
};

struct IdxHeader {
  std::vector<uint32_t> dims;
  size_t data_offset = 0;  // the data is bytes[data_offset, size)
};

// Validates everything (magic, type, rank, declared vs actual size) and throws
// mnist::Error naming `what` (e.g. the file name) and the problem. The header
// form copies nothing, so a 47 MB file is never held twice.
IdxHeader parse_idx_header(const uint8_t* bytes, size_t size, int expected_rank, const std::string& what);
IdxArray parse_idx(const uint8_t* bytes, size_t size, int expected_rank, const std::string& what);

// Writes an IDX ubyte file image (for tests and tools).
std::vector<uint8_t> make_idx(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data);

// Reads a whole file; throws mnist::Error with the path and the reason.
std::vector<uint8_t> read_file(const std::string& path, size_t max_bytes = size_t(1) << 30);

// Writes through a temporary file and a rename, so a reader never sees half a file.
void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace mnist
