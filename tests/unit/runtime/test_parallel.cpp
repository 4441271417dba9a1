// Exceptions never escape an OpenMP region: the first is rethrown to the caller.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "factopic/runtime/parallel.hpp"

using namespace factopic::runtime;

TEST(Parallel, VisitsEveryIndexOnce) {
    std::vector<std::atomic<int>> seen(1000);
    parallel_for(seen.size(), [&](std::size_t i) { seen[i]++; });
    for (const auto& s : seen) EXPECT_EQ(s.load(), 1);
}

TEST(Parallel, InjectedFailureIsRethrownAndStopsTheRest) {
    std::atomic<int> ran{0};
    try {
        parallel_for(
            100000,
            [&](std::size_t i) {
                ++ran;
                if (i == 17) throw std::runtime_error("injected at 17");
            },
            1);
        FAIL() << "the exception was swallowed";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "injected at 17");
    }
    EXPECT_LT(ran.load(), 100000);
}
