#include "usage.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstddef>

namespace factopic::cli {
namespace {

// Optimal string alignment distance: a swap of two neighbours ("tifdf") costs one edit.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
    return out;
}

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
    const std::string best = closest_match(word, candidates);
    return best.empty() ? std::string() : fmt::format("; did you mean '{}'?", best);
}

std::vector<std::string> subcommand_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
    return names;
}

std::vector<std::string> long_option_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const auto* opt : app.get_options()) {
        for (const auto& l : opt->get_lnames()) names.push_back("--" + l);
        for (const auto& s : opt->get_snames()) names.push_back("-" + s);
    }
    return names;
}

// The sub-command the command line chose, if any (the error may come before it parsed).
const CLI::App* chosen(const CLI::App& app, int argc, const char* const* argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg.empty() || arg.front() == '-') continue;
        for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; }))
            if (sub->get_name() == arg) return sub;
        return nullptr;  // the first word is not a sub-command
    }
    return nullptr;
}

// "--weighting: tfid not in {count,tfidf}" (CLI11's IsMember): the option, the value, the set.
bool parse_not_in(const std::string& what, std::string& option, std::string& value, std::vector<std::string>& set) {
    const auto colon = what.find(": ");
    const auto not_in = what.rfind(" not in {");
    if (colon == std::string::npos || not_in == std::string::npos || not_in < colon || what.back() != '}') return false;
    option = what.substr(0, colon);
    value = what.substr(colon + 2, not_in - colon - 2);
    const std::string members = what.substr(not_in + 9, what.size() - not_in - 10);
    std::size_t start = 0;
    while (start <= members.size()) {
        std::size_t comma = members.find(',', start);
        if (comma == std::string::npos) comma = members.size();
        set.push_back(members.substr(start, comma - start));
        start = comma + 1;
    }
    return true;
}

}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
    const std::size_t allowed = word.size() <= 4 ? 1 : word.size() <= 8 ? 2 : 3;
    std::string best;
    std::size_t best_distance = allowed + 1;
    for (const auto& c : candidates) {
        const std::size_t d = edit_distance(word, c);
        if (d < best_distance && c != word) {
            best = c;
            best_distance = d;
        }
    }
    return best;
}

std::string usage_message(const CLI::App& app, const CLI::ParseError& error, int argc, const char* const* argv) {
    const CLI::App* sub = chosen(app, argc, argv);
    const std::string where = sub ? "factopic " + sub->get_name() : std::string("factopic");
    const std::string help = fmt::format(" (see '{} --help')", where);
    std::string what = error.what();
    while (!what.empty() && (what.back() == '\n' || what.back() == ' ')) what.pop_back();

    // No sub-command recognised: the first word is a mistyped one, or missing.
    if (!sub) {
        for (int i = 1; i < argc; ++i) {
            const std::string_view arg = argv[i];
            if (arg.empty() || arg.front() == '-') continue;
            return fmt::format("unknown command '{}'{}; the commands are {}", arg,
                               suggestion(arg, subcommand_names(app)), join(subcommand_names(app)));
        }
        if (argc > 1 && std::string_view(argv[1]).starts_with("-"))
            return fmt::format("unknown option {}; a command comes first: factopic COMMAND [OPTIONS]{}", argv[1], help);
        return fmt::format("a command is required: {}{}", join(subcommand_names(app)), help);
    }
    if (const auto* extras = dynamic_cast<const CLI::ExtrasError*>(&error)) {
        (void)extras;
        // The first unexpected argument after the sub-command's name.
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            if (!arg.starts_with("-") || arg == "-") continue;
            const std::string name = arg.substr(0, arg.find('='));
            bool known = false;
            for (const auto& n : long_option_names(*sub)) known = known || n == name;
            if (known) continue;
            return fmt::format("unknown option {} for {}{}{}", name, where, suggestion(name, long_option_names(*sub)),
                               help);
        }
        return fmt::format("{} ({}){}", what, where, help);
    }
    std::string option, value;
    std::vector<std::string> set;
    if (parse_not_in(what, option, value, set))
        return fmt::format("{} = '{}': must be one of {}{}", option, value, join(set), suggestion(value, set));
    return fmt::format("{}{}", what, help);
}

}  // namespace factopic::cli
