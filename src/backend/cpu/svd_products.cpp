// The CPU backend's sparse products for the SVD: M·X through M's row-wise kernel (the operands
// transposed into row-wise buffers kept between calls), and MᵀM·X by linalg's GramProduct.
#include "factopic/linalg/sparse.hpp"
#include "svd.hpp"

namespace factopic::backend::cpu {

namespace {

/// Buffers reused from one sparse product to the next: the row-wise forms of the operands
/// (fresh memory costs a page fault per 4 KiB here, a sizeable part of a product's time).
struct ProductBuffers final : Storage {
    Matrix<double> in, out;
};

class HostGramOperator final : public Backend::GramOperator {
public:
    explicit HostGramOperator(const CsrMatrix<double>& m) : m_product(m) {}
    void apply(const Matrix<double>& x, Matrix<double>& y) override { m_product.apply(x, y); }

private:
    linalg::GramProduct m_product;
};

}  // namespace

void CpuBackend::multiply(const Sparse& a, Side s, const Matrix<double>& x, Matrix<double>& y, Scratch& scratch) const {
    if (!scratch) scratch = std::make_unique<ProductBuffers>();
    auto& buf = static_cast<ProductBuffers&>(*scratch);
    linalg::transpose_into(x, buf.in);
    linalg::multiply_rowwise(double_side(a, s), buf.in, buf.out);
    linalg::transpose_into(buf.out, y);
}

void CpuBackend::multiply_rowwise(const Sparse& a, Side s, const Matrix<double>& xt, Matrix<double>& yt) const {
    linalg::multiply_rowwise(double_side(a, s), xt, yt);
}

std::unique_ptr<Backend::GramOperator> CpuBackend::gram_operator(const Sparse& a, Side s) const {
    return std::make_unique<HostGramOperator>(double_side(a, s));
}

}  // namespace factopic::backend::cpu
