// The starts of the NMF solvers, scikit-learn's _initialize_nmf: random (√(mean(A)/k)·|N(0, 1)|),
// NNDSVD (Boutsidis & Gallopoulos 2008) with its zeros kept (nndsvd), set to mean(A) (nndsvda)
// or to small random values (nndsvdar), and custom factors.
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "detail.hpp"
#include "factopic/decomp/svd.hpp"

namespace factopic::decomp::nmf_detail {

template <typename T>
double matrix_mean(const CsrMatrix<T>& a) {
    double s = 0;
    for (const T v : a.values) s += static_cast<double>(v);
    return s / (static_cast<double>(a.rows) * static_cast<double>(a.cols));
}

namespace {

/// √(mean(A)/k)·|N(0, 1)|, H drawn first, then W (scikit-learn's order).
Factors random_start(std::int64_t m, std::int64_t n, std::int64_t k, double mean, std::uint64_t seed) {
    Factors f;
    const double avg = std::sqrt(mean / static_cast<double>(k));
    const Matrix<double> z = linalg::gaussian(k, n + m, seed, runtime::RandomStream::nmf_init);
    f.h = Matrix<double>(k, n);
    f.wr = Matrix<double>(k, m);
    for (std::int64_t j = 0; j < n; ++j)
        for (std::int64_t t = 0; t < k; ++t) f.h(t, j) = avg * std::fabs(z(t, j));
    for (std::int64_t i = 0; i < m; ++i)
        for (std::int64_t t = 0; t < k; ++t) f.wr(t, i) = avg * std::fabs(z(t, n + i));
    return f;
}

/// NNDSVD from the k leading singular triplets, its entries below 1e-6 set to 0. scikit-learn
/// takes them from randomized_svd; here from the Krylov method, accurate to 1e-6.
template <typename T>
Factors nndsvd(const CsrMatrix<T>& a, const NmfOptions& o) {
    const std::int64_t m = a.rows, n = a.cols, k = o.k;
    Factors f;
    TruncatedSvdOptions so;
    so.k = k;
    so.method = SvdMethod::krylov;
    so.seed = o.seed;
    SvdResult<T> svd = truncated_svd(a, so);
    // Component j keeps the positive or the negative parts of u_j and v_j, whichever pair has the
    // larger product of norms (component 0: |u_0|, |v_0|), scaled to √(s_j·that product). H is
    // made in place from a double Vᵀ (same k × n layout), so that no second k × n matrix is held.
    f.wr = Matrix<double>::zeros(k, m);
    if constexpr (!std::is_same_v<T, double>) f.h = Matrix<double>(k, n);
    for (std::int64_t j = 0; j < k; ++j) {
        const double sj = static_cast<double>(svd.s[static_cast<std::size_t>(j)]);
        double xp = 0, xn = 0, yp = 0, yn = 0;
        for (std::int64_t i = 0; i < m; ++i) {
            const double v = static_cast<double>(svd.u(i, j));
            (v > 0 ? xp : xn) += v * v;
        }
        for (std::int64_t c = 0; c < n; ++c) {
            const double v = static_cast<double>(svd.vt(j, c));
            (v > 0 ? yp : yn) += v * v;
        }
        xp = std::sqrt(xp), xn = std::sqrt(xn), yp = std::sqrt(yp), yn = std::sqrt(yn);
        const bool absolute = j == 0, positive = xp * yp > xn * yn;
        const double xnorm = absolute ? 1.0 : (positive ? xp : xn), ynorm = absolute ? 1.0 : (positive ? yp : yn);
        const double lbd = absolute ? std::sqrt(sj) : std::sqrt(sj * xnorm * ynorm);
        const auto part = [&](double v) {
            return absolute ? std::fabs(v) : (positive ? std::max(v, 0.0) : std::fabs(std::min(v, 0.0)));
        };
        for (std::int64_t i = 0; i < m; ++i)
            f.wr(j, i) = xnorm > 0 ? lbd * part(static_cast<double>(svd.u(i, j))) / xnorm : 0.0;
        for (std::int64_t c = 0; c < n; ++c) {
            const double hv = ynorm > 0 ? lbd * part(static_cast<double>(svd.vt(j, c))) / ynorm : 0.0;
            if constexpr (std::is_same_v<T, double>)
                svd.vt(j, c) = hv;
            else
                f.h(j, c) = hv;
        }
    }
    if constexpr (std::is_same_v<T, double>) f.h = std::move(svd.vt);
    constexpr double small = 1e-6;
    for (Matrix<double>* x : {&f.wr, &f.h})
        for (double& v : x->data)
            if (v < small) v = 0;
    return f;
}

/// nndsvda: the zeros of NNDSVD set to mean(A); nndsvdar: to |mean(A)·N(0, 1)/100|, the normal
/// of each entry at its own position (Wᵀ's entries first, then H's), whichever others are zero.
void fill_zeros(Factors& f, NmfInit init, double mean, std::uint64_t seed) {
    if (init == NmfInit::nndsvda) {
        for (Matrix<double>* x : {&f.wr, &f.h})
            for (double& v : x->data)
                if (v == 0) v = mean;
    } else if (init == NmfInit::nndsvdar) {
        const runtime::CounterRandom random(seed, runtime::RandomStream::nmf_fill);
        std::uint64_t first = 0;
        for (Matrix<double>* x : {&f.wr, &f.h}) {
            for (std::size_t i = 0; i < x->data.size(); ++i)
                if (x->data[i] == 0) x->data[i] = std::fabs(mean * random.normal(first + i) / 100.0);
            first += x->data.size();
        }
    }
}

}  // namespace

template <typename T>
Factors initialize(const CsrMatrix<T>& a, const NmfOptions& o) {
    if (o.init == NmfInit::custom) {
        Factors f;
        f.wr = linalg::transpose(*o.w_init);
        f.h = *o.h_init;
        return f;
    }
    const double mean = matrix_mean(a);
    if (o.init == NmfInit::random) return random_start(a.rows, a.cols, o.k, mean, o.seed);
    Factors f = nndsvd(a, o);
    fill_zeros(f, o.init, mean, o.seed);
    return f;
}

#define FACTOPIC_NMF_INIT(T)                          \
    template double matrix_mean(const CsrMatrix<T>&); \
    template Factors initialize(const CsrMatrix<T>&, const NmfOptions&);
FACTOPIC_NMF_INIT(float)
FACTOPIC_NMF_INIT(double)
#undef FACTOPIC_NMF_INIT

}  // namespace factopic::decomp::nmf_detail
