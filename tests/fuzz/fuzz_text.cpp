// Bytes to terms: decode_text in every encoding, the 20 Newsgroups cleaners, str.lower, the
// tokenizer (on the decoded text and on the raw bytes, which it must survive), then a vectorizer
// fitted on the lines of the text with options chosen by the input's last two bytes, and the same
// lines transformed by the fitted vectorizer, which must give the fitted matrix back.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "factopic/text/corpus.hpp"
#include "factopic/text/newsgroups.hpp"
#include "factopic/text/tokenizer.hpp"
#include "factopic/text/unicode.hpp"
#include "factopic/text/vectorizer.hpp"
#include "fuzz_common.hpp"

using namespace factopic;

namespace {

void check_tokens(std::string_view text, bool valid) {
    std::string scratch;
    text::tokenize(text, scratch, [&](std::string_view token) {
        if (token.size() < 2) fuzz::broken("a token shorter than two bytes");
        if (valid && !text::utf8_valid(token)) fuzz::broken("a token of valid text is not valid UTF-8");
    });
}

text::VectorizerOptions vectorizer_options(FuzzedDataProvider& in) {
    const auto a = in.ConsumeIntegral<std::uint8_t>();
    const auto b = in.ConsumeIntegral<std::uint8_t>();
    text::VectorizerOptions o;
    o.weighting = (a & 1u) ? text::Weighting::Tfidf : text::Weighting::Count;
    o.ngram_min = 1 + ((a >> 1) & 1u);
    o.ngram_max = o.ngram_min + ((a >> 2) & 1u);
    o.binary = (a & 8u) != 0;
    constexpr text::Norm norms[] = {text::Norm::L2, text::Norm::L1, text::Norm::None, text::Norm::L2};
    o.norm = norms[(a >> 4) & 3u];
    o.use_idf = (a & 64u) == 0;
    o.sublinear_tf = (a & 128u) != 0;
    o.smooth_idf = (b & 1u) == 0;
    o.use_english_stop_words = (b & 2u) == 0;
    if (b & 4u) o.stop_words = {"the", "σας", "aa"};
    switch ((b >> 3) & 3u) {
        case 1:
            o.min_df = text::DfBound::count(2);
            break;
        case 2:
            o.min_df = text::DfBound::fraction(0.3);
            break;
        default:
            break;
    }
    switch ((b >> 5) & 3u) {
        case 1:
            o.max_df = text::DfBound::fraction(0.8);
            break;
        case 2:
            o.max_df = text::DfBound::count(2);
            break;
        default:
            break;
    }
    if (b & 128u) o.max_features = 5;
    return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const auto options = vectorizer_options(in);
    const std::string raw = in.ConsumeRemainingBytesAsString();
    check_tokens(raw, text::utf8_valid(raw));

    std::string decoded;
    for (auto encoding : {text::Encoding::Utf8, text::Encoding::Latin1, text::Encoding::Auto}) {
        try {
            decoded = text::decode_text(raw, encoding);
        } catch (const Error&) {
            continue;
        }
        if (!text::utf8_valid(decoded)) fuzz::broken("decode_text returned invalid UTF-8");
    }
    check_tokens(decoded, true);
    if (!text::utf8_valid(text::lower_utf8(decoded))) fuzz::broken("lower_utf8 returned invalid UTF-8");
    for (const auto& cleaned : {text::newsgroup_strip_header(decoded), text::newsgroup_strip_footer(decoded),
                                text::newsgroup_strip_quoting(decoded)}) {
        if (!text::utf8_valid(cleaned)) fuzz::broken("a cleaner returned invalid UTF-8");
        check_tokens(cleaned, true);
    }
    (void)text::python_strip(decoded);

    std::vector<std::string> documents;
    for (const auto line : text::split_lines(decoded)) documents.emplace_back(line);
    if (documents.empty()) return 0;
    try {
        text::Vectorizer v(options);
        const auto fitted = v.fit_transform<double>(documents);
        const auto again = v.transform<double>(documents);
        if (fitted.rows != static_cast<std::int64_t>(documents.size()) ||
            fitted.cols != static_cast<std::int64_t>(v.vocabulary().size()))
            fuzz::broken("fit_transform's shape is not documents x vocabulary");
        if (again.rows != fitted.rows || again.cols != fitted.cols || again.indptr != fitted.indptr ||
            again.indices != fitted.indices || again.values != fitted.values)
            fuzz::broken("transform of the training documents differs from fit_transform");
        for (std::size_t t = 1; t < v.vocabulary().size(); ++t)
            if (!(v.vocabulary()[t - 1] < v.vocabulary()[t])) fuzz::broken("vocabulary not sorted and unique");
    } catch (const Error&) {
    }
    return 0;
}
