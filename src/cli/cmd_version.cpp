#include <fmt/core.h>

#include "commands.hpp"
#include "factopic/core/version.hpp"
#include "factopic/runtime/parallel.hpp"
#include "factopic/text/unicode.hpp"

extern "C" char* openblas_get_config(void);
extern "C" int openblas_get_num_threads(void);

namespace factopic::cli {

void register_version(CLI::App& app) {
    auto* sub = app.add_subcommand("version", "Print the version, the BLAS it runs on and its thread count");
    sub->footer("Example:\n  factopic version");
    sub->callback([] {
        fmt::print("factopic {}\n", k_version);
        fmt::print("blas     OpenBLAS ({}), {} threads\n", openblas_get_config(), openblas_get_num_threads());
        fmt::print("openmp   {} threads\n", runtime::max_threads());
        fmt::print("unicode  {} (the tables of the Python that scikit-learn runs on)\n", text::unicode_version());
    });
}

}  // namespace factopic::cli
