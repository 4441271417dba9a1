// The model file: save → load gives the same model bit for bit, and every way a file can be
// damaged (a flipped byte, a truncation, a foreign or newer file) is a DataError, never a crash
// or a half-read model.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "factopic/core/error.hpp"
#include "factopic/model/model.hpp"

using factopic::DataError;
using namespace factopic::model;

namespace {

TopicModel small_model(const std::string& method) {
    TopicModel m;
    m.method = method;
    m.vectorizer.weighting = factopic::text::Weighting::Tfidf;
    m.vectorizer.stop_words = {"foo", "bar"};
    m.vocabulary = {"alpha", "beta", "gamma", "zeta"};
    m.idf = {1.0, 1.5, 2.25, 1.0 / 3.0};
    m.nmf.k = 2;
    m.nmf.solver = factopic::decomp::NmfSolver::mu;
    m.nmf.tol = 1e-5;
    m.terms = factopic::linalg::Matrix<double>(2, 4);
    for (std::int64_t t = 0; t < 2; ++t)
        for (std::int64_t j = 0; j < 4; ++j)
            m.terms(t, j) = 0.1 * static_cast<double>(t + 1) / static_cast<double>(j + 3);
    if (method != "nmf") m.singular_values = {3.5, 1.25};
    m.metadata = R"({"documents":3,"source":"unit test"})";
    return m;
}

std::string message_of(const std::string& bytes) {
    try {
        (void)decode(bytes, "m.ftm");
    } catch (const DataError& e) {
        return e.what();
    }
    return "";
}

/// The model's bytes with the header JSON text replaced by edit(text), the payload length and
/// the checksum fixed, so that only the header is wrong.
template <typename Edit>
std::string with_header(const std::string& bytes, Edit edit) {
    std::uint64_t header_len = 0;
    std::memcpy(&header_len, bytes.data() + 24, 8);
    const std::string header = edit(bytes.substr(32, header_len));
    const std::string rest = bytes.substr(32 + header_len, bytes.size() - 8 - 32 - header_len);
    std::string out = bytes.substr(0, 16);
    const std::uint64_t length = 8 + header.size() + rest.size(), n = header.size();
    out.append(reinterpret_cast<const char*>(&length), 8);
    out.append(reinterpret_cast<const char*>(&n), 8);
    out += header + rest;
    const std::uint64_t crc = crc64(out);
    out.append(reinterpret_cast<const char*>(&crc), 8);
    return out;
}

/// The header with the first occurrence of `from` replaced by `to`.
std::string replaced(const std::string& bytes, const std::string& from, const std::string& to) {
    return with_header(bytes, [&](std::string h) {
        const auto at = h.find(from);
        EXPECT_NE(at, std::string::npos) << from << " not in " << h;
        if (at != std::string::npos) h.replace(at, from.size(), to);
        return h;
    });
}

}  // namespace

TEST(Model, Crc64IsCrc64Xz) {
    EXPECT_EQ(crc64("123456789"), 0x995DC9BBDF1939FAULL);  // the catalogue's check value
    EXPECT_EQ(crc64(""), 0u);
}

TEST(Model, SaveLoadIsBitIdentical) {
    for (const std::string method : {"nmf", "krylov"}) {
        const TopicModel m = small_model(method);
        const std::string bytes = encode(m);
        const TopicModel back = decode(bytes, "m.ftm");
        EXPECT_EQ(back.method, method);
        EXPECT_EQ(back.vocabulary, m.vocabulary);
        EXPECT_EQ(back.vectorizer.stop_words, m.vectorizer.stop_words);
        EXPECT_EQ(back.idf, m.idf);
        EXPECT_EQ(back.terms.data, m.terms.data);
        EXPECT_EQ(back.singular_values, m.singular_values);
        if (method == "nmf") {  // what transform solves with
            EXPECT_EQ(back.nmf.solver, m.nmf.solver);
            EXPECT_EQ(back.nmf.tol, m.nmf.tol);
            EXPECT_EQ(back.nmf.k, m.nmf.k);
        }
        EXPECT_EQ(encode(back), bytes);  // and back to the same bytes
    }
}

TEST(Model, SaveWritesTheFileAtomicallyAndLoadReadsIt) {
    const auto dir = std::filesystem::temp_directory_path() / "factopic-model-test";
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "m.ftm").string();
    save_model(small_model("nmf"), path);
    EXPECT_EQ(load_model(path).vocabulary, small_model("nmf").vocabulary);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++files;
    EXPECT_EQ(files, 1u);  // no temporary left behind
    std::filesystem::remove_all(dir);
    EXPECT_THROW(load_model(path), factopic::Error);
}

TEST(Model, EveryFlippedByteIsCaught) {
    const std::string bytes = encode(small_model("nmf"));
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        std::string bad = bytes;
        bad[i] = static_cast<char>(bad[i] ^ 0x10);
        const std::string why = message_of(bad);
        ASSERT_FALSE(why.empty()) << "byte " << i << " flipped was not noticed";
        ASSERT_NE(why.find("m.ftm"), std::string::npos) << why;
    }
}

TEST(Model, EveryTruncationIsCaught) {
    const std::string bytes = encode(small_model("svd"));
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        const std::string why = message_of(bytes.substr(0, n));
        ASSERT_FALSE(why.empty()) << "a file cut to " << n << " bytes was read";
    }
    EXPECT_NE(message_of(bytes.substr(0, bytes.size() - 3)).find("truncated"), std::string::npos);
    EXPECT_NE(message_of(bytes + "x").find("follow"), std::string::npos);
}

TEST(Model, ForeignAndNewerFilesAreNamedAsSuch) {
    EXPECT_NE(message_of("%%MatrixMarket matrix coordinate real general\n").find("not a factopic model"),
              std::string::npos);
    EXPECT_NE(message_of("").find("not a factopic model"), std::string::npos);
    std::string newer = encode(small_model("nmf"));
    const std::uint32_t version = k_model_version + 1;
    std::memcpy(newer.data() + 8, &version, sizeof version);
    const std::string why = message_of(newer);
    EXPECT_NE(why.find("version 2"), std::string::npos) << why;
}

TEST(Model, FieldsThatDoNotFitTogetherAreRejected) {
    TopicModel m = small_model("nmf");
    m.idf.pop_back();  // 3 idf weights for 4 terms: written, but not read back
    const std::string why = message_of(encode(m));
    EXPECT_NE(why.find("idf"), std::string::npos) << why;
    m = small_model("nmf");
    m.vocabulary = {"beta", "alpha", "gamma", "zeta"};
    EXPECT_NE(message_of(encode(m)).find("sorted"), std::string::npos);
    m = small_model("nmf");
    m.terms = factopic::linalg::Matrix<double>(2, 3);
    EXPECT_THROW((void)encode(m), factopic::InvalidArgument);
}

TEST(Model, StoredOptionsOutOfRangeAreTheFilesFault) {
    const std::string bytes = encode(small_model("nmf"));
    EXPECT_EQ(message_of(with_header(bytes, [](std::string h) { return h; })), "");  // the helper alone is harmless
    const std::vector<std::pair<std::pair<std::string, std::string>, std::string>> cases = {
        {{"\"l1_ratio\":0.0", "\"l1_ratio\":5.0"}, "stored NMF option out of range: l1_ratio = 5"},
        {{"\"max_iter\":0", "\"max_iter\":-1"}, "stored NMF option out of range: max_iter = -1"},
        {{"\"anneal\":0.9", "\"anneal\":0.0"}, "stored NMF option out of range: anneal = 0"},
        {{"\"adam_eps\":1e-08", "\"adam_eps\":0.0"}, "stored NMF option out of range: adam eps = 0"},
        {{"\"max_iter\":0", "\"max_iter\":1e30"}, "header field 'nmf.max_iter' is 1e+30, expected an integer"},
        {{"\"max_iter\":0", "\"max_iter\":4294967296"}, "header field 'nmf.max_iter' is 4294967296"},
        {{"\"seed\":0", "\"seed\":-1"}, "header field 'nmf.seed' is -1"},
        {{"\"tol\":1e-05", "\"tol\":\"small\""}, "header field 'nmf.tol' is \"small\", expected a number"},
        {{"\"max_features\":null", "\"max_features\":0"}, "stored vectorizer option out of range: max_features = 0"},
        {{"\"ngram\":[1,1]", "\"ngram\":[2,1]"}, "stored vectorizer option out of range: ngram = 2:1"},
        {{"\"ngram\":[1,1]", "\"ngram\":[1]"}, "header field 'vectorizer.ngram'"},
        {{"\"norm\":\"l2\",", ""}, "header field 'vectorizer.norm' is missing"},
        {{"\"method\":\"nmf\"", "\"method\":7"}, "header field 'method' is 7, expected a string"},
        {{"\"source\":\"unit test\"", "\"source\":5"}, "header field 'metadata.source' is 5, expected a string"},
        {{"\"documents\":3", "\"documents\":3.5"}, "header field 'metadata.documents' is 3.5"},
    };
    for (const auto& [edit, says] : cases) {
        const std::string why = message_of(replaced(bytes, edit.first, edit.second));
        ASSERT_FALSE(why.empty()) << edit.second;
        EXPECT_EQ(why.rfind("m.ftm: not a valid factopic model: ", 0), 0u) << why;
        EXPECT_NE(why.find(says), std::string::npos) << "'" << says << "' not in: " << why;
        EXPECT_EQ(why.find("[json.exception"), std::string::npos) << why;
    }
    // A metadata number may be null: that is how JSON writes a NaN (an undefined coherence).
    EXPECT_EQ(message_of(replaced(bytes, "\"documents\":3", "\"documents\":3,\"diversity\":null")), "");
}

TEST(Model, HeadersThatAreNotJsonOrNestTooDeepAreNamed) {
    const std::string bytes = encode(small_model("nmf"));
    std::string why = message_of(with_header(bytes, [](std::string h) { return h.substr(0, h.size() - 2); }));
    EXPECT_NE(why.find("m.ftm: not a valid factopic model: its header is not valid JSON: parse error at line 1"),
              std::string::npos)
        << why;
    EXPECT_EQ(why.find("[json.exception"), std::string::npos) << why;
    why = message_of(replaced(bytes, "\"metadata\":{",
                              "\"metadata\":{\"x\":" + std::string(100000, '[') + std::string(100000, ']') + ","));
    EXPECT_NE(why.find("nests deeper than 64 levels"), std::string::npos) << why;
}

TEST(Model, LoadReadsTheSignatureFirstAndOnlyAsFarAsTheLength) {
    const auto dir = std::filesystem::temp_directory_path() / "factopic-model-load-test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const auto load_error = [](const std::string& path) -> std::string {
        try {
            (void)load_model(path);
        } catch (const DataError& e) {
            return e.what();
        }
        return "";
    };
    const std::string zero = (dir / "zero.ftm").string();
    std::filesystem::create_symlink("/dev/zero", zero);
    EXPECT_EQ(load_error(zero), zero + ": not a factopic model (no model signature at its start)");
    // Through a pipe: a good model is read, one with bytes after its end is refused.
    const std::string good = encode(small_model("nmf"));
    for (const bool trailing : {false, true}) {
        const std::string fifo = (dir / (trailing ? "trailing.ftm" : "good.ftm")).string();
        ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
        std::thread writer([&] { std::ofstream(fifo, std::ios::binary) << good + (trailing ? "xyz" : ""); });
        const std::string why = load_error(fifo);
        writer.join();
        if (trailing)
            EXPECT_EQ(why, fifo + ": not a valid factopic model: more bytes follow its end");
        else
            EXPECT_EQ(why, "");
    }
    const std::string regular = (dir / "regular.ftm").string();
    std::ofstream(regular, std::ios::binary) << good + "xyz";
    EXPECT_EQ(load_error(regular), regular + ": not a valid factopic model: 3 bytes follow its end");
    std::ofstream(regular, std::ios::binary) << good.substr(0, 40);
    EXPECT_NE(load_error(regular).find("truncated (40 of"), std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST(Model, APipeIsRefusedOnItsHeaderBeforeItsClaimedLength) {
    const auto dir = std::filesystem::temp_directory_path() / "factopic-model-pipe-test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string fifo = (dir / "endless.ftm").string();
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    std::string head = encode(small_model("nmf")).substr(0, 16);
    const std::uint64_t length = std::uint64_t{1} << 40;
    head.append(reinterpret_cast<const char*>(&length), 8);
    // The writer sends the start, then zeros until the reader has gone (SIGPIPE blocked on its
    // thread, so a write to the closed pipe fails with EPIPE instead of ending the process).
    std::thread writer([&] {
        sigset_t pipe_signal;
        sigemptyset(&pipe_signal);
        sigaddset(&pipe_signal, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
        const int fd = ::open(fifo.c_str(), O_WRONLY);
        const std::string zeros(1 << 16, '\0');
        bool open = ::write(fd, head.data(), head.size()) > 0;
        for (int i = 0; i < 64 && open; ++i) open = ::write(fd, zeros.data(), zeros.size()) > 0;
        ::close(fd);
    });
    std::string why;
    try {
        (void)load_model(fifo);
    } catch (const DataError& e) {
        why = e.what();
    }
    writer.join();
    EXPECT_NE(why.find(fifo + ": not a valid factopic model: its header is not valid JSON"), std::string::npos) << why;
    std::filesystem::remove_all(dir);
}
