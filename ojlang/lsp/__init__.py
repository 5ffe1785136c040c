"""`oj lsp`: the language server of runbooks (pygls 2), imported only by `oj lsp`.

`server` wires pygls to the features; `analysis` checks a document with the same checker as
`oj check`; `diagnostics`, `definition`, `hover` and `completion` answer one request kind each
from an analysis; `positions` converts spans to the client's position encoding.
"""
