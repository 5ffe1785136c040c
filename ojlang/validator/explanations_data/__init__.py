"""The texts of `oj explain`, one module per family of codes; `explanations` assembles them."""
