// Enum ↔ name tables for the decompositions' options (one table per enum, so that printing
// and parsing cannot disagree). Private to src/decomp.
#pragma once

#include <fmt/core.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "factopic/core/error.hpp"

namespace factopic::decomp::detail {

template <typename E>
using NameTable = std::initializer_list<std::pair<E, const char*>>;

template <typename E>
std::string name_of(NameTable<E> table, E value) {
    for (const auto& [v, name] : table)
        if (v == value) return name;
    return "?";
}

/// Every name of the table, in its order (the valid values of an option).
template <typename E>
std::vector<std::string> names_of(NameTable<E> table) {
    std::vector<std::string> names;
    for (const auto& [v, name] : table) names.emplace_back(name);
    return names;
}

/// The value called `name`; InvalidArgument listing the valid names otherwise.
template <typename E>
E parse_name(NameTable<E> table, const std::string& name, const char* what) {
    std::string valid;
    for (const auto& [v, n] : table) {
        if (name == n) return v;
        valid += (valid.empty() ? "" : ", ") + std::string(n);
    }
    throw InvalidArgument(fmt::format("unknown {} '{}' (choose {})", what, name, valid));
}

}  // namespace factopic::decomp::detail
