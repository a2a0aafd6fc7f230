// A small table-driven command-line parser shared by jina-post and
// jina-flow: GNU-style long options ("--name VALUE" or "--name=VALUE"),
// flags, repeated options, positional arguments and "--".
#ifndef JINA_TOOLS_CLI_ARGS_H_
#define JINA_TOOLS_CLI_ARGS_H_

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace jina::cli {

// A mistake in the command line; the tools exit with status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Option {
  std::string_view name;     // "--out"
  std::string_view metavar;  // "FILE"; empty for a flag
  std::string_view help;     // one line
  // Called with the value ("" for a flag), in command-line order. May
  // throw UsageError.
  std::function<void(const std::string& value)> apply;
  std::string_view short_name = {};  // "-h"
};

// Applies the options of argv[1..] and returns the positional arguments.
// Throws UsageError for an unknown option, a missing value, or a value given
// to a flag.
std::vector<std::string> parse(int argc, char** argv, const std::vector<Option>& table);

// The options of `table` as aligned help lines.
std::string describe(const std::vector<Option>& table);

// Number parsing with a message naming the option. Throw UsageError.
long long to_int(std::string_view option, const std::string& value, long long min, long long max);
double to_double(std::string_view option, const std::string& value, double min);

// Splits "key=value" at the first '='; throws UsageError without one.
std::pair<std::string, std::string> split_pair(std::string_view option, const std::string& value);

}  // namespace jina::cli

#endif  // JINA_TOOLS_CLI_ARGS_H_
