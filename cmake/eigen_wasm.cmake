# Eigen 3.4 has no wasm SIMD path, but its SSE path maps onto wasm SIMD through
# Emscripten's SSE headers (-msimd128 -msse4.2) once two x86-only things are
# out of the way. We make a patched copy at configure time:
#  1. Emscripten ships no <mmintrin.h> (no MMX): an empty one is provided.
#  2. Inline x86 asm that Eigen uses as GCC workarounds (pmin/pmax in
#     arch/SSE/PacketMath.h, register-allocation hints in
#     products/GeneralBlockPanelKernel.h) is disabled under __EMSCRIPTEN__.
find_path(MNIST_EIGEN_SOURCE signature_of_eigen3_matrix_library
  PATHS /usr/include/eigen3 /usr/local/include/eigen3
  NO_CMAKE_FIND_ROOT_PATH NO_DEFAULT_PATH)
if(NOT MNIST_EIGEN_SOURCE)
  message(FATAL_ERROR "Eigen 3.4 headers not found (apt-get install libeigen3-dev)")
endif()

set(MNIST_EIGEN_COPY ${CMAKE_BINARY_DIR}/eigen-wasm)

# Replaces every `from` with `to` in one file of the copy; fails if nothing changed.
function(mnist_patch_eigen rel from to)
  file(READ ${MNIST_EIGEN_COPY}/${rel} _text)
  string(REPLACE "${from}" "${to}" _patched "${_text}")
  if(_patched STREQUAL _text)
    message(FATAL_ERROR "Eigen patch for ${rel} did not apply")
  endif()
  file(WRITE ${MNIST_EIGEN_COPY}/${rel} "${_patched}")
endfunction()

if(NOT EXISTS ${MNIST_EIGEN_COPY}/Eigen/Core)
  file(COPY ${MNIST_EIGEN_SOURCE}/Eigen DESTINATION ${MNIST_EIGEN_COPY})
  file(WRITE ${MNIST_EIGEN_COPY}/compat/mmintrin.h "// Emscripten has no MMX; Eigen only needs the include to succeed.\n")

  mnist_patch_eigen(Eigen/src/Core/arch/SSE/PacketMath.h
    "#if EIGEN_COMP_GNUC && EIGEN_COMP_GNUC < 63"
    "#if EIGEN_COMP_GNUC && EIGEN_COMP_GNUC < 63 && !defined(__EMSCRIPTEN__)")
  mnist_patch_eigen(Eigen/src/Core/products/GeneralBlockPanelKernel.h
    "EIGEN_GNUC_AT_LEAST(6,0) && defined(EIGEN_VECTORIZE_SSE)"
    "EIGEN_GNUC_AT_LEAST(6,0) && defined(EIGEN_VECTORIZE_SSE) && !defined(__EMSCRIPTEN__)")
endif()

add_library(mnist_eigen_wasm INTERFACE)
target_include_directories(mnist_eigen_wasm SYSTEM INTERFACE ${MNIST_EIGEN_COPY} ${MNIST_EIGEN_COPY}/compat)
add_library(Eigen3::Eigen ALIAS mnist_eigen_wasm)
