// read_corpus on an archive (tar, zip, any compression libarchive reads) holding the fuzz input.
// The 20 Newsgroups layout is recognised inside archives, so the option byte also picks a subset
// and a category filter.
#include <cstddef>
#include <cstdint>

#include "fuzz_corpus.hpp"

using namespace factopic;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::MemFile file;
    const auto in = fuzz::split_options(data, size);
    auto options = fuzz::corpus_options(in.options, text::CorpusFormat::Archive);
    switch ((in.options >> 5) & 3u) {
        case 1:
            options.subset = text::NewsgroupsSubset::Test;
            break;
        case 2:
            options.subset = text::NewsgroupsSubset::All;
            break;
        case 3:
            options.categories = {"sci.space", "b"};
            break;
        default:
            break;
    }
    if (in.options & 0x80u) options.categories.push_back("comp.graphics");
    try {
        fuzz::check_corpus(text::read_corpus(file.write(in.bytes), options));
    } catch (const Error&) {
    }
    return 0;
}
