#pragma once
// mnist-lab's command line: the commands, their options and their help, read by
// CLI11. Every mistake becomes one mnist::Error (main prints it as one line and
// exits with code 2) instead of CLI11's help-on-error; numbers stay strings
// here and are checked, with their ranges, by the command that reads them.
#include <map>
#include <set>
#include <string>

namespace mnist::cli {

// --until's evaluation interval when --eval-every is not given: every 10,000
// training samples (six times an epoch of the full set).
constexpr long kDefaultEvalEvery = 10000;

struct Args {
  std::string command;                        // presets, layers, train, eval or convert
  std::map<std::string, std::string> values;  // option name without "--" -> its value
  std::set<std::string> flags;                // the flags given, without "--"
  std::string help;                           // with --help or -h: the text to print, and nothing else is set
};

// Throws mnist::Error naming the problem: a missing or unknown command, an
// unknown option, an option given twice or without its value.
Args parse_args(int argc, char** argv);

}  // namespace mnist::cli
