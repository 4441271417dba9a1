#include "factopic/text/csv.hpp"

#include "factopic/core/error.hpp"
#include "factopic/core/file.hpp"

namespace factopic::text {

std::vector<CsvRecord> parse_csv(std::string_view t, char delimiter, const std::string& source,
                                 std::uint64_t max_field_bytes) {
    if (delimiter == '"' || delimiter == '\r' || delimiter == '\n')
        throw InvalidArgument("csv delimiter: must not be a quote or a line break");
    std::vector<CsvRecord> out;
    const std::size_t n = t.size();
    std::size_t i = 0;
    std::size_t line = 1;
    auto at_break = [&](std::size_t j) { return t[j] == '\n' || t[j] == '\r'; };
    // A line break is \r\n, \n or a lone \r, as for Python's reader; each counts as one line.
    auto skip_break = [&] {
        i += t[i] == '\r' && i + 1 < n && t[i + 1] == '\n' ? 2 : 1;
        ++line;
    };
    auto check_size = [&](const std::string& field) {
        if (field.size() > max_field_bytes)
            throw DataError(source + ":" + std::to_string(line) + ": a field larger than " +
                            format_bytes(max_field_bytes) +
                            " (--max-document-bytes; raise it if the field is genuine)");
    };
    std::string field;
    while (i < n) {
        if (at_break(i)) {
            skip_break();
            continue;
        }
        CsvRecord record;
        record.line = line;
        while (true) {
            field.clear();
            if (i < n && t[i] == '"') {
                const std::size_t opened = line;
                ++i;
                while (true) {
                    if (i >= n)
                        throw ParseError(source, opened,
                                         "a quoted field opens here and is never closed (a stray '\"'? a quote "
                                         "inside a quoted field is written \"\")");
                    const char c = t[i];
                    if (c == '"') {
                        if (i + 1 < n && t[i + 1] == '"') {
                            field += '"';
                            i += 2;
                            continue;
                        }
                        ++i;
                        break;
                    }
                    if (c == '\r' || c == '\n') {
                        const std::size_t from = i;
                        skip_break();
                        field.append(t.substr(from, i - from));
                    } else {
                        // The run up to the next quote or line break in one append.
                        std::size_t end = i + 1;
                        while (end < n && t[end] != '"' && t[end] != '\r' && t[end] != '\n') ++end;
                        field.append(t.substr(i, end - i));
                        i = end;
                    }
                    check_size(field);
                }
                if (i < n && t[i] != delimiter && !at_break(i))
                    throw ParseError(source, line,
                                     "text after the closing quote of a quoted field (a quote inside a quoted field "
                                     "is written \"\")");
            } else {
                const std::size_t start = i;
                while (i < n && t[i] != delimiter && !at_break(i)) ++i;
                field.assign(t.substr(start, i - start));
                check_size(field);
            }
            record.fields.push_back(field);
            if (i < n && t[i] == delimiter) {
                ++i;
                continue;
            }
            break;
        }
        out.push_back(std::move(record));
        if (i < n) skip_break();
    }
    return out;
}

}  // namespace factopic::text
