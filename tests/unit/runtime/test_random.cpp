// The counter-based generator: Philox4x64-10 as numpy has it, and numbers that are a function of
// their position alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "factopic/linalg/dense.hpp"
#include "factopic/runtime/random.hpp"

namespace factopic::runtime {
namespace {

using Block = std::array<std::uint64_t, 4>;

// Known answers from numpy 1.24, whose Philox adds 1 to its counter before each block:
//   np.random.Philox(counter=c, key=k).random_raw(4) is philox4x64(c + 1, k).
TEST(Random, PhiloxMatchesNumpy) {
    EXPECT_EQ(philox4x64({1, 0, 0, 0}, {0, 0}),
              (Block{0x02f4ba6408e4d89bULL, 0x3dd62b0b9ca8c5b2ULL, 0x1c8667a55d902e79ULL, 0x907d7a052fd5b4dcULL}));
    // np.random.Philox(counter=[6, 4, 0, 0], key=[12345, 0])
    EXPECT_EQ(philox4x64({7, 4, 0, 0}, {12345, 0}),
              (Block{0x8bbca35c219e5484ULL, 0xf8f080b3d31e4baeULL, 0x372018155cdd7db7ULL, 0x79b3268786de4606ULL}));
    // np.random.Philox(counter=[2**64 - 2] + [2**64 - 1] * 3, key=[2**64 - 1] * 2)
    constexpr std::uint64_t max = ~std::uint64_t{0};
    EXPECT_EQ(philox4x64({max, max, max, max}, {max, max}),
              (Block{0x87b092c3013fe90bULL, 0x438c3c67be8d0224ULL, 0x9cc7d7c69cd777b6ULL, 0xa09caebf594f0ba0ULL}));
    // np.random.Philox(counter=[1, 2, 3, 4], key=[5, 6])
    EXPECT_EQ(philox4x64({2, 2, 3, 4}, {5, 6})[0], 0x92ab6a0e75619263ULL);
}

TEST(Random, WideMultiplyIsExact) {
    const std::uint64_t max = ~std::uint64_t{0};
    EXPECT_EQ(multiply_wide(max, max), (std::array<std::uint64_t, 2>{max - 1, 1}));
    EXPECT_EQ(multiply_wide(std::uint64_t{1} << 63, 2), (std::array<std::uint64_t, 2>{1, 0}));
    EXPECT_EQ(multiply_wide(0xD2E7470EE14C6C93ULL, 12345),
              (std::array<std::uint64_t, 2>{0x27ba, 0x52d19c8e7e5fbcbbULL}));
}

TEST(Random, NumbersDependOnPositionSeedAndStreamOnly) {
    const CounterRandom a(7, RandomStream::svd_start), b(7, RandomStream::svd_start);
    const CounterRandom other_seed(8, RandomStream::svd_start), other_stream(7, RandomStream::nmf_init);
    // Read in opposite orders: the same numbers.
    std::vector<double> forward, backward(1000);
    for (std::uint64_t i = 0; i < 1000; ++i) forward.push_back(a.normal(i));
    for (std::uint64_t i = 1000; i-- > 0;) backward[i] = b.normal(i);
    EXPECT_EQ(forward, backward);
    int same_seed = 0, same_stream = 0;
    for (std::uint64_t i = 0; i < 1000; ++i) {
        same_seed += a.normal(i) == other_seed.normal(i);
        same_stream += a.normal(i) == other_stream.normal(i);
    }
    EXPECT_EQ(same_seed, 0);
    EXPECT_EQ(same_stream, 0);
    // Neighbouring positions share a Philox block but not its outputs.
    EXPECT_NE(a.uniform(0), a.uniform(1));
}

TEST(Random, DistributionsHaveTheirMoments) {
    const CounterRandom r(2026, RandomStream::nmf_init);
    constexpr std::uint64_t n = 200000;
    double sum = 0, sum2 = 0, usum = 0, umin = 1, umax = 0;
    std::array<std::uint64_t, 7> counts{};
    for (std::uint64_t i = 0; i < n; ++i) {
        const double z = r.normal(i);
        ASSERT_TRUE(std::isfinite(z));
        sum += z;
        sum2 += z * z;
        const double u = r.uniform(i);
        usum += u;
        umin = std::min(umin, u);
        umax = std::max(umax, u);
        const std::uint64_t k = r.below(i, 7);
        ASSERT_LT(k, 7u);
        ++counts[k];
    }
    const double dn = static_cast<double>(n);
    // Standard errors: mean 1/√n ≈ 0.0022, variance √(2/n) ≈ 0.0032, uniform mean 0.00065.
    EXPECT_NEAR(sum / dn, 0.0, 0.01);
    EXPECT_NEAR(sum2 / dn, 1.0, 0.015);
    EXPECT_NEAR(usum / dn, 0.5, 0.003);
    EXPECT_GE(umin, 0.0);
    EXPECT_LT(umax, 1.0);
    for (const auto c : counts) EXPECT_NEAR(static_cast<double>(c) / dn, 1.0 / 7.0, 0.004);
}

// The random starts (the SVDs' start block, NMF's random init): a block of the matrix is the
// same whether it is drawn alone (from its first position) or as part of the whole.
TEST(Random, GaussianBlocksAreThoseOfTheWholeMatrix) {
    const auto whole = linalg::gaussian(5, 6, 42, RandomStream::svd_start);
    const CounterRandom random(42, RandomStream::svd_start);
    for (std::int64_t c = 0; c < 6; ++c)
        for (std::int64_t r = 0; r < 5; ++r)
            EXPECT_EQ(whole(r, c), random.normal(static_cast<std::uint64_t>(c * 5 + r)));
    const auto right = linalg::gaussian(5, 2, 42, RandomStream::svd_start, 4 * 5);
    for (std::int64_t c = 0; c < 2; ++c)
        for (std::int64_t r = 0; r < 5; ++r) EXPECT_EQ(right(r, c), whole(r, c + 4));
    // Another stream or seed gives other numbers.
    EXPECT_NE(linalg::gaussian(5, 6, 42, RandomStream::nmf_init).data, whole.data);
    EXPECT_NE(linalg::gaussian(5, 6, 43, RandomStream::svd_start).data, whole.data);
}

}  // namespace
}  // namespace factopic::runtime
