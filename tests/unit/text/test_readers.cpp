// The CSV parser, dates, the binary-file rule and compressed single files, at the library level
// (the CLI tests compare the same readers with Python's).
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>

#include "../support.hpp"
#include "factopic/core/error.hpp"
#include "factopic/text/corpus.hpp"
#include "factopic/text/csv.hpp"

using namespace factopic;
using namespace factopic::text;
using factopic::test_support::TempDir;

namespace {

std::vector<std::vector<std::string>> fields(std::string_view text, char delimiter = ',') {
    std::vector<std::vector<std::string>> out;
    for (auto& r : parse_csv(text, delimiter, "t.csv", 1 << 20)) out.push_back(r.fields);
    return out;
}

using Rows = std::vector<std::vector<std::string>>;

void write(const std::filesystem::path& p, std::string_view bytes) {
    std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string gzip(std::string_view data) {
    z_stream z{};
    deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    std::string out(data.size() + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

}  // namespace

TEST(Csv, QuotingFollowsRfc4180) {
    EXPECT_EQ(fields("a,b\n1,2\n"), (Rows{{"a", "b"}, {"1", "2"}}));
    EXPECT_EQ(fields("\"x, y\",\"he said \"\"hi\"\"\"\r\n"), (Rows{{"x, y", "he said \"hi\""}}));
    EXPECT_EQ(fields("\"multi\nline\r\nfield\",z"), (Rows{{"multi\nline\r\nfield", "z"}}));
    EXPECT_EQ(fields(",\n\"\",\"\"\n"), (Rows{{"", ""}, {"", ""}}));
    EXPECT_EQ(fields("5\" screen,ok\n"), (Rows{{"5\" screen", "ok"}}));  // kept, as Python keeps it
    EXPECT_EQ(fields("a\r\rb\r\n\n\nc"), (Rows{{"a"}, {"b"}, {"c"}}));   // blank lines are not records
    EXPECT_EQ(fields("a\t\"b\tc\"\n", '\t'), (Rows{{"a", "b\tc"}}));
    EXPECT_EQ(fields("a,b,"), (Rows{{"a", "b", ""}}));
}

TEST(Csv, RecordsKnowTheLineTheyStartOn) {
    const auto rows = parse_csv("h\n\"1\n2\n3\"\n\nx\r\ny", ',', "t.csv", 100);
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[1].line, 2u);
    EXPECT_EQ(rows[2].line, 6u);
    EXPECT_EQ(rows[3].line, 7u);
}

TEST(Csv, AmbiguousQuotingIsAnErrorNamingTheLine) {
    try {
        parse_csv("a\n\"open\nmore\n", ',', "t.csv", 100);
        FAIL() << "expected ParseError";
    } catch (const ParseError& e) {
        EXPECT_EQ(e.line(), 2u);
    }
    try {
        parse_csv("a\nb\n\"x\"y\n", ',', "t.csv", 100);
        FAIL() << "expected ParseError";
    } catch (const ParseError& e) {
        EXPECT_EQ(e.line(), 3u);
    }
    EXPECT_THROW(parse_csv("\"0123456789abc\"", ',', "t.csv", 10), DataError);
    EXPECT_THROW(parse_csv("0123456789abc", ',', "t.csv", 10), DataError);
}

TEST(Dates, IsoFormsAndRanges) {
    for (const char* good :
         {"2021", "2021-02", "2020-02-29", "2000-02-29", "2021-12-31T23:59", "2021-12-31 23:59:60",
          "2021-01-01T00:00:00.123456Z", "2021-01-01T00:00:00+05:30", "2021-01-01T00:00-0800", "2021-01-01T10:00+01"})
        EXPECT_TRUE(is_valid_date(good)) << good;
    for (const char* bad : {"", "21", "2021-", "2021-1", "2021-13", "2021-00", "2021-02-29", "1900-02-29", "2021-04-31",
                            "2021/01/01", "2021-01-01T", "2021-01-01T24:00", "2021-01-01T10:60", "2021-01-01T10:00:00.",
                            "2021-01-01T10:00Zx", "2021-01-01T10:00+5", " 2021", "2021 "})
        EXPECT_FALSE(is_valid_date(bad)) << bad;
}

TEST(Binary, NulBytesOutsideUtf16) {
    EXPECT_FALSE(is_binary("plain text"));
    EXPECT_FALSE(is_binary("caf\xe9"));  // latin-1 is text
    EXPECT_TRUE(is_binary(std::string_view("\x89PNG\0\0", 6)));
    EXPECT_FALSE(is_binary(std::string_view("\xff\xfeh\0i\0", 6)));  // UTF-16 LE with its mark
}

TEST(Readers, CsvColumnsByHeaderName) {
    TempDir dir;
    write(dir.path / "d.csv", "\xEF\xBB\xBFid,cat,body,when\r\n7,a,\"hello, world\",2020\r\n8,b,bye,\r\n");
    CorpusOptions o;
    o.text_field = "body";
    o.label_field = "cat";
    o.id_field = "id";
    o.date_field = "when";
    const Corpus c = read_corpus((dir.path / "d.csv").string(), o);
    EXPECT_EQ(c.layout, "csv");
    EXPECT_EQ(c.texts, (std::vector<std::string>{"hello, world", "bye"}));
    EXPECT_EQ(c.labels, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(c.ids, (std::vector<std::string>{"7", "8"}));
    EXPECT_EQ(c.dates, (std::vector<std::string>{"2020", ""}));
    o.text_field = "text";
    EXPECT_THROW(read_corpus((dir.path / "d.csv").string(), o), DataError);
    o = {};
    EXPECT_THROW(read_corpus((dir.path / "d.csv").string(), o), InvalidArgument);  // which column?
}

TEST(Readers, CompressedFilesAreReadByNameAndByBytes) {
    TempDir dir;
    const std::string jsonl = "{\"text\": \"one\"}\n{\"text\": \"two\"}\n";
    write(dir.path / "d.jsonl.gz", gzip(jsonl));
    const Corpus c = read_corpus((dir.path / "d.jsonl.gz").string(), {});
    EXPECT_EQ(c.layout, "jsonl");
    EXPECT_EQ(c.texts, (std::vector<std::string>{"one", "two"}));
    write(dir.path / "lines.txt", gzip("a b\nc d\n"));  // gzip by its bytes alone
    EXPECT_EQ(read_corpus((dir.path / "lines.txt").string(), {}).texts, (std::vector<std::string>{"a b", "c d"}));
    std::string damaged = gzip(jsonl);
    damaged[damaged.size() / 2] ^= 0x55;
    write(dir.path / "bad.jsonl.gz", damaged);
    EXPECT_THROW(read_corpus((dir.path / "bad.jsonl.gz").string(), {}), ParseError);
    write(dir.path / "plain.txt.gz", "not compressed\n");
    EXPECT_THROW(read_corpus((dir.path / "plain.txt.gz").string(), {}), ParseError);
}

TEST(Readers, OptionsThatDoNotApplyAreRefused) {
    TempDir dir;
    write(dir.path / "d.txt", "a line\n");
    CorpusOptions o;
    o.remove.headers = true;
    EXPECT_THROW(read_corpus((dir.path / "d.txt").string(), o), InvalidArgument);
    std::filesystem::create_directories(dir.path / "f" / "x");
    write(dir.path / "f" / "x" / "1", "text");
    EXPECT_THROW(read_corpus((dir.path / "f").string(), o), InvalidArgument);  // not the 20 Newsgroups layout
    o = {};
    o.text_field = "body";
    EXPECT_THROW(read_corpus((dir.path / "d.txt").string(), o), InvalidArgument);
    o = {};
    o.binary_files = BinaryFiles::Error;
    EXPECT_THROW(read_corpus((dir.path / "d.txt").string(), o), InvalidArgument);
    write(dir.path / "f" / "x" / "2", std::string_view("bin\0ary", 7));
    const Corpus c = read_corpus((dir.path / "f").string(), o = {});
    EXPECT_EQ(c.size(), 1u);
    EXPECT_EQ(c.skipped.binary_files, 1u);
    o.binary_files = BinaryFiles::Error;
    EXPECT_THROW(read_corpus((dir.path / "f").string(), o), DataError);
}
