// The seam between the algorithms (src/decomp/) and the hardware they run on: a private
// interface at the granularity the solvers use, not BLAS's. A solver uploads its sparse matrix
// (A and, when it needs it, Aᵀ) and its dense factors once, runs its loop through the
// operations below and the communicator (runtime/context.hpp), and downloads the result. Small
// dense blocks — k × k Gram matrices, sums, the Ritz problems — come back to the host as
// linalg::Matrix<double>, which is what a communicator reduces across ranks.
//
// Only src/backend/ knows how an operation is done: src/backend/cpu/ holds the OpenMP and
// OpenBLAS kernels, and src/backend/registry.cpp, the only file that may test for CUDA or MPI,
// picks the backend of an ExecutionContext. Results of the CPU backend do not depend on its
// thread count (fixed blocks, summed in a fixed order).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "factopic/core/csr.hpp"
#include "factopic/linalg/dense.hpp"
#include "factopic/runtime/context.hpp"
#include "nmf_rules.hpp"

namespace factopic::backend {

using linalg::Matrix;

/// What a backend keeps of an uploaded matrix; each backend derives its own.
class Storage {
public:
    virtual ~Storage() = default;
};

/// A dense matrix resident on a backend (on the CPU: a linalg::Matrix<double> in host memory),
/// made by Backend::upload and read back by Backend::download. Only the backend that made it
/// reads its storage.
class Dense {
public:
    Dense() = default;
    Dense(std::int64_t rows, std::int64_t cols, std::unique_ptr<Storage> storage)
        : m_rows(rows), m_cols(cols), m_storage(std::move(storage)) {}
    std::int64_t rows() const noexcept { return m_rows; }
    std::int64_t cols() const noexcept { return m_cols; }
    template <typename S>
    S& storage() const {
        return static_cast<S&>(*m_storage);
    }

private:
    std::int64_t m_rows = 0, m_cols = 0;
    std::unique_ptr<Storage> m_storage;
};

/// Which of an uploaded sparse matrix's two orientations an operation reads.
enum class Side { a, at };

/// A sparse matrix A (m × n, float or double values) uploaded once, with Aᵀ when it was asked
/// for, ‖A‖²_F and A's empty rows (rows without a non-zero value).
class Sparse {
public:
    Sparse(std::int64_t rows, std::int64_t cols, std::unique_ptr<Storage> storage)
        : m_rows(rows), m_cols(cols), m_storage(std::move(storage)) {}
    /// The shape of the given side: A is rows × cols, Aᵀ cols × rows.
    std::int64_t rows(Side s = Side::a) const noexcept { return s == Side::a ? m_rows : m_cols; }
    std::int64_t cols(Side s = Side::a) const noexcept { return s == Side::a ? m_cols : m_rows; }
    template <typename S>
    S& storage() const {
        return static_cast<S&>(*m_storage);
    }

private:
    std::int64_t m_rows, m_cols;
    std::unique_ptr<Storage> m_storage;
};

class Backend {
public:
    virtual ~Backend() = default;
    virtual std::string_view name() const noexcept = 0;

    // -- Upload and download ------------------------------------------------------------------
    /// A on the backend, with Aᵀ when `with_transpose` (the operations on Side::at need it).
    virtual Sparse upload(const CsrMatrix<double>& a, bool with_transpose) const = 0;
    virtual Sparse upload(const CsrMatrix<float>& a, bool with_transpose) const = 0;
    /// x on the backend (moved in: the CPU backend keeps it as it is).
    virtual Dense upload(Matrix<double> x) const = 0;
    /// x back in host memory (moved out: x is empty afterwards).
    virtual Matrix<double> download(Dense& x) const = 0;

    // -- SVD ----------------------------------------------------------------------------------
    // The steps of src/decomp/svd/: the sparse products of the truncated methods, the products
    // and factorisations of their tall blocks (host matrices for now, n × l with n the short side;
    // a backend that keeps them resident would take Dense here), the full methods whole, and the
    // checks. Sparse operands are uploaded with double values. Results do not depend on the
    // thread count, except the full methods', which run LAPACK with the call's threads.

    /// Buffers an operation keeps from one call to the next (made by the backend on first use).
    using Scratch = std::unique_ptr<Storage>;
    /// Y = M·X for M the given side of a (rows(s) × cols(s)) and X cols(s) × l: Y is rows(s) × l.
    virtual void multiply(const Sparse& a, Side s, const Matrix<double>& x, Matrix<double>& y,
                          Scratch& scratch) const = 0;
    /// (M·X)ᵀ from Xᵀ (l × cols(s)), kept row-wise: l × rows(s). y keeps its memory when it has
    /// that shape already.
    virtual void multiply_rowwise(const Sparse& a, Side s, const Matrix<double>& xt, Matrix<double>& yt) const = 0;
    /// MᵀM·X in one pass over M, with what that pass needs prepared once.
    class GramOperator {
    public:
        virtual ~GramOperator() = default;
        /// y = MᵀM·x (x and y: M.cols × l).
        virtual void apply(const Matrix<double>& x, Matrix<double>& y) = 0;
    };
    /// The GramOperator of M, the given side of a (which must outlive it).
    virtual std::unique_ptr<GramOperator> gram_operator(const Sparse& a, Side s) const = 0;

    /// C = Q[:, lo : lo + C.rows]ᵀ·X (C preallocated, X.cols columns), for a tall basis Q and
    /// block X (the same rows): Gram–Schmidt's coefficients, or XᵀX with Q = X.
    virtual void inner_products(const Matrix<double>& q, std::int64_t lo, const Matrix<double>& x,
                                Matrix<double>& c) const = 0;
    /// X −= Q[:, lo : lo + C.rows]·C: Gram–Schmidt's subtraction.
    virtual void subtract_combination(const Matrix<double>& q, std::int64_t lo, const Matrix<double>& c,
                                      Matrix<double>& x) const = 0;
    /// V = Q[:, :p]·Y[:p, :V.cols] (p = Y.rows), or Q[:, :p]·(Yᵀ)[:p, :V.cols] (p = Y.cols) when
    /// `y_transposed`: a tall block times a small matrix, into the preallocated V.
    virtual void combine(const Matrix<double>& q, const Matrix<double>& y, bool y_transposed,
                         Matrix<double>& v) const = 0;
    /// ‖X column j‖² for each column of a tall X, each summed in row order.
    virtual std::vector<double> column_norms2(const Matrix<double>& x) const = 0;
    /// Householder QR of a tall block on one thread: X ← its orthonormal factor, R when asked.
    virtual void orthonormalize(Matrix<double>& x, Matrix<double>* r) const = 0;
    /// X ← the permuted unit lower factor of X's LU, on one thread (rsvd's LU normaliser).
    virtual void lu_normalize(Matrix<double>& x) const = 0;
    /// X·Xᵀ (k × k) of a wide X (k × n): symmetric products over fixed blocks of columns.
    virtual Matrix<double> gram_wide(const Matrix<double>& x) const = 0;
    /// X·Xᵀ (k × k) of a wide X as one general product in fixed blocks (CholeskyQR's Gram).
    virtual Matrix<double> gram_wide_general(const Matrix<double>& x) const = 0;
    /// X ← Tᵀ·X in place for a wide X (k × n) and T k × k.
    virtual void rotate_wide(const Matrix<double>& t, Matrix<double>& x) const = 0;

    /// A full SVD: U, s, Vᵀ, and how many triplets the Gram method refined.
    struct FullSvd {
        Matrix<double> u, vt;
        std::vector<double> s;
        std::int64_t refined = 0;
    };
    /// Marks the end of a phase of the method (its name).
    using PhaseMark = std::function<void(const char*)>;
    /// The full SVD of A (m ≤ n) by its Gram matrix and selective refinement, signs fixed
    /// (svd_flip). Phases: gram, eigen, project, cosines, refine, assemble.
    virtual FullSvd full_svd_gram(const Sparse& a, const PhaseMark& mark) const = 0;
    /// The full SVD of A by LAPACK's gesdd on A made dense. Phases: densify, gesdd.
    virtual FullSvd full_svd_gesdd(const Sparse& a, const PhaseMark& mark) const = 0;

    /// UᵀU, VᵀV and UᵀAV (k × k each) for U (m × k) and Vᵀ (k × n): the SVD checks' Gram matrices.
    struct SvdGramians {
        Matrix<double> utu, vtv;
        Matrix<double> utav;  ///< (UᵀAV)ᵀ = (AV)ᵀU: the checks read its diagonal
    };
    virtual SvdGramians svd_gramians(const Sparse& a, const Matrix<double>& u, const Matrix<double>& vt) const = 0;
    /// ‖A − U·diag(s)·Vᵀ‖_F², summed exactly over blocks of rows.
    virtual double svd_residual2(const Sparse& a, const Matrix<double>& u, const std::vector<double>& s,
                                 const Matrix<double>& vt) const = 0;
    /// What the SVD's scale check reads of A (float or double values): its first non-finite entry,
    /// row by row (finite = false, at row, col with its value), else its entry of largest
    /// magnitude (the first of ties, at row, col) and ‖A‖_F as largest·‖A/largest‖_F, in which no
    /// square overflows or underflows (0 for A = 0).
    struct EntryScale {
        bool finite = true;
        std::int64_t row = 0, col = 0;
        double value = 0, largest = 0, norm = 0;
    };
    virtual EntryScale entry_scale(const Sparse& a) const = 0;

    // -- NMF ---------------------------------------------------------------------------------
    /// F·Fᵀ of a row-wise k × n factor (k × k, both triangles), in fixed blocks.
    virtual Matrix<double> factor_gram(const Dense& f) const = 0;
    /// p = X·Fᵀ (k × M, row-wise) for X the given side of x and F a k × N factor; p's storage is
    /// reused when it has one (an empty Dense() gets a new one).
    virtual void sparse_rowwise_product(const Sparse& x, Side side, const Dense& f, Dense& p) const = 0;
    /// One fused half-step: P = X·Fᵀ a block of columns at a time (never stored whole), the rule
    /// on every column of Y, and the sums over the columns (fixed blocks, added in order).
    virtual NmfStepSums nmf_half_step(const Sparse& x, Side side, const Dense& f, Dense& y,
                                      const NmfRule& rule) const = 0;
    /// The same with P given whole (k × M); returns the own sum. Rules cd and mu.
    virtual double nmf_stored_step(const Dense& p, Dense& y, const NmfRule& rule) const = 0;
    /// The multiplicative KL update of Y, one pass over X's non-zeros (WH formed only there).
    virtual void nmf_kl_step(const Sparse& x, Side side, const Dense& f, Dense& y, const NmfKlRule& rule) const = 0;
    /// Σ over A's non-zeros x > EPSILON of x·log(x/(wh)) − x (wh = 0 read as EPSILON): the data
    /// term of KL(A ‖ WH), for Wr k × m and H k × n.
    virtual double nmf_kl_terms(const Sparse& a, const Dense& wr, const Dense& h) const = 0;
    /// One Adam step on every column of Y with moments m1, m2 and P (k × M).
    virtual void nmf_adam_step(Dense& y, Dense& m1, Dense& m2, const Dense& p, const NmfAdamRule& rule) const = 0;
    /// ⟨X, Y⟩ of two equally shaped matrices, in fixed blocks added in order.
    virtual double inner(const Dense& x, const Dense& y) const = 0;
    /// The row sums of a k × n factor (Σ over its columns).
    virtual std::vector<double> row_sums(const Dense& f) const = 0;
    /// Sets the entries below `threshold` to 0; returns how many there were.
    virtual std::int64_t clamp_below(Dense& y, double threshold) const = 0;
    /// Sets the given columns to 0.
    virtual void zero_columns(Dense& y, const std::vector<std::int64_t>& columns) const = 0;
    /// ‖A‖²_F (the square of the Frobenius norm).
    virtual double squared_norm(const Sparse& a) const = 0;
    /// A's rows without a non-zero value, ascending.
    virtual std::vector<std::int64_t> empty_rows(const Sparse& a) const = 0;
    /// The first stored entry of A, in row order, that is negative or not finite.
    virtual std::optional<SparseEntry> first_negative_or_non_finite(const Sparse& a) const = 0;
    /// The largest eigenvalue of a symmetric k × k matrix with finite entries (0 for k = 0).
    virtual double largest_eigenvalue(const Matrix<double>& g) const = 0;
};

/// The backend that runs a call with this context (registry.cpp). InvalidArgument for a device
/// this build has no backend for.
const Backend& backend_for(const runtime::ExecutionContext& context);

}  // namespace factopic::backend
