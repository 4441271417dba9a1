// read_corpus on a folder built from the fuzz input: files, empty directories and symbolic links
// (to files and directories inside the corpus, to itself, and to a folder beside the corpus root).
//
// Input: records, each starting on a line "@@f NAME", "@@d NAME" or "@@l NAME TARGET"; a file's
// contents run to the next "\n@@". NAME may have sub-folders ("a/b/c"); "." and ".." components
// are dropped. TARGET is relative to the link's folder, or absolute from the scratch folder
// ("/outside/secret"), and must stay inside the scratch folder (links elsewhere are dropped, so a
// run never reads the machine's files); links that leave the corpus root must not be followed.
// The option byte is as in fuzz_archive.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_corpus.hpp"

using namespace factopic;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t k_max_records = 64;
constexpr std::size_t k_max_depth = 4;
// What the files beside the corpus root hold: a document that contains it was read through a link
// that leaves the root, which only --follow-links may do (issue 13, case 6).
constexpr const char* k_outside = "root:outside-the-corpus-root";

struct Scratch {
    fs::path base;
    fs::path root;
    Scratch() {
        const char* shm = "/dev/shm";
        const fs::path parent = fs::is_directory(shm) ? fs::path(shm) : fs::temp_directory_path();
        base = parent / ("factopic-fuzz-folder-" + std::to_string(::getpid()));
        root = base / "root";
        fs::remove_all(base);
        fs::create_directories(base / "outside" / "dir");
        std::ofstream(base / "outside" / "secret") << k_outside << ":0:0\n";
        std::ofstream(base / "outside" / "dir" / "x") << k_outside << " too\n";
    }
    ~Scratch() {
        std::error_code ec;
        fs::remove_all(base, ec);
    }
};

// NAME → a path under root, or empty when nothing is left of it.
fs::path clean_name(std::string_view name) {
    fs::path out;
    std::size_t depth = 0;
    std::size_t start = 0;
    while (start <= name.size() && depth < k_max_depth) {
        std::size_t slash = name.find('/', start);
        if (slash == std::string_view::npos) slash = name.size();
        const std::string_view part = name.substr(start, std::min<std::size_t>(slash - start, 100));
        if (!part.empty() && part != "." && part != ".." && part.find('\0') == std::string_view::npos) {
            out /= std::string(part);
            ++depth;
        }
        start = slash + 1;
    }
    return out;
}

// Creating under a folder that is a link would write through it (outside the corpus root, or
// beside the scratch folder), and a relative link target would then resolve elsewhere than the
// lexical check assumed.
bool links_on_the_way(const fs::path& root, const fs::path& rel) {
    fs::path prefix = root;
    std::error_code ec;
    for (const auto& part : rel.parent_path()) {
        prefix /= part;
        if (fs::is_symlink(fs::symlink_status(prefix, ec))) return true;
    }
    return false;
}

bool inside(const fs::path& p, const fs::path& base) {
    const auto rel = p.lexically_normal().lexically_relative(base);
    return !rel.empty() && *rel.begin() != "..";
}

void build(const Scratch& s, std::string_view input) {
    std::error_code ec;
    fs::remove_all(s.root, ec);
    fs::create_directory(s.root, ec);
    std::size_t pos = input.substr(0, 2) == "@@" ? 0 : input.find("\n@@");
    std::size_t records = 0;
    if (pos != 0 && pos != std::string_view::npos) ++pos;
    if (pos != 0 && !input.empty()) {
        // Text before the first record is one file, so that any bytes make a corpus.
        std::ofstream(s.root / "0") << input.substr(0, pos == std::string_view::npos ? input.size() : pos);
    }
    while (pos != std::string_view::npos && pos < input.size() && records++ < k_max_records) {
        const std::size_t eol = input.find('\n', pos);
        const std::string_view head =
            input.substr(pos + 2, (eol == std::string_view::npos ? input.size() : eol) - pos - 2);
        std::size_t next = eol == std::string_view::npos ? std::string_view::npos : input.find("\n@@", eol);
        const std::string_view body =
            eol == std::string_view::npos
                ? std::string_view()
                : input.substr(eol + 1, next == std::string_view::npos ? std::string_view::npos : next - eol - 1);
        pos = next == std::string_view::npos ? next : next + 1;
        if (head.size() < 2) continue;
        const char kind = head[0];
        std::string_view rest = head.substr(1);
        while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        std::string_view target;
        if (kind == 'l') {
            const std::size_t space = rest.find(' ');
            if (space == std::string_view::npos) continue;
            target = rest.substr(space + 1);
            rest = rest.substr(0, space);
        }
        const fs::path rel = clean_name(rest);
        if (rel.empty() || links_on_the_way(s.root, rel)) continue;
        const fs::path path = s.root / rel;
        if (fs::exists(fs::symlink_status(path, ec))) continue;  // first record of a name wins
        fs::create_directories(path.parent_path(), ec);
        if (kind == 'f') {
            std::ofstream(path, std::ios::binary).write(body.data(), static_cast<std::streamsize>(body.size()));
        } else if (kind == 'd') {
            fs::create_directory(path, ec);
        } else if (kind == 'l' && !target.empty() && target.find('\0') == std::string_view::npos) {
            const bool absolute = target.front() == '/';
            const fs::path link_to =
                absolute ? s.base / fs::path(std::string(target.substr(1))) : fs::path(std::string(target));
            const fs::path resolved = absolute ? link_to : path.parent_path() / link_to;
            if (inside(resolved, s.base) || resolved.lexically_normal() == s.base.lexically_normal())
                fs::create_symlink(link_to, path, ec);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Scratch scratch;
    const auto in = fuzz::split_options(data, size);
    build(scratch, in.bytes);
    auto options = fuzz::corpus_options(in.options, text::CorpusFormat::Folder);
    switch ((in.options >> 5) & 3u) {
        case 1:
            options.subset = text::NewsgroupsSubset::Test;
            break;
        case 2:
            options.categories = {"a"};
            break;
        case 3:
            options.categories = {"sci.space", "b"};
            break;
        default:
            break;
    }
    try {
        const auto corpus = text::read_corpus(scratch.root.string(), options);
        fuzz::check_corpus(corpus);
        // The fuzzer may write the marker into a file of its own (it lifts the string from the
        // comparison below): only a marker the input does not hold can have come from outside.
        const std::string_view input(reinterpret_cast<const char*>(data), size);
        if (input.find(k_outside) == std::string_view::npos)
            for (const auto& t : corpus.texts)
                if (t.find(k_outside) != std::string::npos) fuzz::broken("a link leaving the corpus root was followed");
    } catch (const Error&) {
    }
    return 0;
}
