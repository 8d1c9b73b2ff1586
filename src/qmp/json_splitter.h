// Cuts a QMP input byte stream into JSON texts, as QEMU's JSON streamer does: a value
// ends where its braces and brackets balance, not at a newline, so clients may send
// objects without a line end, several per line, or split across reads. Strings are
// skipped over (with their escapes). A bare top-level token (`123`, `foo`) ends at the
// next whitespace or structural character and is handed on like any value, so that the
// dispatcher rejects it as QEMU does.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mimeo::qmp {

class JsonSplitter {
 public:
  // QEMU's limits are larger (64 MiB per value); a QMP command never comes near this.
  static constexpr size_t kMaxValueBytes = 1 << 20;
  static constexpr int kMaxNesting = 1024;

  struct Item {
    std::string text;   // one JSON text to parse, when `error` is empty
    std::string error;  // a limit was exceeded: the QMP error description
  };

  // The values and errors completed by `bytes`, in order. Incomplete input is kept.
  std::vector<Item> feed(std::string_view bytes);
  // Forgets incomplete input (a new client connected).
  void reset();

 private:
  void append(char c, std::vector<Item>& out);
  void emit_value(std::vector<Item>& out);
  void emit_error(std::string error, std::vector<Item>& out);
  [[nodiscard]] bool inside() const { return braces_ > 0 || brackets_ > 0; }

  std::string buffer_;
  int braces_ = 0;
  int brackets_ = 0;
  bool in_string_ = false;
  bool escaped_ = false;
  bool bare_token_ = false;  // buffer_ holds a top-level token outside any braces
};

}  // namespace mimeo::qmp
