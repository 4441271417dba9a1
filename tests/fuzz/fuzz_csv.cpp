// The CSV/TSV record splitter and read_corpus on a CSV or TSV file. Bit 5 of the option byte
// picks the tab delimiter; bit 6 asks for the label and id columns, bit 7 for the text column
// "body" and the date column "date". Whatever parse_csv accepts must survive a round trip: every
// record written back with every field quoted parses to the same fields.
#include <cstddef>
#include <cstdint>
#include <string>

#include "factopic/text/csv.hpp"
#include "fuzz_corpus.hpp"

using namespace factopic;

namespace {

std::string quoted(const text::CsvRecord& record, char delimiter) {
    std::string out;
    for (std::size_t i = 0; i < record.fields.size(); ++i) {
        if (i > 0) out += delimiter;
        out += '"';
        for (const char c : record.fields[i]) {
            if (c == '"') out += '"';
            out += c;
        }
        out += '"';
    }
    return out + "\r\n";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::MemFile file;
    const auto in = fuzz::split_options(data, size);
    const bool tsv = (in.options & 0x20u) != 0;
    const char delimiter = tsv ? '\t' : ',';
    try {
        const auto records = text::parse_csv(in.bytes, delimiter, "fuzz.csv", 1u << 20);
        std::string again;
        for (const auto& r : records) {
            if (r.fields.empty()) fuzz::broken("parse_csv gave a record without fields");
            again += quoted(r, delimiter);
        }
        const auto back = text::parse_csv(again, delimiter, "again.csv", 1u << 20);
        if (back.size() != records.size()) fuzz::broken("quoted records parse to a different count");
        for (std::size_t i = 0; i < back.size(); ++i)
            if (back[i].fields != records[i].fields) fuzz::broken("quoted records parse to different fields");
    } catch (const Error&) {
    }
    auto options = fuzz::corpus_options(in.options, tsv ? text::CorpusFormat::Tsv : text::CorpusFormat::Csv);
    if (in.options & 0x40u) {
        options.label_field = "label";
        options.id_field = "id";
    }
    if (in.options & 0x80u) {
        options.text_field = "body";
        options.date_field = "date";
    }
    try {
        fuzz::check_corpus(text::read_corpus(file.write(in.bytes), options));
    } catch (const Error&) {
    }
    return 0;
}
