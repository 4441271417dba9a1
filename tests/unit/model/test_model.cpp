// The model file: save → load gives the same model bit for bit, and every way a file can be
// damaged (a flipped byte, a truncation, a foreign or newer file) is a DataError, never a crash
// or a half-read model.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
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
        for (std::int64_t j = 0; j < 4; ++j) m.terms(t, j) = 0.1 * static_cast<double>(t + 1) / static_cast<double>(j + 3);
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
