# Smoke test: boot Debian's cloud kernel (fetched by scripts/fetch-debian-kernel,
# run from scripts/setup) with build/mimeo until its first console line.
# Skipped (exit 77) when the kernel or /dev/kvm is missing. docs/smoke-test.md.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME smoke_debian_kernel
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/debian_kernel_smoke.py
    --mimeo $<TARGET_FILE:mimeo>
    --fetch-script ${CMAKE_SOURCE_DIR}/scripts/fetch-debian-kernel
    --timeout 240)
set_tests_properties(smoke_debian_kernel PROPERTIES
  SKIP_RETURN_CODE 77
  TIMEOUT 300
  LABELS smoke)
