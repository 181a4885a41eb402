#include "nn/data/idx.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <limits>

#include "nn/util/check.h"

namespace mnist {

namespace {

// Checks the magic, type and rank of the header in bytes[0, size) and reads its dimensions into
// `out` -> the data bytes it declares, or -1 while `size` is too short to hold the header.
int64_t read_header(const uint8_t* bytes, size_t size, int expected_rank, const std::string& what,
                    IdxHeader& out) {
  if (size < 4) return -1;
  check(bytes[0] == 0 && bytes[1] == 0, what, ": not an IDX file (bad magic ", int(bytes[0]), ",",
        int(bytes[1]), ")");
  check(bytes[2] == 0x08, what, ": unsupported IDX data type 0x", std::hex, int(bytes[2]), std::dec,
        " (only unsigned bytes, 0x08)");
  const int rank = bytes[3];
  check(rank == expected_rank, what, ": has ", rank, " dimensions, expected ", expected_rank,
        expected_rank == 1 ? " (a label file)" : " (an image file)");
  const size_t header = 4 + 4 * size_t(rank);
  if (size < header) return -1;
  out.data_offset = header;
  out.dims.clear();
  uint64_t count = 1;
  for (int i = 0; i < rank; ++i) {
    const uint8_t* p = bytes + 4 + 4 * i;
    const uint32_t d = (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
    check(d > 0, what, ": dimension ", i, " is zero");
    out.dims.push_back(d);
    count *= d;
    check(count <= (uint64_t(1) << 32), what, ": declared size is absurd (over 4 GB)");
  }
  return int64_t(count);
}

}  // namespace

IdxHeader parse_idx_header(const uint8_t* bytes, size_t size, int expected_rank, const std::string& what) {
  check(size > 0, what, ": empty file");
  IdxHeader out;
  const int64_t declared = read_header(bytes, size, expected_rank, what, out);
  check(declared >= 0, what, ": truncated header (", size, " bytes",
        size < 4 ? std::string() : ", need " + std::to_string(4 + 4 * size_t(bytes[3])), ")");
  const uint64_t count = uint64_t(declared);
  const uint64_t actual = size - out.data_offset;
  check(actual >= count, what, ": truncated: header declares ", count, " bytes of data, file has ", actual);
  check(actual == count, what, ": ", actual - count, " unexpected trailing bytes after the declared ", count);
  return out;
}

size_t idx_file_size(const uint8_t* head, size_t size, int expected_rank, const std::string& what) {
  IdxHeader h;
  const int64_t declared = read_header(head, size, expected_rank, what, h);
  if (declared < 0) return 0;
  const uint64_t total = h.data_offset + uint64_t(declared);
  check(total <= kMaxIdxBytes, what, ": declares ", total, " bytes, more than the ", kMaxIdxBytes,
        " an IDX file may have here");
  return size_t(total);
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

namespace {

// "is a folder", ... for a file that is not a regular one; null for a regular file.
const char* not_regular(mode_t mode) {
  if (S_ISREG(mode)) return nullptr;
  if (S_ISDIR(mode)) return "is a folder";
  if (S_ISLNK(mode)) return "is a symbolic link";
  if (S_ISFIFO(mode)) return "is a FIFO";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "is a device";
  if (S_ISSOCK(mode)) return "is a socket";
  return "is not a regular file";
}

// An open regular file, closed on scope exit. O_NONBLOCK keeps open() from
// waiting for a FIFO's writer; the file type is checked before any read.
class InFile {
 public:
  InFile(const std::string& path, size_t max_bytes) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    check(fd_ >= 0, path, ": cannot open (", std::strerror(errno), ")");
    struct stat st;
    const bool stat_ok = ::fstat(fd_, &st) == 0;
    const char* why = stat_ok ? not_regular(st.st_mode) : "cannot be read";
    if (why == nullptr && uint64_t(st.st_size) <= max_bytes) {
      size_ = size_t(st.st_size);
      ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
      return;
    }
    ::close(fd_);
    check(why == nullptr, path, ": ", why, ", not a file");
    fail(path, ": larger than ", max_bytes, " bytes (", uint64_t(st.st_size), ")");
  }
  ~InFile() { ::close(fd_); }
  size_t size() const { return size_; }
  // Appends the next n bytes of the file to out (fewer only if it shrank).
  void read(std::vector<uint8_t>& out, size_t n) {
    const size_t at = out.size();
    out.resize(at + n);
    size_t got = 0;
    while (got < n) {
      const ssize_t r = ::read(fd_, out.data() + at + got, n - got);
      if (r < 0 && errno == EINTR) continue;
      check(r >= 0, path_, ": read error (", std::strerror(errno), ")");
      if (r == 0) break;
      got += size_t(r);
    }
    out.resize(at + got);
    check(got == n, path_, ": the file changed while it was read");
  }

 private:
  std::string path_;
  int fd_ = -1;
  size_t size_ = 0;
};

// The temporary file being written, for remove_temporary_file(): a static
// buffer and a flag, which a signal handler may read.
char g_temp[4096];
volatile sig_atomic_t g_has_temp = 0;

// Signals that would end the process, held off while the temporary file and
// its record change together.
class BlockSignals {
 public:
  BlockSignals() {
    sigset_t s;
    sigemptyset(&s);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&s, sig);
    sigprocmask(SIG_BLOCK, &s, &old_);
  }
  ~BlockSignals() { sigprocmask(SIG_SETMASK, &old_, nullptr); }

 private:
  sigset_t old_;
};

// Creates "<path>.tmp-XXXXXX" and records it; returns its descriptor.
int create_temporary(const std::string& path) {
  const std::string pattern = path + ".tmp-XXXXXX";
  check(pattern.size() < sizeof g_temp, path, ": the file name is too long");
  BlockSignals block;
  std::memcpy(g_temp, pattern.c_str(), pattern.size() + 1);
  const int fd = ::mkstemp(g_temp);
  check(fd >= 0, path, ": cannot write (", std::strerror(errno), ")");
  g_has_temp = 1;
  return fd;
}

// Closes and forgets the temporary file; removes it unless it was renamed.
void drop_temporary(int fd, bool remove) {
  ::close(fd);
  BlockSignals block;
  if (remove) ::unlink(g_temp);
  g_has_temp = 0;
}

}  // namespace

std::vector<uint8_t> read_file(const std::string& path, size_t max_bytes) {
  InFile f(path, max_bytes);
  std::vector<uint8_t> out;
  f.read(out, f.size());
  return out;
}

std::vector<uint8_t> read_idx_file(const std::string& path, int rank) {
  InFile f(path, std::numeric_limits<size_t>::max());
  std::vector<uint8_t> out;
  f.read(out, std::min(f.size(), 4 + 4 * size_t(rank)));
  parse_idx_header(out.data(), f.size(), rank, path);  // reads only the header
  check(f.size() <= kMaxIdxBytes, path, ": larger than ", kMaxIdxBytes, " bytes (", f.size(), ")");
  f.read(out, f.size() - out.size());
  return out;
}

namespace {
// A regular file or a free name (not followed if it is a symlink).
void check_target_kind(const std::string& path) {
  check(!path.empty(), "no file name to write to");
  check(path.back() != '/', path, ": is a folder name, not a file name");
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    const char* why = not_regular(st.st_mode);
    check(why == nullptr, path, ": ", why ? why : "",
          "; weights are written only to a regular file or a new name");
  } else {
    check(errno == ENOENT, path, ": cannot write (", std::strerror(errno), ")");
  }
}
}  // namespace

void check_save_target(const std::string& path) {
  check_target_kind(path);
  drop_temporary(create_temporary(path), true);
}

void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes,
                       const std::function<void(const std::string&)>& on_written) {
  check_target_kind(path);  // creating the temporary file below is the writability probe
  struct stat st;
  mode_t mode;
  if (::stat(path.c_str(), &st) == 0) {
    mode = st.st_mode & 07777;
  } else {
    mode = ::umask(0);
    ::umask(mode);
    mode = 0666 & ~mode;
  }
  const int fd = create_temporary(path);
  const std::string temp = g_temp;
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    done += size_t(w);
  }
  const bool ok = done == bytes.size() && ::fchmod(fd, mode) == 0 && ::fsync(fd) == 0;
  const int err = errno;
  if (!ok) {
    drop_temporary(fd, true);
    fail(path, ": write failed (", std::strerror(err), ")");
  }
  try {
    if (on_written) on_written(temp);
    check_target_kind(path);  // what appeared there meanwhile is not replaced either
  } catch (...) {
    drop_temporary(fd, true);
    throw;
  }
  BlockSignals block;
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    drop_temporary(fd, true);
    fail(path, ": cannot rename into place (", std::strerror(e), ")");
  }
  drop_temporary(fd, false);
}

void remove_temporary_file() {
  if (g_has_temp) ::unlink(g_temp);
}

}  // namespace mnist
