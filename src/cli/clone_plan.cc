#include "cli/clone_plan.h"

#include <fmt/format.h>

#include <utility>

#include "cli/template_dir.h"
#include "memory/backend_options.h"

namespace mimeo::cli {

namespace {

// What a user may add to a clone: where its console and control go, and its
// name and UUID. The rest of the machine is the template's.
Status check_extra_options(const RunOptions& extra) {
  const std::pair<bool, const char*> machine_options[] = {
      {extra.memory.has_value(), "-m"},         {extra.smp.has_value(), "-smp"},
      {extra.machine.has_value(), "-machine"},  {extra.cpu.has_value(), "-cpu"},
      {!extra.objects.empty(), "-object"},      {!extra.numa.empty(), "-numa"},
      {!extra.devices.empty(), "-device"},      {extra.kernel.has_value(), "-kernel"},
      {extra.append.has_value(), "-append"},    {extra.initrd.has_value(), "-initrd"},
      {extra.incoming.has_value(), "-incoming"}};
  for (const auto& [given, name] : machine_options) {
    if (given) {
      return make_error(std::string(name) +
                        " is not for a clone: its machine is the template's (a clone takes only "
                        "-serial, -chardev, -qmp, -uuid, -name, -S and -display/-nographic)");
    }
  }
  return {};
}

// template.json is untrusted input: where a clone's console and control go,
// and its name and UUID, are the user's to say, never the template's (a
// -serial file:PATH there would write wherever the file said).
Status check_template_options(const RunOptions& options) {
  if (!options.serials.empty() || !options.chardevs.empty() || options.qmp || options.incoming ||
      options.start_paused || options.uuid || options.name) {
    return make_error(
        "the clone options hold -serial, -chardev, -qmp, -incoming, -S, -uuid or -name, "
        "which only the user gives a clone");
  }
  return {};
}

// template.json is untrusted input: its clone options must map exactly the
// template's RAM files, privately (readonly=on,rom=off, share=off). A
// share=on mapping would write the clone's memory into the template.
Status check_clone_memory(const RunPlan& plan, const TemplateInfo& info, const std::string& dir) {
  const std::string where = dir + "/" + kTemplateMetadata;
  if (plan.machine.memory.size() != info.memory.size()) {
    return make_error(
        fmt::format("{}: the clone options define {} memory backend(s) but \"memory\" lists {}",
                    where, plan.machine.memory.size(), info.memory.size()));
  }
  for (const auto& backend : plan.machine.memory) {
    const TemplateRam* ram = nullptr;
    for (const auto& r : info.memory) {
      ram = r.id == backend.id() ? &r : ram;
    }
    if (ram == nullptr) {
      return make_error(
          fmt::format("{}: memory backend '{}' is not in \"memory\"", where, backend.id()));
    }
    const std::string file = dir + "/" + ram->file;
    if (backend.type() != memory::BackendType::kFile || backend.mem_path() != file ||
        backend.size() != ram->size || backend.share() || !backend.readonly() ||
        backend.guest_readonly()) {
      return make_error(
          fmt::format("{}: memory backend '{}' of a clone must be the template's file {} with "
                      "readonly=on,rom=off,share=off",
                      where, backend.id(), file));
    }
  }
  return {};
}

}  // namespace

Result<ClonePlan> plan_clone(const std::string& dir, const std::vector<std::string>& user_options) {
  MIMEO_ASSIGN_OR_RETURN(TemplateInfo info, read_template_info(dir));
  MIMEO_ASSIGN_OR_RETURN(RunOptions extra, parse_run_options(user_options));
  MIMEO_TRY(check_extra_options(extra));
  // The template's options alone first, so that an error names the file it
  // comes from; what fails only with the user's options added is theirs.
  auto args = clone_options_for(info, dir);
  const std::string metadata = dir + "/" + kTemplateMetadata;
  auto template_options = parse_run_options(args);
  if (!template_options.ok()) {
    return template_options.error().context(metadata);
  }
  if (auto own = check_template_options(*template_options); !own.ok()) {
    return own.error().context(metadata);
  }
  if (auto template_plan = build_run_plan(*template_options); !template_plan.ok()) {
    return template_plan.error().context(metadata);
  }
  auto user_args = format_run_options(extra);
  args.insert(args.end(), user_args.begin(), user_args.end());
  MIMEO_ASSIGN_OR_RETURN(RunOptions run_options, parse_run_options(args));
  // -S (with -qmp): paused until QMP's cont.
  MIMEO_ASSIGN_OR_RETURN(RunPlan plan, build_run_plan(run_options));
  MIMEO_TRY(check_clone_memory(plan, info, dir));
  plan.machine.incoming = true;
  return ClonePlan{std::move(plan), dir + "/" + kTemplateState};
}

}  // namespace mimeo::cli
