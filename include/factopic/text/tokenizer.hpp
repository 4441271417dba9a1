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
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    scratch.clear();
    std::size_t chars = 0;  // code points in scratch: a token being built on the general path
    while (i < n) {
        const unsigned b = p[i];
        if (b < 0x80 && chars == 0) {
            if (!detail::k_ascii.word[b]) {
                ++i;
                continue;
            }
            // Fast path: a run of ASCII word characters, emitted straight from the text when it
            // has no capitals and is not continued by a non-ASCII character.
            std::size_t j = i;
            bool upper = false;
            while (j < n && p[j] < 0x80 && detail::k_ascii.word[p[j]]) {
                upper |= static_cast<unsigned>(p[j] - 'A') < 26u;
                ++j;
            }
            if (j == n || p[j] < 0x80) {
                if (j - i >= 2) {
                    if (!upper) {
                        emit(text.substr(i, j - i));
                    } else {
                        scratch.assign(text.data() + i, j - i);
                        for (auto& c : scratch) c = detail::k_ascii.lower[static_cast<unsigned char>(c)];
                        emit(std::string_view(scratch));
                        scratch.clear();
                    }
                }
                i = j;
                continue;
            }
            // The word goes on past ASCII: carry what was scanned over to the general path.
            for (std::size_t k = i; k < j; ++k) scratch.push_back(detail::k_ascii.lower[p[k]]);
            chars = j - i;
            i = j;
            continue;
        }
        // General path, one code point at a time (lower-casing may yield up to three).
        char32_t low[3];
        int count;
        if (b < 0x80) {
            low[0] = static_cast<unsigned char>(detail::k_ascii.lower[b]);
            count = 1;
            ++i;
        } else {
            const std::size_t start = i;
            const char32_t cp = utf8_next(text, i);
            if (cp == 0x3A3) {
                low[0] = detail::lower_sigma_in_context(text, start, i);
                count = 1;
            } else {
                count = lower_full(cp, low);
            }
        }
        for (int k = 0; k < count; ++k) {
            if (is_word(low[k])) {
                utf8_append(scratch, low[k]);
                ++chars;
            } else if (chars) {
                if (chars >= 2) emit(std::string_view(scratch));
                scratch.clear();
                chars = 0;
            }
        }
    }
    if (chars >= 2) emit(std::string_view(scratch));
    scratch.clear();
}

}  // namespace factopic::text
