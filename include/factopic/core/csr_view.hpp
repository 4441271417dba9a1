// A CSR matrix over arrays the caller owns (scipy's indptr, indices and data; a memory-mapped
// file's), and the CsrMatrix that reads them in place: what a binding hands the library without
// copying the matrix.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

#include "factopic/core/csr.hpp"
#include "factopic/core/error.hpp"

namespace factopic {

/// rows × cols in CSR form over the caller's arrays: indptr (rows + 1 offsets), indices and values
/// (indptr[rows] entries each). Index is int32 or int64 (scipy uses one type for indptr and
/// indices), Value float or double. Nothing is copied or checked until borrow_csr.
template <typename Index, typename Value>
struct CsrView {
    static_assert(std::is_same_v<Index, std::int32_t> || std::is_same_v<Index, std::int64_t>,
                  "CsrView indices are int32 or int64");
    static_assert(std::is_same_v<Value, float> || std::is_same_v<Value, double>, "CsrView values are float or double");
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    const Index* indptr = nullptr;
    const Index* indices = nullptr;
    const Value* values = nullptr;
};

/// The CsrMatrix of a view, after checking it: indptr starts at 0 and never decreases, every
/// column index is in [0, cols) and strictly increasing within its row (a scipy matrix may need
/// sort_indices() and sum_duplicates() first), and every value is finite. A failed check throws
/// InvalidArgument naming the row, the position and the value.
///
/// The values are read in place, never copied or written; so are the indices when they are int32
/// and indptr when it is int64. An int32 indptr is widened into a copy of rows + 1 offsets; int64
/// indices are narrowed into a copy (cols must fit in int32). The view's arrays must outlive the
/// matrix and stay unchanged while it is used; a copy of the matrix owns its arrays.
template <typename Index, typename Value>
CsrMatrix<Value> borrow_csr(const CsrView<Index, Value>& v) {
    auto refuse = [](const std::string& why) { throw InvalidArgument("CSR matrix: " + why); };
    if (v.rows < 0 || v.cols < 0) refuse("negative shape " + std::to_string(v.rows) + " x " + std::to_string(v.cols));
    if (v.cols > std::numeric_limits<std::int32_t>::max())
        refuse(std::to_string(v.cols) + " columns; at most 2147483647 are supported");
    if (v.indptr == nullptr) refuse("no indptr array");
    if (v.indptr[0] != 0) refuse("indptr[0] is " + std::to_string(v.indptr[0]) + ", not 0");
    for (std::int64_t i = 0; i < v.rows; ++i)
        if (v.indptr[i + 1] < v.indptr[i])
            refuse("indptr decreases at row " + std::to_string(i) + " (" + std::to_string(v.indptr[i]) + " then " +
                   std::to_string(v.indptr[i + 1]) + ")");
    const auto nnz = static_cast<std::int64_t>(v.indptr[v.rows]);
    if (nnz > 0 && (v.indices == nullptr || v.values == nullptr)) refuse("no indices or values array");
    for (std::int64_t i = 0; i < v.rows; ++i)
        for (std::int64_t p = v.indptr[i]; p < v.indptr[i + 1]; ++p) {
            const auto j = static_cast<std::int64_t>(v.indices[p]);
            if (j < 0 || j >= v.cols)
                refuse("row " + std::to_string(i) + ", entry " + std::to_string(p) + ": column " + std::to_string(j) +
                       " outside [0, " + std::to_string(v.cols) + ")");
            if (p > v.indptr[i] && j <= static_cast<std::int64_t>(v.indices[p - 1]))
                refuse("row " + std::to_string(i) + ", entry " + std::to_string(p) + ": column " + std::to_string(j) +
                       " after column " + std::to_string(v.indices[p - 1]) +
                       " (indices must be sorted and without duplicates: scipy's sort_indices(), sum_duplicates())");
            if (!std::isfinite(v.values[p]))
                refuse("row " + std::to_string(i) + ", column " + std::to_string(j) + ": value " +
                       std::to_string(v.values[p]) + " is not finite");
        }

    CsrMatrix<Value> m;
    m.rows = v.rows;
    m.cols = v.cols;
    const auto entries = static_cast<std::size_t>(nnz);
    if constexpr (std::is_same_v<Index, std::int64_t>) {
        m.indptr = CsrArray<std::int64_t>::borrow(v.indptr, static_cast<std::size_t>(v.rows) + 1);
        m.indices.resize(entries);  // each checked above to be in [0, cols), cols in int32
        for (std::size_t p = 0; p < entries; ++p) m.indices[p] = static_cast<std::int32_t>(v.indices[p]);
    } else {
        m.indptr.assign(v.indptr, v.indptr + v.rows + 1);
        m.indices = CsrArray<std::int32_t>::borrow(v.indices, entries);
    }
    m.values = CsrArray<Value>::borrow(v.values, entries);
    return m;
}

}  // namespace factopic
