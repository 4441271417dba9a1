// Corpus readers: turn a folder, an archive, a text file of lines, a JSON Lines file or a CSV/TSV
// file into decoded documents (UTF-8) with ids, labels and dates, in a deterministic order. A
// single file, and each file of a folder or archive, may be gzip, bzip2, xz or zstd compressed
// (by its name or its first bytes); it is decompressed, its checks verified, as it is read. The 20 Newsgroups
// by-date layout is recognised inside folders and archives and read the way scikit-learn's
// fetch_20newsgroups reads it (load_files order, latin-1 fallback, optional cleaners).
// Hostile input is bounded: one document and the whole corpus have a byte limit, checked while
// reading (never by trusting a header), a compressed archive is read to its last byte so its
// checksum is verified, and a folder's links that leave it are not followed unless asked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace factopic::text {

/// How CORPUS is read. Auto: a directory is a Folder, *.tar, *.tar.gz, *.tgz, *.tar.bz2,
/// *.tar.xz and *.zip are an Archive; otherwise the name without a compression suffix (.gz,
/// .bz2, .xz, .zst) decides: *.jsonl and *.ndjson are Jsonl, *.csv is Csv, *.tsv and *.tab are
/// Tsv, any other file is Lines. Standard input ("-") has no name: its format must be given.
enum class CorpusFormat { Auto, Folder, Archive, Lines, Jsonl, Csv, Tsv };

/// What a folder or archive does with a file that is not text (see is_binary): Skip counts it in
/// CorpusSkipped::binary_files, Error refuses the corpus naming the file.
enum class BinaryFiles { Skip, Error };

/// How file bytes become text. Auto: a UTF-16 byte-order mark (LE or BE) decodes UTF-16; else
/// UTF-8 (a UTF-8 byte-order mark is dropped) when the bytes are valid UTF-8, else latin-1 (what
/// scikit-learn's 20 Newsgroups loader amounts to, since every byte is valid latin-1). Utf8 also
/// drops a UTF-8 byte-order mark; Latin1 takes every byte as it is.
enum class Encoding { Auto, Utf8, Latin1 };

/// Which half of the 20 Newsgroups by-date split to read; All is train then test.
enum class NewsgroupsSubset { Train, Test, All };

/// scikit-learn's `remove=(...)` cleaners, applied in its order: headers, footers, quotes.
struct NewsgroupsCleaning {
    bool headers = false;
    bool footers = false;
    bool quotes = false;
    bool any() const noexcept { return headers || footers || quotes; }
};

struct CorpusOptions {
    CorpusFormat format = CorpusFormat::Auto;  ///< see CorpusFormat
    Encoding encoding = Encoding::Auto;        ///< see Encoding
    /// 20 Newsgroups layout only; unset means Train. Setting it on another corpus is an error.
    std::optional<NewsgroupsSubset> subset;
    /// Keep only documents with these labels (20 Newsgroups categories, or first-level
    /// sub-folders of a folder/archive); empty keeps all. Each must exist in the corpus.
    std::vector<std::string> categories;
    /// 20 Newsgroups layout only (the cleaners are written for its posts): set on any other
    /// input, read_corpus throws InvalidArgument.
    NewsgroupsCleaning remove;
    /// Jsonl: the member holding the text (a string); empty means "text". Csv/Tsv: the column
    /// holding the text, by its header name; empty means the only column, else a column named
    /// "text", else an error listing the columns. Other formats: must be empty.
    std::string text_field;
    /// Jsonl, Csv, Tsv: the member/column holding each document's label; empty = none.
    std::string label_field;
    /// Jsonl, Csv, Tsv: the member/column holding each document's id (unique, non-empty); empty:
    /// ids are "line N" (the line the record starts on).
    std::string id_field;
    /// Jsonl, Csv, Tsv: the member/column holding each document's date (see is_valid_date); an
    /// empty value (or JSON null) is a document without a date. Empty = no dates.
    std::string date_field;
    /// Folder and archive: what a binary file does; unset is Skip. Set on another input, an error.
    std::optional<BinaryFiles> binary_files;
    /// Folder: follow symbolic links whose target lies outside the corpus folder. Off, such links
    /// are skipped and counted (Corpus::skipped); links inside the folder are always followed.
    bool follow_links = false;
    /// The most raw bytes one document (a file, an archive member, a line) may hold, >= 1. A
    /// larger one is an error naming it. 64 MiB: far above any text a bag of words is made of
    /// (a whole novel is ~1 MiB), far below what would strain memory.
    std::uint64_t max_document_bytes = std::uint64_t{64} << 20;
    /// The most bytes a corpus may expand to, >= 1: the decompressed stream of a compressed
    /// archive, else the documents read. Unset (the default) is automatic: the larger of 1 GiB
    /// and 100 times the input's size on disk (0 for a pipe), which stops a compression bomb
    /// (gzip reaches ~1000:1, bzip2 and xz far more) while real text (3-10:1) never meets it.
    std::optional<std::uint64_t> max_corpus_bytes;
    /// Checks what can be checked without reading: throws InvalidArgument naming the field.
    void validate() const;
};

/// What a folder or archive held that did not become a document, by reason. Entries left out
/// by the selection (--subset, --categories) are not counted.
struct CorpusSkipped {
    std::size_t links_outside = 0;     ///< links leaving the corpus folder (see follow_links)
    std::size_t broken_links = 0;      ///< links to nothing (or to a loop of links)
    std::size_t repeated_folders = 0;  ///< links to a folder already read (a cycle, or a second way in)
    std::size_t special_files = 0;     ///< pipes, sockets, devices: neither a document nor a folder
    std::size_t archive_links = 0;     ///< symbolic and hard link members of an archive
    std::size_t binary_files = 0;      ///< files that are not text (see is_binary)
    std::size_t total() const noexcept;
};

/// One phrase for a non-empty CorpusSkipped, e.g. "2 links outside the corpus, 1 broken link";
/// empty when nothing was skipped.
std::string describe(const CorpusSkipped& skipped);

/// Decoded documents in reading order. texts, ids and labels have one entry per document.
struct Corpus {
    std::string source;               ///< the path it was read from
    std::string layout;               ///< "folder", "archive", "20newsgroups", "lines", "jsonl", "csv", "tsv"
    std::vector<std::string> texts;   ///< UTF-8 text of each document
    std::vector<std::string> ids;     ///< path inside the corpus, "line N", or the --id-field value
    std::vector<std::string> labels;  ///< label of each document ("" when it has none)
    /// date of each document as written (see is_valid_date; "" when it has none); empty when
    /// no date field was asked for
    std::vector<std::string> dates;
    std::size_t bytes_read = 0;  ///< raw bytes of the documents kept, before decoding
    CorpusSkipped skipped;       ///< what was found but not read
    std::size_t size() const noexcept { return texts.size(); }
    bool has_labels() const noexcept;
};

/// Reads a corpus; path "-" is standard input (lines, jsonl, csv or tsv, with its format given).
/// Throws IoError (missing/unreadable path, a device), ParseError (damaged or
/// truncated archive or compressed stream, bad JSON line: names file and line, or the member),
/// DataError (no documents, unknown category, a document or corpus above its byte limit, a name
/// or label with a line break, which the one-per-line ids and labels files could not hold).
Corpus read_corpus(const std::string& path, const CorpusOptions& options);

/// Decodes raw bytes to UTF-8 according to encoding (see Encoding). Throws DataError for bytes
/// that are not valid in the encoding asked, or invalid UTF-16 (an unpaired surrogate, an odd
/// byte count), naming the byte offset.
std::string decode_text(std::string bytes, Encoding encoding);

/// Parses a comma-separated list of cleaners ("headers,footers,quotes"); throws InvalidArgument.
NewsgroupsCleaning parse_cleaning(const std::string& list);

/// A date as --date-field accepts it: YYYY, YYYY-MM, YYYY-MM-DD, or an ISO 8601 date and time
/// "YYYY-MM-DDTHH:MM[:SS[.fraction]]" ('T' or a space) with an optional "Z" or "+HH:MM"/"-HH:MM"
/// offset; month, day (leap years included), hour, minute and second in range.
bool is_valid_date(std::string_view text);

/// Whether decoded-or-not file bytes are binary rather than text: a NUL byte anywhere, unless the
/// bytes start with a UTF-16 byte-order mark (UTF-16 text is full of NULs). Invalid UTF-8 alone
/// is not binary: such a file is latin-1 text (see Encoding).
bool is_binary(std::string_view bytes);

/// Splits text into lines: a final newline does not start an empty line, and a '\r' before
/// '\n' belongs to the line ending. The views point into text.
std::vector<std::string_view> split_lines(std::string_view text);

}  // namespace factopic::text
