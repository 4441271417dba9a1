// An insert-only string → id hash table for the vectorizer's hot loop: open addressing, terms
// stored back to back in one arena, ids dense from 0. std::unordered_map<std::string, ...>
// allocates per term and chases a pointer per probe; this does neither.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace factopic::text {

/// 64-bit hash of a short string: 8 bytes per multiply–xorshift step, and the last 1–7 bytes
/// read as (possibly overlapping) fixed-size loads rather than a variable-length copy.
inline std::uint64_t term_hash(std::string_view s) noexcept {
    constexpr std::uint64_t k = 0x9E3779B97F4A7C15ULL;
    const char* p = s.data();
    std::size_t n = s.size();
    std::uint64_t h = (n + 1) * k;
    for (; n >= 8; n -= 8, p += 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    std::uint64_t tail = 0;
    if (n >= 4) {
        std::uint32_t a, b;
        std::memcpy(&a, p, 4);
        std::memcpy(&b, p + n - 4, 4);
        tail = a | (static_cast<std::uint64_t>(b) << 32);
    } else if (n > 0) {
        tail = static_cast<unsigned char>(p[0]) |
               (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8) |
               (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n - 1])) << 16);
    }
    h = (h ^ tail ^ (static_cast<std::uint64_t>(n) << 56)) * k;
    h ^= h >> 32;
    h *= 0xD6E8FEB86659FD93ULL;
    h ^= h >> 32;
    return h;
}

class TermTable {
public:
    static constexpr std::uint32_t k_absent = 0xFFFFFFFFu;

    explicit TermTable(std::size_t expected = 1024) { rehash(capacity_for(expected)); }

    std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(m_offsets.size()); }

    std::string_view term(std::uint32_t id) const noexcept { return {m_arena.data() + m_offsets[id], m_lengths[id]}; }

    /// Reserves room for n terms of total length bytes (avoids growing while counting).
    void reserve(std::size_t n, std::size_t bytes) {
        if (2 * n > m_slots.size()) rehash(capacity_for(n));
        m_arena.reserve(bytes);
        m_offsets.reserve(n);
        m_lengths.reserve(n);
    }

    /// The id of s, or k_absent.
    std::uint32_t find(std::string_view s) const noexcept { return find(s, term_hash(s)); }
    std::uint32_t find(std::string_view s, std::uint64_t h) const noexcept {
        std::size_t pos = h & m_mask;
        while (true) {
            const Slot& slot = m_slots[pos];
            if (slot.id == k_absent) return k_absent;
            if (slot.hash == static_cast<std::uint32_t>(h) && equal(slot, s)) return slot.id;
            pos = (pos + 1) & m_mask;
        }
    }

    /// The id of s, inserting it with the next id when absent; `inserted` says which.
    std::uint32_t insert(std::string_view s, bool& inserted) { return insert(s, term_hash(s), inserted); }
    std::uint32_t insert(std::string_view s, std::uint64_t h, bool& inserted) {
        std::size_t pos = h & m_mask;
        while (true) {
            Slot& slot = m_slots[pos];
            if (slot.id == k_absent) break;
            if (slot.hash == static_cast<std::uint32_t>(h) && equal(slot, s)) {
                inserted = false;
                return slot.id;
            }
            pos = (pos + 1) & m_mask;
        }
        const auto id = size();
        if (m_arena.size() + s.size() > k_max_arena)
            throw std::length_error("more than 1 TiB of distinct terms in one thread's vocabulary");
        m_offsets.push_back(m_arena.size());
        m_lengths.push_back(s.size());
        m_arena.insert(m_arena.end(), s.begin(), s.end());
        m_slots[pos] = Slot{static_cast<std::uint32_t>(h), id, pack(m_offsets.back(), s.size())};
        inserted = true;
        if (2 * (static_cast<std::size_t>(id) + 1) > m_slots.size()) rehash(m_slots.size() * 2);
        return id;
    }

private:
    // 16 bytes: the low 32 hash bits (enough to place the slot on rehash, and the bits above the
    // mask still tell most neighbours apart), and the term's arena offset (40 bits) and length
    // (24 bits; longer terms store k_long_term and are measured in m_lengths), so that a probe
    // touches the slot and, on a likely match only, the term's bytes.
    struct Slot {
        std::uint32_t hash = 0;
        std::uint32_t id = k_absent;
        std::uint64_t place = 0;  // offset << 24 | min(length, k_long_term)
    };
    static constexpr std::uint64_t k_long_term = (1u << 24) - 1;
    static constexpr std::size_t k_max_arena = std::size_t{1} << 40;

    static std::uint64_t pack(std::size_t offset, std::size_t length) noexcept {
        return (static_cast<std::uint64_t>(offset) << 24) | std::min<std::uint64_t>(length, k_long_term);
    }

    // Inline word-at-a-time comparison: tokens are short, and a call to memcmp per probe showed
    // up as a tenth of the counting time.
    bool equal(const Slot& slot, std::string_view s) const noexcept {
        const std::uint64_t length = slot.place & k_long_term;
        if (length != std::min<std::uint64_t>(s.size(), k_long_term)) return false;
        if (length == k_long_term && m_lengths[slot.id] != s.size()) return false;
        const char* a = m_arena.data() + (slot.place >> 24);
        const char* b = s.data();
        std::size_t n = s.size();
        for (; n >= 8; n -= 8, a += 8, b += 8) {
            std::uint64_t x, y;
            std::memcpy(&x, a, 8);
            std::memcpy(&y, b, 8);
            if (x != y) return false;
        }
        for (; n > 0; --n, ++a, ++b)
            if (*a != *b) return false;
        return true;
    }

    static std::size_t capacity_for(std::size_t n) {
        std::size_t c = 16;
        while (c < 2 * n) c *= 2;
        return c;
    }

    void rehash(std::size_t capacity) {
        std::vector<Slot> old(capacity);
        old.swap(m_slots);
        m_mask = capacity - 1;
        for (const Slot& s : old) {
            if (s.id == k_absent) continue;
            std::size_t pos = s.hash & m_mask;
            while (m_slots[pos].id != k_absent) pos = (pos + 1) & m_mask;
            m_slots[pos] = s;
        }
    }

    std::vector<Slot> m_slots;
    std::size_t m_mask = 0;
    std::vector<char> m_arena;
    std::vector<std::size_t> m_offsets;
    std::vector<std::size_t> m_lengths;
};

}  // namespace factopic::text
