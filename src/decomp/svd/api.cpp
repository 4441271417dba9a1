// The SVD's public entry points: method names, the checks on A and the options, and the
// dispatch to the methods (the backend's full SVDs, rsvd.cpp, krylov.cpp). Everything is
// computed in double; float inputs are widened and the outputs rounded, which is both faster and
// far more accurate than LAPACK's float routines (measured in docs/research/full-svd.md). The
// truncated methods' steps run on the backend in fixed blocks or on one thread
// (src/backend/backend.hpp), so their results do not depend on the thread count.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "../finite.hpp"
#include "../names.hpp"
#include "detail.hpp"
#include "factopic/core/error.hpp"
#include "factopic/decomp/svd.hpp"
#include "factopic/linalg/sparse.hpp"

namespace factopic::decomp {

namespace {

using detail::name_of;
using detail::NameTable;
using detail::parse_name;

constexpr NameTable<SvdMethod> k_methods = {
    {SvdMethod::gram, "gram"}, {SvdMethod::gesdd, "gesdd"}, {SvdMethod::rsvd, "rsvd"}, {SvdMethod::krylov, "krylov"}};
constexpr NameTable<Normalizer> k_normalizers = {
    {Normalizer::automatic, "auto"}, {Normalizer::none, "none"}, {Normalizer::lu, "lu"}, {Normalizer::qr, "qr"}};

}  // namespace

std::string to_string(SvdMethod m) { return name_of(k_methods, m); }
SvdMethod parse_svd_method(const std::string& name) { return parse_name(k_methods, name, "SVD method"); }
std::vector<std::string> svd_method_names() { return detail::names_of(k_methods); }
bool is_full(SvdMethod m) { return m == SvdMethod::gram || m == SvdMethod::gesdd; }
std::string to_string(Normalizer n) { return name_of(k_normalizers, n); }
Normalizer parse_normalizer(const std::string& name) {
    return parse_name(k_normalizers, name, "power-iteration normalizer");
}
std::vector<std::string> normalizer_names() { return detail::names_of(k_normalizers); }

namespace {

using namespace svd_detail;

void require_nonempty(std::int64_t m, std::int64_t n) {
    if (m <= 0 || n <= 0) throw InvalidArgument(fmt::format("cannot decompose an empty matrix ({} x {})", m, n));
}

SvdResult<double> transposed(SvdResult<double>&& r) {
    Matrix<double> u = linalg::transpose(r.vt);
    Matrix<double> vt = linalg::transpose(r.u);
    r.u = std::move(u);
    r.vt = std::move(vt);
    return std::move(r);
}

/// Fixes the signs (svd_flip), rounds to T, and refuses a non-finite value in the result.
template <typename T>
SvdResult<T> finish(SvdResult<double>&& r, Clock::time_point start) {
    flip_signs(r.u, r.vt);
    SvdResult<T> out;
    if constexpr (std::is_same_v<T, double>) {
        out.u = std::move(r.u);
        out.vt = std::move(r.vt);
        out.s = std::move(r.s);
    } else {
        out.u = r.u.template cast<T>();
        out.vt = r.vt.template cast<T>();
        out.s.assign(r.s.begin(), r.s.end());
    }
    // After the rounding to T, which can overflow a float singular value on its own.
    const auto refuse = [](const std::string& where) {
        throw DataError(
            fmt::format("the SVD came out with a non-finite value ({}): the scale of the data is beyond "
                        "what this precision carries; rescale the matrix, or keep it in double precision",
                        where));
    };
    for (std::size_t i = 0; i < out.s.size(); ++i)
        if (!std::isfinite(out.s[i])) refuse(fmt::format("singular value {} is {}", i + 1, out.s[i]));
    if (const auto at = detail::first_non_finite(out.u))
        refuse(fmt::format("U({}, {}) is {}", at->first + 1, at->second + 1, out.u(at->first, at->second)));
    if (const auto at = detail::first_non_finite(out.vt))
        refuse(fmt::format("Vt({}, {}) is {}", at->first + 1, at->second + 1, out.vt(at->first, at->second)));
    out.method = r.method;
    out.iterations = r.iterations;
    out.refined = r.refined;
    out.status = r.status;
    out.unconverged = r.unconverged;
    out.phases = std::move(r.phases);
    out.seconds = since(start);
    return out;
}

}  // namespace

template <typename T>
void require_workable_scale(const CsrMatrix<T>& a, const char* what) {
    const backend::Backend& be = backend::backend_for(runtime::ExecutionContext{});
    const backend::Backend::EntryScale scan = be.entry_scale(be.upload(a, false));
    if (!scan.finite)
        throw DataError(fmt::format("entry ({}, {}) (row, column; 1-based) is {}: {} needs finite entries",
                                    scan.row + 1, scan.col + 1, scan.value, what));
    const double largest = scan.largest, norm = scan.norm;
    const std::int64_t row = scan.row, col = scan.col;
    if (largest == 0) return;
    if (norm >= k_min_workable_norm && norm <= k_max_workable_norm) return;
    throw DataError(fmt::format(
        "the matrix's Frobenius norm is {} (largest entry {:.6g} at row {}, column {}, 1-based): {} works in double "
        "precision, where squares of entries this {} {}; it needs {:g} <= |A|_F <= {:g}: rescale the matrix "
        "(multiply every entry by one constant) first",
        std::isfinite(norm) ? fmt::format("{:.3g}", norm) : "beyond the largest double", largest, row + 1, col + 1,
        what, norm > 1 ? "large" : "small", norm > 1 ? "overflow" : "vanish below the smallest normal number",
        k_min_workable_norm, k_max_workable_norm));
}

template <typename T>
std::int64_t numerical_rank(const std::vector<T>& s, std::int64_t m, std::int64_t n) {
    if (s.empty()) return 0;
    const double tol = static_cast<double>(s.front()) * static_cast<double>(std::max(m, n)) *
                       static_cast<double>(std::numeric_limits<T>::epsilon());
    return std::count_if(s.begin(), s.end(), [&](T v) { return static_cast<double>(v) > tol; });
}

template <typename T>
SvdResult<T> full_svd(const CsrMatrix<T>& a, const FullSvdOptions& options, const runtime::ExecutionContext& context) {
    const runtime::ContextScope scope(context);
    const auto start = Clock::now();
    require_nonempty(a.rows, a.cols);
    require_workable_scale(a, "the SVD");
    if (!is_full(options.method))
        throw InvalidArgument(
            fmt::format("'{}' is not a full SVD method (choose gram or gesdd)", to_string(options.method)));
    const Widened<CsrMatrix, T> ad(a);
    const backend::Backend& be = backend::backend_for(context);
    SvdResult<double> r;
    PhaseTimer timer(r.phases);
    const backend::Backend::PhaseMark mark = [&](const char* name) { timer.mark(name); };
    backend::Backend::FullSvd full;
    if (options.method == SvdMethod::gesdd) {
        r.method = SvdMethod::gesdd;
        full = be.full_svd_gesdd(be.upload(*ad, false), mark);
    } else {
        r.method = SvdMethod::gram;
        if (a.rows <= a.cols) {
            full = be.full_svd_gram(be.upload(*ad, false), mark);
        } else {
            const CsrMatrix<double> at = linalg::transpose(*ad);
            full = be.full_svd_gram(be.upload(at, false), mark);
        }
    }
    r.u = std::move(full.u);
    r.s = std::move(full.s);
    r.vt = std::move(full.vt);
    r.refined = full.refined;
    if (options.method == SvdMethod::gram && a.rows > a.cols) r = transposed(std::move(r));
    return finish<T>(std::move(r), start);
}

template <typename T>
SvdResult<T> truncated_svd(const CsrMatrix<T>& a, const TruncatedSvdOptions& options,
                           const runtime::ExecutionContext& context) {
    const runtime::ContextScope scope(context);
    const auto start = Clock::now();
    require_nonempty(a.rows, a.cols);
    const std::int64_t r_max = std::min(a.rows, a.cols);
    if (options.k < 1 || options.k > r_max)
        throw InvalidArgument(fmt::format("k = {} is out of range: the matrix is {} x {}, so 1 <= k <= {}", options.k,
                                          a.rows, a.cols, r_max));
    if (options.tol <= 0 || !std::isfinite(options.tol))
        throw InvalidArgument(fmt::format("tol = {} must be a positive number", options.tol));
    if (options.power_iters && *options.power_iters < 0)
        throw InvalidArgument(fmt::format("power_iters = {} must be >= 0", *options.power_iters));
    if (options.block && *options.block < 1)
        throw InvalidArgument(fmt::format("block = {} must be >= 1", *options.block));
    if (options.max_blocks && *options.max_blocks < 1)
        throw InvalidArgument(fmt::format("max_blocks = {} must be >= 1", *options.max_blocks));
    if (options.method == SvdMethod::krylov && options.max_blocks) {
        const std::int64_t l = krylov_block_size(options, options.k, r_max);
        if (l * *options.max_blocks < options.k)
            throw InvalidArgument(fmt::format("max_blocks = {} with blocks of {} holds {} vectors, fewer than k = {}",
                                              *options.max_blocks, l, l * *options.max_blocks, options.k));
    }
    require_workable_scale(a, "the SVD");
    const Widened<CsrMatrix, T> ad(a);
    const Oriented o(backend::backend_for(context), *ad,
                     options.method == SvdMethod::rsvd);  // the Krylov method reads M only
    SvdResult<double> r;
    switch (options.method) {
        case SvdMethod::rsvd:
            r = truncated_rsvd(o, options, options.k);
            if (o.transposed) r = transposed(std::move(r));
            break;
        case SvdMethod::krylov:
            r = truncated_krylov(o, options, options.k);
            break;  // already A's orientation
        default:
            throw InvalidArgument(
                fmt::format("'{}' is not a truncated SVD method (choose rsvd or krylov)", to_string(options.method)));
    }
    return finish<T>(std::move(r), start);
}

#define FACTOPIC_SVD(T)                                                                                           \
    template void require_workable_scale(const CsrMatrix<T>&, const char*);                                       \
    template std::int64_t numerical_rank(const std::vector<T>&, std::int64_t, std::int64_t);                      \
    template SvdResult<T> full_svd(const CsrMatrix<T>&, const FullSvdOptions&, const runtime::ExecutionContext&); \
    template SvdResult<T> truncated_svd(const CsrMatrix<T>&, const TruncatedSvdOptions&,                          \
                                        const runtime::ExecutionContext&);
FACTOPIC_SVD(float)
FACTOPIC_SVD(double)
#undef FACTOPIC_SVD

}  // namespace factopic::decomp
