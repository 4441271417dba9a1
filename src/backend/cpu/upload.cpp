// The CPU backend's uploads: A stays where the caller has it, Aᵀ is made once; dense matrices
// are moved in and out.
#include "cpu.hpp"
#include "factopic/core/error.hpp"
#include "factopic/linalg/sparse.hpp"

namespace factopic::backend::cpu {

template <typename T>
const CsrMatrix<T>& HostSparseOf<T>::side(Side s) const {
    if (s == Side::a) return *a;
    if (!has_transpose) throw InvalidArgument("backend: Aᵀ was not uploaded with A");
    return at;
}
template struct HostSparseOf<float>;
template struct HostSparseOf<double>;

namespace {
template <typename T>
Sparse upload_sparse(const CsrMatrix<T>& a, bool with_transpose) {
    auto storage = std::make_unique<HostSparse>();
    HostSparseOf<T> of;
    of.a = &a;
    if (with_transpose) {
        of.at = linalg::transpose(a);
        of.has_transpose = true;
    }
    storage->of = std::move(of);
    return Sparse(a.rows, a.cols, std::move(storage));
}
}  // namespace

Sparse CpuBackend::upload(const CsrMatrix<double>& a, bool with_transpose) const {
    return upload_sparse(a, with_transpose);
}
Sparse CpuBackend::upload(const CsrMatrix<float>& a, bool with_transpose) const {
    return upload_sparse(a, with_transpose);
}

Dense CpuBackend::upload(Matrix<double> x) const {
    const std::int64_t rows = x.rows, cols = x.cols;
    return Dense(rows, cols, std::make_unique<HostDense>(std::move(x)));
}

Matrix<double> CpuBackend::download(Dense& x) const {
    Matrix<double> out = std::move(host(x));
    x = Dense();
    return out;
}

}  // namespace factopic::backend::cpu
