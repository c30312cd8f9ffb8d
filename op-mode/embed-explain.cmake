# Embeds docs/explain/<id>.md into a C++ source at build time, so that
# `edgediag explain ID` needs nothing from docs/ at run time.
#   cmake -DDIR=docs/explain -DOUT=explain_texts.cc -P embed-explain.cmake
file(GLOB texts "${DIR}/*.md")
list(SORT texts)
set(body "")
foreach(md IN LISTS texts)
  get_filename_component(id "${md}" NAME_WLE)
  file(READ "${md}" text)
  string(FIND "${text}" ")explain\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${md}: holds the raw-string delimiter )explain\"")
  endif()
  string(APPEND body "    {\"${id}\", R\"explain(${text})explain\"},\n")
endforeach()
set(source "// Generated from docs/explain/*.md by op-mode/embed-explain.cmake: do not edit.
#include \"op-mode/explain.h\"

namespace edgediag::opmode {

std::span<const ExplainText> ExplainTexts() {
  static constexpr ExplainText kTexts[] = {
${body}  };
  return kTexts;
}

}  // namespace edgediag::opmode
")
file(WRITE "${OUT}.new" "${source}")
file(COPY_FILE "${OUT}.new" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.new")
