#include <fmt/core.h>

#include "commands.hpp"
#include "factopic/core/version.hpp"
#include "factopic/runtime/parallel.hpp"
#include "factopic/text/unicode.hpp"

extern "C" char* openblas_get_config(void);
extern "C" int openblas_get_num_threads(void);

namespace factopic::cli {
namespace {

#if defined(__clang__)
constexpr const char* k_compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
constexpr const char* k_compiler = "GCC " __VERSION__;
#else
constexpr const char* k_compiler = "an unknown compiler";
#endif
#if defined(NDEBUG)
constexpr const char* k_build = "optimised (NDEBUG)";
#else
constexpr const char* k_build = "with assertions";
#endif

}  // namespace

std::string version_text() {
    return fmt::format("factopic {}\n", k_version) +
           fmt::format("blas     OpenBLAS ({}), {} threads\n", openblas_get_config(), openblas_get_num_threads()) +
           fmt::format("openmp   {} threads\n", runtime::max_threads()) +
           fmt::format("built    {}, C++{}, {}\n", k_compiler, __cplusplus / 100 % 100, k_build) +
           fmt::format("unicode  {} (the tables of the Python that scikit-learn runs on)", text::unicode_version());
}

void register_version(CLI::App& app) {
    auto* sub = app.add_subcommand("version", "Print the version, the BLAS it runs on and its thread count");
    sub->footer("Example:\n  factopic version\n  factopic --version");
    sub->callback([] { fmt::print("{}\n", version_text()); });
}

}  // namespace factopic::cli
