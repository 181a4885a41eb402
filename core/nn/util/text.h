#pragma once
// Text helpers for messages and canonical specs.
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace mnist {

// `s` without the white space at either end.
inline std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace((unsigned char)s[a])) ++a;
  while (b > a && std::isspace((unsigned char)s[b - 1])) --b;
  return s.substr(a, b - a);
}

// `s` in lower case (ASCII).
inline std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower((unsigned char)c));
  return s;
}

// `s` with every byte outside printable ASCII written as \xNN (and a backslash as
// \\), so that text from a file (a spec inside a weights file, say) cannot move
// the cursor, recolour the terminal or break a JSON line when quoted in a message.
inline std::string printable(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      out += char(c);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

// The shortest decimal form of `v` that strtof reads back as exactly `v` (at most
// 9 significant digits, which always suffice for a float32): "0.3", "0.9999999",
// "1e-05".
inline std::string shortest_float(float v) {
  char buf[32];
  for (int digits = 1; digits <= 9; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, double(v));
    if (std::strtof(buf, nullptr) == v) break;
  }
  return buf;
}

}  // namespace mnist
