// read_corpus on a JSON Lines file, with the text and label members and a category filter chosen
// by the option byte.
#include <cstddef>
#include <cstdint>

#include "fuzz_corpus.hpp"

using namespace factopic;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::MemFile file;
    const auto in = fuzz::split_options(data, size);
    auto options = fuzz::corpus_options(in.options, text::CorpusFormat::Jsonl);
    constexpr const char* labels[] = {"", "label", "text", "y"};
    options.label_field = labels[(in.options >> 5) & 3u];
    if (in.options & 0x80u) {
        options.text_field = "body";
        if (!options.label_field.empty()) options.categories = {"a", "1"};
    }
    try {
        fuzz::check_corpus(text::read_corpus(file.write(in.bytes), options));
    } catch (const Error&) {
    }
    return 0;
}
