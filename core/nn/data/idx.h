#pragma once
// The IDX format of the MNIST files: a 4-byte magic (0, 0, type, ndims), ndims
// big-endian uint32 sizes, then the data. Only unsigned bytes (type 0x08) occur
// in MNIST and only they are accepted.
#include <cstdint>
#include <functional>
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
// The largest IDX file read or taken in (1 GB; MNIST's largest is 47 MB).
constexpr size_t kMaxIdxBytes = size_t(1) << 30;
// The size of the whole file an IDX header declares, from its first `size` bytes (the file
// arriving piece by piece): 0 while they are too few to tell. Throws as parse_idx_header does on
// a bad magic, type or rank, and on a declared size over kMaxIdxBytes.
size_t idx_file_size(const uint8_t* head, size_t size, int expected_rank, const std::string& what);
IdxArray parse_idx(const uint8_t* bytes, size_t size, int expected_rank, const std::string& what);

// Writes an IDX ubyte file image (for tests and tools).
std::vector<uint8_t> make_idx(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data);

// Reads a whole regular file (through a symlink too). A folder, FIFO or device,
// or a file over max_bytes, is refused before anything is read. Throws
// mnist::Error with the path and the reason.
std::vector<uint8_t> read_file(const std::string& path, size_t max_bytes = size_t(1) << 30);
// The same for an IDX file of `rank` dimensions, whose header is checked
// against the file's size (parse_idx_header) before the data is read.
std::vector<uint8_t> read_idx_file(const std::string& path, int rank);

// Throws unless `path` can take a file from write_file_atomic: an existing
// regular file (to be replaced) or a free name in a folder this process can
// write to, which is probed by creating a temporary file there and removing it.
// A folder, a symlink, a FIFO or a device is never written over.
void check_save_target(const std::string& path);

// Writes `bytes` to a new temporary file beside `path` ("<path>.tmp-XXXXXX", a
// name no one else has: mkstemp), then renames it onto `path` (after checking
// once more that `path` is a regular file or free), so a reader never sees half a file and no other
// file is touched. `on_written(temp)`, if given, runs once the temporary file
// is complete, before the rename. The new file gets the old one's permissions,
// or the umask's.
void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes,
                       const std::function<void(const std::string&)>& on_written = nullptr);

// Removes the temporary file that write_file_atomic or check_save_target holds
// at this moment, if any. Async-signal-safe (one unlink of a static buffer), for
// a SIGINT/SIGTERM handler.
void remove_temporary_file();

}  // namespace mnist
