"""The auditor's workspace: the transparency log over every request event (sealing, signed
checkpoints, proofs), its verification and replay, and the pages and API that read them."""
