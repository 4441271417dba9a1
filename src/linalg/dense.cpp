#include "factopic/linalg/dense.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <new>

namespace factopic::linalg {
namespace detail {

constexpr std::size_t huge_page = std::size_t{2} << 20;

void* allocate_huge(std::size_t bytes) {
    if (bytes == 0) bytes = 1;
    if (bytes < 2 * huge_page) {
        // Cache-line aligned, always: OpenBLAS's vector kernels peel to alignment, so the
        // rounding of a sum can depend on where a buffer lies — and results must not.
        void* p = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
        if (!p) throw std::bad_alloc();
        return p;
    }
    const std::size_t rounded = (bytes + huge_page - 1) / huge_page * huge_page;
    void* p = std::aligned_alloc(huge_page, rounded);
    if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    ::madvise(p, rounded, MADV_HUGEPAGE);  // advice only: failure leaves ordinary pages
#endif
    return p;
}

void free_huge(void* p) noexcept { std::free(p); }

}  // namespace detail

template <typename T>
Matrix<T> transpose(const Matrix<T>& a) {
    Matrix<T> t;
    transpose_into(a, t);
    return t;
}

template <typename T>
void transpose_into(const Matrix<T>& a, Matrix<T>& t) {
    if (t.rows != a.cols || t.cols != a.rows) t = Matrix<T>(a.cols, a.rows);
    constexpr std::int64_t b = 64;
    for (std::int64_t j0 = 0; j0 < a.cols; j0 += b)
        for (std::int64_t i0 = 0; i0 < a.rows; i0 += b)
            for (std::int64_t j = j0; j < std::min(j0 + b, a.cols); ++j)
                for (std::int64_t i = i0; i < std::min(i0 + b, a.rows); ++i) t(j, i) = a(i, j);
}

template <typename T>
Matrix<T> columns(const Matrix<T>& a, std::int64_t c0, std::int64_t n) {
    Matrix<T> out(a.rows, n);
    std::copy(a.col(c0), a.col(c0) + a.rows * n, out.ptr());
    return out;
}

template Matrix<float> transpose(const Matrix<float>&);
template void transpose_into(const Matrix<float>&, Matrix<float>&);
template void transpose_into(const Matrix<double>&, Matrix<double>&);
template Matrix<double> transpose(const Matrix<double>&);
template Matrix<float> columns(const Matrix<float>&, std::int64_t, std::int64_t);
template Matrix<double> columns(const Matrix<double>&, std::int64_t, std::int64_t);

Matrix<double> gaussian(std::int64_t rows, std::int64_t cols, std::uint64_t seed, runtime::RandomStream stream,
                        std::uint64_t first) {
    Matrix<double> x(rows, cols);
    const runtime::CounterRandom random(seed, stream);
    for (std::size_t i = 0; i < x.data.size(); ++i) x.data[i] = random.normal(first + i);
    return x;
}

}  // namespace factopic::linalg
