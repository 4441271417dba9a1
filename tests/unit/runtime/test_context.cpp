// The per-call execution context: its thread count holds for the call's thread alone and is
// restored after it; the serial communicator leaves data as it is.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "factopic/core/error.hpp"
#include "factopic/runtime/context.hpp"
#include "factopic/runtime/parallel.hpp"

namespace factopic::runtime {
namespace {

/// The distinct OpenMP threads that ran a parallel loop of 64 chunks.
std::size_t threads_used() {
    std::mutex m;
    std::set<int> ids;
    parallel_for_thread(
        64 * 16,
        [&](int tid, std::size_t) {
            const std::lock_guard<std::mutex> lock(m);
            ids.insert(tid);
        },
        16);
    return ids.size();
}

TEST(Context, ThreadCountHoldsInItsScopeAndIsRestored) {
    const int before = max_threads();
    {
        const ContextScope scope(ExecutionContext{Device::cpu, 1, nullptr});
        EXPECT_EQ(max_threads(), 1);
        EXPECT_EQ(threads_used(), 1u);
        {
            const ContextScope inner(ExecutionContext{Device::cpu, 3, nullptr});
            EXPECT_EQ(max_threads(), 3);
        }
        EXPECT_EQ(max_threads(), 1);
    }
    EXPECT_EQ(max_threads(), before);
    {
        const ContextScope defaults(ExecutionContext{});  // threads 0: the default, unchanged
        EXPECT_EQ(max_threads(), before);
    }
}

TEST(Context, TwoCallsOnTwoThreadsKeepTheirOwnCounts) {
    std::atomic<int> seen_one{0}, seen_three{0};
    std::thread a([&] {
        const ContextScope scope(ExecutionContext{Device::cpu, 1, nullptr});
        for (int i = 0; i < 20; ++i) {
            std::this_thread::yield();
            if (max_threads() == 1) ++seen_one;
        }
    });
    std::thread b([&] {
        const ContextScope scope(ExecutionContext{Device::cpu, 3, nullptr});
        for (int i = 0; i < 20; ++i) {
            std::this_thread::yield();
            if (max_threads() == 3) ++seen_three;
        }
    });
    a.join();
    b.join();
    EXPECT_EQ(seen_one, 20);
    EXPECT_EQ(seen_three, 20);
}

TEST(Context, RefusesANegativeThreadCount) {
    EXPECT_THROW(ContextScope(ExecutionContext{Device::cpu, -1, nullptr}), InvalidArgument);
    EXPECT_EQ(to_string(Device::cpu), "cpu");
}

TEST(Context, TheSerialCommunicatorIsRankZeroOfOne) {
    const ExecutionContext context;
    Communicator& comm = context.comm();
    EXPECT_EQ(comm.rank(), 0);
    EXPECT_EQ(comm.size(), 1);
    std::vector<double> v{1.5, -2, 3};
    comm.allreduce_sum(v.data(), v.size());
    EXPECT_EQ(v, (std::vector<double>{1.5, -2, 3}));
    std::vector<double> all(3);
    comm.allgather(v.data(), v.size(), all.data());
    EXPECT_EQ(all, v);
}

}  // namespace
}  // namespace factopic::runtime
