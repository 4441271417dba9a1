// read_corpus on a text file of one document per line.
#include <cstddef>
#include <cstdint>

#include "fuzz_corpus.hpp"

using namespace factopic;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::MemFile file;
    const auto in = fuzz::split_options(data, size);
    auto options = fuzz::corpus_options(in.options, text::CorpusFormat::Lines);
    try {
        const auto corpus = text::read_corpus(file.write(in.bytes), options);
        fuzz::check_corpus(corpus);
        if (corpus.has_labels()) fuzz::broken("a lines corpus has labels");
    } catch (const Error&) {
    }
    return 0;
}
