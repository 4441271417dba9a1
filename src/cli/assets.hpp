// The report's JavaScript (Vega 5.33.0, Vega-Lite 5.23.0, vega-embed 6.29.0; third_party/vega),
// compiled into the binary by assets.S.
#pragma once

#include <string_view>

extern "C" {
extern const char factopic_asset_vega[], factopic_asset_vega_end[];
extern const char factopic_asset_vega_lite[], factopic_asset_vega_lite_end[];
extern const char factopic_asset_vega_embed[], factopic_asset_vega_embed_end[];
}

namespace factopic::cli::assets {

inline constexpr std::string_view k_vega_version = "5.33.0";
inline constexpr std::string_view k_vega_lite_version = "5.23.0";
inline constexpr std::string_view k_vega_embed_version = "6.29.0";

inline std::string_view vega() {
    return {factopic_asset_vega, static_cast<std::size_t>(factopic_asset_vega_end - factopic_asset_vega)};
}
inline std::string_view vega_lite() {
    return {factopic_asset_vega_lite,
            static_cast<std::size_t>(factopic_asset_vega_lite_end - factopic_asset_vega_lite)};
}
inline std::string_view vega_embed() {
    return {factopic_asset_vega_embed,
            static_cast<std::size_t>(factopic_asset_vega_embed_end - factopic_asset_vega_embed)};
}

}  // namespace factopic::cli::assets
