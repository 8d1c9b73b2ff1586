#include "cli/template_plan.h"

#include <fmt/format.h>

#include "base/keyval.h"
#include "cli/run_plan.h"

namespace mimeo::cli {

namespace {

// The backend's id when it is a safe file name (QEMU's "pc.ram"), else
// "ram<index>".
std::string ram_file_name(const std::string& id, size_t index) {
  bool safe = !id.empty() && id[0] != '.' && id.size() < 200 && id != kTemplateState &&
              id != kTemplateMetadata;
  for (char c : id) {
    safe &= std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
  }
  return safe ? id : fmt::format("ram{}", index);
}

bool machine_names_backend(const RunOptions& user) {
  if (!user.machine) {
    return false;
  }
  auto kv = KeyValues::parse(*user.machine, "-machine", "type");
  return kv.ok() && kv->has("memory-backend");
}

}  // namespace

Result<TemplatePlan> plan_template(const RunOptions& user, const std::string& ram_dir) {
  if (user.qmp || user.incoming || user.start_paused) {
    return make_error(
        "-qmp, -incoming and -S are not for `template create` (it runs, stops and saves the VM "
        "itself)");
  }
  if (!user.serials.empty() || !user.chardevs.empty()) {
    return make_error(
        "-serial and -chardev are not for `template create`: the template's console is read by "
        "mimeo (--ready-on-serial) and shown on stdout");
  }
  MIMEO_ASSIGN_OR_RETURN(auto checked, build_run_plan(user));

  TemplatePlan plan;
  plan.template_run = user;
  plan.template_run.serials = {"none"};
  plan.template_run.objects.clear();
  plan.clone_run = user;
  plan.clone_run.objects.clear();
  plan.clone_run.uuid.reset();  // every clone gets its own
  plan.clone_run.name.reset();
  for (size_t i = 0; i < checked.machine.memory.size(); ++i) {
    const auto& backend = checked.machine.memory[i];
    TemplateRam ram{backend.id(), backend.size(), ram_file_name(backend.id(), i)};
    plan.template_run.objects.push_back(fmt::format(
        "memory-backend-file,id={},size={},mem-path={}/{},share=on", escape_option_value(ram.id),
        ram.size, escape_option_value(ram_dir), escape_option_value(ram.file)));
    plan.clone_run.objects.push_back(fmt::format(
        "memory-backend-file,id={},size={},mem-path={{template}}/{},readonly=on,rom=off",
        escape_option_value(ram.id), ram.size, escape_option_value(ram.file)));
    plan.memory.push_back(std::move(ram));
  }
  // RAM made by -m alone becomes an explicit backend the machine names.
  if (user.numa.empty() && !machine_names_backend(user)) {
    std::string machine = "microvm,memory-backend=" + escape_option_value(plan.memory[0].id);
    plan.template_run.machine = machine;
    plan.clone_run.machine = machine;
  }
  return plan;
}

}  // namespace mimeo::cli
