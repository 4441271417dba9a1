// Every corpus reader on small trees and archives built by the test itself.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "factopic/core/error.hpp"
#include "factopic/text/corpus.hpp"
#include "factopic/text/stop_words.hpp"

namespace fs = std::filesystem;
using namespace factopic;
using namespace factopic::text;

namespace {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "factopic-test-XXXXXX").string();
        m_path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() { fs::remove_all(m_path); }
    const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

void write(const fs::path& p, const std::string& bytes) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
}

void write_archive(const fs::path& p, const std::map<std::string, std::string>& files, bool gzip = true) {
    archive* a = archive_write_new();
    if (gzip) archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
    ASSERT_EQ(archive_write_open_filename(a, p.c_str()), ARCHIVE_OK);
    for (const auto& [name, bytes] : files) {
        archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, name.c_str());
        archive_entry_set_size(e, static_cast<la_int64_t>(bytes.size()));
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_write_header(a, e);
        archive_write_data(a, bytes.data(), bytes.size());
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
}

const std::map<std::string, std::string> k_news{
    {"20news-bydate-train/sci.space/60", "From: a\n\nmoon orbit"},
    {"20news-bydate-train/sci.space/100", "From: b\n\nlaunch pad\n\n-- \nsig"},
    {"20news-bydate-train/alt.atheism/5", "From: c\n\nIn article x wrote:\n> quoted\nreply here"},
    {"20news-bydate-test/sci.space/7", "From: d\n\ntest post"},
    {"20news-bydate-test/alt.atheism/9", "From: e\n\ncaf\xe9 latin1"},
};

}  // namespace

TEST(Corpus, FolderIsReadInPathOrderWithFirstLevelLabels) {
    TempDir dir;
    write(dir.path() / "b" / "2.txt", "second b");
    write(dir.path() / "b" / "10.txt", "first b (string order)");
    write(dir.path() / "a.b" / "x", "after a");
    write(dir.path() / "a" / "deep" / "y", "a deep");
    write(dir.path() / "top.txt", "no label");
    const Corpus c = read_corpus(dir.path().string(), {});
    EXPECT_EQ(c.layout, "folder");
    ASSERT_EQ(c.size(), 5u);
    EXPECT_EQ(c.ids, (std::vector<std::string>{"a/deep/y", "a.b/x", "b/10.txt", "b/2.txt", "top.txt"}));
    EXPECT_EQ(c.labels, (std::vector<std::string>{"a", "a.b", "b", "b", ""}));
    EXPECT_EQ(c.texts[0], "a deep");
    EXPECT_TRUE(c.has_labels());
}

TEST(Corpus, FolderCategoriesSelectLabels) {
    TempDir dir;
    write(dir.path() / "x" / "1", "one");
    write(dir.path() / "y" / "1", "two");
    CorpusOptions o;
    o.categories = {"y"};
    const Corpus c = read_corpus(dir.path().string(), o);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c.texts[0], "two");
    o.categories = {"nope"};
    try {
        read_corpus(dir.path().string(), o);
        FAIL() << "expected DataError";
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("x, y"), std::string::npos) << e.what();
    }
}

TEST(Corpus, InvalidUtf8FallsBackToLatin1) {
    TempDir dir;
    write(dir.path() / "l1", "caf\xe9");
    write(dir.path() / "u8", "caf\xc3\xa9");
    const Corpus c = read_corpus(dir.path().string(), {});
    EXPECT_EQ(c.texts[0], "caf\xc3\xa9");
    EXPECT_EQ(c.texts[1], "caf\xc3\xa9");
    CorpusOptions o;
    o.encoding = Encoding::Latin1;
    EXPECT_EQ(read_corpus(dir.path().string(), o).texts[1], "caf\xc3\x83\xc2\xa9");
    o.encoding = Encoding::Utf8;
    EXPECT_THROW(read_corpus(dir.path().string(), o), DataError);
}

TEST(Corpus, NewsgroupsArchiveSubsetsCategoriesAndCleaners) {
    TempDir dir;
    const auto archive_path = dir.path() / "news.tar.gz";
    write_archive(archive_path, k_news);
    CorpusOptions o;
    Corpus c = read_corpus(archive_path.string(), o);
    EXPECT_EQ(c.layout, "20newsgroups");
    // train only by default; categories sorted, then file names sorted as strings
    EXPECT_EQ(c.ids, (std::vector<std::string>{"20news-bydate-train/alt.atheism/5", "20news-bydate-train/sci.space/100",
                                               "20news-bydate-train/sci.space/60"}));
    EXPECT_EQ(c.labels, (std::vector<std::string>{"alt.atheism", "sci.space", "sci.space"}));

    o.subset = NewsgroupsSubset::All;
    o.remove = parse_cleaning("headers,footers,quotes");
    c = read_corpus(archive_path.string(), o);
    ASSERT_EQ(c.size(), 5u);
    EXPECT_EQ(c.ids[3], "20news-bydate-test/alt.atheism/9");
    EXPECT_EQ(c.texts[0], "reply here");
    EXPECT_EQ(c.texts[1], "launch pad\n");
    EXPECT_EQ(c.texts[3], "caf\xc3\xa9 latin1");

    o.subset = NewsgroupsSubset::Test;
    o.categories = {"sci.space"};
    c = read_corpus(archive_path.string(), o);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c.texts[0], "test post");

    o.categories = {"rec.autos"};
    try {
        read_corpus(archive_path.string(), o);
        FAIL() << "expected DataError";
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("alt.atheism, sci.space"), std::string::npos) << e.what();
    }
}

TEST(Corpus, NewsgroupsFolderAndPlainTar) {
    TempDir dir;
    for (const auto& [name, bytes] : k_news) write(dir.path() / "tree" / name, bytes);
    CorpusOptions o;
    o.subset = NewsgroupsSubset::Test;
    const Corpus folder = read_corpus((dir.path() / "tree").string(), o);
    EXPECT_EQ(folder.layout, "20newsgroups");
    EXPECT_EQ(folder.size(), 2u);
    write_archive(dir.path() / "plain.tar", k_news, false);
    const Corpus tar = read_corpus((dir.path() / "plain.tar").string(), o);
    EXPECT_EQ(tar.texts, folder.texts);
    EXPECT_EQ(tar.ids, folder.ids);
}

TEST(Corpus, NewsgroupsAreLatin1LikeScikitLearn) {
    // fetch_20newsgroups decodes every post as latin-1, even one that is valid UTF-8.
    TempDir dir;
    write_archive(dir.path() / "n.tar.gz", {{"20news-bydate-train/a/1", "caf\xc3\xa9"}});
    EXPECT_EQ(read_corpus((dir.path() / "n.tar.gz").string(), {}).texts[0], "caf\xc3\x83\xc2\xa9");
    CorpusOptions o;
    o.encoding = Encoding::Utf8;
    EXPECT_EQ(read_corpus((dir.path() / "n.tar.gz").string(), o).texts[0], "caf\xc3\xa9");
}

TEST(Corpus, FolderSymlinkCyclesAreReadOnce) {
    TempDir dir;
    write(dir.path() / "a" / "doc", "one document");
    fs::create_directory_symlink("..", dir.path() / "a" / "up");
    fs::create_directory_symlink(dir.path() / "a", dir.path() / "again");
    const Corpus c = read_corpus(dir.path().string(), {});
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c.ids[0], "a/doc");
}

TEST(Corpus, SubsetOnlyAppliesToNewsgroups) {
    TempDir dir;
    write(dir.path() / "a" / "1", "x");
    CorpusOptions o;
    o.subset = NewsgroupsSubset::Train;
    EXPECT_THROW(read_corpus(dir.path().string(), o), InvalidArgument);
}

TEST(Corpus, LinesFile) {
    TempDir dir;
    write(dir.path() / "docs.txt", "first doc\r\nsecond doc\n\nfourth\n");
    const Corpus c = read_corpus((dir.path() / "docs.txt").string(), {});
    EXPECT_EQ(c.layout, "lines");
    EXPECT_EQ(c.texts, (std::vector<std::string>{"first doc", "second doc", "", "fourth"}));
    EXPECT_EQ(c.ids[3], "line 4");
    EXPECT_FALSE(c.has_labels());
}

TEST(Corpus, JsonLines) {
    TempDir dir;
    write(dir.path() / "d.jsonl",
          "{\"body\": \"hello world\", \"tag\": \"a\"}\n\n{\"body\": \"caf\\u00e9\", \"tag\": 3}\n");
    CorpusOptions o;
    o.text_field = "body";
    o.label_field = "tag";
    const Corpus c = read_corpus((dir.path() / "d.jsonl").string(), o);
    EXPECT_EQ(c.texts, (std::vector<std::string>{"hello world", "caf\xc3\xa9"}));
    EXPECT_EQ(c.labels, (std::vector<std::string>{"a", "3"}));
    EXPECT_EQ(c.ids[1], "line 3");

    write(dir.path() / "bad.jsonl", "{\"body\": \"ok\"}\n{\"body\": oops}\n");
    o.label_field.clear();
    try {
        read_corpus((dir.path() / "bad.jsonl").string(), o);
        FAIL() << "expected ParseError";
    } catch (const ParseError& e) {
        EXPECT_EQ(e.line(), 2u);
    }
    write(dir.path() / "bom.jsonl", "\xEF\xBB\xBF{\"body\": \"first\"}\n");
    EXPECT_EQ(read_corpus((dir.path() / "bom.jsonl").string(), o).texts[0], "first");
    write(dir.path() / "nofield.jsonl", "{\"text\": \"ok\"}\n");
    EXPECT_THROW(read_corpus((dir.path() / "nofield.jsonl").string(), o), ParseError);
}

TEST(Corpus, Failures) {
    TempDir dir;
    EXPECT_THROW(read_corpus((dir.path() / "missing").string(), {}), IoError);
    fs::create_directories(dir.path() / "empty");
    EXPECT_THROW(read_corpus((dir.path() / "empty").string(), {}), DataError);
    write(dir.path() / "junk.tar.gz", std::string(4096, '\x5a'));
    EXPECT_THROW(read_corpus((dir.path() / "junk.tar.gz").string(), {}), ParseError);

    write_archive(dir.path() / "whole.tar.gz", k_news);
    std::ifstream in(dir.path() / "whole.tar.gz", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    write(dir.path() / "half.tar.gz", bytes.substr(0, bytes.size() / 2));
    EXPECT_THROW(read_corpus((dir.path() / "half.tar.gz").string(), {}), ParseError);
    EXPECT_THROW(parse_cleaning("headers,signatures"), InvalidArgument);
}

TEST(StopWords, FileWithByteOrderMarkKeepsItsFirstWord) {
    TempDir dir;
    write(dir.path() / "stop.txt", "\xEF\xBB\xBFhello\n# comment\n\nworld\n");
    EXPECT_EQ(read_stop_words((dir.path() / "stop.txt").string()), (std::vector<std::string>{"hello", "world"}));
    EXPECT_THROW(read_stop_words(dir.path().string()), IoError);  // a directory
}
