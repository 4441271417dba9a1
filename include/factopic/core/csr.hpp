// The compressed sparse row matrix every stage hands to the next: the vectorizer produces one,
// the decompositions consume one. It lives in core so that text and linalg both see it without
// seeing each other.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace factopic {

/// An allocator whose resize() leaves new elements of trivial types uninitialised, so that a
/// large array is first written (and its pages first touched) by the parallel loop that fills
/// it, not zeroed by one thread beforehand.
template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
    template <typename U>
    struct rebind {
        using other = DefaultInitAllocator<U>;
    };
    DefaultInitAllocator() noexcept = default;
    template <typename U>
    DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
    template <typename U>
    void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
        ::new (static_cast<void*>(p)) U;
    }
    template <typename U, typename... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};

/// A growable array that does not zero what resize() adds (see DefaultInitAllocator).
template <typename T>
using Array = std::vector<T, DefaultInitAllocator<T>>;

/// One array of a CSR matrix: owned (an Array that grows as the vectorizer or a reader fills it)
/// or borrowed (read-only memory of the caller's, such as a scipy matrix's `indices` and `data`,
/// which must outlive it). Reading is the same either way, through one pointer and size; a borrowed
/// array is never written: the first non-const access copies it into an owned one. A copy owns its
/// elements (a borrowed array copied is copied); a move keeps what it moves.
template <typename T>
class CsrArray {
public:
    using value_type = T;
    using size_type = std::size_t;
    using iterator = T*;
    using const_iterator = const T*;

    CsrArray() = default;
    CsrArray(std::initializer_list<T> init) : m_owned(init) { sync(); }
    CsrArray(const CsrArray& other) : m_owned(other.begin(), other.end()) { sync(); }
    CsrArray(CsrArray&& other) noexcept
        : m_owned(std::move(other.m_owned)), m_data(other.m_data), m_size(other.m_size), m_borrowed(other.m_borrowed) {
        if (!m_borrowed) sync();
        other.m_owned.clear();
        other.sync();
    }
    CsrArray& operator=(const CsrArray& other) {
        if (this != &other) {
            Array<T> copy(other.begin(), other.end());
            m_owned.swap(copy);
            sync();
        }
        return *this;
    }
    CsrArray& operator=(CsrArray&& other) noexcept {
        if (this != &other) {
            m_owned = std::move(other.m_owned);
            m_borrowed = other.m_borrowed;
            if (m_borrowed) {
                m_data = other.m_data;
                m_size = other.m_size;
            } else {
                sync();
            }
            other.m_owned.clear();
            other.sync();
        }
        return *this;
    }
    CsrArray& operator=(std::initializer_list<T> init) {
        m_owned.assign(init.begin(), init.end());
        sync();
        return *this;
    }
    ~CsrArray() = default;

    /// `size` elements at `data`, read in place (the caller keeps them alive and unchanged).
    static CsrArray borrow(const T* data, std::size_t size) {
        CsrArray a;
        a.m_data = const_cast<T*>(data);  // never written through: a write owns first
        a.m_size = size;
        a.m_borrowed = true;
        return a;
    }
    /// Whether the elements are the caller's (borrow) rather than this array's own.
    bool borrowed() const noexcept { return m_borrowed; }
    /// The same elements (owned or borrowed alike).
    friend bool operator==(const CsrArray& a, const CsrArray& b) noexcept {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }

    std::size_t size() const noexcept { return m_size; }
    bool empty() const noexcept { return m_size == 0; }
    const T* data() const noexcept { return m_data; }
    const T& operator[](std::size_t i) const noexcept { return m_data[i]; }
    const T* begin() const noexcept { return m_data; }
    const T* end() const noexcept { return m_data + m_size; }
    const T& front() const noexcept { return m_data[0]; }
    const T& back() const noexcept { return m_data[m_size - 1]; }

    T* data() { return own().data(); }
    T& operator[](std::size_t i) { return own()[i]; }
    T* begin() { return own().data(); }
    T* end() { return own().data() + m_size; }
    T& back() { return own().back(); }

    void push_back(const T& v) {
        grow([&](Array<T>& a) { a.push_back(v); });
    }
    void reserve(std::size_t n) {
        grow([&](Array<T>& a) { a.reserve(n); });
    }
    void resize(std::size_t n) {
        grow([&](Array<T>& a) { a.resize(n); });
    }
    void resize(std::size_t n, const T& v) {
        grow([&](Array<T>& a) { a.resize(n, v); });
    }
    void assign(std::size_t n, const T& v) {
        replace([&](Array<T>& a) { a.assign(n, v); });
    }
    template <typename It>
    void assign(It first, It last) {
        replace([&](Array<T>& a) { a.assign(first, last); });
    }
    template <typename It>
    T* insert(const T* pos, It first, It last) {
        const std::size_t at = static_cast<std::size_t>(pos - m_data);
        own();
        const auto it = m_owned.insert(m_owned.begin() + static_cast<std::ptrdiff_t>(at), first, last);
        sync();
        return &*it;
    }
    void clear() noexcept {
        m_owned.clear();
        sync();
    }
    void shrink_to_fit() {
        grow([](Array<T>& a) { a.shrink_to_fit(); });
    }

private:
    Array<T>& own() {
        if (m_borrowed) {
            Array<T> copy(m_data, m_data + m_size);
            m_owned.swap(copy);
            sync();
        }
        return m_owned;
    }
    template <typename F>
    void grow(F&& f) {
        own();
        f(m_owned);
        sync();
    }
    template <typename F>
    void replace(F&& f) {  // overwrites every element: no need to copy borrowed ones first
        m_borrowed = false;
        f(m_owned);
        sync();
    }
    void sync() noexcept {
        m_data = m_owned.data();
        m_size = m_owned.size();
        m_borrowed = false;
    }

    Array<T> m_owned;
    T* m_data = nullptr;
    std::size_t m_size = 0;
    bool m_borrowed = false;
};

/// A rows × cols sparse matrix in CSR form. Row i's entries are indices/values in
/// [indptr[i], indptr[i+1]); column indices are strictly increasing within a row. Each array is
/// owned or borrowed (CsrArray; `borrow_csr` in csr_view.hpp makes one over a caller's arrays).
template <typename T>
struct CsrMatrix {
    using Scalar = T;
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    CsrArray<std::int64_t> indptr{0};  ///< rows + 1 offsets, indptr[0] = 0
    CsrArray<std::int32_t> indices;    ///< column of each stored entry, 0-based
    CsrArray<T> values;                ///< value of each stored entry

    std::int64_t nnz() const noexcept { return static_cast<std::int64_t>(values.size()); }
    std::int64_t row_nnz(std::int64_t i) const noexcept { return indptr[i + 1] - indptr[i]; }

    template <typename U>
    CsrMatrix<U> cast() const {
        CsrMatrix<U> out;
        out.rows = rows;
        out.cols = cols;
        out.indptr = indptr;
        out.indices = indices;
        out.values.resize(values.size());
        std::transform(values.begin(), values.end(), out.values.begin(), [](T v) { return static_cast<U>(v); });
        return out;
    }
};

}  // namespace factopic
