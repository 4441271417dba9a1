// scikit-learn's default analyzer front half, without a regex engine: lower-case the text as
// Python's str.lower does, then yield every match of `(?u)\b\w\w+\b`, i.e. every maximal run of
// two or more word characters. Runs are found on the lower-cased stream because scikit-learn
// lower-cases before it tokenizes, and lower-casing can split a letter into a letter and a
// combining mark (U+0130 → i + U+0307) that is not a word character.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "factopic/text/unicode.hpp"

namespace factopic::text {

namespace detail {

struct AsciiClass {
    std::array<char, 128> lower{};
    std::array<bool, 128> word{};
    constexpr AsciiClass() {
        for (int c = 0; c < 128; ++c) {
            lower[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
            word[c] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        }
    }
};
inline constexpr AsciiClass k_ascii{};

// The Final_Sigma rule needs the surrounding text; rare enough to live out of line.
char32_t lower_sigma_in_context(std::string_view text, std::size_t start, std::size_t end);

}  // namespace detail

/// Calls emit(std::string_view token) for each token of text (valid UTF-8), in order.
/// scratch is reused between calls to avoid allocation; the view is valid only during emit.
template <typename Emit>
void tokenize(std::string_view text, std::string& scratch, Emit&& emit) {
    scratch.clear();
    std::size_t chars = 0;
    auto flush = [&] {
        if (chars >= 2) emit(std::string_view(scratch));
        scratch.clear();
        chars = 0;
    };
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        const auto b = static_cast<unsigned char>(text[i]);
        if (b < 0x80) {
            if (detail::k_ascii.word[b]) {
                scratch.push_back(detail::k_ascii.lower[b]);
                ++chars;
            } else if (chars) {
                flush();
            }
            ++i;
            continue;
        }
        const std::size_t start = i;
        const char32_t cp = utf8_next(text, i);
        char32_t low[3];
        int count;
        if (cp == 0x3A3) {
            low[0] = detail::lower_sigma_in_context(text, start, i);
            count = 1;
        } else {
            count = lower_full(cp, low);
        }
        for (int k = 0; k < count; ++k) {
            if (is_word(low[k])) {
                utf8_append(scratch, low[k]);
                ++chars;
            } else if (chars) {
                flush();
            }
        }
    }
    if (chars) flush();
}

}  // namespace factopic::text
