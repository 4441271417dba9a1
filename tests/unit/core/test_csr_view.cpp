// CsrView and borrow_csr: a matrix over the caller's arrays (as scipy hands them: int32 or int64
// indices, float or double values) is read in place, checked, never written, and fits exactly as
// the library's own copy of the same matrix does (real data: two categories of the embedded
// corpus).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "factopic/core/csr_view.hpp"
#include "factopic/decomp/nmf.hpp"
#include "factopic/decomp/svd.hpp"
#include "factopic/text/corpus.hpp"
#include "factopic/text/vectorizer.hpp"

namespace factopic {
namespace {

/// comp.graphics and sci.space of the embedded corpus's train split, tf-idf.
const CsrMatrix<double>& real_matrix() {
    static const CsrMatrix<double> m = [] {
        text::CorpusOptions o;
        o.categories = {"comp.graphics", "sci.space"};
        o.subset = text::NewsgroupsSubset::Train;
        o.remove = {true, true, true};
        text::VectorizerOptions v;
        v.min_df = text::DfBound::count(2);
        return text::Vectorizer(v).fit_transform<double>(
            text::read_corpus(FACTOPIC_SOURCE_DIR "/data/20news-4cat.tar.gz", o).texts);
    }();
    return m;
}

/// The caller's arrays of a matrix, in the index and value types a scipy matrix may have.
template <typename Index, typename Value>
struct Arrays {
    std::vector<Index> indptr, indices;
    std::vector<Value> values;
    std::int64_t rows = 0, cols = 0;
    explicit Arrays(const CsrMatrix<double>& m) : rows(m.rows), cols(m.cols) {
        for (const std::int64_t p : m.indptr) indptr.push_back(static_cast<Index>(p));
        for (const std::int32_t j : m.indices) indices.push_back(static_cast<Index>(j));
        for (const double v : m.values) values.push_back(static_cast<Value>(v));
    }
    CsrView<Index, Value> view() const { return {rows, cols, indptr.data(), indices.data(), values.data()}; }
};

TEST(CsrView, Int32IndicesAndDoubleValuesAreReadInPlaceAndIndptrIsWidened) {
    const Arrays<std::int32_t, double> a(real_matrix());
    const CsrMatrix<double> m = borrow_csr(a.view());
    EXPECT_EQ(m.rows, a.rows);
    EXPECT_EQ(m.cols, a.cols);
    EXPECT_EQ(m.nnz(), static_cast<std::int64_t>(a.values.size()));
    EXPECT_TRUE(m.values.borrowed());
    EXPECT_TRUE(m.indices.borrowed());
    EXPECT_FALSE(m.indptr.borrowed());
    EXPECT_EQ(m.values.data(), a.values.data());
    EXPECT_EQ(m.indices.data(), a.indices.data());
    for (std::int64_t i = 0; i <= m.rows; ++i) ASSERT_EQ(m.indptr[i], a.indptr[static_cast<std::size_t>(i)]);
}

TEST(CsrView, Int64IndptrIsReadInPlaceAndInt64IndicesAreNarrowed) {
    const Arrays<std::int64_t, float> a(real_matrix());
    const CsrMatrix<float> m = borrow_csr(a.view());
    EXPECT_TRUE(m.indptr.borrowed());
    EXPECT_TRUE(m.values.borrowed());
    EXPECT_FALSE(m.indices.borrowed());
    EXPECT_EQ(m.indptr.data(), a.indptr.data());
    for (std::size_t p = 0; p < a.indices.size(); ++p) ASSERT_EQ(m.indices[p], a.indices[p]);
}

TEST(CsrView, NmfAndSvdOfABorrowedMatrixEqualThoseOfTheLibrarysOwnCopyAndLeaveTheArraysAlone) {
    const Arrays<std::int32_t, double> a(real_matrix());
    const std::vector<double> values_before = a.values;
    const std::vector<std::int32_t> indices_before = a.indices;
    decomp::NmfOptions o;
    o.k = 5;
    o.max_iter = 50;
    const auto borrowed = decomp::nmf(borrow_csr(a.view()), o);
    const auto owned = decomp::nmf(real_matrix(), o);
    EXPECT_EQ(borrowed.reconstruction_error, owned.reconstruction_error);
    EXPECT_EQ(borrowed.w.data, owned.w.data);
    EXPECT_EQ(borrowed.h.data, owned.h.data);

    decomp::TruncatedSvdOptions s;
    s.k = 6;
    const auto sb = decomp::truncated_svd(borrow_csr(a.view()), s);
    const auto so = decomp::truncated_svd(real_matrix(), s);
    EXPECT_EQ(sb.s, so.s);
    EXPECT_EQ(sb.vt.data, so.vt.data);

    EXPECT_EQ(a.values, values_before);
    EXPECT_EQ(a.indices, indices_before);
}

TEST(CsrView, AWriteOrACopyOwnsItsArraysAndTheCallersStayUnchanged) {
    const Arrays<std::int32_t, double> a(real_matrix());
    CsrMatrix<double> m = borrow_csr(a.view());
    const CsrMatrix<double> copy = m;
    EXPECT_FALSE(copy.values.borrowed());
    EXPECT_NE(copy.values.data(), a.values.data());
    m.values[0] = -1;  // a non-const access: the array is copied first
    EXPECT_FALSE(m.values.borrowed());
    EXPECT_EQ(m.values[0], -1);
    EXPECT_EQ(a.values[0], real_matrix().values[0]);
    EXPECT_EQ(m.values[1], a.values[1]);
    EXPECT_EQ(m.nnz(), copy.nnz());
}

/// The message of the InvalidArgument that borrow_csr throws for the view.
template <typename Index, typename Value>
std::string refusal(const CsrView<Index, Value>& v) {
    try {
        (void)borrow_csr(v);
    } catch (const InvalidArgument& e) {
        return e.what();
    }
    return "(accepted)";
}

TEST(CsrView, AMalformedMatrixIsRefusedNamingTheRowEntryAndValue) {
    // 2 x 4: row 0 holds columns 0 and 2, row 1 column 3.
    std::vector<std::int32_t> indptr{0, 2, 3}, indices{0, 2, 3};
    std::vector<double> values{1, 2, 3};
    auto view = [&] { return CsrView<std::int32_t, double>{2, 4, indptr.data(), indices.data(), values.data()}; };
    EXPECT_EQ(refusal(view()), "(accepted)");

    indices = {2, 0, 3};  // unsorted
    EXPECT_NE(refusal(view()).find("row 0, entry 1: column 0 after column 2"), std::string::npos) << refusal(view());
    EXPECT_NE(refusal(view()).find("sort_indices"), std::string::npos);
    indices = {2, 2, 3};  // a duplicate
    EXPECT_NE(refusal(view()).find("column 2 after column 2"), std::string::npos);
    indices = {0, 2, 4};  // out of range
    EXPECT_NE(refusal(view()).find("row 1, entry 2: column 4 outside [0, 4)"), std::string::npos) << refusal(view());
    indices = {0, 2, 3};
    values[2] = std::numeric_limits<double>::quiet_NaN();
    EXPECT_NE(refusal(view()).find("row 1, column 3: value nan is not finite"), std::string::npos) << refusal(view());
    values[2] = 3;
    indptr = {0, 3, 2};
    EXPECT_NE(refusal(view()).find("indptr decreases at row 1"), std::string::npos) << refusal(view());
    indptr = {1, 2, 3};
    EXPECT_NE(refusal(view()).find("indptr[0] is 1"), std::string::npos);
    indptr = {0, 2, 3};
    EXPECT_NE(refusal(CsrView<std::int32_t, double>{-1, 4, indptr.data(), indices.data(), values.data()})
                  .find("negative shape"),
              std::string::npos);
    EXPECT_NE(refusal(CsrView<std::int64_t, double>{0, std::int64_t{1} << 31, nullptr, nullptr, nullptr})
                  .find("at most 2147483647"),
              std::string::npos);
}

TEST(CsrView, AnEmptyMatrixIsAccepted) {
    const std::vector<std::int64_t> indptr{0, 0, 0};
    const CsrMatrix<double> m = borrow_csr(CsrView<std::int64_t, double>{2, 3, indptr.data(), nullptr, nullptr});
    EXPECT_EQ(m.rows, 2);
    EXPECT_EQ(m.nnz(), 0);
    EXPECT_EQ(m.row_nnz(1), 0);
}

}  // namespace
}  // namespace factopic
