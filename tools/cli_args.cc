#include "cli_args.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

namespace jina::cli {
namespace {

// Edits (insert, delete, replace, swap two neighbours) from `a` to `b`.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] =
          std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// "unknown option '--txt'; did you mean '--text'?" when one option is close.
std::string unknown_option(const std::string& name, const std::vector<Option>& table) {
  std::string message = "unknown option '" + name + "'";
  const Option* best = nullptr;
  std::size_t best_distance = 0;
  for (const Option& o : table) {
    std::size_t distance = edit_distance(name, o.name);
    if (!best || distance < best_distance) {
      best = &o;
      best_distance = distance;
    }
  }
  // Up to a third of the name may be wrong ("--timout", "--ndjsn", "--parm").
  if (best && best_distance > 0 && best_distance * 3 <= name.size()) {
    message += "; did you mean '";
    message += best->name;
    message += "'?";
  }
  return message;
}

}  // namespace

std::vector<std::string> parse(int argc, char** argv, const std::vector<Option>& table) {
  std::vector<std::string> positional;
  bool options_done = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (options_done || arg.size() < 2 || arg[0] != '-') {
      positional.push_back(std::move(arg));
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    std::string name = arg;
    std::optional<std::string> inline_value;
    if (std::size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
    }
    auto it = std::find_if(table.begin(), table.end(), [&](const Option& o) {
      return o.name == name || (!o.short_name.empty() && o.short_name == name);
    });
    if (it == table.end()) throw UsageError(unknown_option(name, table));
    if (it->metavar.empty()) {
      if (inline_value) throw UsageError("option '" + name + "' takes no value");
      it->apply("");
      continue;
    }
    std::string value;
    if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      throw UsageError("option '" + name + "' needs a value (" + std::string(it->metavar) + ")");
    }
    it->apply(value);
  }
  return positional;
}

std::string describe(const std::vector<Option>& table) {
  std::vector<std::string> heads;
  std::size_t width = 0;
  for (const Option& o : table) {
    std::string head = "  ";
    if (!o.short_name.empty()) head += std::string(o.short_name) + ", ";
    head += o.name;
    if (!o.metavar.empty()) {
      head += ' ';
      head += o.metavar;
    }
    width = std::max(width, head.size());
    heads.push_back(std::move(head));
  }
  std::string out;
  for (std::size_t i = 0; i < table.size(); ++i) {
    out += heads[i] + std::string(width + 2 - heads[i].size(), ' ') + std::string(table[i].help) +
           "\n";
  }
  return out;
}

long long to_int(std::string_view option, const std::string& value, long long min, long long max) {
  char* end = nullptr;
  errno = 0;
  long long n = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || end != value.c_str() + value.size() || errno == ERANGE || n < min ||
      n > max) {
    throw UsageError(std::string(option) + ": expected a whole number from " + std::to_string(min) +
                     " to " + std::to_string(max) + ", got '" + value + "'");
  }
  return n;
}

double to_double(std::string_view option, const std::string& value, double min) {
  char* end = nullptr;
  errno = 0;
  double d = std::strtod(value.c_str(), &end);
  if (value.empty() || end != value.c_str() + value.size() || errno == ERANGE || !(d >= min)) {
    throw UsageError(std::string(option) + ": expected a number >= " + std::to_string(min) +
                     ", got '" + value + "'");
  }
  return d;
}

std::pair<std::string, std::string> split_pair(std::string_view option, const std::string& value) {
  std::size_t eq = value.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw UsageError(std::string(option) + ": expected KEY=VALUE, got '" + value + "'");
  }
  return {value.substr(0, eq), value.substr(eq + 1)};
}

}  // namespace jina::cli
