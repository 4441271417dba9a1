// The compressed sparse row matrix every stage hands to the next: the vectorizer produces one,
// the decompositions consume one. It lives in core so that text and linalg both see it without
// seeing each other.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace factopic {

/// An allocator whose resize() leaves new elements of trivial types uninitialised, so that a
/// large array is first written (and its pages first touched) by the parallel loop that fills
/// it, not zeroed by one thread beforehand.
template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
    template <typename U>
    struct rebind {
        using other = DefaultInitAllocator<U>;
    };
    DefaultInitAllocator() noexcept = default;
    template <typename U>
    DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
    template <typename U>
    void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
        ::new (static_cast<void*>(p)) U;
    }
    template <typename U, typename... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};

/// A growable array that does not zero what resize() adds (see DefaultInitAllocator).
template <typename T>
using Array = std::vector<T, DefaultInitAllocator<T>>;

/// A rows × cols sparse matrix in CSR form. Row i's entries are indices/values in
/// [indptr[i], indptr[i+1]); column indices are strictly increasing within a row.
template <typename T>
struct CsrMatrix {
    using Scalar = T;
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    Array<std::int64_t> indptr{0};  ///< rows + 1 offsets, indptr[0] = 0
    Array<std::int32_t> indices;    ///< column of each stored entry, 0-based
    Array<T> values;                ///< value of each stored entry

    std::int64_t nnz() const noexcept { return static_cast<std::int64_t>(values.size()); }
    std::int64_t row_nnz(std::int64_t i) const noexcept { return indptr[i + 1] - indptr[i]; }

    template <typename U>
    CsrMatrix<U> cast() const {
        CsrMatrix<U> out;
        out.rows = rows;
        out.cols = cols;
        out.indptr = indptr;
        out.indices = indices;
        out.values.resize(values.size());
        std::transform(values.begin(), values.end(), out.values.begin(), [](T v) { return static_cast<U>(v); });
        return out;
    }
};

}  // namespace factopic
