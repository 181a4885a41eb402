#include "nn/layers/token.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "nn/util/check.h"
#include "nn/util/text.h"

namespace mnist {

Token Token::split(const std::string& raw) {
  Token t;
  const std::string text = trim(raw);
  t.text = printable(text);
  const size_t open = text.find('(');
  if (open == std::string::npos) {
    t.name = text;
    check(text.find(')') == std::string::npos, "bad token '", t.text, "': ')' without '('");
  } else {
    const size_t close = text.find(')', open);
    const size_t next_open = text.find('(', open + 1);
    if (next_open < close) {
      // "conv(4,3-relu-..." (a ')' forgotten, so the next tokens joined this one)
      // or "dense((10))".
      check(text.find('-', open) > next_open && close != std::string::npos, "bad token '", t.text,
            "': missing ')' before the next '('");
      fail("bad token '", t.text, "': nested parentheses");
    }
    check(close != std::string::npos, "bad token '", t.text, "': missing ')' at the end");
    const std::string rest = trim(text.substr(close + 1));
    check(rest.empty(), "bad token '", t.text, "': '", printable(rest),
          "' after ')' (tokens are joined by '-')");
    t.has_parens = true;
    t.name = trim(text.substr(0, open));
    const std::string inner = text.substr(open + 1, close - open - 1);
    size_t start = 0;
    while (true) {
      size_t comma = inner.find(',', start);
      t.args.push_back(
          trim(inner.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  t.name = lower(t.name);
  check(!t.name.empty(), "bad token '", t.text, "': no layer name");
  check(t.name.find_first_of(" \t\r\n") == std::string::npos, "bad token '", t.text,
        "': a layer name has no spaces (tokens are joined by '-')");
  return t;
}

void Token::expect_args(size_t lo, size_t hi, const char* usage) const {
  const size_t n = has_parens ? args.size() : 0;
  check(n >= lo && n <= hi, "bad token '", text, "': expected ", usage);
}

long Token::whole(size_t i, const char* what, long lo, long hi) const {
  const std::string& a = args[i];
  check(!a.empty(), "bad token '", text, "': ", what, " is empty");
  for (char c : a)
    check(std::isdigit((unsigned char)c), "bad token '", text, "': ", what, " '", printable(a),
          "' is not a whole number");
  check(a.size() <= 9, "bad token '", text, "': ", what, " ", a, " is out of range ", lo, "..", hi);
  const long v = std::strtol(a.c_str(), nullptr, 10);
  check(v >= lo && v <= hi, "bad token '", text, "': ", what, " ", v, " is out of range ", lo, "..", hi);
  return v;
}

// No hex, inf or nan: only what a person writes as a rate.
float Token::rate(size_t i) const {
  const std::string& a = args[i];
  const bool decimal = !a.empty() && a.find_first_not_of("0123456789.eE+-") == std::string::npos;
  char* end = nullptr;
  const double v = decimal ? std::strtod(a.c_str(), &end) : 0.0;
  check(decimal && end == a.c_str() + a.size() && std::isfinite(v), "bad token '", text, "': rate '",
        printable(a), "' is not a number");
  check(v >= 0.0 && v < 1.0, "bad token '", text, "': rate ", a, " must be in [0, 1)");
  // The rate is kept as a float32: 0.99999999 would become 1.
  const float f = float(v);
  check(f < 1.0f, "bad token '", text, "': rate ", a, " rounds to 1 in single precision; it must be below 1");
  return f;
}

}  // namespace mnist
