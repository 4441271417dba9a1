// Corpus options chosen by the fuzz input's option byte, and what every successful read_corpus
// must give, whatever the bytes.
#pragma once

#include <cstdint>

#include "factopic/text/corpus.hpp"
#include "factopic/text/unicode.hpp"
#include "fuzz_common.hpp"

namespace factopic::fuzz {

/// Bits 0-1: encoding; bits 2-4: the 20 Newsgroups cleaners (folders and archives only: other
/// inputs refuse them, and a refusal would end every run early). Bits 5-7 are the target's own.
inline text::CorpusOptions corpus_options(std::uint8_t bits, text::CorpusFormat format) {
    text::CorpusOptions o;
    o.format = format;
    constexpr text::Encoding encodings[] = {text::Encoding::Auto, text::Encoding::Utf8, text::Encoding::Latin1,
                                            text::Encoding::Auto};
    o.encoding = encodings[bits & 3u];
    if (format == text::CorpusFormat::Folder || format == text::CorpusFormat::Archive) {
        o.remove.headers = (bits & 4u) != 0;
        o.remove.footers = (bits & 8u) != 0;
        o.remove.quotes = (bits & 16u) != 0;
    }
    return o;
}

inline void check_corpus(const text::Corpus& c) {
    if (c.size() == 0) broken("read_corpus returned no documents instead of throwing DataError");
    if (c.ids.size() != c.size() || c.labels.size() != c.size()) broken("texts, ids and labels differ in length");
    if (!c.dates.empty() && c.dates.size() != c.size()) broken("texts and dates differ in length");
    for (const auto& d : c.dates)
        if (!d.empty() && !text::is_valid_date(d)) broken("a date that is_valid_date refuses");
    for (const auto& t : c.texts)
        if (!text::utf8_valid(t)) broken("a document's text is not valid UTF-8");
}

}  // namespace factopic::fuzz
