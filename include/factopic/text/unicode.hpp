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

/// Decodes one code point of valid UTF-8 at s[i], advancing i. Input must be valid UTF-8.
inline char32_t utf8_next(std::string_view s, std::size_t& i) noexcept {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    if (b0 < 0xE0) {
        char32_t cp = ((b0 & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
        i += 2;
        return cp;
    }
    if (b0 < 0xF0) {
        char32_t cp = ((b0 & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
                      (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
        i += 3;
        return cp;
    }
    char32_t cp = ((b0 & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
                  ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) |
                  (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
    i += 4;
    return cp;
}

/// Appends the UTF-8 encoding of cp to out.
void utf8_append(std::string& out, char32_t cp);

/// True when bytes are valid UTF-8 by Python's strict decoder (no overlongs, no surrogates,
/// nothing above U+10FFFF).
bool utf8_valid(std::string_view bytes) noexcept;

/// Latin-1 bytes → UTF-8 (every byte is the code point of the same value).
std::string latin1_to_utf8(std::string_view bytes);

/// str.lower() of a whole valid UTF-8 string, Final_Sigma context included.
std::string lower_utf8(std::string_view s);

}  // namespace factopic::text
