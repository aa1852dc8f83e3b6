"""Batch scoring: jobs, runners (processes, Dask), result documents, the signal cache, QC plots, rescoring."""
