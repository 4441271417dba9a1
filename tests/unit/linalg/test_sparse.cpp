// The sparse kernels the SVDs and NMF stand on: the transpose (parallel, by ranges of rows) and
// the Gram product MᵀM·X (two gathers and a diagonal), against plain loops on the dense matrix,
// for every block width the kernels specialise and a few they do not, and across thread counts.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "../support.hpp"
#include "factopic/linalg/sparse.hpp"
#include "factopic/runtime/parallel.hpp"

using namespace factopic;
using linalg::Matrix;

namespace {

/// A random rows × cols CSR matrix with empty rows, empty columns and rows holding a single
/// entry (a term in one document): the cases the Gram product treats apart.
CsrMatrix<double> random_csr(std::int64_t rows, std::int64_t cols, double density, std::uint64_t seed) {
    std::mt19937_64 gen(seed);
    std::uniform_real_distribution<double> u01(0, 1);
    CsrMatrix<double> a;
    a.rows = rows;
    a.cols = cols;
    a.indptr.assign(1, 0);
    for (std::int64_t i = 0; i < rows; ++i) {
        const double kind = u01(gen);
        if (kind < 0.1) {         // empty row
        } else if (kind < 0.4) {  // a single entry
            const auto j = static_cast<std::int32_t>(u01(gen) * static_cast<double>(cols - 3));
            a.indices.push_back(j);
            a.values.push_back(u01(gen) - 0.3);
        } else {
            for (std::int64_t j = 0; j < cols - 3; ++j)  // the last three columns stay empty
                if (u01(gen) < density) {
                    a.indices.push_back(static_cast<std::int32_t>(j));
                    a.values.push_back(std::floor(1 + 4 * u01(gen)) * (u01(gen) < 0.5 ? 1 : 0.37));
                }
        }
        a.indptr.push_back(static_cast<std::int64_t>(a.indices.size()));
    }
    return a;
}

std::vector<std::vector<double>> dense(const CsrMatrix<double>& a) {
    std::vector<std::vector<double>> d(static_cast<std::size_t>(a.rows),
                                       std::vector<double>(static_cast<std::size_t>(a.cols), 0.0));
    for (std::int64_t i = 0; i < a.rows; ++i)
        for (std::int64_t p = a.indptr[i]; p < a.indptr[i + 1]; ++p)
            d[static_cast<std::size_t>(i)][static_cast<std::size_t>(a.indices[p])] = a.values[p];
    return d;
}

}  // namespace

TEST(Transpose, MatchesTheDenseTransposeWhateverTheThreads) {
    const test_support::ThreadCountGuard guard;
    for (const auto& [rows, cols] : {std::pair<std::int64_t, std::int64_t>{300, 80}, {40, 500}, {1, 7}, {9, 1}}) {
        const auto a = random_csr(rows, cols + 3, 0.1, static_cast<std::uint64_t>(rows * 7 + cols));
        const auto d = dense(a);
        runtime::set_threads(1);
        const auto t1 = linalg::transpose(a);
        ASSERT_EQ(t1.rows, a.cols);
        ASSERT_EQ(t1.cols, a.rows);
        EXPECT_EQ(t1.nnz(), a.nnz());
        for (std::int64_t j = 0; j < t1.rows; ++j) {
            std::int64_t count = 0;
            for (std::int64_t i = 0; i < a.rows; ++i)
                count += d[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] != 0;
            ASSERT_EQ(t1.row_nnz(j), count) << "row " << j;
            for (std::int64_t p = t1.indptr[j]; p < t1.indptr[j + 1]; ++p) {
                if (p > t1.indptr[j]) {
                    EXPECT_LT(t1.indices[p - 1], t1.indices[p]) << "row " << j << " not sorted";
                }
                EXPECT_EQ(t1.values[p], d[static_cast<std::size_t>(t1.indices[p])][static_cast<std::size_t>(j)]);
            }
        }
        for (const int threads : {2, 3}) {
            runtime::set_threads(threads);
            const auto t = linalg::transpose(a);
            EXPECT_TRUE(t.indptr == t1.indptr && t.indices == t1.indices && t.values == t1.values)
                << threads << " threads";
        }
    }
}

TEST(GramProduct, EqualsMtMXForEveryWidth) {
    const test_support::ThreadCountGuard guard;
    // Tall (the Krylov method's M) and wide, with single-entry and empty rows and empty columns;
    // one group of rows (the default size) and groups of about 97 entries (the partial sums).
    for (const auto& [rows, cols] : {std::pair<std::int64_t, std::int64_t>{700, 60}, {50, 120}}) {
        const auto m = random_csr(rows, cols, 0.08, static_cast<std::uint64_t>(rows + cols));
        const auto d = dense(m);
        for (const std::int64_t group_entries : {std::int64_t{1} << 19, std::int64_t{97}}) {
            linalg::GramProduct gram(m, group_entries);
            std::mt19937_64 gen(3);
            std::normal_distribution<double> normal;
            for (const std::int64_t width : {1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 17}) {
                Matrix<double> x(cols, width);
                for (auto& v : x.data) v = normal(gen);
                // MᵀM·X by the dense definition: (MX) first, then Mᵀ(MX).
                std::vector<double> mx(static_cast<std::size_t>(rows * width), 0.0);
                for (std::int64_t i = 0; i < rows; ++i)
                    for (std::int64_t j = 0; j < cols; ++j)
                        for (std::int64_t c = 0; c < width; ++c)
                            mx[static_cast<std::size_t>(i * width + c)] +=
                                d[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] * x(j, c);
                runtime::set_threads(1);
                Matrix<double> y1;
                gram.apply(x, y1);
                ASSERT_EQ(y1.rows, cols);
                ASSERT_EQ(y1.cols, width);
                double worst = 0, scale = 0;
                for (std::int64_t j = 0; j < cols; ++j)
                    for (std::int64_t c = 0; c < width; ++c) {
                        double want = 0;
                        for (std::int64_t i = 0; i < rows; ++i)
                            want += d[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] *
                                    mx[static_cast<std::size_t>(i * width + c)];
                        worst = std::max(worst, std::abs(y1(j, c) - want));
                        scale = std::max(scale, std::abs(want));
                    }
                EXPECT_LE(worst, 1e-13 * scale) << rows << " x " << cols << ", width " << width;
                for (const int threads : {2, 3}) {
                    runtime::set_threads(threads);
                    Matrix<double> y2;
                    gram.apply(x, y2);
                    EXPECT_TRUE(y1.data == y2.data)
                        << "1 vs " << threads << " threads, width " << width << ", groups of " << group_entries;
                    gram.apply(x, y2);  // buffers reused from the last call
                    EXPECT_TRUE(y1.data == y2.data) << "second call, width " << width;
                }
            }
        }
    }
}
