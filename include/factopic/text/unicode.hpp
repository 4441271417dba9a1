// Unicode as Python 3 sees it: the character classes and case mapping that scikit-learn's
// tokenizer inherits from the interpreter, plus strict UTF-8 and latin-1 decoding. The tables
// are generated from Python itself (tools/gen_unicode_tables.py) so that "a word character" and
// "lower case" mean exactly what they mean to `re` and `str.lower` in the oracle.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace factopic::text {

/// The Unicode version the tables were generated from (that of the oracle's Python).
const char* unicode_version() noexcept;

/// `re`'s `\w` under `(?u)`: str.isalnum() or '_'.
bool is_word(char32_t cp) noexcept;
/// str.isspace().
bool is_space(char32_t cp) noexcept;
/// Python's Cased and Case_Ignorable properties (used for the Final_Sigma rule).
bool is_cased(char32_t cp) noexcept;
bool is_case_ignorable(char32_t cp) noexcept;

/// str.lower() of one code point without context: writes 1–3 code points to out, returns count.
/// U+03A3 (capital sigma) maps to σ here; lower_utf8 applies the Final_Sigma context.
int lower_full(char32_t cp, char32_t out[3]) noexcept;

/// Decodes one code point at s[i] and advances i past it. Text from the corpus readers is valid
/// UTF-8; for anything else (a library caller's bytes) an invalid or truncated sequence decodes
/// as U+FFFD and advances one byte, so nothing is read past the end.
inline char32_t utf8_next(std::string_view s, std::size_t& i) noexcept {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    const std::size_t left = s.size() - i;
    auto cont = [&](std::size_t k) { return (static_cast<unsigned char>(s[i + k]) & 0xC0u) == 0x80u; };
    auto bits = [&](std::size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k]) & 0x3Fu); };
    if (b0 >= 0xC2 && b0 < 0xE0 && left >= 2 && cont(1)) {
        const char32_t cp = (static_cast<char32_t>(b0 & 0x1Fu) << 6) | bits(1);
        i += 2;
        return cp;
    }
    if (b0 >= 0xE0 && b0 < 0xF0 && left >= 3 && cont(1) && cont(2)) {
        const char32_t cp = (static_cast<char32_t>(b0 & 0x0Fu) << 12) | (bits(1) << 6) | bits(2);
        if (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) {
            i += 3;
            return cp;
        }
    }
    if (b0 >= 0xF0 && b0 < 0xF5 && left >= 4 && cont(1) && cont(2) && cont(3)) {
        const char32_t cp = (static_cast<char32_t>(b0 & 0x07u) << 18) | (bits(1) << 12) | (bits(2) << 6) | bits(3);
        if (cp >= 0x10000 && cp <= 0x10FFFF) {
            i += 4;
            return cp;
        }
    }
    ++i;
    return 0xFFFD;
}

/// Appends the UTF-8 encoding of cp to out.
void utf8_append(std::string& out, char32_t cp);

/// True when bytes are valid UTF-8 by Python's strict decoder (no overlongs, no surrogates,
/// nothing above U+10FFFF).
bool utf8_valid(std::string_view bytes) noexcept;

/// text without a leading UTF-8 byte-order mark (some editors write one; it is not content).
inline std::string_view strip_utf8_bom(std::string_view text) noexcept {
    return text.substr(0, 3) == "\xEF\xBB\xBF" ? text.substr(3) : text;
}

/// Latin-1 bytes → UTF-8 (every byte is the code point of the same value).
std::string latin1_to_utf8(std::string_view bytes);

/// str.lower() of a whole valid UTF-8 string, Final_Sigma context included.
std::string lower_utf8(std::string_view s);

}  // namespace factopic::text
