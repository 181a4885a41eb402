#pragma once
// One token of a layer spec taken apart ("conv(8, 3, same)" -> name "conv",
// args {"8", "3", "same"}), with the checks each layer's factory makes of its
// arguments. Every check throws mnist::Error quoting the token as written:
//   bad token 'conv(4)': expected conv(F,K) or conv(F,K,same)
#include <cstddef>
#include <string>
#include <vector>

namespace mnist {

// How one layer token is written and what it does: the parser matches `name`,
// `mnist-lab layers` and the README list `usage` and `description`.
struct TokenSyntax {
  const char* name;         // lower case: "conv"
  const char* usage;        // "conv(F,K[,same|valid])"
  const char* description;  // one line
};

struct Token {
  std::string text;               // printable(text as written): safe to quote in a message
  std::string name;               // lower case
  std::vector<std::string> args;  // each trimmed; {""} for "name()"
  bool has_parens = false;

  // "name" or "name(a, b, ...)": exactly one pair of parentheses, at the end.
  static Token split(const std::string& raw);

  // lo..hi arguments (none without parentheses), else "expected <usage>".
  void expect_args(size_t lo, size_t hi, const char* usage) const;
  // No arguments, else "expected no arguments".
  void expect_no_args() const { expect_args(0, 0, "no arguments"); }
  // Argument i as a whole number in lo..hi, named `what` in messages.
  long whole(size_t i, const char* what, long lo, long hi) const;
  // Argument i as a rate in [0, 1), in decimal or exponent notation (1e-5),
  // that stays below 1 as a float32.
  float rate(size_t i) const;
};

}  // namespace mnist
