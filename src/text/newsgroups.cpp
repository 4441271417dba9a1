#include "factopic/text/newsgroups.hpp"

#include <array>
#include <vector>

#include "factopic/text/unicode.hpp"

namespace factopic::text {
namespace {

std::vector<std::string_view> split_lines(std::string_view s) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (true) {
        const std::size_t nl = s.find('\n', start);
        if (nl == std::string_view::npos) {
            lines.push_back(s.substr(start));
            return lines;
        }
        lines.push_back(s.substr(start, nl - start));
        start = nl + 1;
    }
}

std::string join_lines(const std::vector<std::string_view>& lines, std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count; ++i) {
        if (i) out.push_back('\n');
        out.append(lines[i]);
    }
    return out;
}

bool quoted(std::string_view line) {
    static constexpr std::array<std::string_view, 5> anywhere{"writes in", "writes:", "wrote:", "says:", "said:"};
    static constexpr std::array<std::string_view, 4> at_start{"In article", "Quoted from", "|", ">"};
    for (const auto p : at_start)
        if (line.substr(0, p.size()) == p) return true;
    for (const auto p : anywhere)
        if (line.find(p) != std::string_view::npos) return true;
    return false;
}

}  // namespace

std::string_view python_strip(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t next = i;
        if (!is_space(utf8_next(s, next))) break;
        i = next;
    }
    std::size_t end = s.size();
    while (end > i) {
        std::size_t k = end - 1;
        while (k > i && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
        std::size_t t = k;
        if (!is_space(utf8_next(s, t))) break;
        end = k;
    }
    return s.substr(i, end - i);
}

std::string newsgroup_strip_header(std::string_view text) {
    const std::size_t blank = text.find("\n\n");
    if (blank == std::string_view::npos) return {};
    return std::string(text.substr(blank + 2));
}

std::string newsgroup_strip_footer(std::string_view text) {
    const auto lines = split_lines(python_strip(text));
    std::size_t line_num = lines.size() - 1;
    for (std::size_t k = lines.size(); k-- > 0;) {
        line_num = k;
        std::string_view line = python_strip(lines[k]);
        while (!line.empty() && line.front() == '-') line.remove_prefix(1);
        while (!line.empty() && line.back() == '-') line.remove_suffix(1);
        if (line.empty()) break;
    }
    if (line_num > 0) return join_lines(lines, line_num);
    return std::string(text);
}

std::string newsgroup_strip_quoting(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool first = true;
    for (const auto line : split_lines(text)) {
        if (quoted(line)) continue;
        if (!first) out.push_back('\n');
        out.append(line);
        first = false;
    }
    return out;
}

}  // namespace factopic::text
