// Stop-word lists: scikit-learn's built-in English list (318 words, from the Glasgow
// Information Retrieval Group) and user files of one word per line.
#pragma once

#include <string>
#include <vector>

namespace factopic::text {

/// scikit-learn's ENGLISH_STOP_WORDS, sorted.
const std::vector<std::string>& english_stop_words();

/// One word per line (UTF-8, '#' starts a comment line, blank lines skipped); throws IoError,
/// or ParseError naming the line when a line is longer than 1 MiB (not a word list).
std::vector<std::string> read_stop_words(const std::string& path);

}  // namespace factopic::text
