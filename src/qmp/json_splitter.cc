#include "qmp/json_splitter.h"

namespace mimeo::qmp {

std::vector<JsonSplitter::Item> JsonSplitter::feed(std::string_view bytes) {
  std::vector<Item> out;
  for (char c : bytes) {
    append(c, out);
  }
  return out;
}

void JsonSplitter::reset() {
  buffer_.clear();
  braces_ = 0;
  brackets_ = 0;
  in_string_ = false;
  escaped_ = false;
  bare_token_ = false;
}

void JsonSplitter::emit_value(std::vector<Item>& out) {
  out.push_back({std::move(buffer_), {}});
  reset();
}

void JsonSplitter::emit_error(std::string error, std::vector<Item>& out) {
  out.push_back({{}, std::move(error)});
  reset();
}

void JsonSplitter::append(char c, std::vector<Item>& out) {
  if (in_string_) {
    buffer_ += c;
    if (escaped_) {
      escaped_ = false;
    } else if (c == '\\') {
      escaped_ = true;
    } else if (c == '"') {
      in_string_ = false;
      if (!inside()) {
        emit_value(out);
        return;
      }
    }
  } else {
    switch (c) {
      case ' ':
      case '\t':
      case '\r':
      case '\n':
        if (inside()) {
          buffer_ += c;
        } else if (bare_token_) {
          emit_value(out);
        }
        return;
      case '"':
      case '{':
      case '[':
        if (!inside() && bare_token_) {
          emit_value(out);
        }
        buffer_ += c;
        if (c == '"') {
          in_string_ = true;
        } else {
          ++(c == '{' ? braces_ : brackets_);
          if (braces_ + brackets_ > kMaxNesting) {
            emit_error("JSON nesting depth limit exceeded", out);
            return;
          }
        }
        break;
      case '}':
      case ']':
        if (!inside() && bare_token_) {
          emit_value(out);
        }
        buffer_ += c;
        --(c == '}' ? braces_ : brackets_);
        // Complete when both counts are back to zero; a negative count (a stray or
        // mismatched closer) ends the value too, which then fails to parse.
        if (!inside() || braces_ < 0 || brackets_ < 0) {
          emit_value(out);
          return;
        }
        break;
      default:
        buffer_ += c;
        if (!inside()) {
          bare_token_ = true;
        }
        break;
    }
  }
  if (buffer_.size() > kMaxValueBytes) {
    emit_error("JSON token size limit exceeded", out);
  }
}

}  // namespace mimeo::qmp
