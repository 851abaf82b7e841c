"""One signal mechanism (blinker, which ships with Flask) for every layer.

A lower layer that must let a higher one react sends a signal here; the higher layer connects a receiver
when its package is imported. Signals carry the sender and keyword data; receivers run in the sender's
transaction unless the signal says otherwise, so they flush and never commit.

| signal | sender | keyword data | sent when |
|---|---|---|---|
| committed | the session | – | the edge (or a CLI transaction) committed: side effects may leave now |
"""

from blinker import Namespace

fundapp_signals = Namespace()

#: The request's or command's transaction is committed. Sent after the commit, outside it.
committed = fundapp_signals.signal("committed")
