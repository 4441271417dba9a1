// Matrix Market output and atomic files: exact round trip text, and nothing half-written.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "../support.hpp"
#include "factopic/core/error.hpp"
#include "factopic/io/atomic_file.hpp"
#include "factopic/io/matrix_market.hpp"

namespace fs = std::filesystem;
using namespace factopic;
using factopic::test_support::slurp;
using factopic::test_support::TempDir;

namespace {}  // namespace

TEST(MatrixMarket, WritesShortestRoundTripValues) {
    TempDir dir;
    CsrMatrix<double> A;
    A.rows = 2;
    A.cols = 3;
    A.indptr = {0, 2, 3};
    A.indices = {0, 2, 1};
    A.values = {3.0, 0.1, 1.0 / 3.0};
    io::write_matrix_market((dir.path / "a.mtx").string(), A);
    EXPECT_EQ(slurp(dir.path / "a.mtx"),
              "%%MatrixMarket matrix coordinate real general\n2 3 3\n1 1 3\n1 3 0.1\n2 2 0.3333333333333333\n");
    EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, CommitReplacesAndAbandonLeavesNothing) {
    TempDir dir;
    const auto target = (dir.path / "out.txt").string();
    io::write_file_atomic(target, "old");
    {
        io::AtomicFile f(target);
        f.write("new but abandoned");
    }
    EXPECT_EQ(slurp(target), "old");
    EXPECT_EQ(dir.entries(), 1u);
    {
        io::AtomicFile f(target);
        io::write_lines(f, {"a", "b"});
        f.commit();
    }
    EXPECT_EQ(slurp(target), "a\nb\n");
    EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, UnwritablePlacesAreIoErrors) {
    TempDir dir;
    EXPECT_THROW(io::AtomicFile((dir.path / "no" / "such" / "dir.mtx").string()), IoError);
    EXPECT_THROW(io::AtomicFile(dir.path.string()), IoError);
    EXPECT_EQ(dir.entries(), 0u);
}

TEST(OutputFiles, DuplicateTargetsAreRejectedBeforeAnythingIsWritten) {
    TempDir dir;
    const auto a = (dir.path / "a.txt").string();
    EXPECT_THROW(io::OutputFiles({a, "", (dir.path / "." / "a.txt").string()}), InvalidArgument);
    EXPECT_EQ(dir.entries(), 0u);
}

TEST(OutputFiles, AllAppearTogether) {
    TempDir dir;
    const auto a = (dir.path / "a.txt").string(), b = (dir.path / "b.txt").string();
    {
        io::OutputFiles out({a, "", b});
        EXPECT_EQ(out[1], nullptr);
        out[0]->write("first");
        out[2]->write("second");
    }
    EXPECT_EQ(dir.entries(), 0u);  // abandoned: neither appears
    io::OutputFiles out({a, "", b});
    out[0]->write("first");
    out[2]->write("second");
    out.commit();
    EXPECT_EQ(slurp(a), "first");
    EXPECT_EQ(slurp(b), "second");
    EXPECT_EQ(dir.entries(), 2u);
}

TEST(AtomicFile, PendingTemporariesCanBeRemovedFromASignalHandler) {
    TempDir dir;
    io::AtomicFile f((dir.path / "x.mtx").string());
    f.write("partial");
    EXPECT_EQ(dir.entries(), 1u);  // the temporary
    io::remove_pending_temporaries();
    EXPECT_EQ(dir.entries(), 0u);
}
