// Matrix Market output and atomic files: exact round trip text, and nothing half-written; .npy
// files read back exactly, and hostile ones refused before anything is allocated for them.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../support.hpp"
#include "factopic/core/error.hpp"
#include "factopic/core/piece_reader.hpp"
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

TEST(AtomicFile, ASymbolicLinkKeepsItsPlaceAndItsTargetIsReplaced) {
    TempDir dir;
    const auto real = dir.write("real.txt", "old");
    const auto link = (dir.path / "link.txt").string();
    fs::create_symlink("real.txt", link);
    io::write_file_atomic(link, "new");
    EXPECT_TRUE(fs::is_symlink(link));
    EXPECT_EQ(slurp(real), "new");
    // A dangling link is filled in at its target.
    const auto dangling = (dir.path / "dangling.txt").string();
    fs::create_symlink("later.txt", dangling);
    io::write_file_atomic(dangling, "later");
    EXPECT_TRUE(fs::is_symlink(dangling));
    EXPECT_EQ(slurp(dir.path / "later.txt"), "later");
    EXPECT_EQ(dir.entries(), 4u);
}

TEST(AtomicFile, AFifoIsWrittenThroughNotReplaced) {
    TempDir dir;
    const auto fifo = (dir.path / "pipe").string();
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    std::string received;
    std::thread reader([&] { received = slurp(fifo); });
    {
        io::AtomicFile f(fifo);
        EXPECT_TRUE(f.direct());
        f.write("through the pipe");
        f.commit();
    }
    reader.join();
    EXPECT_EQ(received, "through the pipe");
    struct stat st {};
    ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
    EXPECT_TRUE(S_ISFIFO(st.st_mode));
    EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, TemporariesNameTheirProcess) {
    TempDir dir;
    io::AtomicFile f((dir.path / "x.mtx").string());
    const auto name = fs::directory_iterator(dir.path)->path().filename().string();
    EXPECT_EQ(name.rfind(".x.mtx.tmp-" + std::to_string(::getpid()) + "-", 0), 0u) << name;
}

TEST(AtomicFile, StaleTemporariesOfTheSameTargetAreRemovedLiveOnesKept) {
    TempDir dir;
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ASSERT_GT(child, 0);
    ::waitpid(child, nullptr, 0);  // a pid whose process is gone
    const std::string dead = std::to_string(child), alive = std::to_string(::getppid());
    dir.write(".x.mtx.tmp-" + dead + "-abcdef", "stale");
    dir.write(".x.mtx.tmp-" + alive + "-abcdef", "a live process's");
    dir.write(".y.mtx.tmp-" + dead + "-abcdef", "another target's");
    dir.write(".x.mtx.tmp-abcdef", "not this format");
    // Dead pid but locked: the pid may be another pid namespace's, the lock says it is in use.
    const auto locked = dir.write(".x.mtx.tmp-" + dead + "-locked", "locked");
    const int fd = ::open(locked.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::flock(fd, LOCK_EX), 0);
    io::write_file_atomic((dir.path / "x.mtx").string(), "new");
    ::close(fd);
    EXPECT_FALSE(fs::exists(dir.path / (".x.mtx.tmp-" + dead + "-abcdef")));
    EXPECT_TRUE(fs::exists(dir.path / (".x.mtx.tmp-" + alive + "-abcdef")));
    EXPECT_TRUE(fs::exists(dir.path / (".y.mtx.tmp-" + dead + "-abcdef")));
    EXPECT_TRUE(fs::exists(dir.path / ".x.mtx.tmp-abcdef"));
    EXPECT_TRUE(fs::exists(locked));
    EXPECT_EQ(slurp(dir.path / "x.mtx"), "new");
}

TEST(OutputFiles, AnOutputThatIsAnInputIsRefusedBeforeAnythingIsWritten) {
    TempDir dir;
    const auto corpus = dir.write("docs.txt", "precious");
    const auto alias = (dir.path / "alias.txt").string();
    fs::create_hard_link(corpus, alias);
    EXPECT_THROW(io::OutputFiles({{"-o", alias}}, {{"CORPUS", corpus}}), InvalidArgument);
    EXPECT_THROW(io::OutputFiles({{"-o", (dir.path / "." / "docs.txt").string()}}, {{"CORPUS", corpus}}),
                 InvalidArgument);
    EXPECT_EQ(slurp(corpus), "precious");
    EXPECT_EQ(dir.entries(), 2u);
    try {
        io::OutputFiles({{"--vocab", alias}}, {{"--stop-words", corpus}});
        ADD_FAILURE() << "no error";
    } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find("--vocab"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("--stop-words"), std::string::npos) << e.what();
    }
    // Missing or empty inputs are not compared; a different file is fine.
    io::OutputFiles ok({{"-o", (dir.path / "out.txt").string()}},
                       {{"CORPUS", ""}, {"X", (dir.path / "none").string()}});
    EXPECT_NE(ok[0], nullptr);
}

TEST(OutputFiles, AnOutputInsideAnInputFolderIsRefused) {
    TempDir dir;
    fs::create_directories(dir.path / "corpus" / "a");
    EXPECT_THROW(io::OutputFiles({{"-o", (dir.path / "corpus" / "a" / "X.mtx").string()}},
                                 {{"CORPUS", (dir.path / "corpus").string()}}),
                 InvalidArgument);
    EXPECT_THROW(io::OutputFiles({{"-o", (dir.path / "corpus" / "X.mtx").string()}},
                                 {{"CORPUS", (dir.path / "corpus").string()}}),
                 InvalidArgument);
    EXPECT_EQ(std::distance(fs::recursive_directory_iterator(dir.path), {}), 2);
    io::OutputFiles ok({{"-o", (dir.path / "X.mtx").string()}}, {{"CORPUS", (dir.path / "corpus").string()}});
    EXPECT_NE(ok[0], nullptr);
}

TEST(OutputFiles, AConcurrentCleanUpNeverLeavesHalfASet) {
    // remove_pending_temporaries on another thread while a set is published: whichever goes
    // first, the set ends all new (the clean-up found nothing) or the publication failed with
    // every file still absent — never one new file beside a missing one.
    for (int round = 0; round < 20; ++round) {
        TempDir dir;
        const auto a = (dir.path / "a.txt").string(), b = (dir.path / "b.txt").string();
        io::OutputFiles out({a, b});
        out[0]->write("a");
        out[1]->write("b");
        std::thread cleaner([] { io::remove_pending_temporaries(); });
        bool published = true;
        try {
            out.commit();
        } catch (const IoError&) {
            published = false;
        }
        cleaner.join();
        EXPECT_EQ(fs::exists(a), published);
        EXPECT_EQ(fs::exists(b), published);
    }
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

TEST(PieceReader, ReadsOnlyAsFarAsAskedAndKnowsARegularFilesSize) {
    TempDir dir;
    const std::string p = dir.write("f.txt", "abcdef");
    PieceReader f(p);
    ASSERT_TRUE(f.size().has_value());
    EXPECT_EQ(*f.size(), 6u);
    std::string out;
    EXPECT_EQ(f.read(out, 4), 4u);
    EXPECT_FALSE(f.at_end());
    EXPECT_EQ(f.read(out, std::uint64_t{1} << 62), 2u);  // a huge request reserves nothing beyond the file
    EXPECT_EQ(out, "abcdef");
    EXPECT_TRUE(f.at_end());
    EXPECT_EQ(f.consumed(), 6u);
    PieceReader zero("/dev/zero");
    EXPECT_FALSE(zero.size().has_value());
    std::string z;
    EXPECT_EQ(zero.read(z, 100000), 100000u);
    EXPECT_FALSE(zero.at_end());
    EXPECT_THROW(PieceReader(dir.path.string()), IoError);
    EXPECT_THROW(PieceReader((dir.path / "absent").string()), IoError);
}

TEST(PieceReader, ShortLinesStopAtTheFirstLineTooLong) {
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
