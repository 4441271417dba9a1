// Usage errors in the same one-line form as run-time errors ("factopic: error: ..."), with a
// "did you mean" for a mistyped sub-command, option or keyword value.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace factopic::cli {

/// The candidate closest to word by edit distance (insertions, deletions, substitutions and
/// swaps of neighbours), when it is close enough to be a typo: at most 1 edit for words of up to
/// 4 characters, 2 up to 8, 3 beyond. Empty when none is.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// The message for a CLI11 parse error (not help or version), one line without the
/// "factopic: error: " prefix, naming the sub-command and suggesting the closest name or value.
std::string usage_message(const CLI::App& app, const CLI::ParseError& error, int argc, const char* const* argv);

}  // namespace factopic::cli
