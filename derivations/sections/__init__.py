"""One module per tutorial section (the implementation section has several), each declaring
its claims; `derivations.outline` lists them in order and the registry imports them."""
