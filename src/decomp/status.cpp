// The names of decomp::Status (status.hpp), as the CLI's JSON summaries print them.
#include "factopic/decomp/status.hpp"

#include "names.hpp"

namespace factopic::decomp {

namespace {
constexpr detail::NameTable<Status> k_statuses = {{Status::converged, "converged"},
                                                  {Status::max_iterations, "max_iterations"},
                                                  {Status::target_reached, "target_reached"},
                                                  {Status::cancelled, "cancelled"},
                                                  {Status::diverged, "diverged"},
                                                  {Status::degenerate, "degenerate"}};
}  // namespace

std::string to_string(Status s) { return detail::name_of(k_statuses, s); }

}  // namespace factopic::decomp
