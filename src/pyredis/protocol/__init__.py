"""RESP2/RESP3: the request parser, the reply encoders and the error texts."""
