#pragma once
// Errors that say what went wrong and where. Every I/O and shape boundary in the
// core throws mnist::Error; the CLI turns it into one line on stderr and exit 2,
// the wasm bindings into a catchable JS exception.
#include <sstream>
#include <stdexcept>
#include <string>

namespace mnist {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

namespace detail {
inline void append(std::ostringstream&) {}
template <typename T, typename... Rest>
void append(std::ostringstream& os, const T& first, const Rest&... rest) {
  os << first;
  append(os, rest...);
}
}  // namespace detail

// fail("dense: expected ", n, " inputs") builds the message from its pieces.
template <typename... Parts>
[[noreturn]] void fail(const Parts&... parts) {
  std::ostringstream os;
  detail::append(os, parts...);
  throw Error(os.str());
}

template <typename... Parts>
void check(bool ok, const Parts&... parts) {
  if (!ok) fail(parts...);
}

}  // namespace mnist
