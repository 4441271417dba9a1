// The sub-commands: each registers its options on the application and runs when chosen.
#pragma once

#include <CLI/CLI.hpp>

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

}  // namespace factopic::cli
