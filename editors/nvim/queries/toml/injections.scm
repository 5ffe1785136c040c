;; extends

; ojlang runbooks (LANGUAGE.md §5.1): bash in shell fields, Jinja in prompts.
; `#offset!` leaves the quotes out: three characters for """ and ''' strings, one otherwise.

((pair
  (bare_key) @_key
  (string) @injection.content)
  (#any-of? @_key "run" "command" "checkpoint" "prime" "source" "condition" "rollback" "on_add" "cleanup")
  (#lua-match? @injection.content "^\"\"\"")
  (#offset! @injection.content 0 3 0 -3)
  (#set! injection.language "bash"))

((pair
  (bare_key) @_key
  (string) @injection.content)
  (#any-of? @_key "run" "command" "checkpoint" "prime" "source" "condition" "rollback" "on_add" "cleanup")
  (#lua-match? @injection.content "^'''")
  (#offset! @injection.content 0 3 0 -3)
  (#set! injection.language "bash"))

((pair
  (bare_key) @_key
  (string) @injection.content)
  (#any-of? @_key "run" "command" "checkpoint" "prime" "source" "condition" "rollback" "on_add" "cleanup")
  (#not-lua-match? @injection.content "^\"\"\"")
  (#not-lua-match? @injection.content "^'''")
  (#offset! @injection.content 0 1 0 -1)
  (#set! injection.language "bash"))

((pair
  (bare_key) @_key
  (string) @injection.content)
  (#eq? @_key "prompt")
  (#lua-match? @injection.content "^\"\"\"")
  (#offset! @injection.content 0 3 0 -3)
  (#set! injection.language "jinja"))

((pair
  (bare_key) @_key
  (string) @injection.content)
  (#eq? @_key "prompt")
  (#lua-match? @injection.content "^'''")
  (#offset! @injection.content 0 3 0 -3)
  (#set! injection.language "jinja"))

((pair
  (bare_key) @_key
  (string) @injection.content)
  (#eq? @_key "prompt")
  (#not-lua-match? @injection.content "^\"\"\"")
  (#not-lua-match? @injection.content "^'''")
  (#offset! @injection.content 0 1 0 -1)
  (#set! injection.language "jinja"))
