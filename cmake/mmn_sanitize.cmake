# MMN_SANITIZE: a list for -fsanitize= (e.g. "address,undefined"), applied to every
# target; undefined behaviour then stops the program instead of printing and going on.
set(MMN_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address,undefined (empty: none)")
if(MMN_SANITIZE)
  add_compile_options(-fsanitize=${MMN_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${MMN_SANITIZE})
endif()
