// The 20 Newsgroups cleaners, exactly as scikit-learn's strip_newsgroup_header,
// strip_newsgroup_footer and strip_newsgroup_quoting (sklearn/datasets/_twenty_newsgroups.py)
// behave on a decoded post, including their quirks (a post without a blank line loses
// everything to the header rule; the footer rule keeps the text when the only blank-ish line
// is the first).
#pragma once

#include <string>
#include <string_view>

namespace factopic::text {

/// Everything after the first blank line ("\n\n"); "" when there is none.
std::string newsgroup_strip_header(std::string_view text);

/// Drops the signature block: the lines after the last line that is empty or only '-' once
/// stripped (with Python's Unicode whitespace). Works on the stripped text, returns the original
/// when that line is the first.
std::string newsgroup_strip_footer(std::string_view text);

/// Drops each line containing "writes in", "writes:", "wrote:", "says:" or "said:", or starting
/// with "In article", "Quoted from", "|" or ">".
std::string newsgroup_strip_quoting(std::string_view text);

/// Python's str.strip() with no argument (Unicode whitespace) on valid UTF-8.
std::string_view python_strip(std::string_view s);

}  // namespace factopic::text
