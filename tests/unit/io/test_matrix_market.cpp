// Matrix Market reader: every accepted type, exact round trips through the writer, and one test per
// documented error (the message names the file, the line and the offending value).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../support.hpp"
#include "factopic/core/error.hpp"
#include "factopic/io/matrix_market.hpp"

namespace fs = std::filesystem;
using namespace factopic;
using factopic::test_support::slurp;
using factopic::test_support::TempDir;

namespace {

using Dense = std::vector<std::vector<double>>;

/// A as a dense matrix, after checking the CSR invariants the reader promises.
template <typename T>
Dense dense(const CsrMatrix<T>& A) {
    EXPECT_EQ(A.indptr.size(), static_cast<std::size_t>(A.rows) + 1);
    EXPECT_EQ(A.indptr.front(), 0);
    EXPECT_EQ(A.indptr.back(), A.nnz());
    EXPECT_EQ(A.indices.size(), A.values.size());
    Dense D(static_cast<std::size_t>(A.rows), std::vector<double>(static_cast<std::size_t>(A.cols), 0.0));
    for (std::int64_t i = 0; i < A.rows; ++i) {
        for (std::int64_t k = A.indptr[i]; k < A.indptr[i + 1]; ++k) {
            EXPECT_GE(A.indices[k], 0);
            EXPECT_LT(A.indices[k], A.cols);
            if (k > A.indptr[i]) {
                EXPECT_LT(A.indices[k - 1], A.indices[k]) << "row " << i;
            }
            EXPECT_NE(A.values[k], T(0)) << "stored zero in row " << i;
            D[i][A.indices[k]] = static_cast<double>(A.values[k]);
        }
    }
    return D;
}

/// Reading path throws ParseError at line (0: none) whose message names the file and holds each
/// of parts.
template <typename T = double>
void expect_parse_error(const std::string& path, std::size_t line, const std::vector<std::string>& parts) {
    try {
        io::read_matrix_market<T>(path);
        ADD_FAILURE() << "no ParseError for " << path;
    } catch (const ParseError& e) {
        const std::string what = e.what();
        EXPECT_EQ(e.file(), path);
        EXPECT_EQ(e.line(), line) << what;
        const std::string where = line > 0 ? path + ":" + std::to_string(line) + ": " : path + ": ";
        EXPECT_EQ(what.rfind(where, 0), 0u) << what;
        for (const auto& part : parts)
            EXPECT_NE(what.find(part), std::string::npos) << "'" << part << "' not in: " << what;
    }
}

template <typename T>
CsrMatrix<T> awkward_matrix() {
    // Empty first and last rows, unsorted-looking magnitudes, subnormals and the extremes of T.
    CsrMatrix<T> A;
    A.rows = 5;
    A.cols = 7;
    A.indptr = {0, 0, 3, 4, 7, 7};
    A.indices = {0, 3, 6, 2, 1, 4, 5};
    A.values = {T(1) / T(3), std::numeric_limits<T>::max(), -std::numeric_limits<T>::denorm_min(),
                T(0.1),      std::numeric_limits<T>::min(), -T(2.5e-7),
                T(123456789)};
    return A;
}

template <typename T>
void expect_round_trip() {
    TempDir dir;
    const CsrMatrix<T> A = awkward_matrix<T>();
    const std::string path = (dir.path / "a.mtx").string();
    io::write_matrix_market(path, A, "round trip");
    const CsrMatrix<T> B = io::read_matrix_market<T>(path);
    EXPECT_EQ(B.rows, A.rows);
    EXPECT_EQ(B.cols, A.cols);
    EXPECT_EQ(B.indptr, A.indptr);
    EXPECT_EQ(B.indices, A.indices);
    ASSERT_EQ(B.values.size(), A.values.size());
    for (std::size_t k = 0; k < A.values.size(); ++k)
        EXPECT_EQ(std::memcmp(&B.values[k], &A.values[k], sizeof(T)), 0) << "value " << k << ": " << B.values[k];
}

}  // namespace

TEST(MatrixMarketRead, RoundTripDouble) { expect_round_trip<double>(); }

TEST(MatrixMarketRead, RoundTripFloat) { expect_round_trip<float>(); }

TEST(MatrixMarketRead, CoordinateRealGeneral) {
    TempDir dir;
    const auto p = dir.write("a.mtx",
                             "%%MatrixMarket matrix coordinate real general\n"
                             "3 4 4\n"
                             "3 4 -1.5e2\n"
                             "1 2 +2\n"
                             "1 1 .5\n"
                             "2 3 7.\n");
    EXPECT_EQ(dense(io::read_matrix_market<double>(p)), (Dense{{0.5, 2, 0, 0}, {0, 0, 7, 0}, {0, 0, 0, -150}}));
    EXPECT_EQ(dense(io::read_matrix_market<float>(p)), (Dense{{0.5, 2, 0, 0}, {0, 0, 7, 0}, {0, 0, 0, -150}}));
}

TEST(MatrixMarketRead, IntegerAndDoubleFields) {
    TempDir dir;
    const auto i = dir.write("i.mtx", "%%MatrixMarket matrix coordinate integer general\n2 2 2\n1 1 -3\n2 2 40\n");
    EXPECT_EQ(dense(io::read_matrix_market<double>(i)), (Dense{{-3, 0}, {0, 40}}));
    const auto d = dir.write("d.mtx", "%%MatrixMarket matrix coordinate double general\n1 2 1\n1 2 0.25\n");
    EXPECT_EQ(dense(io::read_matrix_market<double>(d)), (Dense{{0, 0.25}}));
    expect_parse_error(dir.write("f.mtx", "%%MatrixMarket matrix coordinate integer general\n1 1 1\n1 1 1.5\n"), 3,
                       {"malformed integer value '1.5'"});
}

TEST(MatrixMarketRead, PatternField) {
    TempDir dir;
    const auto p = dir.write("p.mtx", "%%MatrixMarket matrix coordinate pattern general\n2 3 3\n1 3\n2 1\n1 1\n");
    EXPECT_EQ(dense(io::read_matrix_market<float>(p)), (Dense{{1, 0, 1}, {1, 0, 0}}));
    const auto s = dir.write("s.mtx", "%%MatrixMarket matrix coordinate pattern symmetric\n2 2 2\n2 1\n2 2\n");
    EXPECT_EQ(dense(io::read_matrix_market<double>(s)), (Dense{{0, 1}, {1, 1}}));
    expect_parse_error(dir.write("v.mtx", "%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 1 5\n"), 3,
                       {"expected 2 fields (row column), found 3"});
}

TEST(MatrixMarketRead, SymmetricExpandsToBothTriangles) {
    TempDir dir;
    const auto p = dir.write("s.mtx",
                             "%%MatrixMarket matrix coordinate real symmetric\n"
                             "3 3 4\n1 1 1\n2 1 2\n3 2 3\n3 3 4\n");
    EXPECT_EQ(dense(io::read_matrix_market<double>(p)), (Dense{{1, 2, 0}, {2, 0, 3}, {0, 3, 4}}));
}

TEST(MatrixMarketRead, SkewSymmetricNegatesTheMirror) {
    TempDir dir;
    const auto p = dir.write("k.mtx", "%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 2\n2 1 2\n3 1 -5\n");
    EXPECT_EQ(dense(io::read_matrix_market<double>(p)), (Dense{{0, -2, 5}, {2, 0, 0}, {-5, 0, 0}}));
    expect_parse_error(
        dir.write("d.mtx", "%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 2\n2 1 2\n2 2 1\n"), 4,
        {"skew-symmetric", "diagonal entry (2, 2)"});
    expect_parse_error(dir.write("n.mtx", "%%MatrixMarket matrix coordinate real symmetric\n3 4 0\n"), 2,
                       {"must be square", "3 rows and 4 columns"});
}

TEST(MatrixMarketRead, ArrayFormats) {
    TempDir dir;
    // Column-major, zeros not stored.
    const auto g = dir.write("g.mtx", "%%MatrixMarket matrix array real general\n2 3\n1\n4\n2\n0\n3\n6\n");
    EXPECT_EQ(dense(io::read_matrix_market<double>(g)), (Dense{{1, 2, 3}, {4, 0, 6}}));
    // Lower triangle with the diagonal, column by column.
    const auto s = dir.write("s.mtx", "%%MatrixMarket matrix array integer symmetric\n3 3\n1\n2\n3\n4\n5\n6\n");
    EXPECT_EQ(dense(io::read_matrix_market<float>(s)), (Dense{{1, 2, 3}, {2, 4, 5}, {3, 5, 6}}));
    // Strict lower triangle.
    const auto k = dir.write("k.mtx", "%%MatrixMarket matrix array real skew-symmetric\n3 3\n1\n2\n3\n");
    EXPECT_EQ(dense(io::read_matrix_market<double>(k)), (Dense{{0, -1, -2}, {1, 0, -3}, {2, 3, 0}}));
    expect_parse_error(dir.write("x.mtx", "%%MatrixMarket matrix array real general\n1 2\n1 2\n3\n"), 3,
                       {"expected 1 value", "found 2"});
    expect_parse_error(dir.write("p.mtx", "%%MatrixMarket matrix array pattern general\n1 1\n1\n"), 1,
                       {"'array pattern'"});
}

TEST(MatrixMarketRead, DuplicatesAreSummedAndZerosDropped) {
    TempDir dir;
    const auto p = dir.write("d.mtx",
                             "%%MatrixMarket matrix coordinate real general\n"
                             "2 3 7\n"
                             "1 3 1\n1 1 2\n1 3 0.5\n2 2 4\n2 2 -4\n2 1 0\n1 3 0.25\n");
    const auto A = io::read_matrix_market<double>(p);
    EXPECT_EQ(A.nnz(), 2);
    EXPECT_EQ(dense(A), (Dense{{2, 0, 1.75}, {0, 0, 0}}));
    // A float below the range of T reads as zero; one above it is an error.
    const auto u = dir.write("u.mtx", "%%MatrixMarket matrix coordinate real general\n1 2 2\n1 1 1e-50\n1 2 1\n");
    EXPECT_EQ(io::read_matrix_market<float>(u).nnz(), 1);
    EXPECT_EQ(io::read_matrix_market<double>(u).nnz(), 2);
    const auto o = dir.write("o.mtx", "%%MatrixMarket matrix coordinate real general\n1 1 1\n1 1 1e50\n");
    EXPECT_EQ(io::read_matrix_market<double>(o).values[0], 1e50);
    expect_parse_error<float>(o, 3, {"'1e50'", "out of range for float"});
}

TEST(MatrixMarketRead, CommentsBlankLinesCrlfAndCase) {
    TempDir dir;
    const auto p = dir.write("c.mtx",
                             "%%matrixmarket MATRIX Coordinate REAL General\r\n"
                             "% a comment\r\n"
                             "\r\n"
                             "   \t\n"
                             "%another\n"
                             "  2\t2   2  \r\n"
                             "% between entries\n"
                             "\n"
                             "1 1 1.5\r\n"
                             "\t2  2\t-3 \r\n"
                             "\n");
    EXPECT_EQ(dense(io::read_matrix_market<double>(p)), (Dense{{1.5, 0}, {0, -3}}));
}

TEST(MatrixMarketRead, BannerErrors) {
    TempDir dir;
    expect_parse_error(dir.write("e.mtx", ""), 0, {"no %%MatrixMarket banner"});
    expect_parse_error(dir.write("m.mtx", "2 2 1\n1 1 1\n"), 1, {"missing Matrix Market banner"});
    expect_parse_error(dir.write("s.mtx", "%%MatrixMarket matrix coordinate real\n1 1 1\n1 1 1\n"), 1,
                       {"bad banner", "<symmetry>"});
    expect_parse_error(dir.write("c.mtx", "%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n"), 1,
                       {"complex matrices are not supported"});
    expect_parse_error(dir.write("h.mtx", "%%MatrixMarket matrix coordinate real hermitian\n1 1 1\n1 1 1\n"), 1,
                       {"hermitian matrices are not supported"});
    expect_parse_error(dir.write("f.mtx", "%%MatrixMarket matrix sparse real general\n1 1 1\n1 1 1\n"), 1,
                       {"unknown format 'sparse'"});
    expect_parse_error(dir.write("v.mtx", "%%MatrixMarket vector coordinate real general\n1 1 1\n1 1 1\n"), 1,
                       {"unsupported object 'vector'"});
    expect_parse_error(dir.write("k.mtx", "%%MatrixMarket matrix coordinate pattern skew-symmetric\n1 1 0\n"), 1,
                       {"'pattern skew-symmetric'"});
}

TEST(MatrixMarketRead, SizeLineErrors) {
    TempDir dir;
    const std::string banner = "%%MatrixMarket matrix coordinate real general\n";
    expect_parse_error(dir.write("m.mtx", banner + "% only a comment\n"), 0, {"missing size line"});
    expect_parse_error(dir.write("f.mtx", banner + "% c\n2 2\n"), 3,
                       {"bad size line '2 2'", "expected 'rows columns entries'"});
    expect_parse_error(dir.write("x.mtx", banner + "2 2 1 9\n1 1 1\n"), 2, {"bad size line"});
    expect_parse_error(dir.write("n.mtx", banner + "2 -2 1\n1 1 1\n"), 2, {"columns '-2'"});
    expect_parse_error(dir.write("a.mtx", banner + "2 2.5 1\n1 1 1\n"), 2, {"columns '2.5'"});
    expect_parse_error(dir.write("b.mtx", banner + "3000000000 2 1\n1 1 1\n"), 2, {"limited to 2147483647"});
    expect_parse_error(dir.write("r.mtx", "%%MatrixMarket matrix array real general\n2 2 4\n1\n2\n3\n4\n"), 2,
                       {"expected 'rows columns'"});
}

TEST(MatrixMarketRead, EmptyMatrixIsADataError) {
    TempDir dir;
    for (const std::string size : {"0 5 0", "5 0 0"}) {
        const auto p = dir.write("e.mtx", "%%MatrixMarket matrix coordinate real general\n" + size + "\n");
        try {
            io::read_matrix_market<double>(p);
            ADD_FAILURE() << "no DataError for " << size;
        } catch (const DataError& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find(p), std::string::npos) << what;
            EXPECT_NE(what.find("empty matrix"), std::string::npos) << what;
        }
    }
}

TEST(MatrixMarketRead, IndexOutOfRangeNamesValueAndBounds) {
    TempDir dir;
    const std::string head = "%%MatrixMarket matrix coordinate real general\n3 4 2\n1 1 1\n";
    expect_parse_error(dir.write("r.mtx", head + "4 1 1\n"), 4, {"row index 4 out of range [1, 3]"});
    expect_parse_error(dir.write("c.mtx", head + "1 5 1\n"), 4, {"column index 5 out of range [1, 4]"});
    expect_parse_error(dir.write("z.mtx", head + "0 1 1\n"), 4, {"row index 0 out of range [1, 3]"});
    expect_parse_error(dir.write("n.mtx", head + "1 -1 1\n"), 4, {"column index -1 out of range [1, 4]"});
    expect_parse_error(dir.write("h.mtx", head + "99999999999999999999 1 1\n"), 4,
                       {"row index 99999999999999999999 out of range [1, 3]"});
}

TEST(MatrixMarketRead, MalformedNumbers) {
    TempDir dir;
    const std::string head = "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n";
    expect_parse_error(dir.write("v.mtx", head + "2 2 abc\n"), 4, {"malformed value 'abc'"});
    expect_parse_error(dir.write("e.mtx", head + "2 2 1e\n"), 4, {"malformed value '1e'"});
    expect_parse_error(dir.write("x.mtx", head + "2 2 0x10\n"), 4, {"malformed value '0x10'"});
    expect_parse_error(dir.write("p.mtx", head + "2 2 +-1\n"), 4, {"malformed value '+-1'"});
    expect_parse_error(dir.write("i.mtx", head + "2.0 2 1\n"), 4, {"malformed row index '2.0'"});
    expect_parse_error(dir.write("j.mtx", head + "2 x 1\n"), 4, {"malformed column index 'x'"});
    expect_parse_error(dir.write("f.mtx", head + "2 2\n"), 4, {"expected 3 fields (row column value), found 2"});
    expect_parse_error(dir.write("g.mtx", head + "2 2 1 1\n"), 4,
                       {"expected 3 fields (row column value), found more than 3"});
}

TEST(MatrixMarketRead, NanAndInfAreRejectedWithTheirLine) {
    TempDir dir;
    const std::string head = "%%MatrixMarket matrix coordinate real general\n2 2 2\n% comment\n1 1 1\n";
    for (const std::string v : {"nan", "NaN", "-nan", "inf", "-Inf", "infinity"}) {
        expect_parse_error(dir.write("n.mtx", head + "2 2 " + v + "\n"), 5, {"NaN/Inf", "'" + v + "'"});
        expect_parse_error<float>(dir.write("n.mtx", head + "2 2 " + v + "\n"), 5, {"NaN/Inf"});
    }
    expect_parse_error(dir.write("a.mtx", "%%MatrixMarket matrix array real general\n1 2\n1\nnan\n"), 4, {"NaN/Inf"});
}

TEST(MatrixMarketRead, EntryCountMustMatchTheSizeLine) {
    TempDir dir;
    const std::string head = "%%MatrixMarket matrix coordinate real general\n% c\n2 2 3\n";
    expect_parse_error(dir.write("few.mtx", head + "1 1 1\n2 2 2\n\n"), 3, {"too few entries", "declares 3", "has 2"});
    expect_parse_error(dir.write("many.mtx", head + "1 1 1\n2 2 2\n1 2 3\n% c\n2 1 4\n"), 8,
                       {"too many entries", "declares 3", "entry 4"});
    expect_parse_error(dir.write("arr.mtx", "%%MatrixMarket matrix array real symmetric\n3 3\n1\n2\n3\n4\n5\n"), 2,
                       {"too few entries", "declares 6", "has 5"});
}

TEST(MatrixMarketRead, MissingFileIsAnIoError) {
    TempDir dir;
    const std::string p = (dir.path / "absent.mtx").string();
    try {
        io::read_matrix_market<double>(p);
        ADD_FAILURE() << "no IoError";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
    }
    EXPECT_THROW(io::read_matrix_market<float>(dir.path.string()), IoError);
}

TEST(MatrixMarketRead, ShapeBeyondWhatTheFileHoldsIsRefusedBeforeAllocating) {
    TempDir dir;
    const std::string banner = "%%MatrixMarket matrix coordinate real general\n";
    // 200M rows in 78 bytes: a 1.6 GB row-pointer array for three entries.
    expect_parse_error(dir.write("rows.mtx", banner + "200000000 3 3\n1 1 1\n2 2 1\n3 3 1\n"), 2,
                       {"declares 200000000 rows", "in a file of 78 bytes"});
    expect_parse_error(dir.write("cols.mtx", banner + "3 2000000000 1\n1 1 1\n"), 2, {"declares 2000000000 columns"});
    // Up to 2^20 rows or columns are allowed whatever the file's size (empty rows cost 8 bytes).
    const auto A = io::read_matrix_market<double>(dir.write("free.mtx", banner + "1048576 1048576 1\n7 9 2.5\n"));
    EXPECT_EQ(A.rows, 1048576);
    EXPECT_EQ(A.cols, 1048576);
    EXPECT_EQ(A.nnz(), 1);
    EXPECT_EQ(A.indptr[6], 0);
    EXPECT_EQ(A.indptr[7], 1);
    EXPECT_EQ(A.indptr.back(), 1);
    expect_parse_error(dir.write("one-more.mtx", banner + "1048577 3 1\n1 1 1\n"), 2, {"declares 1048577 rows"});
    // An array declaring 10^9 values but holding 2 is refused by its count, nothing reserved for it.
    expect_parse_error(dir.write("arr.mtx", "%%MatrixMarket matrix array real general\n1000000 1000\n1\n2\n"), 2,
                       {"too few entries", "declares 1000000000"});
}

TEST(MatrixMarketRead, BannerIsCheckedOnTheFirstBytesAndLinesAreBounded) {
    TempDir dir;
    const fs::path zero = dir.path / "zero.mtx";
    fs::create_symlink("/dev/zero", zero);
    expect_parse_error(zero.string(), 1, {"missing Matrix Market banner"});
    const std::string banner = "%%MatrixMarket matrix coordinate real general\n";
    EXPECT_EQ(dense(io::read_matrix_market<double>(dir.write("lead.mtx", "  " + banner + "1 1 1\n1 1 2\n"))),
              (Dense{{2}}));
    // A comment of 2 MiB: past the 1 MiB bound on a line, named by its number.
    expect_parse_error(dir.write("long.mtx", banner + "1 1 1\n%" + std::string(2 << 20, 'x') + "\n1 1 2\n"), 3,
                       {"line longer than 1048576 bytes"});
    // Lines that straddle the reader's 64 KiB chunks are read whole.
    std::string body = banner + "% " + std::string(70000, 'c') + "\n2 2 2\n";
    body += std::string(65530 - body.size() % 65536, ' ') + "1 1 1.5\n2 2 -3\n";
    EXPECT_EQ(dense(io::read_matrix_market<double>(dir.write("chunks.mtx", body))), (Dense{{1.5, 0}, {0, -3}}));
}

TEST(MatrixMarketRead, APipeIsReadAndItsShapeCheckedAgainstWhatItSent) {
    TempDir dir;
    const std::string banner = "%%MatrixMarket matrix coordinate real general\n";
    const auto through_pipe = [&](const std::string& name, const std::string& text) {
        const std::string fifo = (dir.path / name).string();
        EXPECT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
        std::thread writer([fifo, text] { std::ofstream(fifo, std::ios::binary) << text; });
        return std::pair{fifo, std::move(writer)};
    };
    {
        auto [fifo, writer] = through_pipe("ok.mtx", banner + "2 2 2\n1 1 1.5\n2 2 -3\n");
        const auto A = io::read_matrix_market<double>(fifo);
        writer.join();
        EXPECT_EQ(dense(A), (Dense{{1.5, 0}, {0, -3}}));
    }
    {
        auto [fifo, writer] = through_pipe("lies.mtx", banner + "200000000 3 1\n1 1 1\n");
        expect_parse_error(fifo, 2, {"declares 200000000 rows", "in a file of 66 bytes"});
        writer.join();
    }
}
