// Dense matrices for the decompositions: column-major (LAPACK's layout), leading dimension =
// rows. Large buffers are 2 MiB aligned and advised as huge pages: here, first touch of fresh
// memory costs about 4 s/GB in 4 KiB pages and a sixth of that in huge pages.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "factopic/core/csr.hpp"
#include "factopic/runtime/random.hpp"

namespace factopic::linalg {

namespace detail {
void* allocate_huge(std::size_t bytes);
void free_huge(void* p) noexcept;
}  // namespace detail

/// Leaves trivially constructible elements uninitialised (the filling loop touches the pages),
/// aligns every buffer to 64 bytes (so that BLAS kernels round the same way on every run)
/// and puts buffers of 4 MiB or more on 2 MiB boundaries with MADV_HUGEPAGE.
template <typename T>
struct HugeAllocator : DefaultInitAllocator<T> {
    template <typename U>
    struct rebind {
        using other = HugeAllocator<U>;
    };
    HugeAllocator() noexcept = default;
    template <typename U>
    HugeAllocator(const HugeAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return static_cast<T*>(detail::allocate_huge(n * sizeof(T))); }
    void deallocate(T* p, std::size_t) noexcept { detail::free_huge(p); }
};

template <typename T>
using HugeArray = std::vector<T, HugeAllocator<T>>;

/// A rows × cols column-major matrix; element (i, j) is data[i + j·rows].
template <typename T>
struct Matrix {
    using Scalar = T;
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    HugeArray<T> data;

    Matrix() = default;
    /// Uninitialised contents.
    Matrix(std::int64_t r, std::int64_t c) : rows(r), cols(c), data(static_cast<std::size_t>(r * c)) {}
    static Matrix zeros(std::int64_t r, std::int64_t c) {
        Matrix m(r, c);
        std::fill(m.data.begin(), m.data.end(), T(0));
        return m;
    }
    static Matrix identity(std::int64_t n) {
        Matrix m = zeros(n, n);
        for (std::int64_t i = 0; i < n; ++i) m(i, i) = T(1);
        return m;
    }

    T* ptr() noexcept { return data.data(); }
    const T* ptr() const noexcept { return data.data(); }
    T* col(std::int64_t j) noexcept { return data.data() + j * rows; }
    const T* col(std::int64_t j) const noexcept { return data.data() + j * rows; }
    T& operator()(std::int64_t i, std::int64_t j) noexcept { return data[static_cast<std::size_t>(i + j * rows)]; }
    T operator()(std::int64_t i, std::int64_t j) const noexcept { return data[static_cast<std::size_t>(i + j * rows)]; }
    std::int64_t ld() const noexcept { return rows > 0 ? rows : 1; }

    template <typename U>
    Matrix<U> cast() const {
        Matrix<U> out(rows, cols);
        for (std::size_t i = 0; i < data.size(); ++i) out.data[i] = static_cast<U>(data[i]);
        return out;
    }
};

/// The transpose, as a new matrix.
template <typename T>
Matrix<T> transpose(const Matrix<T>& a);

/// The transpose into out, reusing out's buffer when it already has the right shape.
template <typename T>
void transpose_into(const Matrix<T>& a, Matrix<T>& out);

/// Columns [c0, c0 + n) of a, copied.
template <typename T>
Matrix<T> columns(const Matrix<T>& a, std::int64_t c0, std::int64_t n);

/// A rows × cols matrix of independent standard normals: entry (r, c) is the normal at position
/// first + c·rows + r of the stream under the seed (runtime::CounterRandom, Philox), so any part of
/// it is the same whichever thread, rank or device makes it.
Matrix<double> gaussian(std::int64_t rows, std::int64_t cols, std::uint64_t seed, runtime::RandomStream stream,
                        std::uint64_t first = 0);

}  // namespace factopic::linalg
