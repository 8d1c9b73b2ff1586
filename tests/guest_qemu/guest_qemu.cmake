# Tests of the test guest itself, included from guest/CMakeLists.txt (which
# defines GUEST_OUTPUT_DIR): a static check of both images' boot headers, and
# both images booted under QEMU -M microvm with KVM and with TCG. The QEMU
# tests exit 77 (skipped) when QEMU or /dev/kvm is missing.

find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(STATUS "guest tests: no Python 3 interpreter, not adding them")
  return()
endif()

# add_subdirectory(guest) runs before the top level's enable_testing(); without
# this, the tests below would not be written to this directory's CTestTestfile.
enable_testing()

set(guest_test_dir ${CMAKE_SOURCE_DIR}/tests/guest_qemu)

add_test(NAME guest_images_check
  COMMAND Python3::Interpreter ${guest_test_dir}/check_images.py
          --elf ${GUEST_OUTPUT_DIR}/guest.elf --bzimage ${GUEST_OUTPUT_DIR}/guest.bzImage)
set_tests_properties(guest_images_check PROPERTIES TIMEOUT 30)

# symbols: the linked ELF whose symbol addresses the image's code has.
foreach(image elf bzImage)
  if(image STREQUAL "elf")
    set(symbols ${GUEST_OUTPUT_DIR}/guest.elf)
  else()
    set(symbols ${GUEST_OUTPUT_DIR}/guest-bzimage.elf)
  endif()
  foreach(accel kvm tcg)
    set(name guest_qemu_${image}_${accel})
    add_test(NAME ${name}
      COMMAND Python3::Interpreter ${guest_test_dir}/guest_qemu_test.py
              --image ${GUEST_OUTPUT_DIR}/guest.${image} --accel ${accel})
    add_test(NAME ${name}_exception
      COMMAND Python3::Interpreter ${guest_test_dir}/guest_qemu_test.py
              --image ${GUEST_OUTPUT_DIR}/guest.${image} --accel ${accel}
              --exception-via ${symbols})
    set_tests_properties(${name} ${name}_exception PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 240)
  endforeach()
endforeach()
