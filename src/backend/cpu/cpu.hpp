// The CPU backend: OpenMP over fixed blocks and OpenBLAS (through linalg), with results that do
// not depend on the thread count. Its storage types are visible to src/backend/cpu/ only.
#pragma once

#include <variant>

#include "../backend.hpp"

namespace factopic::backend::cpu {

/// A dense matrix in host memory.
struct HostDense final : Storage {
    explicit HostDense(Matrix<double> x) : m(std::move(x)) {}
    Matrix<double> m;
};

/// A (the caller's, not copied: it outlives the call) and Aᵀ when asked for.
template <typename T>
struct HostSparseOf {
    const CsrMatrix<T>* a = nullptr;
    CsrMatrix<T> at;
    bool has_transpose = false;
    const CsrMatrix<T>& side(Side s) const;
};

struct HostSparse final : Storage {
    std::variant<HostSparseOf<float>, HostSparseOf<double>> of;
};

inline Matrix<double>& host(const Dense& x) { return x.storage<HostDense>().m; }

/// Calls f(const CsrMatrix<T>&) with the given side of an uploaded matrix.
template <typename F>
decltype(auto) visit_side(const Sparse& x, Side s, F&& f) {
    return std::visit([&](const auto& of) -> decltype(auto) { return f(of.side(s)); }, x.storage<HostSparse>().of);
}

class CpuBackend final : public Backend {
public:
    std::string_view name() const noexcept override { return "cpu"; }

    Sparse upload(const CsrMatrix<double>& a, bool with_transpose) const override;
    Sparse upload(const CsrMatrix<float>& a, bool with_transpose) const override;
    Dense upload(Matrix<double> x) const override;
    Matrix<double> download(Dense& x) const override;

    // -- SVD ----------------------------------------------------------------------------------
    // svd_products.cpp
    void multiply(const Sparse& a, Side s, const Matrix<double>& x, Matrix<double>& y, Scratch& scratch) const override;
    void multiply_rowwise(const Sparse& a, Side s, const Matrix<double>& xt, Matrix<double>& yt) const override;
    std::unique_ptr<GramOperator> gram_operator(const Sparse& a, Side s) const override;
    // svd_blocks.cpp
    void inner_products(const Matrix<double>& q, std::int64_t lo, const Matrix<double>& x,
                        Matrix<double>& c) const override;
    void subtract_combination(const Matrix<double>& q, std::int64_t lo, const Matrix<double>& c,
                              Matrix<double>& x) const override;
    void combine(const Matrix<double>& q, const Matrix<double>& y, bool y_transposed, Matrix<double>& v) const override;
    std::vector<double> column_norms2(const Matrix<double>& x) const override;
    void orthonormalize(Matrix<double>& x, Matrix<double>* r) const override;
    void lu_normalize(Matrix<double>& x) const override;
    Matrix<double> gram_wide(const Matrix<double>& x) const override;
    Matrix<double> gram_wide_general(const Matrix<double>& x) const override;
    void rotate_wide(const Matrix<double>& t, Matrix<double>& x) const override;
    // svd_full.cpp
    FullSvd full_svd_gram(const Sparse& a, const PhaseMark& mark) const override;
    FullSvd full_svd_gesdd(const Sparse& a, const PhaseMark& mark) const override;
    // svd_check.cpp
    SvdGramians svd_gramians(const Sparse& a, const Matrix<double>& u, const Matrix<double>& vt) const override;
    double svd_residual2(const Sparse& a, const Matrix<double>& u, const std::vector<double>& s,
                         const Matrix<double>& vt) const override;
    EntryScale entry_scale(const Sparse& a) const override;

    // -- NMF --------------------------------------------------------------------------------- (nmf.cpp)
    Matrix<double> factor_gram(const Dense& f) const override;
    void sparse_rowwise_product(const Sparse& x, Side side, const Dense& f, Dense& p) const override;
    NmfStepSums nmf_half_step(const Sparse& x, Side side, const Dense& f, Dense& y, const NmfRule& rule) const override;
    double nmf_stored_step(const Dense& p, Dense& y, const NmfRule& rule) const override;
    void nmf_kl_step(const Sparse& x, Side side, const Dense& f, Dense& y, const NmfKlRule& rule) const override;
    double nmf_kl_terms(const Sparse& a, const Dense& wr, const Dense& h) const override;
    void nmf_adam_step(Dense& y, Dense& m1, Dense& m2, const Dense& p, const NmfAdamRule& rule) const override;
    double inner(const Dense& x, const Dense& y) const override;
    std::vector<double> row_sums(const Dense& f) const override;
    std::int64_t clamp_below(Dense& y, double threshold) const override;
    void zero_columns(Dense& y, const std::vector<std::int64_t>& columns) const override;
    double squared_norm(const Sparse& a) const override;
    std::vector<std::int64_t> empty_rows(const Sparse& a) const override;
    std::optional<SparseEntry> first_negative_or_non_finite(const Sparse& a) const override;
    double largest_eigenvalue(const Matrix<double>& g) const override;
};

}  // namespace factopic::backend::cpu
