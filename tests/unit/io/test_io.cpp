// Matrix Market output and atomic files: exact round trip text, and nothing half-written; .npy
// files read back exactly, and hostile ones refused before anything is allocated for them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../support.hpp"
#include "factopic/core/error.hpp"
#include "factopic/core/input_file.hpp"
#include "factopic/io/atomic_file.hpp"
#include "factopic/io/matrix_market.hpp"
#include "factopic/io/npy.hpp"

namespace fs = std::filesystem;
using namespace factopic;
using factopic::test_support::slurp;
using factopic::test_support::TempDir;

namespace {

/// A version 1.0 .npy file: magic, header dictionary padded to 64 bytes, then data.
std::string npy_file(const std::string& dict, const std::string& data) {
    std::string header = dict;
    header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
    header.push_back('\n');
    std::string out = "\x93NUMPY";
    out.push_back('\x01');
    out.push_back('\x00');
    out.push_back(static_cast<char>(header.size() & 0xff));
    out.push_back(static_cast<char>(header.size() >> 8));
    return out + header + data;
}

std::string npy_error(const std::string& path) {
    try {
        (void)io::read_npy_matrix(path);
    } catch (const ParseError& e) {
        EXPECT_EQ(e.file(), path);
        return e.what();
    }
    ADD_FAILURE() << "no ParseError for " << path;
    return "";
}

}  // namespace

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

TEST(Npy, WrittenMatricesReadBackExactlyInEitherOrder) {
    TempDir dir;
    linalg::Matrix<double> m(3, 2);
    for (std::int64_t j = 0; j < 2; ++j)
        for (std::int64_t i = 0; i < 3; ++i) m(i, j) = 0.1 * static_cast<double>(i + 1) + static_cast<double>(j);
    const std::string p = (dir.path / "m.npy").string();
    {
        io::AtomicFile f(p);
        io::write_npy(f, m);
        f.commit();
    }
    const auto back = io::read_npy_matrix(p);
    ASSERT_EQ(back.rows, 3);
    ASSERT_EQ(back.cols, 2);
    for (std::int64_t j = 0; j < 2; ++j)
        for (std::int64_t i = 0; i < 3; ++i) EXPECT_EQ(back(i, j), m(i, j));
    // C order, float32, numpy's spacing and double quotes.
    std::string data;
    for (const float v : {1.f, 2.f, 3.f, 4.f, 5.f, 6.f}) data.append(reinterpret_cast<const char*>(&v), 4);
    const auto c = io::read_npy_matrix(
        dir.write("c.npy", npy_file(R"({"descr":"<f4","fortran_order":False,"shape":(2,3)})", data)));
    ASSERT_EQ(c.rows, 2);
    EXPECT_EQ(c(0, 2), 3.0);
    EXPECT_EQ(c(1, 0), 4.0);
}

TEST(Npy, ShapesBeyondWhatAFileCanHoldAreRefusedBeforeAllocating) {
    TempDir dir;
    // (2^61 + 1) x 1 doubles: 2^64 + 8 bytes, which wraps to the 8 bytes the file holds.
    const std::string wraps =
        npy_file("{'descr': '<f8', 'fortran_order': True, 'shape': (2305843009213693953, 1), }", std::string(8, '\0'));
    EXPECT_NE(npy_error(dir.write("wraps.npy", wraps)).find("more bytes than any file can hold"), std::string::npos);
    const std::string product =
        npy_file("{'descr': '<f8', 'fortran_order': True, 'shape': (4294967296, 4294967297), }", std::string(8, '\0'));
    EXPECT_NE(npy_error(dir.write("product.npy", product)).find("more bytes than any file can hold"),
              std::string::npos);
    const std::string huge =
        npy_file("{'descr': '<f8', 'fortran_order': True, 'shape': (99999999999999999999, 1), }", "");
    EXPECT_NE(npy_error(dir.write("huge.npy", huge)).find("shape entry 99999999999999999999 does not fit in 64 bits"),
              std::string::npos);
    const std::string short_data =
        npy_file("{'descr': '<f8', 'fortran_order': True, 'shape': (1000000, 1000), }", std::string(16, '\0'));
    EXPECT_NE(
        npy_error(dir.write("short.npy", short_data)).find("16 bytes of data, but a 1000000 x 1000 <f8 array needs"),
        std::string::npos);
}

TEST(Npy, ForeignAndMalformedFilesAreNamedParseErrors) {
    TempDir dir;
    const fs::path zero = dir.path / "zero.npy";
    fs::create_symlink("/dev/zero", zero);
    EXPECT_NE(npy_error(zero.string()).find("not a .npy file"), std::string::npos);
    EXPECT_NE(npy_error(dir.write("one-d.npy", npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
                                                        std::string(24, '\0'))))
                  .find("expected a 2-D array"),
              std::string::npos);
    EXPECT_NE(npy_error(dir.write("int.npy", npy_file("{'descr': '<i8', 'fortran_order': False, 'shape': (1, 1), }",
                                                      std::string(8, '\0'))))
                  .find("dtype '<i8'"),
              std::string::npos);
    EXPECT_NE(npy_error(dir.write("key.npy", npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), "
                                                      "'extra': 1}",
                                                      std::string(8, '\0'))))
                  .find("unexpected key 'extra'"),
              std::string::npos);
    EXPECT_NE(npy_error(dir.write("order.npy", npy_file("{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1, 1)}",
                                                        std::string(8, '\0'))))
                  .find("expected True or False"),
              std::string::npos);
    EXPECT_NE(npy_error(dir.write("open.npy", npy_file("{'descr': '<f8", ""))).find("unterminated string"),
              std::string::npos);
    EXPECT_NE(npy_error(dir.write("trailing.npy", npy_file("{'descr': '<f8', 'fortran_order': True, 'shape': (1, 1)}",
                                                           std::string(9, '\0'))))
                  .find("9 bytes of data"),
              std::string::npos);
    // Version 2.0 with a 4 GiB header length: refused from its 12 bytes.
    std::string v2 = "\x93NUMPY";
    v2 += std::string("\x02\x00\xff\xff\xff\xff", 6);
    EXPECT_NE(npy_error(dir.write("v2.npy", v2)).find("a header of 4294967295 bytes"), std::string::npos);
}

TEST(InputFile, ReadsOnlyAsFarAsAskedAndKnowsARegularFilesSize) {
    TempDir dir;
    const std::string p = dir.write("f.txt", "abcdef");
    InputFile f(p);
    ASSERT_TRUE(f.size().has_value());
    EXPECT_EQ(*f.size(), 6u);
    std::string out;
    EXPECT_EQ(f.read(out, 4), 4u);
    EXPECT_FALSE(f.at_end());
    EXPECT_EQ(f.read(out, std::uint64_t{1} << 62), 2u);  // a huge request reserves nothing beyond the file
    EXPECT_EQ(out, "abcdef");
    EXPECT_TRUE(f.at_end());
    EXPECT_EQ(f.consumed(), 6u);
    InputFile zero("/dev/zero");
    EXPECT_FALSE(zero.size().has_value());
    std::string z;
    EXPECT_EQ(zero.read(z, 100000), 100000u);
    EXPECT_FALSE(zero.at_end());
    EXPECT_THROW(InputFile(dir.path.string()), IoError);
    EXPECT_THROW(InputFile((dir.path / "absent").string()), IoError);
}

TEST(InputFile, ShortLinesStopAtTheFirstLineTooLong) {
    TempDir dir;
    EXPECT_EQ(read_short_lines(dir.write("ok.txt", "a\nbb\n"), 4), "a\nbb\n");
    try {
        (void)read_short_lines(dir.write("long.txt", "a\nbb\n" + std::string(10, 'x') + "\n"), 4);
        ADD_FAILURE() << "a 10-byte line passed a limit of 4";
    } catch (const ParseError& e) {
        EXPECT_EQ(e.line(), 3u);
    }
    EXPECT_THROW((void)read_short_lines("/dev/zero", k_max_term_line), ParseError);
}
