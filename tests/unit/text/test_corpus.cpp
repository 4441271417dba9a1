// Every corpus reader on small trees and archives built by the test itself.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "../support.hpp"
#include "factopic/core/error.hpp"
#include "factopic/text/corpus.hpp"
#include "factopic/text/stop_words.hpp"

namespace fs = std::filesystem;
using namespace factopic;
using namespace factopic::text;

namespace {

using factopic::test_support::slurp;
using factopic::test_support::TempDir;

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
    write(dir.path / "b" / "2.txt", "second b");
    write(dir.path / "b" / "10.txt", "first b (string order)");
    write(dir.path / "a.b" / "x", "after a");
    write(dir.path / "a" / "deep" / "y", "a deep");
    write(dir.path / "top.txt", "no label");
    const Corpus c = read_corpus(dir.path.string(), {});
    EXPECT_EQ(c.layout, "folder");
    ASSERT_EQ(c.size(), 5u);
    EXPECT_EQ(c.ids, (std::vector<std::string>{"a/deep/y", "a.b/x", "b/10.txt", "b/2.txt", "top.txt"}));
    EXPECT_EQ(c.labels, (std::vector<std::string>{"a", "a.b", "b", "b", ""}));
    EXPECT_EQ(c.texts[0], "a deep");
    EXPECT_TRUE(c.has_labels());
}

TEST(Corpus, FolderCategoriesSelectLabels) {
    TempDir dir;
    write(dir.path / "x" / "1", "one");
    write(dir.path / "y" / "1", "two");
    CorpusOptions o;
    o.categories = {"y"};
    const Corpus c = read_corpus(dir.path.string(), o);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c.texts[0], "two");
    o.categories = {"nope"};
    try {
        read_corpus(dir.path.string(), o);
        FAIL() << "expected DataError";
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("x, y"), std::string::npos) << e.what();
    }
}

TEST(Corpus, InvalidUtf8FallsBackToLatin1) {
    TempDir dir;
    write(dir.path / "l1", "caf\xe9");
    write(dir.path / "u8", "caf\xc3\xa9");
    const Corpus c = read_corpus(dir.path.string(), {});
    EXPECT_EQ(c.texts[0], "caf\xc3\xa9");
    EXPECT_EQ(c.texts[1], "caf\xc3\xa9");
    CorpusOptions o;
    o.encoding = Encoding::Latin1;
    EXPECT_EQ(read_corpus(dir.path.string(), o).texts[1], "caf\xc3\x83\xc2\xa9");
    o.encoding = Encoding::Utf8;
    EXPECT_THROW(read_corpus(dir.path.string(), o), DataError);
}

TEST(Corpus, NewsgroupsArchiveSubsetsCategoriesAndCleaners) {
    TempDir dir;
    const auto archive_path = dir.path / "news.tar.gz";
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
    for (const auto& [name, bytes] : k_news) write(dir.path / "tree" / name, bytes);
    CorpusOptions o;
    o.subset = NewsgroupsSubset::Test;
    const Corpus folder = read_corpus((dir.path / "tree").string(), o);
    EXPECT_EQ(folder.layout, "20newsgroups");
    EXPECT_EQ(folder.size(), 2u);
    write_archive(dir.path / "plain.tar", k_news, false);
    const Corpus tar = read_corpus((dir.path / "plain.tar").string(), o);
    EXPECT_EQ(tar.texts, folder.texts);
    EXPECT_EQ(tar.ids, folder.ids);
}

TEST(Corpus, NewsgroupsAreLatin1LikeScikitLearn) {
    // fetch_20newsgroups decodes every post as latin-1, even one that is valid UTF-8.
    TempDir dir;
    write_archive(dir.path / "n.tar.gz", {{"20news-bydate-train/a/1", "caf\xc3\xa9"}});
    EXPECT_EQ(read_corpus((dir.path / "n.tar.gz").string(), {}).texts[0], "caf\xc3\x83\xc2\xa9");
    CorpusOptions o;
    o.encoding = Encoding::Utf8;
    EXPECT_EQ(read_corpus((dir.path / "n.tar.gz").string(), o).texts[0], "caf\xc3\xa9");
}

TEST(Corpus, FolderSymlinkCyclesAreReadOnce) {
    TempDir dir;
    write(dir.path / "a" / "doc", "one document");
    fs::create_directory_symlink("..", dir.path / "a" / "up");
    fs::create_directory_symlink(dir.path / "a", dir.path / "again");
    const Corpus c = read_corpus(dir.path.string(), {});
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c.ids[0], "a/doc");
}

TEST(Corpus, SubsetOnlyAppliesToNewsgroups) {
    TempDir dir;
    write(dir.path / "a" / "1", "x");
    CorpusOptions o;
    o.subset = NewsgroupsSubset::Train;
    EXPECT_THROW(read_corpus(dir.path.string(), o), InvalidArgument);
}

TEST(Corpus, LinesFile) {
    TempDir dir;
    write(dir.path / "docs.txt", "first doc\r\nsecond doc\n\nfourth\n");
    const Corpus c = read_corpus((dir.path / "docs.txt").string(), {});
    EXPECT_EQ(c.layout, "lines");
    EXPECT_EQ(c.texts, (std::vector<std::string>{"first doc", "second doc", "", "fourth"}));
    EXPECT_EQ(c.ids[3], "line 4");
    EXPECT_FALSE(c.has_labels());
}

TEST(Corpus, JsonLines) {
    TempDir dir;
    write(dir.path / "d.jsonl",
          "{\"body\": \"hello world\", \"tag\": \"a\"}\n\n{\"body\": \"caf\\u00e9\", \"tag\": 3}\n");
    CorpusOptions o;
    o.text_field = "body";
    o.label_field = "tag";
    const Corpus c = read_corpus((dir.path / "d.jsonl").string(), o);
    EXPECT_EQ(c.texts, (std::vector<std::string>{"hello world", "caf\xc3\xa9"}));
    EXPECT_EQ(c.labels, (std::vector<std::string>{"a", "3"}));
    EXPECT_EQ(c.ids[1], "line 3");

    write(dir.path / "bad.jsonl", "{\"body\": \"ok\"}\n{\"body\": oops}\n");
    o.label_field.clear();
    try {
        read_corpus((dir.path / "bad.jsonl").string(), o);
        FAIL() << "expected ParseError";
    } catch (const ParseError& e) {
        EXPECT_EQ(e.line(), 2u);
    }
    write(dir.path / "bom.jsonl", "\xEF\xBB\xBF{\"body\": \"first\"}\n");
    EXPECT_EQ(read_corpus((dir.path / "bom.jsonl").string(), o).texts[0], "first");
    write(dir.path / "nofield.jsonl", "{\"text\": \"ok\"}\n");
    EXPECT_THROW(read_corpus((dir.path / "nofield.jsonl").string(), o), ParseError);
}

TEST(Corpus, Failures) {
    TempDir dir;
    EXPECT_THROW(read_corpus((dir.path / "missing").string(), {}), IoError);
    fs::create_directories(dir.path / "empty");
    EXPECT_THROW(read_corpus((dir.path / "empty").string(), {}), DataError);
    write(dir.path / "junk.tar.gz", std::string(4096, '\x5a'));
    EXPECT_THROW(read_corpus((dir.path / "junk.tar.gz").string(), {}), ParseError);

    write_archive(dir.path / "whole.tar.gz", k_news);
    std::ifstream in(dir.path / "whole.tar.gz", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    write(dir.path / "half.tar.gz", bytes.substr(0, bytes.size() / 2));
    EXPECT_THROW(read_corpus((dir.path / "half.tar.gz").string(), {}), ParseError);
    EXPECT_THROW(parse_cleaning("headers,signatures"), InvalidArgument);
}

TEST(StopWords, FileWithByteOrderMarkKeepsItsFirstWord) {
    TempDir dir;
    write(dir.path / "stop.txt", "\xEF\xBB\xBFhello\n# comment\n\nworld\n");
    EXPECT_EQ(read_stop_words((dir.path / "stop.txt").string()), (std::vector<std::string>{"hello", "world"}));
    EXPECT_THROW(read_stop_words(dir.path.string()), IoError);  // a directory
}

// ---------------------------------------------------------------------------------------------
// Hostile input (issue 13): damaged archives, bombs, links, encodings, JSON Lines failures.

namespace {

enum class Filter { None, Gzip, Xz, Bzip2 };

struct Member {
    Member(std::string name_, std::string bytes_, unsigned type_ = AE_IFREG, std::string link_ = {})
        : name(std::move(name_)), bytes(std::move(bytes_)), type(type_), link(std::move(link_)) {}
    std::string name;
    std::string bytes;
    unsigned type;
    std::string link;  // symlink target, or the hard link's member
};

// An archive of members of any type; zip when format_zip (filter ignored).
void write_members(const fs::path& p, const std::vector<Member>& members, Filter filter, bool format_zip = false) {
    archive* a = archive_write_new();
    if (format_zip) {
        archive_write_set_format_zip(a);
    } else {
        archive_write_set_format_pax_restricted(a);
        if (filter == Filter::Gzip) archive_write_add_filter_gzip(a);
        if (filter == Filter::Xz) archive_write_add_filter_xz(a);
        if (filter == Filter::Bzip2) archive_write_add_filter_bzip2(a);
    }
    ASSERT_EQ(archive_write_open_filename(a, p.c_str()), ARCHIVE_OK);
    for (const auto& m : members) {
        archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, m.name.c_str());
        archive_entry_set_filetype(e, m.type);
        archive_entry_set_perm(e, 0644);
        if (m.type == AE_IFLNK) archive_entry_set_symlink(e, m.link.c_str());
        if (m.type == AE_IFREG && !m.link.empty()) archive_entry_set_hardlink(e, m.link.c_str());
        archive_entry_set_size(e, m.type == AE_IFREG && m.link.empty() ? static_cast<la_int64_t>(m.bytes.size()) : 0);
        archive_write_header(a, e);
        if (!m.bytes.empty()) archive_write_data(a, m.bytes.data(), m.bytes.size());
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
}

std::vector<Member> some_docs(int n) {
    std::vector<Member> out;
    for (int i = 0; i < n; ++i)
        out.push_back({"docs/" + std::to_string(1000 + i), "document number " + std::to_string(i) + " text"});
    return out;
}

template <typename E>
std::string error_of(const std::string& path, const CorpusOptions& o = {}) {
    try {
        read_corpus(path, o);
    } catch (const E& e) {
        return e.what();
    }
    ADD_FAILURE() << path << ": no error of the expected type";
    return {};
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST(CorpusArchive, GzipChecksumAndLengthAreVerified) {
    TempDir dir;
    const auto good = dir.path / "good.tar.gz";
    write_members(good, some_docs(20), Filter::Gzip);
    const std::string bytes = slurp(good);
    ASSERT_EQ(read_corpus(good.string(), {}).size(), 20u);

    std::string crc = bytes;
    crc[crc.size() - 6] = static_cast<char>(crc[crc.size() - 6] ^ 0x5a);  // the CRC-32 of the trailer
    write(dir.path / "crc.tar.gz", crc);
    EXPECT_TRUE(contains(error_of<ParseError>((dir.path / "crc.tar.gz").string()), "incorrect data check"));

    std::string len = bytes;
    len[len.size() - 2] = static_cast<char>(len[len.size() - 2] ^ 0x5a);  // ISIZE
    write(dir.path / "len.tar.gz", len);
    EXPECT_TRUE(contains(error_of<ParseError>((dir.path / "len.tar.gz").string()), "incorrect length check"));

    write(dir.path / "cut.tar.gz", bytes.substr(0, bytes.size() - 4));
    EXPECT_TRUE(contains(error_of<ParseError>((dir.path / "cut.tar.gz").string()), "truncated"));

    write(dir.path / "garbage.tar.gz", bytes + "trailing garbage");
    error_of<ParseError>((dir.path / "garbage.tar.gz").string());

    write(dir.path / "padded.tar.gz", bytes + std::string(512, '\0'));
    EXPECT_EQ(read_corpus((dir.path / "padded.tar.gz").string(), {}).size(), 20u);
}

TEST(CorpusArchive, DamagedTarHeaderIsAnErrorNotFewerDocuments) {
    // libarchive returns ARCHIVE_RETRY for a bad header checksum; it used to end the reading
    // quietly with the documents before it.
    TempDir dir;
    const auto tar = dir.path / "plain.tar";
    write_members(tar, some_docs(10), Filter::None);
    std::string bytes = slurp(tar);
    const std::size_t fifth = bytes.find("docs/1005");
    ASSERT_NE(fifth, std::string::npos);
    bytes[fifth + 2] = 'X';
    write(dir.path / "damaged.tar", bytes);
    const std::string what = error_of<ParseError>((dir.path / "damaged.tar").string());
    EXPECT_TRUE(contains(what, "damaged archive")) << what;
    EXPECT_TRUE(contains(what, "docs/1004")) << what;  // where it happened
}

TEST(CorpusArchive, MutatedArchivesFailOrReadEverything) {
    TempDir dir;
    const auto good = dir.path / "good.tar.gz";
    write_members(good, some_docs(200), Filter::Gzip);
    const std::string bytes = slurp(good);
    std::uint32_t state = 12345;
    auto next = [&] { return state = state * 1664525u + 1013904223u; };
    for (int run = 0; run < 30; ++run) {
        std::string mutated = bytes;
        for (int i = 0; i < 8; ++i) mutated[next() % mutated.size()] = static_cast<char>(next() >> 24);
        const auto path = dir.path / (std::to_string(run) + ".tar.gz");
        write(path, mutated);
        try {
            EXPECT_EQ(read_corpus(path.string(), {}).size(), 200u) << "run " << run;
        } catch (const ParseError&) {
        } catch (const DataError&) {
        }
    }
}

TEST(CorpusArchive, XzBzip2AndZipAreReadAndChecked) {
    TempDir dir;
    for (const auto filter : {Filter::Xz, Filter::Bzip2}) {
        const auto path = dir.path / (filter == Filter::Xz ? "a.tar.xz" : "a.tar.bz2");
        write_members(path, some_docs(30), filter);
        ASSERT_EQ(read_corpus(path.string(), {}).size(), 30u);
        std::string bytes = slurp(path);
        bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x40);
        write(path, bytes);
        EXPECT_ANY_THROW(read_corpus(path.string(), {}));
        EXPECT_THROW(read_corpus(path.string(), {}), ParseError);
    }
    const auto zip = dir.path / "a.zip";
    write_members(zip, some_docs(5), Filter::None, true);
    EXPECT_EQ(read_corpus(zip.string(), {}).size(), 5u);
}

TEST(CorpusArchive, ConcatenatedTarsAreAllRead) {
    TempDir dir;
    write_members(dir.path / "one.tar", {{"a/1", "first archive"}}, Filter::None);
    write_members(dir.path / "two.tar", {{"b/2", "second archive"}}, Filter::None);
    write(dir.path / "both.tar", slurp(dir.path / "one.tar") + slurp(dir.path / "two.tar"));
    EXPECT_EQ(read_corpus((dir.path / "both.tar").string(), {}).ids, (std::vector<std::string>{"a/1", "b/2"}));
}

TEST(CorpusArchive, MemberAboveTheLimitIsAnErrorNamingIt) {
    TempDir dir;
    const auto path = dir.path / "big.tar.gz";
    write_members(path, {{"a/small", "tiny"}, {"a/huge", std::string(5000, 'x')}}, Filter::Gzip);
    CorpusOptions o;
    o.max_document_bytes = 4096;
    const std::string what = error_of<DataError>(path.string(), o);
    EXPECT_TRUE(contains(what, "a/huge")) << what;
    EXPECT_TRUE(contains(what, "4 KiB")) << what;
    EXPECT_TRUE(contains(what, "--max-document-bytes")) << what;
    o.max_document_bytes = 5000;
    EXPECT_EQ(read_corpus(path.string(), o).size(), 2u);
}

TEST(CorpusArchive, ExpansionAboveTheCorpusLimitStops) {
    TempDir dir;
    std::vector<Member> members;
    for (int i = 0; i < 40; ++i) members.push_back({"z/" + std::to_string(i), std::string(100000, 'a')});
    const auto path = dir.path / "bomb.tar.gz";
    write_members(path, members, Filter::Gzip);
    ASSERT_LT(fs::file_size(path), 40000u);  // ~4 MB from a few KB
    CorpusOptions o;
    o.max_corpus_bytes = 1 << 20;
    const std::string what = error_of<DataError>(path.string(), o);
    EXPECT_TRUE(contains(what, "--max-corpus-bytes")) << what;
    // Members skipped by the selection still count: the stream is what expands.
    o.categories = {"z"};
    EXPECT_THROW(read_corpus(path.string(), o), DataError);
    o.max_corpus_bytes.reset();
    o.categories.clear();
    EXPECT_EQ(read_corpus(path.string(), o).size(), 40u);  // the automatic limit is at least 1 GiB
}

TEST(CorpusArchive, LinksAndSpecialMembersAreCountedNotRead) {
    TempDir dir;
    const auto path = dir.path / "links.tar";
    write_members(path,
                  {{"a/doc", "real text"},
                   {"a/sym", "", AE_IFLNK, "/etc/passwd"},
                   {"a/hard", "", AE_IFREG, "a/doc"},
                   {"a/fifo", "", AE_IFIFO, ""}},
                  Filter::None);
    const Corpus c = read_corpus(path.string(), {});
    EXPECT_EQ(c.ids, (std::vector<std::string>{"a/doc"}));
    EXPECT_EQ(c.skipped.archive_links, 2u);
    EXPECT_EQ(c.skipped.special_files, 1u);
    EXPECT_EQ(describe(c.skipped), "1 special file (pipe, socket or device), 2 link members of the archive");
}

TEST(CorpusArchive, NamesWithLineBreaksAreRefused) {
    TempDir dir;
    const auto path = dir.path / "nl.tar.gz";
    write_members(path, {{"a/x\ny", "text here"}}, Filter::Gzip);
    const std::string what = error_of<DataError>(path.string());
    EXPECT_TRUE(contains(what, "a/x\\ny")) << what;
    EXPECT_FALSE(contains(what, "\n")) << what;
}

TEST(CorpusArchive, NonAsciiPaxNamesAreReadAsUtf8) {
    TempDir dir;
    const auto path = dir.path / "u.tar.gz";
    write_members(path, {{"a/caf\xc3\xa9.txt", "hello"}}, Filter::Gzip);
    EXPECT_EQ(read_corpus(path.string(), {}).ids, (std::vector<std::string>{"a/caf\xc3\xa9.txt"}));
}

TEST(CorpusFolder, LinksOutsideTheRootAreSkippedAndCounted) {
    TempDir outside, dir;
    write(outside.path / "secret", "shadow password fields");
    write(outside.path / "tree" / "leaf", "outside tree");
    write(dir.path / "a" / "doc", "inside text");
    fs::create_symlink(outside.path / "secret", dir.path / "a" / "s");
    fs::create_directory_symlink(outside.path / "tree", dir.path / "t");
    fs::create_symlink(dir.path / "nowhere", dir.path / "a" / "broken");
    fs::create_symlink("doc", dir.path / "a" / "inside");
    Corpus c = read_corpus(dir.path.string(), {});
    EXPECT_EQ(c.ids, (std::vector<std::string>{"a/doc", "a/inside"}));
    EXPECT_EQ(c.skipped.links_outside, 2u);
    EXPECT_EQ(c.skipped.broken_links, 1u);
    EXPECT_EQ(describe(c.skipped), "2 links outside the corpus, 1 broken link");

    CorpusOptions o;
    o.follow_links = true;
    c = read_corpus(dir.path.string(), o);
    EXPECT_EQ(c.ids, (std::vector<std::string>{"a/doc", "a/inside", "a/s", "t/leaf"}));
    EXPECT_EQ(c.skipped.links_outside, 0u);
    EXPECT_EQ(c.skipped.broken_links, 1u);
}

TEST(CorpusFolder, CyclesAndSpecialFilesAreCounted) {
    TempDir dir;
    write(dir.path / "a" / "doc", "one document");
    fs::create_directory_symlink("..", dir.path / "a" / "up");
    fs::create_symlink("loop2", dir.path / "loop1");
    fs::create_symlink("loop1", dir.path / "loop2");
    ASSERT_EQ(::mkfifo((dir.path / "a" / "pipe").c_str(), 0600), 0);
    const Corpus c = read_corpus(dir.path.string(), {});
    EXPECT_EQ(c.ids, (std::vector<std::string>{"a/doc"}));
    EXPECT_EQ(c.skipped.repeated_folders, 1u);
    EXPECT_EQ(c.skipped.broken_links, 2u);
    EXPECT_EQ(c.skipped.special_files, 1u);
}

TEST(CorpusFolder, DocumentLimitAndLineBreakNames) {
    TempDir dir;
    write(dir.path / "a" / "big", std::string(3000, 'x'));
    CorpusOptions o;
    o.max_document_bytes = 2048;
    const std::string what = error_of<DataError>(dir.path.string(), o);
    EXPECT_TRUE(contains(what, "a/big")) << what;
    o.max_corpus_bytes = 1000;
    o.max_document_bytes = 4096;
    EXPECT_TRUE(contains(error_of<DataError>(dir.path.string(), o), "--max-corpus-bytes"));

    TempDir nl;
    write(nl.path / "x\ny" / "doc", "text");
    EXPECT_TRUE(contains(error_of<DataError>(nl.path.string()), "x\\ny/doc"));
}

TEST(CorpusLines, LongLineStopsAtTheLimit) {
    TempDir dir;
    write(dir.path / "d.txt", "short line\n" + std::string(10000, 'w') + "\nlast\n");
    CorpusOptions o;
    o.max_document_bytes = 4096;
    const std::string what = error_of<DataError>((dir.path / "d.txt").string(), o);
    EXPECT_TRUE(contains(what, "d.txt:2:")) << what;
    o.max_document_bytes = 10000;  // the limit is on the line, without its line break
    EXPECT_EQ(read_corpus((dir.path / "d.txt").string(), o).size(), 3u);
    o.max_corpus_bytes = 5000;
    EXPECT_TRUE(contains(error_of<DataError>((dir.path / "d.txt").string(), o), "--max-corpus-bytes"));
}

TEST(CorpusLines, DevicesAreRefusedPipesRead) {
    EXPECT_TRUE(contains(error_of<IoError>("/dev/zero"), "character device"));
    CorpusOptions o;
    o.format = CorpusFormat::Archive;
    EXPECT_THROW(read_corpus("/dev/zero", o), IoError);
    o.format = CorpusFormat::Jsonl;
    EXPECT_THROW(read_corpus("/dev/zero", o), IoError);

    TempDir dir;
    const auto fifo = dir.path / "pipe";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    std::thread writer([&] { std::ofstream(fifo) << "from a pipe\nsecond line\n"; });
    o.format = CorpusFormat::Auto;
    const Corpus c = read_corpus(fifo.string(), o);
    writer.join();
    EXPECT_EQ(c.texts, (std::vector<std::string>{"from a pipe", "second line"}));
}

// Regression (a CI run hung here for the whole ctest timeout): a writer that wrote and closed
// between the reader's first, non-blocking open and its blocking one lost its bytes and left the
// reader waiting for another writer. Here another reader keeps the pipe (and its bytes) alive
// while the writer comes and goes before read_corpus opens the FIFO: the bytes must be read.
TEST(CorpusLines, PipeWrittenBeforeItIsOpenedIsRead) {
    TempDir dir;
    const auto fifo = dir.path / "pipe";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const int keep = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    ASSERT_GE(keep, 0);
    {
        std::ofstream writer(fifo);
        writer << "written early\n";
    }
    CorpusOptions o;
    o.format = CorpusFormat::Lines;
    const Corpus c = read_corpus(fifo.string(), o);
    ::close(keep);
    EXPECT_EQ(c.texts, (std::vector<std::string>{"written early"}));
}

TEST(CorpusEncoding, Utf16WithByteOrderMarkIsDecoded) {
    TempDir dir;
    // "Größe ok\n€ 𝄞\n" in UTF-16 LE and BE, each with its byte-order mark.
    const std::u16string text = u"Gr\u00f6\u00dfe ok\n\u20ac \U0001D11E\n";
    std::string le = "\xFF\xFE", be = "\xFE\xFF";
    for (const char16_t u : text) {
        le += static_cast<char>(u & 0xff);
        le += static_cast<char>(u >> 8);
        be += static_cast<char>(u >> 8);
        be += static_cast<char>(u & 0xff);
    }
    const std::vector<std::string> expected{
        "Gr\xc3\xb6\xc3\x9f"
        "e ok",
        "\xe2\x82\xac \xf0\x9d\x84\x9e"};
    write(dir.path / "le.txt", le);
    write(dir.path / "be.txt", be);
    EXPECT_EQ(read_corpus((dir.path / "le.txt").string(), {}).texts, expected);
    EXPECT_EQ(read_corpus((dir.path / "be.txt").string(), {}).texts, expected);
    EXPECT_EQ(decode_text(le, Encoding::Auto),
              "Gr\xc3\xb6\xc3\x9f"
              "e ok\n\xe2\x82\xac \xf0\x9d\x84\x9e\n");
    EXPECT_EQ(decode_text("\xEF\xBB\xBFplain", Encoding::Auto), "plain");
    EXPECT_EQ(decode_text("\xEF\xBB\xBFplain", Encoding::Utf8), "plain");
    EXPECT_THROW(decode_text(le, Encoding::Utf8), DataError);
    EXPECT_EQ(decode_text("\xFF\xFE", Encoding::Latin1), "\xc3\xbf\xc3\xbe");

    // a folder document too
    write(dir.path / "f" / "doc", le);
    EXPECT_EQ(read_corpus((dir.path / "f").string(), {}).texts[0], decode_text(le, Encoding::Auto));
}

TEST(CorpusEncoding, InvalidUtf16IsAnErrorNamingTheFile) {
    TempDir dir;
    write(dir.path / "hi.txt", std::string("\xFF\xFE"
                                           "a\0\x00\xD8"
                                           "b\0",
                                           8));  // high surrogate, then 'b'
    std::string what = error_of<DataError>((dir.path / "hi.txt").string());
    EXPECT_TRUE(contains(what, "hi.txt")) << what;
    EXPECT_TRUE(contains(what, "unpaired high surrogate")) << what;
    write(dir.path / "lo.txt", std::string("\xFF\xFE\x00\xDC", 4));
    EXPECT_TRUE(contains(error_of<DataError>((dir.path / "lo.txt").string()), "unpaired low surrogate"));
    write(dir.path / "odd.txt", std::string("\xFF\xFE"
                                            "a\0b",
                                            5));
    EXPECT_TRUE(contains(error_of<DataError>((dir.path / "odd.txt").string()), "odd number of bytes"));
    write(dir.path / "end.txt", std::string("\xFF\xFE\x3D\xD8", 4));
    EXPECT_TRUE(contains(error_of<DataError>((dir.path / "end.txt").string()), "high surrogate at the end"));
    write(dir.path / "u32.txt", std::string("\xFF\xFE\0\0a\0\0\0", 8));
    EXPECT_TRUE(contains(error_of<DataError>((dir.path / "u32.txt").string()), "UTF-32"));
    write(dir.path / "f" / "doc", std::string("\xFE\xFF\xDC\x00", 4));
    what = error_of<DataError>((dir.path / "f").string());
    EXPECT_TRUE(contains(what, "doc")) << what;
}

TEST(CorpusJsonl, EveryFailureIsAParseErrorWithFileAndLine) {
    TempDir dir;
    const std::vector<std::pair<std::string, std::string>> cases{
        {"[1, 2]", "found an array"},
        {"\"just a string\"", "found a string"},
        {"{\"other\": \"x\"}", "no member \"text\""},
        {"{\"text\": 5}", "is a number, not a string"},
        {"{\"text\": null}", "is null, not a string"},
        {"{\"text\": tru}", "invalid JSON at column"},
        {"{\"text\": \"a\", \"label\": 1e400}", "number overflow"},
        {"{\"text\": \"\\ud800\"}", "surrogate"},
        {"{\"text\": \"a\", \"label\": {\"x\": 1}}", "is an object: a label is"},
        {"{\"text\": \"a\", \"label\": [1]}", "is an array: a label is"},
        {"{\"text\": \"a\", \"label\": \"two\\nlines\"}", "line break"},
        {"{\"text\": \"a\"}", "no member \"label\""},
        {std::string(1000000, '['), "nested deeper than 256"},
        {"{\"text\": " + std::string(300, '[') + std::string(300, ']') + "}", "nested deeper than 256"},
    };
    CorpusOptions o;
    o.label_field = "label";
    for (const auto& [line, expected] : cases) {
        const auto path = dir.path / "c.jsonl";
        write(path, "{\"text\": \"fine\", \"label\": \"ok\"}\n" + line + "\n");
        try {
            read_corpus(path.string(), o);
            ADD_FAILURE() << "no error for " << line.substr(0, 60);
        } catch (const ParseError& e) {
            const std::string what = e.what();
            EXPECT_EQ(e.line(), 2u) << what;
            EXPECT_TRUE(contains(what, path.string() + ":2: ")) << what;
            EXPECT_TRUE(contains(what, expected)) << what;
            EXPECT_FALSE(contains(what, "json.exception")) << what;
        }
    }
    write(dir.path / "labels.jsonl", "{\"text\": \"a b\", \"label\": 3}\n{\"text\": \"c d\", \"label\": true}\n");
    EXPECT_EQ(read_corpus((dir.path / "labels.jsonl").string(), o).labels, (std::vector<std::string>{"3", "true"}));

    write(dir.path / "bad.jsonl", "{\"text\": \"ok\"}\n{\"text\": \"\xff\"}\n");
    o.label_field.clear();
    o.encoding = Encoding::Utf8;
    EXPECT_TRUE(contains(error_of<DataError>((dir.path / "bad.jsonl").string(), o), "bad.jsonl:2:"));
}

TEST(CorpusOptionsLimits, ValidateRejectsZero) {
    CorpusOptions o;
    o.max_document_bytes = 0;
    EXPECT_THROW(o.validate(), InvalidArgument);
    o.max_document_bytes = 1;
    o.max_corpus_bytes = 0;
    EXPECT_THROW(o.validate(), InvalidArgument);
}
