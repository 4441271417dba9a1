// Checks of a decomposition against A, without forming A or U·diag(s)·Vᵀ densely whole: the
// Gram matrices UᵀU, VᵀV and UᵀAV give the orthogonality errors and, through
// ‖A − USVᵀ‖² = ‖A‖² − 2·tr(S·UᵀAV) + ‖USVᵀ‖², the reconstruction error; when that identity
// cancels to rounding, the residual is summed exactly over blocks of rows.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "../../backend/backend.hpp"
#include "detail.hpp"
#include "factopic/core/error.hpp"
#include "factopic/linalg/sparse.hpp"

namespace factopic::decomp {

namespace {

using namespace svd_detail;

using Gramians = backend::Backend::SvdGramians;

/// ‖A − U_k S_k V_kᵀ‖_F² from the identity, for the first kk triplets.
double residual2_identity(double norm2, const Gramians& g, const std::vector<double>& s, std::int64_t kk) {
    double cross = 0, model = 0;
    for (std::int64_t i = 0; i < kk; ++i) {
        cross += s[static_cast<std::size_t>(i)] * g.utav(i, i);
        for (std::int64_t j = 0; j < kk; ++j)
            model += s[static_cast<std::size_t>(i)] * s[static_cast<std::size_t>(j)] * g.utu(i, j) * g.vtv(i, j);
    }
    return norm2 - 2 * cross + model;
}

/// The backend the checks run on: they take no context, so the default one's.
const backend::Backend& check_backend() { return backend::backend_for(runtime::ExecutionContext{}); }

}  // namespace

template <typename T>
SvdCheck check_svd(const CsrMatrix<T>& a, const SvdResult<T>& r) {
    const auto start = Clock::now();
    const Widened<CsrMatrix, T> ad(a);
    const Widened<Matrix, T> u(r.u), vt(r.vt);
    std::vector<double> s(r.s.begin(), r.s.end());
    const backend::Backend& be = check_backend();
    const backend::Sparse sparse = be.upload(*ad, false);
    const Gramians g = be.svd_gramians(sparse, *u, *vt);
    SvdCheck c;
    c.u_orthogonality_error = max_identity_error(g.utu);
    c.v_orthogonality_error = max_identity_error(g.vtv);
    const double norm = linalg::frobenius_norm(*ad);
    const double norm2 = norm * norm;
    double res2 = residual2_identity(norm2, g, s, static_cast<std::int64_t>(s.size()));
    // The identity cancels to rounding noise when the residual is small: then sum it exactly.
    if (!(res2 > 1e-6 * norm2)) res2 = be.svd_residual2(sparse, *u, s, *vt);
    c.reconstruction_error = norm > 0 ? std::sqrt(std::max(res2, 0.0)) / norm : std::sqrt(std::max(res2, 0.0));
    c.seconds = since(start);
    return c;
}

template <typename T>
std::vector<double> truncation_errors(const CsrMatrix<T>& a, const SvdResult<T>& r,
                                      const std::vector<std::int64_t>& ks) {
    const Widened<CsrMatrix, T> ad(a);
    const Widened<Matrix, T> u(r.u), vt(r.vt);
    std::vector<double> s(r.s.begin(), r.s.end());
    const backend::Backend& be = check_backend();
    const Gramians g = be.svd_gramians(be.upload(*ad, false), *u, *vt);
    const double norm = linalg::frobenius_norm(*ad);
    std::vector<double> out;
    for (const auto kk : ks) {
        if (kk < 0 || kk > static_cast<std::int64_t>(s.size()))
            throw InvalidArgument(fmt::format("k = {} exceeds the {} computed triplets", kk, s.size()));
        const double res2 = residual2_identity(norm * norm, g, s, kk);
        out.push_back(norm > 0 ? std::sqrt(std::max(res2, 0.0)) / norm : 0.0);
    }
    return out;
}

#define FACTOPIC_SVD_CHECK(T)                                                                \
    template SvdCheck check_svd(const CsrMatrix<T>&, const SvdResult<T>&);                   \
    template std::vector<double> truncation_errors(const CsrMatrix<T>&, const SvdResult<T>&, \
                                                   const std::vector<std::int64_t>&);
FACTOPIC_SVD_CHECK(float)
FACTOPIC_SVD_CHECK(double)
#undef FACTOPIC_SVD_CHECK

}  // namespace factopic::decomp
