// Errors as values: every fallible call in netlink/, vici/ and plugin/
// returns Result<T>. Only main() turns an Error into a message and an exit.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace edgediag {

/// What went wrong: a machine-usable kind and one human line.
struct Error {
  enum class Code {
    kInvalidInput,      ///< malformed data from a file, socket or kernel
    kUnavailable,       ///< daemon, socket, module or file not there
    kPermissionDenied,  ///< present, but we may not read it
    kTimeout,           ///< asked, no answer in time
    kIo,                ///< a system call failed otherwise
    kProtocol,          ///< the peer spoke, but not what we understand
  };
  Code code = Code::kIo;
  std::string what;
};

/// Maps an errno from a system call to the Error code a user can act on.
inline Error::Code CodeFromErrno(int err) {
  switch (err) {
    case 1:    // EPERM
    case 13:   // EACCES
      return Error::Code::kPermissionDenied;
    case 2:    // ENOENT
    case 111:  // ECONNREFUSED
    case 93:   // EPROTONOSUPPORT
    case 97:   // EAFNOSUPPORT
      return Error::Code::kUnavailable;
    case 11:   // EAGAIN (a receive timeout)
    case 110:  // ETIMEDOUT
      return Error::Code::kTimeout;
    default:
      return Error::Code::kIo;
  }
}

/// An expected-like value: either a T or an Error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}      // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

/// Result<void>: success carries nothing.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : err_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return err_; }

 private:
  Error err_;
  bool ok_ = true;
};

/// Shorthand for building an Error in a return statement.
inline Error MakeError(Error::Code code, std::string what) { return Error{code, std::move(what)}; }

}  // namespace edgediag
