// Random numbers keyed by position, not drawn in sequence: Philox4x64-10 (Salmon, Moraes, Dror
// & Shaw 2011, "Parallel random numbers: as easy as 1, 2, 3"), a counter-based generator. The
// value at position i of stream s under seed k is a pure function of (k, s, i), so a random
// start is the same whichever thread, rank or device makes which part of it, and in whatever
// order. numpy's `np.random.Philox` is the same generator (the unit test checks its outputs).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

namespace factopic::runtime {

/// The 128-bit product a·b as (high, low) 64-bit halves, in portable 32-bit pieces.
constexpr std::array<std::uint64_t, 2> multiply_wide(std::uint64_t a, std::uint64_t b) noexcept {
    const std::uint64_t a_lo = a & 0xFFFFFFFFULL, a_hi = a >> 32, b_lo = b & 0xFFFFFFFFULL, b_hi = b >> 32;
    const std::uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
    const std::uint64_t middle = (ll >> 32) + (lh & 0xFFFFFFFFULL) + (hl & 0xFFFFFFFFULL);
    return {hh + (lh >> 32) + (hl >> 32) + (middle >> 32), (middle << 32) | (ll & 0xFFFFFFFFULL)};
}

/// Philox4x64 with 10 rounds: four 64-bit outputs for a 256-bit counter and a 128-bit key.
constexpr std::array<std::uint64_t, 4> philox4x64(std::array<std::uint64_t, 4> counter,
                                                  std::array<std::uint64_t, 2> key) noexcept {
    constexpr std::uint64_t m0 = 0xD2E7470EE14C6C93ULL, m1 = 0xCA5A826395121157ULL;
    constexpr std::uint64_t w0 = 0x9E3779B97F4A7C15ULL, w1 = 0xBB67AE8584CAA73BULL;
    for (int round = 0; round < 10; ++round) {
        if (round > 0) {
            key[0] += w0;
            key[1] += w1;
        }
        const auto [hi0, lo0] = multiply_wide(m0, counter[0]);
        const auto [hi1, lo1] = multiply_wide(m1, counter[2]);
        counter = {hi1 ^ counter[1] ^ key[0], lo1, hi0 ^ counter[3] ^ key[1], lo0};
    }
    return counter;
}

/// The uses of randomness, one stream each, so that two uses under one seed never share numbers.
enum class RandomStream : std::uint64_t {
    svd_start = 1,    ///< the start block of the truncated SVDs (and of the nndsvd inits' SVD)
    nmf_init = 2,     ///< NMF's random init
    nmf_fill = 3,     ///< nndsvdar: the values its zeros are filled with
    nmf_shuffle = 4,  ///< cd --shuffle: the order of the components in each sweep
};

/// Numbers at positions of one stream under one seed. Position i uses counter (i / 2, stream, 0,
/// 0) under key (seed, 0): each Philox block gives two positions' numbers (its outputs 0–1 and
/// 2–3).
class CounterRandom {
public:
    constexpr CounterRandom(std::uint64_t seed, RandomStream stream) noexcept
        : m_seed(seed), m_stream(static_cast<std::uint64_t>(stream)) {}

    /// Uniform on [0, 1): the top 53 bits of the position's first output.
    double uniform(std::uint64_t position) const noexcept {
        return static_cast<double>(bits(position)[0] >> 11) * 0x1.0p-53;
    }

    /// Standard normal, by the Box–Muller transform of the position's two outputs (u1 in (0, 1],
    /// so the logarithm is finite).
    double normal(std::uint64_t position) const noexcept {
        const auto b = bits(position);
        const double u1 = static_cast<double>((b[0] >> 11) + 1) * 0x1.0p-53;
        const double u2 = static_cast<double>(b[1] >> 11) * 0x1.0p-53;
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }

    /// The integer in [0, n) at a position (n >= 1), by Lemire's multiply-shift (bias below 2⁻⁶⁴·n).
    std::uint64_t below(std::uint64_t position, std::uint64_t n) const noexcept {
        return multiply_wide(bits(position)[0], n)[0];
    }

private:
    std::array<std::uint64_t, 2> bits(std::uint64_t position) const noexcept {
        const auto out = philox4x64({position >> 1, m_stream, 0, 0}, {m_seed, 0});
        return (position & 1) ? std::array<std::uint64_t, 2>{out[2], out[3]}
                              : std::array<std::uint64_t, 2>{out[0], out[1]};
    }

    std::uint64_t m_seed, m_stream;
};

}  // namespace factopic::runtime
