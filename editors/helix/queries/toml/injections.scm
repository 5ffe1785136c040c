;; extends

; ojlang runbooks (LANGUAGE.md §5.1): bash in shell fields, Jinja in prompts.
; Helix has no `#offset!`: the string node is injected with its quotes, so a """ or '''
; block reads as an empty shell word before and after the script, which highlights it as bash.
; This file replaces Helix's own toml injections, whose one rule is kept below.

((comment) @injection.content
  (#set! injection.language "comment"))

((pair
  (bare_key) @_key
  (string) @injection.content)
  (#any-of? @_key "run" "command" "checkpoint" "prime" "source" "condition" "rollback" "on_add" "cleanup")
  (#set! injection.language "bash"))

((pair
  (bare_key) @_key
  (string) @injection.content)
  (#eq? @_key "prompt")
  (#set! injection.language "jinja"))
