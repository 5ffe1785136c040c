"""LALR tables generated from `../grammars/*.lark` (see `lalr_gen`)."""
