// Threading for the library: one place that talks to OpenMP, so that thread counts are set
// uniformly and no exception ever escapes a parallel region (the first one is captured, the
// remaining iterations are skipped, and it is rethrown on the calling thread).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace factopic::runtime {

/// Threads parallel regions will use (OMP_NUM_THREADS or the core count unless set_threads).
inline int max_threads() noexcept {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

/// Sets the thread count for later parallel regions; n <= 0 leaves the default.
inline void set_threads(int n) noexcept {
#ifdef _OPENMP
    if (n > 0) omp_set_num_threads(n);
#else
    (void)n;
#endif
}

inline int thread_id() noexcept {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/// Collects the first exception thrown by any thread of a parallel region.
class ExceptionSlot {
public:
    bool stopped() const noexcept { return m_stop.load(std::memory_order_relaxed); }
    void capture() noexcept {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_error) m_error = std::current_exception();
        m_stop.store(true, std::memory_order_relaxed);
    }
    void rethrow() const {
        if (m_error) std::rethrow_exception(m_error);
    }

private:
    std::atomic<bool> m_stop{false};
    std::mutex m_mutex;
    std::exception_ptr m_error;
};

/// Runs body(thread, i) for i in [0, n) with dynamic scheduling in chunks of `chunk`. One chunk
/// or less runs on the calling thread alone (no team to wake and wait for).
template <typename Body>
void parallel_for_thread(std::size_t n, Body&& body, std::size_t chunk = 16) {
    ExceptionSlot slot;
#ifdef _OPENMP
#pragma omp parallel if (n > chunk)
    {
        const int tid = thread_id();
#pragma omp for schedule(dynamic, 1)
        for (std::size_t start = 0; start < n; start += chunk) {
            if (slot.stopped()) continue;
            try {
                const std::size_t end = start + chunk < n ? start + chunk : n;
                for (std::size_t i = start; i < end; ++i) body(tid, i);
            } catch (...) {
                slot.capture();
            }
        }
    }
#else
    try {
        for (std::size_t i = 0; i < n; ++i) body(0, i);
    } catch (...) {
        slot.capture();
    }
    (void)chunk;
#endif
    slot.rethrow();
}

/// Runs body(i) for i in [0, n) in parallel; see parallel_for_thread.
template <typename Body>
void parallel_for(std::size_t n, Body&& body, std::size_t chunk = 16) {
    parallel_for_thread(
        n, [&](int, std::size_t i) { body(i); }, chunk);
}

/// Σ over [0, n) of part(lo, hi), with [0, n) cut into blocks of `block` (a size fixed by the
/// caller, never by the thread count), the blocks summed in parallel and their sums added in
/// block order: the same total on any number of threads.
template <typename Part>
double fixed_order_sum(std::int64_t n, std::int64_t block, Part&& part) {
    const auto blocks = static_cast<std::size_t>((n + block - 1) / block);
    std::vector<double> partial(blocks, 0.0);
    parallel_for(
        blocks,
        [&](std::size_t b) {
            const std::int64_t lo = static_cast<std::int64_t>(b) * block;
            partial[b] = part(lo, n < lo + block ? n : lo + block);
        },
        1);
    double total = 0;
    for (const double v : partial) total += v;
    return total;
}

}  // namespace factopic::runtime
