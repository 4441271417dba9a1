// Corpus readers: turn a folder, an archive, a text file of lines or a JSON Lines file into
// decoded documents (UTF-8) with ids and labels, in a deterministic order. The 20 Newsgroups
// by-date layout is recognised inside folders and archives and read the way scikit-learn's
// fetch_20newsgroups reads it (load_files order, latin-1 fallback, optional cleaners).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace factopic::text {

/// How CORPUS is read. Auto: a directory is a Folder, *.tar, *.tar.gz, *.tgz, *.tar.bz2,
/// *.tar.xz and *.zip are an Archive, *.jsonl and *.ndjson are Jsonl, any other file is Lines.
enum class CorpusFormat { Auto, Folder, Archive, Lines, Jsonl };

/// How file bytes become text. Auto: UTF-8 when the bytes are valid UTF-8, else latin-1
/// (what scikit-learn's 20 Newsgroups loader amounts to, since every byte is valid latin-1).
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
    NewsgroupsCleaning remove;        ///< cleaners applied to every document's text
    std::string text_field = "text";  ///< Jsonl: the member holding the text (a string)
    std::string label_field;          ///< Jsonl: the member holding the label; empty = none
    /// Checks what can be checked without reading: throws InvalidArgument naming the field.
    void validate() const;
};

/// Decoded documents in reading order. texts, ids and labels have one entry per document.
struct Corpus {
    std::string source;               ///< the path it was read from
    std::string layout;               ///< "folder", "archive", "20newsgroups", "lines", "jsonl"
    std::vector<std::string> texts;   ///< UTF-8 text of each document
    std::vector<std::string> ids;     ///< path inside the corpus, or "line N"
    std::vector<std::string> labels;  ///< label of each document ("" when it has none)
    std::size_t bytes_read = 0;       ///< raw bytes of the documents kept, before decoding
    std::size_t size() const noexcept { return texts.size(); }
    bool has_labels() const noexcept;
};

/// Reads a corpus. Throws IoError (missing/unreadable path), ParseError (corrupt archive, bad
/// JSON line: names file and line), DataError (no documents, unknown category).
Corpus read_corpus(const std::string& path, const CorpusOptions& options);

/// Decodes raw bytes to UTF-8 according to encoding.
std::string decode_text(std::string bytes, Encoding encoding);

/// Parses a comma-separated list of cleaners ("headers,footers,quotes"); throws InvalidArgument.
NewsgroupsCleaning parse_cleaning(const std::string& list);

/// Splits text into lines: a final newline does not start an empty line, and a '\r' before
/// '\n' belongs to the line ending. The views point into text.
std::vector<std::string_view> split_lines(std::string_view text);

}  // namespace factopic::text
