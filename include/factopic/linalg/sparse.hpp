// Sparse × dense kernels on CSR matrices, multi-threaded over output columns, each output
// element summed in a fixed order so that results do not depend on the thread count.
// Dense blocks are kept "row-wise": a k × n column-major Matrix whose column j is row j of the
// n × k block it stands for, so that a kernel reads contiguous rows.
#pragma once

#include "factopic/core/csr.hpp"
#include "factopic/linalg/dense.hpp"

namespace factopic::linalg {

/// Aᵀ in CSR form (the CSC form of A).
template <typename T>
CsrMatrix<T> transpose(const CsrMatrix<T>& a);

/// Y(:, i) = Σ_j A(i, j)·X(:, j): X is k × A.cols, Y becomes k × A.rows. In the row-wise
/// convention this is Y = A·X.
template <typename T, typename U>
void multiply_rowwise(const CsrMatrix<T>& a, const Matrix<U>& x, Matrix<U>& y);

/// Rows [lo, hi) of the same product, serially: out (k × (hi − lo), column-major) gets
/// Y(:, lo..hi). For kernels that consume a block of the product at once and never need it all.
template <typename T, typename U>
void multiply_rows(const CsrMatrix<T>& a, const Matrix<U>& x, std::int64_t lo, std::int64_t hi, U* out);

/// Y = MᵀM·X for X and Y column-major (M.cols × k), in one pass over M: for each row i of M with
/// two or more entries, w = M(i, :)·X (a gather), then Y += M(i, :)ᵀ·w (a scatter over the same
/// entries, still in cache); a row with a single entry v in column j adds v²·X(j, :) instead,
/// through a diagonal. The rows are cut into groups of about `group_entries` entries each (at
/// least 4·M.cols, at most 64 groups): a rule of M's shape alone. Each group's scatter goes to
/// its own partial sum, by one thread, and the partial sums are added in group order, so Y does
/// not depend on the thread count. X is copied row-wise first (a gather reads one row of it per
/// entry); the partial sums are kept between calls.
class GramProduct {
public:
    explicit GramProduct(const CsrMatrix<double>& m, std::int64_t group_entries = std::int64_t{1} << 19);
    void apply(const Matrix<double>& x, Matrix<double>& y);

private:
    const CsrMatrix<double>& m_m;
    std::vector<std::int64_t> m_rows;   // the rows of M with two or more entries
    std::vector<std::size_t> m_groups;  // groups + 1 bounds into m_rows
    std::vector<double> m_diagonal;     // per column: Σ v² over the rows whose only entry it holds
    Matrix<double> m_x;                 // X row-wise, k × M.cols
    Matrix<double> m_partial;           // a group's partial sum per column, row-wise (k·M.cols)
};

/// A·Aᵀ as a dense rows × rows matrix (both triangles), from A and at = transpose(A).
template <typename T>
Matrix<double> gram_rows(const CsrMatrix<T>& a, const CsrMatrix<T>& at);

/// ‖A‖_F, summed in double.
template <typename T>
double frobenius_norm(const CsrMatrix<T>& a);

/// A as a dense matrix in double (its stored entries; the others 0).
template <typename T>
Matrix<double> to_dense(const CsrMatrix<T>& a);

/// The CSR form of a dense matrix: every entry that is not 0 is stored (NaN too, so that a
/// check after it can name it), row by row.
template <typename T>
CsrMatrix<T> to_csr(const Matrix<T>& a);

}  // namespace factopic::linalg
