#include "chardev/open_chardev.h"

#include "chardev/file_chardev.h"
#include "chardev/null_chardev.h"
#include "chardev/socket_chardev.h"
#include "chardev/stdio_chardev.h"

namespace mimeo::chardev {

namespace {

template <class T>
Result<std::unique_ptr<Chardev>> upcast(Result<std::unique_ptr<T>> opened, const std::string& who) {
  if (!opened.ok()) {
    return opened.error().context(who);
  }
  return std::unique_ptr<Chardev>(std::move(*opened));
}

}  // namespace

Result<std::unique_ptr<Chardev>> open_chardev(const ChardevSpec& spec, ChardevHooks hooks) {
  const std::string who =
      "chardev " + (spec.id.empty() ? std::string(backend_name(spec.backend)) : spec.id);
  switch (spec.backend) {
    case Backend::kNull: return std::unique_ptr<Chardev>(std::make_unique<NullChardev>(spec.id));
    case Backend::kFile: return upcast(FileChardev::open(spec.id, spec.path, spec.append), who);
    case Backend::kSocket:
      if (spec.server) {
        return upcast(SocketChardev::listen(spec.id, spec.path, spec.wait), who);
      }
      return upcast(SocketChardev::connect(spec.id, spec.path), who);
    case Backend::kStdio: {
      StdioOptions options;
      options.signal = spec.signal;
      options.on_quit = std::move(hooks.quit);
      auto opened = StdioChardev::open(spec.id, std::move(options));
      if (!opened.ok()) {
        return opened.error();  // already says "chardev stdio"
      }
      return std::unique_ptr<Chardev>(std::move(*opened));
    }
  }
  return make_error(who + ": unknown backend");
}

}  // namespace mimeo::chardev
