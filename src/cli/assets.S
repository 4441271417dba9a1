/* The JavaScript the HTML report inlines (third_party/vega), assembled into the binary so that
   factopic needs no files at run time. FACTOPIC_VEGA_DIR is set by CMake. Each blob is followed
   by its end label; assets.hpp turns the pairs into string_views. */
#define STR2(x) #x
#define STR(x) STR2(x)
    .section .rodata
    .balign 16
    .global factopic_asset_vega
    .global factopic_asset_vega_end
factopic_asset_vega:
    .incbin STR(FACTOPIC_VEGA_DIR/vega.min.js)
factopic_asset_vega_end:
    .global factopic_asset_vega_lite
    .global factopic_asset_vega_lite_end
factopic_asset_vega_lite:
    .incbin STR(FACTOPIC_VEGA_DIR/vega-lite.min.js)
factopic_asset_vega_lite_end:
    .global factopic_asset_vega_embed
    .global factopic_asset_vega_embed_end
factopic_asset_vega_embed:
    .incbin STR(FACTOPIC_VEGA_DIR/vega-embed.min.js)
factopic_asset_vega_embed_end:
    .section .note.GNU-stack,"",%progbits
