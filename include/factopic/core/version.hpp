// The library's version, for `factopic version`, saved models and reports.
#pragma once

namespace factopic {

inline constexpr const char* k_version = "0.1.0";

}  // namespace factopic
