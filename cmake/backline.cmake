# Helpers that keep every target built the same way.
#
#   backline_library(NAME name SRCS a.cc b.cc DEPS dep1 dep2)
#   backline_test(NAME name SRCS a_test.cc DEPS lib LABELS unit [TIMEOUT s])
#   backline_binary(NAME name SRCS main.cc DEPS lib)
#
# Libraries are static, named backline_<name>, with the source root on the
# include path so headers are included as "base/status.h".

set(BACKLINE_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
if(BACKLINE_WERROR)
  list(APPEND BACKLINE_WARNINGS -Werror)
endif()

if(BACKLINE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Absolute path of ../shared/vectors, handed to tests that read published vectors.
get_filename_component(BACKLINE_VECTORS_DIR "${CMAKE_SOURCE_DIR}/../shared/vectors" ABSOLUTE)

function(backline_apply_common target)
  target_compile_options(${target} PRIVATE ${BACKLINE_WARNINGS})
  target_include_directories(${target} PUBLIC ${CMAKE_SOURCE_DIR}/src)
endfunction()

function(backline_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_library(backline_${ARG_NAME} STATIC ${ARG_SRCS})
  backline_apply_common(backline_${ARG_NAME})
  target_link_libraries(backline_${ARG_NAME} PUBLIC ${ARG_DEPS})
endfunction()

function(backline_test)
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  backline_apply_common(${ARG_NAME})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${ARG_NAME} PRIVATE
      BACKLINE_VECTORS_DIR="${BACKLINE_VECTORS_DIR}")
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME})
  set_tests_properties(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()

function(backline_binary)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  backline_apply_common(${ARG_NAME})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
endfunction()
