// CSV and TSV records (RFC 4180 as Python's csv module reads it, excel and excel-tab dialects):
// fields separated by a delimiter, records by a line break (\n, \r\n or a lone \r); a field
// that starts with '"' is quoted and may hold delimiters, line breaks and doubled quotes ("").
// Where Python's reader guesses, this one refuses: a quoted field never closed and text after a
// closing quote are errors naming the line, since either means the rest of the file would be
// read into the wrong fields. A quote inside an unquoted field is kept, as Python keeps it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace factopic::text {

struct CsvRecord {
    std::vector<std::string> fields;
    std::size_t line = 0;  ///< the line (1-based) the record starts on
};

/// The records of text (decoded, without a byte-order mark). Blank lines are not records (Python
/// gives [] for them). delimiter: ',' or '\t' (any byte but '"', '\r', '\n'). Throws ParseError
/// naming source and line for a quoted field that is never closed (the line it opens on) or text
/// after a closing quote, and DataError for a field above max_field_bytes.
std::vector<CsvRecord> parse_csv(std::string_view text, char delimiter, const std::string& source,
                                 std::uint64_t max_field_bytes);

}  // namespace factopic::text
