# `cmake --install build --prefix P` lays out P the way AscendCL applications and their build
# files expect (../shared/spec/acl-api.md §2.1, §2.4), plus Kiln's own C++ package:
#
#   P/runtime/include/{acl,ge}/...        AscendCL headers (C and C++11)
#   P/runtime/lib64/libascendcl.so        the implementation, found through LD_LIBRARY_PATH
#   P/runtime/lib64/stub/libascendcl.so   link-time copies (NPU_HOST_LIB points here)
#   P/runtime/lib64{,/stub}/libacl_cblas.so
#   P/acllib -> runtime                   the older toolkits' name for the same tree
#   P/bin/{kiln,atc}, P/compiler/bin/atc  the converter (atc is kiln under another name)
#   P/python/site-packages/               pyACL (`import acl`) and the `kiln` module
#   P/include/kiln/, P/lib/libkiln.so     the C++ API, with P/lib/cmake/Kiln (find_package(Kiln))
#                                         and P/lib/pkgconfig/kiln.pc
#   P/set_env.sh                          PATH, LD_LIBRARY_PATH, PYTHONPATH, DDK_PATH, NPU_HOST_LIB,
#                                         ASCEND_TOOLKIT_HOME for the shell that sources it
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/acl ${PROJECT_SOURCE_DIR}/include/ge DESTINATION runtime/include)
install(TARGETS ascendcl acl_cblas EXPORT KilnTargets LIBRARY DESTINATION runtime/lib64)
# The stub copies are the same files (on the real stack they only exist to link without a driver).
install(FILES $<TARGET_FILE:ascendcl> $<TARGET_FILE:acl_cblas> DESTINATION runtime/lib64/stub)
install(CODE [[
  set(root "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}")
  file(MAKE_DIRECTORY "${root}/compiler/bin")
  execute_process(COMMAND ${CMAKE_COMMAND} -E create_symlink ../../bin/kiln "${root}/compiler/bin/atc")
  execute_process(COMMAND ${CMAKE_COMMAND} -E create_symlink runtime "${root}/acllib")
]])

if(TARGET kiln_cxx)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/kiln DESTINATION include)
  install(TARGETS kiln_cxx EXPORT KilnTargets LIBRARY DESTINATION lib)
endif()
install(EXPORT KilnTargets NAMESPACE Kiln:: DESTINATION lib/cmake/Kiln)
include(CMakePackageConfigHelpers)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/KilnConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/KilnConfig.cmake INSTALL_DESTINATION lib/cmake/Kiln)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/KilnConfigVersion.cmake VERSION ${PROJECT_VERSION}
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/KilnConfig.cmake ${PROJECT_BINARY_DIR}/KilnConfigVersion.cmake
        DESTINATION lib/cmake/Kiln)

# set_env.sh and kiln.pc carry the prefix chosen at install time (cmake --install --prefix P).
install(CODE "set(KILN_VERSION ${PROJECT_VERSION})
  set(KILN_SET_ENV_IN \"${PROJECT_SOURCE_DIR}/cmake/set_env.sh.in\")
  set(KILN_PC_IN \"${PROJECT_SOURCE_DIR}/cmake/kiln.pc.in\")")
install(CODE [[
  get_filename_component(KILN_ROOT "${CMAKE_INSTALL_PREFIX}" ABSOLUTE)
  configure_file("${KILN_SET_ENV_IN}" "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/set_env.sh" @ONLY)
  configure_file("${KILN_PC_IN}" "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/lib/pkgconfig/kiln.pc" @ONLY)
  message(STATUS "Installing: $ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/set_env.sh, lib/pkgconfig/kiln.pc")
]])
