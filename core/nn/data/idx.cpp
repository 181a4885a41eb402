#include "nn/data/idx.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "nn/util/check.h"

namespace mnist {

IdxHeader parse_idx_header(const uint8_t* bytes, size_t size, int expected_rank, const std::string& what) {
  check(size > 0, what, ": empty file");
  check(size >= 4, what, ": truncated header (", size, " bytes)");
  check(bytes[0] == 0 && bytes[1] == 0, what, ": not an IDX file (bad magic ", int(bytes[0]), ",", int(bytes[1]),
        ")");
  check(bytes[2] == 0x08, what, ": unsupported IDX data type 0x", std::hex, int(bytes[2]), std::dec,
        " (only unsigned bytes, 0x08)");
  const int rank = bytes[3];
  check(rank == expected_rank, what, ": has ", rank, " dimensions, expected ", expected_rank,
        expected_rank == 1 ? " (a label file)" : " (an image file)");
  const size_t header = 4 + 4 * size_t(rank);
  check(size >= header, what, ": truncated header (", size, " bytes, need ", header, ")");
  IdxHeader out;
  out.data_offset = header;
  uint64_t count = 1;
  for (int i = 0; i < rank; ++i) {
    const uint8_t* p = bytes + 4 + 4 * i;
    const uint32_t d = (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
    check(d > 0, what, ": dimension ", i, " is zero");
    out.dims.push_back(d);
    count *= d;
    check(count <= (uint64_t(1) << 32), what, ": declared size is absurd (over 4 GB)");
  }
  const uint64_t actual = size - header;
  check(actual >= count, what, ": truncated: header declares ", count, " bytes of data, file has ", actual);
  check(actual == count, what, ": ", actual - count, " unexpected trailing bytes after the declared ", count);
  return out;
}

IdxArray parse_idx(const uint8_t* bytes, size_t size, int expected_rank, const std::string& what) {
  IdxHeader h = parse_idx_header(bytes, size, expected_rank, what);
  IdxArray out;
  out.dims = std::move(h.dims);
  out.data.assign(bytes + h.data_offset, bytes + size);
  return out;
}

std::vector<uint8_t> make_idx(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> out = {0, 0, 0x08, uint8_t(dims.size())};
  for (uint32_t d : dims) {
    out.push_back(uint8_t(d >> 24));
    out.push_back(uint8_t(d >> 16));
    out.push_back(uint8_t(d >> 8));
    out.push_back(uint8_t(d));
  }
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::vector<uint8_t> read_file(const std::string& path, size_t max_bytes) {
  FILE* f = std::fopen(path.c_str(), "rb");
  check(f != nullptr, path, ": cannot open (", std::strerror(errno), ")");
  std::vector<uint8_t> out;
  uint8_t buf[1 << 16];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) {
    if (out.size() + got > max_bytes) {
      std::fclose(f);
      fail(path, ": larger than ", max_bytes, " bytes");
    }
    out.insert(out.end(), buf, buf + got);
  }
  const bool err = std::ferror(f);
  std::fclose(f);
  check(!err, path, ": read error");
  return out;
}

void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes) {
  const std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  check(f != nullptr, path, ": cannot write (", std::strerror(errno), ")");
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  const bool closed = std::fclose(f) == 0;
  if (!ok || !closed) {
    std::remove(tmp.c_str());
    fail(path, ": write failed (disk full?)");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    std::remove(tmp.c_str());
    fail(path, ": cannot rename into place (", std::strerror(e), ")");
  }
}

}  // namespace mnist
