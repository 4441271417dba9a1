// How deeply arrays and objects nest in a JSON text, found by a scan that never recurses: JSON
// Lines and the model header are refused beyond a small depth before nlohmann's recursive parser
// (and, for the header, its recursive writer) sees them, so a line of a million '[' cannot
// exhaust the stack.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace factopic {

/// The deepest nesting of arrays and objects in text, outside strings; the scan stops once it
/// passes limit (the result is then limit + 1), so a hostile text costs no more than it must.
inline std::size_t json_depth(std::string_view text, std::size_t limit) {
    std::size_t depth = 0, deepest = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
            if (deepest > limit) break;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

}  // namespace factopic
