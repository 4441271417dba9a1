// The sub-commands: each registers its options on the application and runs when chosen.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace factopic::cli {

void register_vectorize(CLI::App& app);
void register_svd(CLI::App& app);
void register_nmf(CLI::App& app);
void register_sweep(CLI::App& app);
void register_topics(CLI::App& app);
void register_fit(CLI::App& app);
void register_transform(CLI::App& app);
void register_inspect(CLI::App& app);
void register_report(CLI::App& app);
void register_version(CLI::App& app);

/// What `factopic --version` and `factopic version` print: "factopic X.Y.Z", then the BLAS, the
/// thread counts and the Unicode tables it was built with.
std::string version_text();

}  // namespace factopic::cli
