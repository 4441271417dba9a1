#include "factopic/text/unicode.hpp"

#include <algorithm>
#include <cstring>

#include "factopic/text/tokenizer.hpp"

namespace factopic::text {
namespace {

struct SpecialLower {
    char32_t cp;
    int length;
    char32_t seq[3];
};

#include "unicode_tables.inc"

constexpr std::uint8_t k_word = 1, k_space = 2, k_cased = 4, k_ignorable = 8;

inline std::uint8_t flags_of(char32_t cp) noexcept {
    if (cp >= 0x110000) return 0;
    return k_flags_data[k_flags_index[cp / k_unicode_block] * k_unicode_block + cp % k_unicode_block];
}

}  // namespace

const char* unicode_version() noexcept { return k_unicode_version; }
bool is_word(char32_t cp) noexcept { return flags_of(cp) & k_word; }
bool is_space(char32_t cp) noexcept { return flags_of(cp) & k_space; }
bool is_cased(char32_t cp) noexcept { return flags_of(cp) & k_cased; }
bool is_case_ignorable(char32_t cp) noexcept { return flags_of(cp) & k_ignorable; }

int lower_full(char32_t cp, char32_t out[3]) noexcept {
    if (cp >= 0x110000) {
        out[0] = cp;
        return 1;
    }
    const std::int32_t delta =
        k_lower_data[k_lower_index[cp / k_unicode_block] * k_unicode_block + cp % k_unicode_block];
    if (delta != 0) {
        out[0] = static_cast<char32_t>(static_cast<std::int32_t>(cp) + delta);
        return 1;
    }
    for (const auto& s : k_special_lower) {
        if (s.cp == cp) {
            std::copy(s.seq, s.seq + s.length, out);
            return s.length;
        }
    }
    out[0] = cp;
    return 1;
}

void utf8_append(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

bool utf8_valid(std::string_view s) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        // Eight ASCII bytes at a time: the common case for English text.
        while (i + 8 <= n) {
            std::uint64_t w;
            std::copy(p + i, p + i + 8, reinterpret_cast<unsigned char*>(&w));
            if (w & 0x8080808080808080ULL) break;
            i += 8;
        }
        if (i >= n) break;
        const unsigned c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        auto cont = [&](std::size_t k) { return i + k < n && (p[i + k] & 0xC0) == 0x80; };
        if (c >= 0xC2 && c <= 0xDF) {
            if (!cont(1)) return false;
            i += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            if (!cont(1) || !cont(2)) return false;
            const unsigned c1 = p[i + 1];
            if (c == 0xE0 && c1 < 0xA0) return false;   // overlong
            if (c == 0xED && c1 >= 0xA0) return false;  // surrogate
            i += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            if (!cont(1) || !cont(2) || !cont(3)) return false;
            const unsigned c1 = p[i + 1];
            if (c == 0xF0 && c1 < 0x90) return false;   // overlong
            if (c == 0xF4 && c1 >= 0x90) return false;  // above U+10FFFF
            i += 4;
        } else {
            return false;
        }
    }
    return true;
}

std::string latin1_to_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 16);
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t n = bytes.size();
    std::size_t i = 0;
    while (i < n) {
        // Runs of ASCII (nearly all of an English post) are copied as they are.
        std::size_t j = i;
        while (j + 8 <= n) {
            std::uint64_t w;
            std::memcpy(&w, p + j, 8);
            if (w & 0x8080808080808080ULL) break;
            j += 8;
        }
        while (j < n && p[j] < 0x80) ++j;
        out.append(bytes.data() + i, j - i);
        if (j < n) {
            out.push_back(static_cast<char>(0xC0 | (p[j] >> 6)));
            out.push_back(static_cast<char>(0x80 | (p[j] & 0x3F)));
            ++j;
        }
        i = j;
    }
    return out;
}

namespace {

// Python's handle_capital_sigma: final form when a cased character precedes (skipping
// case-ignorable ones) and none follows (skipping case-ignorable ones).
bool final_sigma_context(std::string_view s, std::size_t start, std::size_t end) {
    bool preceded = false;
    std::size_t j = start;
    while (j > 0) {
        std::size_t k = j - 1;
        while (k > 0 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
        std::size_t t = k;
        const char32_t c = utf8_next(s, t);
        if (!is_case_ignorable(c)) {
            preceded = is_cased(c);
            break;
        }
        j = k;
    }
    if (!preceded) return false;
    std::size_t i = end;
    while (i < s.size()) {
        const char32_t c = utf8_next(s, i);
        if (!is_case_ignorable(c)) return !is_cased(c);
    }
    return true;
}

}  // namespace

namespace detail {
char32_t lower_sigma_in_context(std::string_view text, std::size_t start, std::size_t end) {
    return final_sigma_context(text, start, end) ? 0x3C2 : 0x3C3;
}
}  // namespace detail

std::string lower_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            out.push_back(static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b));
            ++i;
            continue;
        }
        const std::size_t start = i;
        const char32_t cp = utf8_next(s, i);
        if (cp == 0x3A3) {
            utf8_append(out, final_sigma_context(s, start, i) ? 0x3C2 : 0x3C3);
            continue;
        }
        char32_t low[3];
        const int n = lower_full(cp, low);
        for (int k = 0; k < n; ++k) utf8_append(out, low[k]);
    }
    return out;
}

}  // namespace factopic::text
